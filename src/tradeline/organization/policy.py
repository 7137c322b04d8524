"""Pure decisions about a business's time: open now? (in its own time zone, holidays closed)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tradeline.organization.schemas import DAYS, BusinessProfileSpec, parse_span


def is_open(profile: BusinessProfileSpec, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(profile.timezone))
    if local.date() in set(profile.holidays):
        return False
    span = profile.hours.get(DAYS[local.weekday()])
    parsed = parse_span(span) if span else None
    if parsed is None:
        return False
    start, end = parsed
    return start <= local.time().replace(tzinfo=None) < end
