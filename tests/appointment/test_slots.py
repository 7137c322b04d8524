"""Availability from hours, holidays and bookings, in the business's time zone (pure policy)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tradeline.appointment.policy import duration_for, fits_hours, free_slots
from tradeline.organization.schemas import BusinessProfileSpec

ZONE = ZoneInfo("America/Edmonton")
MONDAY = date(2030, 1, 7)  # a Monday


def _profile(**changes: object) -> BusinessProfileSpec:
    data: dict[str, object] = {
        "name": "Slots Co",
        "phone_numbers": ["+15875550177"],
        "timezone": "America/Edmonton",
        "hours": {"mon": "08:00-12:00", "wed": "09:00-11:00"},
        "holidays": ["2030-01-14"],
    }
    return BusinessProfileSpec.model_validate(data | changes)


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def _starts(slots: list, day: date | None = None) -> list[str]:  # type: ignore[type-arg]
    return [s.start.strftime("%a %H:%M") for s in slots if day is None or s.start.date() == day]


def test_hours_holidays_and_bookings_shape_the_slots() -> None:
    busy = [(_local(MONDAY, 9), _local(MONDAY, 10))]
    slots = free_slots(_profile(), busy, start=_local(MONDAY, 0), days=14, duration_min=60)
    assert _starts(slots, MONDAY) == ["Mon 08:00", "Mon 10:00", "Mon 10:30", "Mon 11:00"]
    wednesday = MONDAY + timedelta(days=2)
    assert _starts(slots, wednesday) == ["Wed 09:00", "Wed 09:30", "Wed 10:00"]
    assert _starts(slots, MONDAY + timedelta(days=1)) == []  # Tuesday: no hours, closed
    assert _starts(slots, MONDAY + timedelta(days=7)) == []  # the holiday Monday
    assert all(s.start.tzinfo == ZONE and s.duration_min == 60 for s in slots)
    assert {s.start.date() for s in slots} == {
        MONDAY,
        wednesday,
        MONDAY + timedelta(days=9),
    }


def test_start_time_and_length_limit_the_slots() -> None:
    later = free_slots(_profile(), [], start=_local(MONDAY, 10, 15), days=1, duration_min=90)
    assert _starts(later) == ["Mon 10:30"]
    back_to_back = free_slots(
        _profile(),
        [(_local(MONDAY, 8), _local(MONDAY, 9)), (_local(MONDAY, 10), _local(MONDAY, 12))],
        start=_local(MONDAY, 0),
        days=1,
        duration_min=60,
    )
    assert _starts(back_to_back) == ["Mon 09:00"]  # ends exactly when the next one starts


def test_midnight_close_and_dst_days_keep_real_lengths() -> None:
    profile = _profile(hours={"sun": "00:00-24:00"})
    # 2030-03-10: clocks spring forward at 02:00 in Edmonton; 2030-11-03 they fall back.
    for day in (date(2030, 3, 10), date(2030, 11, 3)):
        slots = free_slots(profile, [], start=_local(day, 0), days=1, duration_min=60)
        assert slots and all(
            (s.end.astimezone(UTC) - s.start.astimezone(UTC)) == timedelta(hours=1) for s in slots
        )
        assert slots[-1].end == datetime(day.year, day.month, day.day + 1, tzinfo=ZONE)
        expected = {date(2030, 3, 10): 45, date(2030, 11, 3): 49}[day]  # 23 h and 25 h days
        assert len(slots) == expected


def test_fits_hours() -> None:
    profile = _profile()
    assert fits_hours(profile, _local(MONDAY, 11), _local(MONDAY, 12))
    assert not fits_hours(profile, _local(MONDAY, 11, 30), _local(MONDAY, 12, 30))
    assert not fits_hours(profile, _local(MONDAY, 7, 30), _local(MONDAY, 8, 30))
    assert not fits_hours(
        profile, _local(MONDAY + timedelta(days=7), 9), _local(MONDAY + timedelta(days=7), 10)
    )


@pytest.mark.parametrize(
    ("service", "minutes"),
    [
        (None, 60),
        ("Estimate", 30),
        ("water heaters", 120),
        ("emergency drain cleaning", 60),
        ("Water Heater Installation", 180),
        ("window washing", 60),
    ],
)
def test_duration_by_service(service: str | None, minutes: int) -> None:
    assert duration_for(service) == minutes
