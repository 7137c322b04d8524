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
_FILLER = re.compile(r"^\s*(?:and|so|but|also|et|mais|yeah|well)\b[,]?\s*", re.IGNORECASE)
MAX_LEN = 200


def summarize(text: str, *, known_name: str | None = None) -> str | None:
    """Condense a caller's description; None if nothing of substance is left."""
    working = text
    if known_name:
        working = re.sub(re.escape(known_name), " ", working, flags=re.IGNORECASE)
    working = _CONTACT.sub(" ", working)
    clauses = [c.strip(" ,;") for c in _CLAUSE_SPLIT.split(working) if c and c.strip(" ,;.")]
    kept = []
    for clause in clauses:
        clause = _GREETING.sub("", clause).strip(" ,;")
        clause = _FILLER.sub("", clause).strip(" ,;")
        if len(re.findall(r"[^\W\d_]{3,}", clause)) >= 2:
            kept.append(clause)
    if not kept:
        return None
    summary = re.sub(r"\s+", " ", " ".join(kept)).strip()
    summary = summary[0].upper() + summary[1:]
    if len(summary) > MAX_LEN:
        summary = summary[: MAX_LEN - 1].rsplit(" ", 1)[0] + "…"
    return summary
