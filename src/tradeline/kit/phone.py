"""Phone numbers with `phonenumbers`: parsing to E.164 in a business's region."""

from __future__ import annotations

import phonenumbers


class InvalidPhoneNumber(ValueError):
    pass


def to_e164(raw: str, region: str | None = None) -> str:
    """Parse `raw` (any punctuation, national or international) into E.164, or raise."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhoneNumber(f"not a possible phone number: {raw!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_e164(value: str) -> bool:
    try:
        return to_e164(value) == value
    except InvalidPhoneNumber:
        return False
