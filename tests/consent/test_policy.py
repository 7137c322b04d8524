"""The pure consent policy: CASL windows, opt-outs, suppression, quiet hours (property tests)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import timezone as number_zones

from tradeline.consent.policy import Decision, LedgerEntry, can_contact

EDMONTON = "America/Edmonton"
LOCAL = "+14035550123"  # Calgary: America/Edmonton
T0 = datetime(2024, 3, 1, 12, 0, tzinfo=ZoneInfo(EDMONTON))


def entry(
    purpose: str, basis: str, at: datetime, granted: bool = True, channel: str = "sms"
) -> LedgerEntry:
    return LedgerEntry(channel, purpose, basis, granted, at)


def decide(entries: list[LedgerEntry], at: datetime, purpose: str = "marketing", number: str = LOCAL,
           channel: str = "sms", suppressed: bool = False) -> Decision:  # fmt: skip
    return can_contact(
        entries, number, channel, purpose, at, suppressed=suppressed, business_zone=EDMONTON
    )


def on_day(day: int, hour: int = 12) -> datetime:
    """Noon (business time) `day` calendar days after T0's date."""
    date = T0.date() + timedelta(days=day)
    return datetime.combine(date, time(hour), tzinfo=ZoneInfo(EDMONTON))


def test_implied_by_purchase_lasts_730_days() -> None:
    ledger = [entry("transactional", "implied_purchase", T0)]
    assert decide(ledger, on_day(730, hour=20)) == Decision(True, "implied_purchase")
    assert decide(ledger, on_day(731, hour=9)) == Decision(False, "consent_expired")


def test_implied_by_inquiry_lasts_182_days() -> None:
    ledger = [entry("transactional", "implied_inquiry", T0)]
    assert decide(ledger, on_day(182, hour=20)) == Decision(True, "implied_inquiry")
    assert decide(ledger, on_day(183, hour=9)).reason == "consent_expired"
    assert decide(ledger, on_day(184, hour=9)).reason == "consent_expired"


def test_days_are_counted_in_the_business_zone() -> None:
    # 23:30 in Calgary is already the next day in UTC: day 0 is the Calgary date.
    late = datetime(2024, 3, 1, 23, 30, tzinfo=ZoneInfo(EDMONTON))
    ledger = [entry("transactional", "implied_inquiry", late)]
    assert late.astimezone(UTC).date().day == 2
    last = datetime(2024, 8, 30, 20, 59, tzinfo=ZoneInfo(EDMONTON))  # 2024-03-01 + 182 days
    assert decide(ledger, last).allowed
    assert not decide(ledger, last + timedelta(hours=12)).allowed


def test_express_consent_lasts_until_withdrawn() -> None:
    ledger = [entry("marketing", "express", T0)]
    ten_years = on_day(3650)
    assert decide(ledger, ten_years) == Decision(True, "express")
    assert decide(ledger, ten_years, purpose="transactional") == Decision(True, "express")
    ledger.append(entry("marketing", "express", on_day(3651), granted=False))
    assert decide(ledger, on_day(3652)) == Decision(False, "no_consent")
    assert decide(
        [*ledger, entry("transactional", "implied_inquiry", on_day(3600))], on_day(3652)
    ) == Decision(False, "no_consent")


def test_transactional_needs_a_basis_but_no_quiet_hours() -> None:
    assert decide([], on_day(1), purpose="transactional") == Decision(False, "no_consent")
    ledger = [entry("transactional", "implied_inquiry", T0)]
    three_am = on_day(1, hour=3)
    assert decide(ledger, three_am, purpose="transactional").allowed
    assert decide(ledger, three_am) == Decision(False, "quiet_hours")


def test_stop_blocks_everything_until_start() -> None:
    ledger = [
        entry("marketing", "express", T0),
        entry("all", "express", on_day(10), granted=False),  # STOP
    ]
    for purpose in ("transactional", "marketing"):
        assert decide(ledger, on_day(11), purpose=purpose) == Decision(False, "opted_out")
    ledger.append(entry("all", "express", on_day(12)))  # START
    assert decide(ledger, on_day(13), purpose="transactional") == Decision(True, "express")
    # The STOP voided the earlier marketing consent; START is not marketing consent.
    assert decide(ledger, on_day(13)) == Decision(False, "no_consent")
    ledger.append(entry("transactional", "implied_purchase", on_day(14)))
    assert decide(ledger, on_day(15)) == Decision(True, "implied_purchase")


def test_a_text_opt_out_also_stops_marketing_calls_but_not_service_calls() -> None:
    ledger = [
        entry("marketing", "express", T0, channel="all"),
        entry("all", "express", on_day(5), granted=False, channel="sms"),
    ]
    assert decide(ledger, on_day(6), channel="voice") == Decision(False, "opted_out")
    assert decide(ledger, on_day(6), channel="voice", purpose="transactional").allowed


def test_suppressed_is_never_contacted() -> None:
    ledger = [entry("marketing", "express", T0)]
    for purpose in ("transactional", "marketing"):
        assert decide(ledger, on_day(1), purpose=purpose, suppressed=True) == Decision(
            False, "suppressed"
        )


def test_the_window_edges() -> None:
    ledger = [entry("marketing", "express", T0)]
    day = T0.date() + timedelta(days=3)
    at = lambda h, m: datetime.combine(day, time(h, m), tzinfo=ZoneInfo(EDMONTON))  # noqa: E731
    assert [decide(ledger, at(h, m)).allowed for h, m in ((7, 59), (8, 0), (20, 59), (21, 0))] == [
        False, True, True, False,
    ]  # fmt: skip


def test_a_number_spanning_zones_gets_the_intersection() -> None:
    ledger = [entry("marketing", "express", T0)]
    newfoundland = "+17095550100"  # America/St_Johns and America/Halifax
    assert set(number_zones.time_zones_for_number(phonenumbers.parse(newfoundland))) == {
        "America/Halifax", "America/St_Johns",
    }  # fmt: skip
    # 08:15 in Halifax is 08:45 in St. John's: both open. 20:45 Halifax is 21:15 St. John's.
    halifax = ZoneInfo("America/Halifax")
    assert decide(ledger, datetime(2024, 6, 3, 8, 15, tzinfo=halifax), number=newfoundland).allowed
    assert not decide(
        ledger, datetime(2024, 6, 3, 20, 45, tzinfo=halifax), number=newfoundland
    ).allowed
    # Toll-free spans 42 zones from Guam to Hawaii: open only while it is day in all of them.
    tollfree = "+18005550100"
    half_hours = [datetime(2024, 6, 3, tzinfo=UTC) + timedelta(minutes=30 * k) for k in range(48)]
    open_at = [at for at in half_hours if decide(ledger, at, number=tollfree).allowed]
    assert 0 < len(open_at) <= 4
    assert all(_inside_everywhere(tollfree, at) for at in open_at)


def test_crtc_hours_for_marketing_calls_to_canada() -> None:
    ledger = [entry("marketing", "express", T0, channel="all")]
    saturday_evening = datetime(2024, 6, 8, 19, 0, tzinfo=ZoneInfo(EDMONTON))
    assert decide(ledger, saturday_evening).allowed  # a text: 08:00-21:00
    assert decide(ledger, saturday_evening, channel="voice") == Decision(False, "quiet_hours")
    assert decide(ledger, saturday_evening.replace(hour=17), channel="voice").allowed
    monday_early = datetime(2024, 6, 10, 8, 30, tzinfo=ZoneInfo(EDMONTON))
    assert decide(ledger, monday_early).allowed
    assert not decide(ledger, monday_early, channel="voice").allowed  # CRTC: from 09:00
    new_york_early = datetime(2024, 6, 10, 8, 30, tzinfo=ZoneInfo("America/New_York"))
    assert decide(ledger, new_york_early, channel="voice", number="+12125550100").allowed


def test_naive_instants_and_unknown_purposes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decide([], datetime(2024, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="purpose"):
        decide([], T0, purpose="recording")


# --- quiet hours as a property -----------------------------------------------------------

# Single-zone and multi-zone area codes, Canada and the US, both sides of DST rules (Regina and
# Phoenix never change), toll-free, and a few other countries.
NUMBERS = [
    "+14035550123", "+15145550100", "+16045550100", "+13065550100", "+17095550100",
    "+12125550100", "+13055550100", "+19285550100", "+18085550100", "+19075550100",
    "+12055550100", "+16055550100", "+18125550100", "+19155550100", "+15415550100",
    "+18005550100", "+18885550100", "+18675550100", "+33612345678", "+61412345678",
    "+525512345678", "+447700900123",
]  # fmt: skip
# Around the 2026 DST changes in North America, Europe and Australia, and plain days.
DST_DAYS = [
    datetime(2026, 3, 8, tzinfo=UTC), datetime(2026, 3, 29, tzinfo=UTC),
    datetime(2026, 4, 5, tzinfo=UTC), datetime(2026, 10, 4, tzinfo=UTC),
    datetime(2026, 10, 25, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC),
    datetime(2026, 7, 15, tzinfo=UTC), datetime(2026, 1, 20, tzinfo=UTC),
]  # fmt: skip
CONSENTED = [LedgerEntry("sms", "marketing", "express", True, datetime(2020, 1, 1, tzinfo=UTC))]


@functools.cache
def _zones(number: str) -> tuple[ZoneInfo, ...]:
    found = number_zones.time_zones_for_number(phonenumbers.parse(number))
    return tuple(ZoneInfo(z) for z in found if z != "Etc/Unknown") or (ZoneInfo(EDMONTON),)


def _inside_everywhere(number: str, at: datetime) -> bool:
    """Independent of the policy's code: the local hour in every zone of the number."""
    for zone in _zones(number):
        local = at.astimezone(zone)
        minutes = local.hour * 60 + local.minute
        if not 8 * 60 <= minutes < 21 * 60:
            return False
    return True


instants = st.one_of(
    st.datetimes(
        # Hypothesis wants naive bounds; every drawn value is given UTC.
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001
        max_value=datetime(2027, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    st.builds(
        lambda day, minutes: day + timedelta(minutes=minutes),
        st.sampled_from(DST_DAYS),
        st.integers(min_value=-36 * 60, max_value=36 * 60),
    ),
)


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(number=st.sampled_from(NUMBERS), at=instants)
def test_no_marketing_outside_the_recipients_window(number: str, at: datetime) -> None:
    decision = decide(CONSENTED, at, number=number)
    assert decision.allowed == _inside_everywhere(number, at)
    assert decision.reason in ("express", "quiet_hours")
    assert decide(CONSENTED, at, number=number, purpose="transactional").allowed  # never quiet


def test_ten_thousand_pairs_sweep() -> None:
    """Every number at every 31 minutes through the DST days: 0 sends outside the window."""
    pairs = [
        (number, day + timedelta(minutes=31 * k))
        for number in NUMBERS
        for day in DST_DAYS
        for k in range(-24, 33)
    ]
    assert len(pairs) >= 10_000
    outside = blocked_inside = 0
    for number, at in pairs:
        allowed, inside = (
            decide(CONSENTED, at, number=number).allowed,
            _inside_everywhere(number, at),
        )
        outside += allowed and not inside
        blocked_inside += inside and not allowed
    assert (outside, blocked_inside) == (0, 0)
