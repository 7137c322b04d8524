"""Pure consent decisions: opt-out keywords and what a ledger of records means now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class LedgerEntry:
    channel: str
    purpose: str
    basis: str
    granted: bool
    recorded_at: datetime


def sms_opted_out(entries: list[LedgerEntry]) -> bool:
    """The latest opt-out/opt-in keyword decides (STOP, then START, is back in)."""
    relevant = [e for e in entries if e.channel == "sms" and e.purpose == "all"]
    if not relevant:
        return False
    latest = max(relevant, key=lambda e: e.recorded_at)
    return not latest.granted
