"""Pure consent decisions: what a business's ledger of records means for one contact, now.

The ledger (`consent_records`) is append-only. Each entry has a channel (`sms`, `voice`, `email`
or `all`), a purpose, a basis, whether consent was granted or withdrawn, and when. Purposes:

- `all` — the opt-out switch: STOP-type keywords (withdrawn) and START-type ones (granted).
  The latest such entry on a channel decides whether the number is opted out of it.
- `transactional` — replies, appointment reminders, a missed-call text-back.
- `marketing` — promotions, campaigns (CASL "commercial electronic messages").
- `recording` — call recording; never a basis for contacting anyone.

Bases: `express` (asked and given; lasts until withdrawn), `implied_purchase` (a purchase or
contract: CASL s.10(10), two years), `implied_inquiry` (the person called, texted or filled a
form: six months), and `suppressed` (the business's do-not-contact list, see below).

`can_contact` decides, in this order (the first reason that applies is the one reported):

1. `suppressed` — the number is on the business's do-not-contact list: nothing, ever, until an
   operator removes it. Passed in by the caller (the list is its own table).
2. `opted_out` — the latest opt-out-switch entry of the channel is a withdrawal: nothing (any
   purpose) on that channel until a START-type entry. An opt-out on *any* channel also stops
   marketing on every channel (FCC 24-24 "revoke all"; CASL withdrawal covers all CEMs).
3. A live basis for the purpose, recorded after the latest withdrawal that covers the purpose
   (a withdrawal voids every earlier grant, implied ones included):
   - marketing: express consent to marketing; or implied consent (purchase ≤ 730 days, inquiry
     ≤ 182 days, counted below);
   - transactional: any of those, or express transactional consent, or a START-type entry (the
     person asked to receive texts again).
   Otherwise `no_consent` (nothing recorded) or `consent_expired` (only stale implied consent).
4. Marketing only — `quiet_hours`: allowed from 08:00 to 21:00 (21:00 itself excluded) in the
   RECIPIENT's local time (TCPA 47 CFR 64.1200(c)(1)). The zone comes from the number
   (`phonenumbers.timezone.time_zones_for_number`); a number spanning several zones (toll-free,
   some area codes) gets the intersection of the windows — allowed only when it is within the
   window in every one of its zones. Marketing *calls* to Canadian numbers also keep to the CRTC
   telemarketing hours (09:00–21:30 weekdays, 10:00–18:00 weekends). Email has no quiet hours.
   Transactional messages are not bound to quiet hours.

Implied-consent windows are counted in calendar days in the business's time zone (the day of the
purchase or inquiry is day 0), as CASL counts "the period immediately before the day on which the
message was sent":

- purchase: allowed through day 730, refused from day 731;
- inquiry: "six months" is fixed at 182 days (half of 365, rounded down): allowed through day 182,
  refused from day 183. A fixed count keeps the rule the same for every start date; six calendar
  months are 181 to 184 days, so for the few start dates whose six months span only 181 days (a
  short February inside them) this allows one day more than the strictest calendar reading.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as number_zones

CHANNELS: Final = frozenset({"sms", "voice", "email", "all"})
PURPOSES: Final = frozenset({"transactional", "marketing", "recording", "all"})
CONTACT_PURPOSES: Final = frozenset({"transactional", "marketing"})
BASES: Final = frozenset({"express", "implied_purchase", "implied_inquiry", "suppressed"})

PURCHASE_DAYS: Final = 730
INQUIRY_DAYS: Final = 182
MARKETING_WINDOW: Final = (time(8, 0), time(21, 0))
# CRTC Unsolicited Telecommunications Rules, voice telemarketing (recipient's time).
CRTC_WEEKDAY_WINDOW: Final = (time(9, 0), time(21, 30))
CRTC_WEEKEND_WINDOW: Final = (time(10, 0), time(18, 0))
_UNKNOWN_ZONE: Final = "Etc/Unknown"


@dataclass(frozen=True)
class LedgerEntry:
    channel: str
    purpose: str
    basis: str
    granted: bool
    recorded_at: datetime


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # the basis used when allowed; why not when refused


def _switch(entry: LedgerEntry) -> bool:
    """Opt-out/opt-in keyword entries (never the do-not-contact list's own entries)."""
    return entry.purpose == "all" and entry.basis != "suppressed"


def opted_out(entries: Iterable[LedgerEntry], channel: str) -> bool:
    """The latest opt-out-switch entry of `channel` (or `all`) is a withdrawal."""
    relevant = [e for e in entries if _switch(e) and e.channel in (channel, "all")]
    if not relevant:
        return False
    return not max(relevant, key=lambda e: e.recorded_at).granted


def sms_opted_out(entries: list[LedgerEntry]) -> bool:
    """STOP, then START, is back in."""
    return opted_out(entries, "sms")


def _covers(entry: LedgerEntry, purpose: str) -> bool:
    """Does a withdrawal entry take away consent for `purpose`?"""
    return entry.purpose in (purpose, "all") and entry.basis != "suppressed"


def _days(since: datetime, at: datetime, zone: ZoneInfo) -> int:
    return (at.astimezone(zone).date() - since.astimezone(zone).date()).days


def _basis(
    entries: Sequence[LedgerEntry], channel: str, purpose: str, at: datetime, zone: ZoneInfo
) -> Decision:
    on_channel = [e for e in entries if e.channel in (channel, "all")]
    withdrawals = [e.recorded_at for e in on_channel if not e.granted and _covers(e, purpose)]
    cutoff = max(withdrawals) if withdrawals else None
    grants = [
        e
        for e in on_channel
        if e.granted
        and e.basis != "suppressed"
        and e.purpose != "recording"
        and (cutoff is None or e.recorded_at > cutoff)
    ]
    expired = False
    # Express consent first: it never lapses, so it is the basis worth reporting.
    for entry in sorted(grants, key=lambda e: e.recorded_at, reverse=True):
        if entry.basis == "express" and (
            entry.purpose == purpose
            or (purpose == "transactional" and entry.purpose in ("marketing", "all"))
        ):
            return Decision(True, "express")
    for entry in sorted(grants, key=lambda e: e.recorded_at, reverse=True):
        limit = {"implied_purchase": PURCHASE_DAYS, "implied_inquiry": INQUIRY_DAYS}.get(
            entry.basis
        )
        if limit is None:
            continue
        if _days(entry.recorded_at, at, zone) <= limit:
            return Decision(True, entry.basis)
        expired = True
    return Decision(False, "consent_expired" if expired else "no_consent")


@lru_cache(maxsize=4096)
def recipient_zones(number: str, fallback: str) -> tuple[str, ...]:
    """The IANA zones a number may be in; `fallback` when the number's zone is unknown."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return (fallback,)
    zones = tuple(z for z in number_zones.time_zones_for_number(parsed) if z != _UNKNOWN_ZONE)
    valid = []
    for zone in zones:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        valid.append(zone)
    return tuple(valid) or (fallback,)


def _region(number: str) -> str | None:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return None


def _within(local: datetime, window: tuple[time, time]) -> bool:
    start, end = window
    return start <= local.time() < end


def within_marketing_hours(number: str, channel: str, at: datetime, business_zone: str) -> bool:
    """True when `at` is inside the allowed window in every zone the number may be in."""
    if channel == "email":
        return True
    canadian_call = channel == "voice" and _region(number) == "CA"
    for zone in recipient_zones(number, business_zone):
        local = at.astimezone(ZoneInfo(zone))
        if not _within(local, MARKETING_WINDOW):
            return False
        if canadian_call and not _within(
            local, CRTC_WEEKEND_WINDOW if local.weekday() >= 5 else CRTC_WEEKDAY_WINDOW
        ):
            return False
    return True


def can_contact(
    ledger_entries: Sequence[LedgerEntry],
    number: str,
    channel: str,
    purpose: str,
    at: datetime,
    *,
    suppressed: bool,
    business_zone: str,
) -> Decision:
    """May the business contact `number` on `channel` for `purpose` at `at`? (module docstring)"""
    if at.tzinfo is None:
        raise ValueError("`at` must be timezone-aware")
    if channel not in CHANNELS - {"all"}:
        raise ValueError(f"unknown channel {channel!r}")
    if purpose not in CONTACT_PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}; expected transactional or marketing")
    if suppressed:
        return Decision(False, "suppressed")
    known = [e for e in ledger_entries if e.recorded_at <= at]
    if opted_out(known, channel):
        return Decision(False, "opted_out")
    if purpose == "marketing" and any(
        opted_out(known, other) for other in ("sms", "voice", "email")
    ):
        return Decision(False, "opted_out")
    decision = _basis(known, channel, purpose, at, ZoneInfo(business_zone))
    if not decision.allowed:
        return decision
    if purpose == "marketing" and not within_marketing_hours(number, channel, at, business_zone):
        return Decision(False, "quiet_hours")
    return decision
