"""Pure SMS decisions: the order of message statuses, segment counts, reconciliation matches."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Final

# Message status precedence. Callbacks arrive duplicated and out of order; a message's status is
# the highest-ranked one ever reported, so the result does not depend on arrival order: a late
# `sent` never overwrites `delivered`, and `undelivered`/`failed`/`canceled` are terminal.
# Our own pipeline stages sit below every provider status.
STATUS_RANK: Final[dict[str, int]] = {
    "pending": 0,
    "submitting": 1,
    "unknown": 1,
    "submitted": 2,
    "accepted": 2,
    "scheduled": 2,
    "queued": 2,
    "sending": 3,
    "sent": 4,
    "receiving": 4,
    "received": 4,
    "partially_delivered": 5,
    "delivered": 5,
    "read": 6,
    "undelivered": 7,
    "failed": 8,
    "canceled": 8,
    "refused": 9,  # our consent policy said no; never reached the provider
}
TERMINAL: Final = frozenset({"undelivered", "failed", "canceled", "refused"})


def rank(status: str) -> int:
    """Unknown statuses (Twilio adds some without notice) rank lowest: recorded, never applied."""
    return STATUS_RANK.get(status, -1)


def next_status(current: str, incoming: str) -> str:
    """The status after `incoming` is reported for a message now in `current`."""
    return incoming if rank(incoming) > rank(current) else current


def final_status(reported: Iterable[str], start: str = "submitted") -> str:
    status = start
    for item in reported:
        status = next_status(status, item)
    return status


# GSM 03.38: the basic set (1 septet) and the extension table (2 septets, escape + char).
_GSM_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED: Final = frozenset("^{}\\[~]|€\f")


def segments(body: str) -> int:
    """How many SMS segments a body takes (what carriers bill): GSM-7 160/153, else UCS-2 70/67."""
    if not body:
        return 1
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in body):
        septets = sum(2 if c in _GSM_EXTENDED else 1 for c in body)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(body.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


def body_digest(body: str) -> str:
    """What reconciliation compares: providers may trim surrounding whitespace."""
    return hashlib.sha256(body.strip().encode("utf-8")).hexdigest()


# A provider's clock and ours may differ a little; a send is listed at most this much before
# we marked it `submitting`.
CLOCK_SKEW: Final = timedelta(minutes=2)


def match_sent(
    candidates: Sequence[tuple[str, str, str, str, datetime]],
    *,
    to: str,
    from_: str,
    body: str,
    submitting_at: datetime,
    taken: frozenset[str],
) -> str | None:
    """The SID of the provider message that is our lost send, or None.

    `candidates` are (sid, to, from, body, created_at). Same recipient, sender and body hash,
    created no earlier than our attempt (less the clock skew), and not already the SID of
    another of our messages; the earliest such message wins.
    """
    digest = body_digest(body)
    found = [
        (created, sid)
        for sid, c_to, c_from, c_body, created in candidates
        if c_to == to
        and c_from == from_
        and sid not in taken
        and created >= submitting_at - CLOCK_SKEW
        and body_digest(c_body) == digest
    ]
    return min(found)[1] if found else None
