"""Preferred times: relative to a fixed `now_local`, in the business's zone, DST-correct."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tradeline.conversation.extract.when import WhenResult, extract_when

EDMONTON = ZoneInfo("America/Edmonton")
TORONTO = ZoneInfo("America/Toronto")
# Wednesday 4 March 2026, 10:00 in Calgary (MST, −07:00); DST starts Sunday 8 March.
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=EDMONTON)
HOURS = {day: (time(8), time(17)) for day in ("mon", "tue", "wed", "thu", "fri")} | {
    "sat": (time(9), time(13))
}


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=EDMONTON)


def point(start: datetime) -> tuple[datetime, None]:
    return start, None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("tomorrow at 3pm", at(5, 15), None),
        ("Can someone come tomorrow at 3 p.m.?", at(5, 15), None),
        ("tomorrow at 10:30", at(5, 10, 30), None),
        ("3 pm tomorrow", at(5, 15), None),
        ("tmrw 3pm", at(5, 15), None),
        ("Friday morning", at(6, 8), at(6, 12)),
        ("tomorrow afternoon", at(5, 12), at(5, 17)),
        ("this evening", at(4, 17), at(4, 20)),
        ("tonight at 7", at(4, 19), None),
        ("Thursday at 10", at(5, 10), None),
        ("Thursday at 3", at(5, 15), None),  # a bare 3 is 3 p.m. for a trade
        ("Friday evening at 7", at(6, 19), None),
        ("at noon", at(4, 12), None),
        ("first thing Monday", at(9, 8), None),
        ("next Tuesday", at(10, 8), at(10, 17)),  # a day alone: its business hours
        ("in two days at 9am", at(6, 9), None),
        ("in a couple of days", at(6, 8), at(6, 17)),
        ("between 2 and 4 tomorrow", at(5, 14), at(5, 16)),
        ("tomorrow between 10 and 2pm", at(5, 10), at(5, 14)),
        ("tomorrow from 9 to 11am", at(5, 9), at(5, 11)),
        ("March 12 at 2pm", at(12, 14), None),
        ("in 2 hours", at(4, 12), None),
        ("this weekend", at(7, 9), at(7, 13)),
        ("ASAP", NOW, None),
        ("as soon as possible please, it's flooding", NOW, None),
        ("today", NOW, None),
        ("I called this morning, come tomorrow afternoon", at(5, 12), at(5, 17)),
        ("Friday, no actually Saturday at 10", at(7, 10), None),
        # Today's own weekday: next week, unless a time still ahead today is given.
        ("Wednesday", at(11, 8), at(11, 17)),
        ("Wednesday at 3pm", at(4, 15), None),
        ("Wednesday at 9am", at(11, 9), None),
        # A time with no day that has passed today means tomorrow.
        ("at 9am", at(5, 9), None),
        ("in the morning", at(5, 8), at(5, 12)),
        # French.
        ("demain à 15 h", at(5, 15), None),
        ("demain à 15h30", at(5, 15, 30), None),
        ("demain après-midi", at(5, 12), at(5, 17)),
        ("vendredi matin", at(6, 8), at(6, 12)),
        ("mardi prochain", at(10, 8), at(10, 17)),
        ("dans deux jours à 9 h", at(6, 9), None),
        ("jeudi à 10 h", at(5, 10), None),
        ("ce soir", at(4, 17), at(4, 20)),
        ("à midi", at(4, 12), None),
        ("le 12 mars à 10 h", at(12, 10), None),
        ("dès que possible", NOW, None),
        ("première heure lundi", at(9, 8), None),
    ],
)
def test_extract_when(text: str, start: datetime, end: datetime | None) -> None:
    result = extract_when(text, now_local=NOW, lang="en", hours=HOURS, holidays=None)
    assert result is not None
    assert (result.start, result.end, result.is_range) == (start, end, end is not None)
    assert result.start.utcoffset() == start.utcoffset()
    assert not result.in_past


@pytest.mark.parametrize(
    "text",
    [
        "I have 2 kids",
        "unit 4",
        "123 Main St",
        "it was $95 last time",
        "403-555-0199",
        "call me at 403 555 0199",
        "since Monday it's been leaking",
        "at 12 Oak Street",
        "the furnace is 10 years old",
        "about 3 weeks ago",
        "my furnace is broken",
        "suite 300",
        "Hi, this is Dave",
        "",
    ],
)
def test_no_false_positives(text: str) -> None:
    assert extract_when(text, now_local=NOW, hours=HOURS, holidays=None) is None


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("today at 9am", at(4, 9)),
        ("this morning at 8", at(4, 8)),
        ("yesterday", at(3, 8)),
        ("last Tuesday", at(3, 8)),
        ("mardi dernier", at(3, 8)),
    ],
)
def test_past_times_are_flagged(text: str, start: datetime) -> None:
    result = extract_when(text, now_local=NOW, hours=HOURS, holidays=None)
    assert result is not None
    assert result.start == start
    assert result.in_past


def test_window_already_open_starts_now() -> None:
    two_pm = at(4, 14)
    result = extract_when("this afternoon", now_local=two_pm, hours=HOURS, holidays=None)
    assert result == WhenResult(two_pm, at(4, 17), True, False, False, None)


@pytest.mark.parametrize(
    ("text", "now", "holidays", "start", "alternative"),
    [
        ("this evening", NOW, None, at(4, 17), at(5, 8)),  # after closing: next morning
        ("Sunday at 10", NOW, None, at(8, 10), at(9, 8)),  # closed Sundays (and DST began)
        ("Saturday at 2pm", NOW, None, at(7, 14), at(9, 8)),  # Saturday closes at 13:00
        ("tomorrow at 7am", NOW, None, at(5, 7), at(5, 8)),  # before opening: same day
        ("ASAP", at(4, 21), None, at(4, 21), at(5, 8)),  # at night: next opening
        ("Friday at 10", NOW, {date(2026, 3, 6)}, at(6, 10), at(7, 9)),  # holiday
    ],
)
def test_outside_hours_offers_the_next_opening(
    text: str, now: datetime, holidays: set[date] | None, start: datetime, alternative: datetime
) -> None:
    result = extract_when(text, now_local=now, hours=HOURS, holidays=holidays)
    assert result is not None
    assert result.start == start
    assert result.outside_hours
    assert result.alternative == alternative


def test_open_hours_have_no_alternative() -> None:
    result = extract_when("tomorrow at 3pm", now_local=NOW, hours=HOURS, holidays=None)
    assert result is not None
    assert not result.outside_hours
    assert result.alternative is None


def test_without_hours_only_holidays_close() -> None:
    christmas = date(2026, 12, 25)
    now = datetime(2026, 12, 24, 9, tzinfo=EDMONTON)
    result = extract_when("tomorrow at 3pm", now_local=now, hours=None, holidays={christmas})
    assert result is not None
    assert result.outside_hours
    assert result.alternative == datetime(2026, 12, 26, 15, tzinfo=EDMONTON)
    assert extract_when("at 11pm", now_local=now, hours=None, holidays=None) == WhenResult(
        datetime(2026, 12, 24, 23, tzinfo=EDMONTON), None, False, False, False, None
    )


@pytest.mark.parametrize(
    ("zone", "today", "offset_after"),
    [
        (EDMONTON, date(2026, 3, 7), timedelta(hours=-6)),  # spring forward: MST → MDT
        (TORONTO, date(2026, 3, 7), timedelta(hours=-4)),  # EST → EDT
        (EDMONTON, date(2026, 10, 31), timedelta(hours=-7)),  # fall back: MDT → MST
        (TORONTO, date(2026, 10, 31), timedelta(hours=-5)),  # EDT → EST
    ],
)
def test_dst_change_overnight(zone: ZoneInfo, today: date, offset_after: timedelta) -> None:
    now = datetime.combine(today, time(10), tzinfo=zone)
    result = extract_when("tomorrow at 3pm", now_local=now, hours=None, holidays=None)
    assert result is not None
    assert result.start.date() == today + timedelta(days=1)
    assert (result.start.hour, result.start.minute) == (15, 0)
    assert result.start.utcoffset() == offset_after
    assert result.start.astimezone(UTC).hour == (15 - offset_after.total_seconds() / 3600) % 24
    assert now.utcoffset() != offset_after


def test_time_in_the_spring_gap_moves_forward() -> None:
    now = datetime(2026, 3, 7, 10, tzinfo=EDMONTON)
    result = extract_when("tomorrow at 2:30am", now_local=now, hours=None, holidays=None)
    assert result is not None
    assert result.start == datetime(2026, 3, 8, 3, 30, tzinfo=EDMONTON)
    assert result.start.utcoffset() == timedelta(hours=-6)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        extract_when("tomorrow", now_local=datetime(2026, 3, 4, 10))  # noqa: DTZ001 - the point


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        # Ranges: words, noon, French "h", am/pm on one side only.
        ("Monday between 9 and noon works", at(9, 9), at(9, 12)),
        ("between 1 and 3", at(4, 13), at(4, 15)),
        ("from 10 to 2", at(5, 10), at(5, 14)),  # 10 o'clock has begun today: tomorrow
        ("tomorrow from 10 to 2", at(5, 10), at(5, 14)),
        ("between nine and eleven tomorrow", at(5, 9), at(5, 11)),
        ("entre 9 h et midi", at(5, 9), at(5, 12)),
        ("demain de 9 h à 11 h", at(5, 9), at(5, 11)),
        ("Friday 9-11am", at(6, 9), at(6, 11)),
        ("tomorrow 2 to 4pm", at(5, 14), at(5, 16)),
        # Open-ended: after a time runs to closing, before a time from opening.
        ("anytime after 2pm", at(4, 14), at(4, 17)),
        ("after 4 works", at(4, 16), at(4, 17)),
        ("any weekday after 4", at(4, 16), at(4, 17)),
        ("à partir de 13 h demain", at(5, 13), at(5, 17)),
        ("after lunch tomorrow", at(5, 13), at(5, 17)),
        ("before noon tomorrow", at(5, 8), at(5, 12)),
        ("avant 11 h demain", at(5, 8), at(5, 11)),
        # Parts of the day.
        ("sometime tomorrow morning around ten", at(5, 10), None),
        ("first thing in the morning", at(5, 8), None),
        ("late afternoon", at(4, 15), at(4, 17)),
        ("early afternoon tomorrow", at(5, 12), at(5, 15)),
        ("late morning Friday", at(6, 10), at(6, 12)),
        ("fin d'après-midi demain", at(5, 15), at(5, 17)),
        ("end of day", at(4, 16), at(4, 17)),
        ("en fin de journée vendredi", at(6, 16), at(6, 17)),
        ("lunchtime tomorrow", at(5, 12), at(5, 13)),
        ("noon", at(4, 12), None),
        ("midi", at(4, 12), None),
        # Windows are narrowed to business hours: Saturday opens at 9.
        ("Saturday morning", at(7, 9), at(7, 12)),
        ("any weekday morning", at(5, 8), at(5, 12)),
    ],
)
def test_ranges_and_parts_of_the_day(text: str, start: datetime, end: datetime | None) -> None:
    result = extract_when(text, now_local=NOW, lang="en", hours=HOURS, holidays=None)
    assert result is not None
    assert (result.start, result.end, result.is_range) == (start, end, end is not None)
    assert not result.in_past


def test_weekday_only_skips_the_weekend() -> None:
    friday_evening = at(6, 16, 30)
    result = extract_when("any weekday after 4", now_local=friday_evening, hours=HOURS)
    assert result is not None
    assert (result.start, result.end) == (at(9, 16), at(9, 17))


def test_after_without_hours_runs_to_six() -> None:
    result = extract_when("anytime after 2pm", now_local=NOW, hours=None, holidays=None)
    assert result is not None
    assert (result.start, result.end) == (at(4, 14), at(4, 18))


@pytest.mark.parametrize(
    "text",
    [
        "between 2 and 4 people",
        "from 2 to 3 weeks",
        "it takes 2 to 3 hours",
        "I have 2-3 kids",
        "after 4 years",
        "after two coats of paint",
        "the furnace has been out from 2 to 5 days",
        "the 9 to 5 shift",
    ],
)
def test_ranges_that_are_not_times(text: str) -> None:
    assert extract_when(text, now_local=NOW, hours=HOURS, holidays=None) is None


SUNDAY = datetime(2026, 3, 1, 10, 0, tzinfo=EDMONTON)  # weeks start on Monday


@pytest.mark.parametrize(
    ("text", "now", "start", "end"),
    [
        # A weekday in next week, whichever order the caller puts them in.
        ("next week Thursday at 2pm", NOW, at(12, 14), None),
        ("Next week, Monday around 9 works", NOW, at(9, 9), None),
        ("next week on friday", NOW, at(13, 8), at(13, 17)),
        ("friday next week in the afternoon", NOW, at(13, 12), at(13, 17)),
        ("Wednesday of next week", NOW, at(11, 8), at(11, 17)),
        ("the tuesday next week", NOW, at(10, 8), at(10, 17)),
        ("la semaine prochaine, jeudi à 13 h", NOW, at(12, 13), None),
        ("semaine prochaine le lundi matin", NOW, at(9, 8), at(9, 12)),
        ("vendredi de la semaine prochaine", NOW, at(13, 8), at(13, 17)),
        ("lundi la semaine prochaine", NOW, at(9, 8), at(9, 17)),
        # Said on a Sunday, next week is the one starting tomorrow.
        ("next week Tuesday around 11", SUNDAY, at(3, 11), None),
        ("mardi la semaine prochaine", SUNDAY, at(3, 8), at(3, 17)),
        # Past narration and hypotheticals leave the real request.
        ("it jammed last night, can you come tomorrow at 10", NOW, at(5, 10), None),
        ("the lock broke two days ago, Friday morning is good", NOW, at(6, 8), at(6, 12)),
        ("la porte a coincé la nuit dernière, demain à 9 h?", NOW, at(5, 9), None),
        ("if I'm not home Thursday, come Friday at 3", NOW, at(6, 15), None),
        ("if we could do Thursday at 10 that would be great", NOW, at(5, 10), None),
        ("what if we do Friday at noon", NOW, at(6, 12), None),
        ("every Saturday morning works for me", NOW, at(7, 9), at(7, 12)),
    ],
)
def test_next_week_and_what_is_not_a_request(
    text: str, now: datetime, start: datetime, end: datetime | None
) -> None:
    result = extract_when(text, now_local=now, hours=HOURS, holidays=None)
    assert result is not None
    assert (result.start, result.end) == (start, end)
    assert not result.in_past


@pytest.mark.parametrize(
    "text",
    [
        # The past, told as what happened.
        "you left your jacket at my place last night lol",
        "the door was stuck open last night but it's fine now",
        "it started a couple of days ago",
        "we moved in last week",
        "the other day the key snapped",
        "la serrure a brisé il y a deux jours",
        "c'est arrivé la semaine dernière",
        "la nuit dernière",
        # Hypotheticals and generic days: questions about the service, not a booking.
        "what if I'm locked out on a Sunday night, what does that cost?",
        "and if I get locked out on a Saturday, can somebody still come?",
        "in case my opener dies on a weekend evening, what's the fee?",
        "how much is it on a Sunday?",
        "si jamais je suis barré dehors un dimanche soir, c'est combien?",
        "au cas où ma porte bloque en soirée, vous venez?",
    ],
)
def test_not_a_preferred_time(text: str) -> None:
    assert extract_when(text, now_local=NOW, hours=HOURS, holidays=None) is None


def test_urgency_is_still_now() -> None:
    # "right now" / "ASAP" stay a request for the soonest slot, as the table above expects.
    for text in ("right now please, I'm locked out", "ASAP", "tout de suite"):
        result = extract_when(text, now_local=NOW, hours=HOURS, holidays=None)
        assert result is not None
        assert result.start == NOW
