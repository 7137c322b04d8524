"""Pure scheduling decisions: opening windows, slot lengths and free slots, in the business's
own time zone (holidays closed, a missing day closed, DST handled by doing arithmetic in UTC)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from tradeline.organization.schemas import DAYS, BusinessProfileSpec, parse_span

DEFAULT_DURATION_MIN: Final = 60
MIN_DURATION_MIN: Final = 15
MAX_DURATION_MIN: Final = 8 * 60
# Slots start every half hour from opening time, whatever their length.
SLOT_STEP: Final = timedelta(minutes=30)
MAX_DAYS: Final = 62

# Typical job lengths by service name (lower case). The profile lists services without
# durations; a service not named here gets DEFAULT_DURATION_MIN, and a caller of `book` or
# `free_slots` can always pass `duration_min` explicitly.
SERVICE_DURATIONS: Final[dict[str, int]] = {
    "estimate": 30,
    "quote": 30,
    "consultation": 30,
    "inspection": 60,
    "drain cleaning": 60,
    "repair": 90,
    "furnace repair": 90,
    "water heaters": 120,
    "water heater installation": 180,
    "installation": 180,
}


@dataclass(frozen=True)
class Slot:
    """A bookable interval, both ends aware and expressed in the business's time zone."""

    start: datetime
    end: datetime

    @property
    def duration_min(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def duration_for(service: str | None) -> int:
    """Minutes for a service: its own entry, else the longest known name it contains
    ("emergency drain cleaning" → drain cleaning), else the default."""
    if not service:
        return DEFAULT_DURATION_MIN
    name = " ".join(service.lower().split())
    if name in SERVICE_DURATIONS:
        return SERVICE_DURATIONS[name]
    matches = [key for key in SERVICE_DURATIONS if key in name]
    if matches:
        return SERVICE_DURATIONS[max(matches, key=len)]
    return DEFAULT_DURATION_MIN


def check_duration(minutes: int) -> None:
    if not MIN_DURATION_MIN <= minutes <= MAX_DURATION_MIN:
        raise ValueError(f"duration_min: between {MIN_DURATION_MIN} and {MAX_DURATION_MIN} minutes")


def window_of(profile: BusinessProfileSpec, day: date) -> tuple[datetime, datetime] | None:
    """Opening and closing instants of one local day, or None when closed."""
    if day in set(profile.holidays):
        return None
    span = profile.hours.get(DAYS[day.weekday()])
    parsed = parse_span(span) if span else None
    if parsed is None:
        return None
    zone = ZoneInfo(profile.timezone)
    opens, closes = parsed
    start = datetime.combine(day, opens, tzinfo=zone)
    if closes == time(23, 59, 59):  # "…-24:00": open until midnight
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    else:
        end = datetime.combine(day, closes, tzinfo=zone)
    return start, end


def opening_windows(
    profile: BusinessProfileSpec, first_day: date, days: int
) -> list[tuple[datetime, datetime]]:
    windows = []
    for offset in range(days):
        window = window_of(profile, first_day + timedelta(days=offset))
        if window is not None:
            windows.append(window)
    return windows


def fits_hours(profile: BusinessProfileSpec, start: datetime, end: datetime) -> bool:
    """The whole interval lies inside one opening window (its local day's)."""
    zone = ZoneInfo(profile.timezone)
    window = window_of(profile, start.astimezone(zone).date())
    if window is None:
        return False
    opens, closes = window
    return opens <= start and end <= closes


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals: back-to-back bookings (one ends as the next starts) do not clash."""
    return a_start < b_end and b_start < a_end


def free_slots(
    profile: BusinessProfileSpec,
    busy: Iterable[tuple[datetime, datetime]],
    *,
    start: datetime,
    days: int,
    duration_min: int,
) -> list[Slot]:
    """Slots of `duration_min` starting at or after `start`, over `days` local days beginning
    with `start`'s, inside opening hours and clear of every `busy` interval."""
    zone = ZoneInfo(profile.timezone)
    length = timedelta(minutes=duration_min)
    taken = sorted((b.astimezone(UTC), e.astimezone(UTC)) for b, e in busy)
    not_before = start.astimezone(UTC)
    slots: list[Slot] = []
    for opens, closes in opening_windows(profile, start.astimezone(zone).date(), days):
        cursor, close = opens.astimezone(UTC), closes.astimezone(UTC)
        while cursor + length <= close:
            end = cursor + length
            if cursor >= not_before and not any(overlaps(cursor, end, b, e) for b, e in taken):
                slots.append(Slot(cursor.astimezone(zone), end.astimezone(zone)))
            cursor += SLOT_STEP
    return slots
