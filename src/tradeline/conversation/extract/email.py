"""An e-mail address from what the caller said or typed, validated by `email_validator`."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from tradeline.conversation.extract.lexicon import CORRECTION, fold
from tradeline.conversation.extract.normalize import spoken_email_to_text

__all__ = ["extract_email"]

# Only finds candidates; `validate_email` decides. Wide on purpose (apostrophes, unicode) so that the
# validator, not this pattern, is what rejects a bad address.
_CANDIDATE = re.compile(r"[\w.+'%-]+@[\w-]+(?:\.[\w-]+)+")
# Sentence punctuation that sticks to an address typed at the end of a sentence: "…@example.com."
_TRAILING = ".-'"


def extract_email(text: str) -> str | None:
    """The caller's e-mail address, lower-cased, or None.

    Spoken forms are rewritten first ("jordan dot lee at example dot com", "arobase", "tiret bas").
    Deliverability is not checked (no network in a call turn). With several addresses the first
    wins, unless the caller corrects themselves, when the last one does.
    """
    written = spoken_email_to_text(text)
    if "@" not in written:
        return None
    valid: list[str] = []
    for match in _CANDIDATE.finditer(written):
        candidate = match.group().strip(_TRAILING)
        try:
            checked = validate_email(candidate, check_deliverability=False)
        except EmailNotValidError:
            continue
        # Mailbox names are case-sensitive in theory only; every real provider folds them, and
        # the lead's e-mail is matched and de-duplicated on the lower-cased form.
        valid.append(checked.normalized.lower())
    if not valid:
        return None
    return valid[-1] if CORRECTION.search(fold(text)) else valid[0]
