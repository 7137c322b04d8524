"""The job summary: what the caller needs, in their words, without the contact details."""

from __future__ import annotations

import re

_CLAUSE_SPLIT = re.compile(
    r"(?<=[.!?;])\s+|\s*,\s*(?=(?:and\s+)?(?:my|this is|it's|i'm|name|email|e-mail|you can|call me|reach me|my number|mon nom|je m'appelle|mon courriel|vous pouvez)\b)",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|hey|good (?:morning|afternoon|evening)|bonjour|bonsoir|allo|salut)\b"
    r"(?:\s+there\b)?[,!.]?\s*)+(?:(?:yeah|yes|yep|oui|so|um|uh|ok|okay)[,!.]?\s+)*",
    re.IGNORECASE,
)
_CONTACT = re.compile(
    # Cues are case-insensitive; the name after them must be capitalised (scoped flags).
    r"(?i:\b(?:my name is|my name's|name's|this is|it's|i am|je m'appelle|mon nom (?:est|c'est)|c'est))\s+"
    r"[A-ZÀ-Ý][\w'’-]+(?:\s+(?:[A-ZÀ-Ý][\w'’-]+|van|von|de|der|la|le|du|di|da))*"
    r"|(?i:\b(?:my name is|my name's|name's|je m'appelle|mon nom (?:est|c'est))\b)(?=\s*(?:[,.;!?]|and\b|et\b|$))"
    r"|(?i:\b(?:my )?(?:e-?mail|courriel)(?: address)?(?: is)?\s+\S+(?:\s+(?:dot|at|point|arobase)\s+\S+)*)"
    r"|(?i:\b(?:my (?:number|cell|phone)|(?:call|reach|text) me (?:back )?(?:at|on)|you can reach me"
    r"|(?:call|reach|text) me(?=\s*\+?\d)|me (?:rappeler|joindre) (?:au|à)|(?:mon )?numéro (?:est|c'est))"
    r"\b[^.!?]*)"
    r"|\+?1?[\s.-]?\(?\b\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b",
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
_TYPES = (
    r"(?:street|st|avenue|ave|drive|dr|road|rd|boulevard|blvd|lane|ln|way|court|ct|crescent|cres|place|pl|"
    r"trail|tr|highway|hwy|parkway|pkwy|rue|chemin|boul|rang|route)"
)
_SPOKEN = (
    r"(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"oh|un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|vingt|"
    r"trente|quarante|cinquante|soixante|cent|et)(?:[\s-]+|(?=\s)))+"
)
_PLACE = r"(?-i:[A-ZÀ-Ý][\w'’-]+)"
_STREET = re.compile(
    r"\b(?:at|on|au)?\s*\d{1,6}[a-z]?\s+(?:[A-Za-zÀ-ÿ'’.-]+\s+){0,4}?"
    + _TYPES
    + r"\b\.?(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?"
    # Spoken: "nine Maple Drive", "seventy two Forest Hills Parkway", "vingt-deux chemin Lawrencetown".
    + r"|\b(?:at|on|au)?\s*"
    + _SPOKEN
    + r"(?:"
    + _PLACE
    + r"\s+){1,4}"
    + _TYPES
    + r"\b"
    + r"|\b(?:au\s+)?(?:\d{1,6}|"
    + _SPOKEN
    + r")\s*(?:rue|chemin|boulevard|avenue|route|rang|montée)\s+"
    + r"(?:"
    + _PLACE
    + r"\s*){1,3}",
    re.IGNORECASE,
)
_HOLE = "\x00"
# What a cut-out name, address or number leaves behind: "this is _", "_ here", "at _ in Halifax",
# "j'habite au _ à Cole Harbour", "so _": the whole clause goes.
_AROUND_HOLE = (
    re.compile(
        r"\b(?:(?:hi|hello|hey|yeah|yes|oui|bonjour)[\s,]+)*(?:this is|it'?s|its|i'?m|i am|c'est|ici|je suis"
        r"|my name is|je m'appelle|name is)\s*\x00",
        re.IGNORECASE,
    ),
    re.compile(r"\x00\s*(?:here|speaking|ici)\b", re.IGNORECASE),
    re.compile(r"\x00(?:\s*,?\s*(?:in|à|,)\s+" + _PLACE + r"(?:\s+" + _PLACE + r")*)+"),
    re.compile(
        r"(?:\b(?:i live|we live|we'?re|i'?m|located|j'habite|on habite|nous habitons)\s*"
        r"(?:at|on|au|à|in)?|\b(?:at|on|au|à|in))\s*\x00",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?:so|and|but|or|because|et|mais|donc|alors|pis)\s*,?\s*\x00", re.IGNORECASE),
)
# Words of a request with nothing about the job: "can someone", "please help".
_EMPTY_WORDS = (
    "can could would will someone somebody anyone please you guys come help need call text thanks "
    "hey the and get out over here there pouvez quelqu'un venir aide besoin merci svp"
)
_EMPTY = frozenset(_EMPTY_WORDS.split())
_FILLER = re.compile(r"^\s*(?:and|so|but|also|et|mais|yeah|well)\b[,]?\s*", re.IGNORECASE)
MAX_LEN = 200


def summarize(
    text: str, *, known_name: str | None = None, known_address: str | None = None
) -> str | None:
    """Condense a caller's description; None if nothing of substance is left (an introduction,
    an address, "I'd rather not give my name", "that's all I needed")."""
    working = text.replace(_HOLE, " ")
    if known_name:
        working = re.sub(re.escape(known_name), _HOLE, working, flags=re.IGNORECASE)
    working = _STREET.sub(_HOLE, working)
    if known_address:
        working = re.sub(re.escape(known_address), _HOLE, working, flags=re.IGNORECASE)
    working = _CONTACT.sub(_HOLE, working)
    for _ in range(2):
        for pattern in _AROUND_HOLE:
            working = pattern.sub(_HOLE, working)
    working = re.sub(r"\x00(?:[\s,;:\-]*\x00)*", _HOLE, working)
    # The hole and the punctuation that joined it go: "so _." and "_, I manage" leave no stub.
    working = re.sub(r"[,;:\-]?\s*\x00\s*(?:[,;:\-](?!\S))?", " ", working)
    working = re.sub(r"\s+([,.;!?])", r"\1", working)
    clauses = [c.strip(" ,;") for c in _CLAUSE_SPLIT.split(working) if c and c.strip(" ,;.")]
    kept = []
    for clause in clauses:
        clause = _GREETING.sub("", clause).strip(" ,;")
        clause = _FILLER.sub("", clause).strip(" ,;")
        if _NOT_JOB.match(clause) or _INTRODUCTION.match(clause):
            continue
        clause = clause.lstrip(" ,;:.-")
        words = re.findall(r"[^\W\d_][\w'’-]{2,}", clause)
        if len(words) >= 2 and any(w.lower() not in _EMPTY for w in words):
            kept.append(clause)
    if not kept:
        return None
    summary = re.sub(r"\s+", " ", " ".join(kept)).strip()
    summary = summary[0].upper() + summary[1:]
    if len(summary) > MAX_LEN:
        summary = summary[: MAX_LEN - 1].rsplit(" ", 1)[0] + "…"
    return summary
