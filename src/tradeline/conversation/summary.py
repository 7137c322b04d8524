"""The job summary: what the caller needs, in their words, without the contact details."""

from __future__ import annotations

import re

_CLAUSE_SPLIT = re.compile(
    r"(?<=[.!?;])\s+|\s*,\s*(?=(?:and\s+)?(?:my|this is|it's|i'm|name|email|e-mail|you can|call me|reach me|my number|mon nom|je m'appelle|mon courriel|vous pouvez)\b)",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|hey|good (?:morning|afternoon|evening)|bonjour|bonsoir|allo|salut)"
    r"(?:\s+there)?[,!.]?\s*)+(?:(?:yeah|yes|yep|oui|so|um|uh|ok|okay)[,!.]?\s+)*",
    re.IGNORECASE,
)
_CONTACT = re.compile(
    # Cues are case-insensitive; the name after them must be capitalised (scoped flags).
    r"(?i:\b(?:my name is|my name's|name's|this is|it's|i am|je m'appelle|mon nom (?:est|c'est)|c'est))\s+"
    r"[A-ZÀ-Ý][\w'’-]+(?:\s+(?:[A-ZÀ-Ý][\w'’-]+|van|von|de|der|la|le|du|di|da))*"
    r"|(?i:\b(?:my name is|my name's|name's|je m'appelle|mon nom (?:est|c'est))\b)(?=\s*(?:[,.;!?]|and\b|et\b|$))"
    r"|(?i:\b(?:my )?(?:e-?mail|courriel)(?: address)?(?: is)?\s+\S+(?:\s+(?:dot|at|point|arobase)\s+\S+)*)"
    r"|(?i:\b(?:my (?:number|cell|phone)|call me|reach me|text me|you can reach me|rappeler|joindre)\b[^.!?]*)",
)
# Turns about the call, not the job: refusals, closings, wrong numbers, shopping around.
_NOT_JOB = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|alright|oh|no|nope|sorry|well|thanks?|thank you|merci|non)\b[\s,.!]*)*"
    r"(?:(?:i'?d|i would|i'?ll|i)\s+(?:rather|prefer)\s+not\b|(?:no|not) (?:giving|going to give)\b"
    r"|that'?s (?:all|it|everything)\b|nothing else\b|(?:good)?bye\b|(?:i )?(?:must have|have|got|dialed) the wrong\b"
    r"|wrong number\b|(?:i'?m |we'?re )?just (?:shopping around|looking|curious|asking|checking prices)\b"
    r"|je préfère ne pas\b|c'est tout\b|rien d'autre\b|mauvais numéro\b)",
    re.IGNORECASE,
)
# "… from Almeida Bakery" once the name is gone: who is calling, not what they need.
_INTRODUCTION = re.compile(
    r"^\W*(?:(?:hi|hello|hey|bonjour)\b[\s,!.]*)?(?:(?:this is|it'?s|i'?m|i am|c'est|ici)\s+)?"
    r"(?:calling\s+)?(?:from|with|of|de|chez)\s+"
    r"(?:the\s+)?[A-ZÀ-Ý][\w'’&-]*(?:\s+[A-ZÀ-Ý&][\w'’&-]*)*\W*$"
)
_STREET = re.compile(
    r"\b(?:at|on|au)?\s*\d{1,6}[a-z]?\s+(?:[A-Za-zÀ-ÿ'’.-]+\s+){0,4}?"
    r"(?:street|st|avenue|ave|drive|dr|road|rd|boulevard|blvd|lane|ln|way|court|ct|crescent|cres|place|pl|"
    r"trail|tr|highway|hwy|rue|chemin|boul|rang|route)\b\.?(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?",
    re.IGNORECASE,
)
_FILLER = re.compile(r"^\s*(?:and|so|but|also|et|mais|yeah|well)\b[,]?\s*", re.IGNORECASE)
MAX_LEN = 200


def summarize(
    text: str, *, known_name: str | None = None, known_address: str | None = None
) -> str | None:
    """Condense a caller's description; None if nothing of substance is left (an introduction,
    an address, "I'd rather not give my name", "that's all I needed")."""
    working = text
    if known_name:
        working = re.sub(re.escape(known_name), " ", working, flags=re.IGNORECASE)
    if known_address:
        working = re.sub(re.escape(known_address), " ", working, flags=re.IGNORECASE)
    working = _STREET.sub(" ", working)
    working = re.sub(r"\s+(?:at|on|au|à)\s*(?=[.,;!?]|$)", " ", working, flags=re.IGNORECASE)
    working = _CONTACT.sub(" ", working)
    clauses = [c.strip(" ,;") for c in _CLAUSE_SPLIT.split(working) if c and c.strip(" ,;.")]
    kept = []
    for clause in clauses:
        clause = _GREETING.sub("", clause).strip(" ,;")
        clause = _FILLER.sub("", clause).strip(" ,;")
        if _NOT_JOB.match(clause) or _INTRODUCTION.match(clause):
            continue
        if len(re.findall(r"[^\W\d_]{3,}", clause)) >= 2:
            kept.append(clause)
    if not kept:
        return None
    summary = re.sub(r"\s+", " ", " ".join(kept)).strip()
    summary = summary[0].upper() + summary[1:]
    if len(summary) > MAX_LEN:
        summary = summary[: MAX_LEN - 1].rsplit(" ", 1)[0] + "…"
    return summary
