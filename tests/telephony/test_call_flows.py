"""Whole calls through the softphone: menu, AI receptionist, emergencies, after hours, consent."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.factories import make_org
from tests.telephony.helpers import ALWAYS_OPEN, CALLER, ROUTING, row_counts, sql
from tradeline.db import DatabaseTarget
from tradeline.runtime import Runtime
from tradeline.simulator.player import CallSession, TwilioPlayer


def _tags(call: CallSession) -> list[list[str]]:
    return [[v.tag for v in ET.fromstring(doc)] for doc in call.twiml_documents()]


def _dials(call: CallSession) -> list[str]:
    numbers = []
    for doc in call.twiml_documents():
        dial = ET.fromstring(doc).find("Dial")
        if dial is not None:
            numbers.append((dial.text or "").strip())
    return numbers


def _recorded(call: CallSession) -> bool:
    return any("<Record " in doc for doc in call.twiml_documents())


def _today_in(zone: str) -> list[str]:
    now = datetime.now(UTC).astimezone(ZoneInfo(zone))
    return [(now + timedelta(days=d)).date().isoformat() for d in (-1, 0, 1)]


async def _menu_org(runtime: Runtime, **extra: object) -> str:
    org = await make_org(
        runtime,
        "Menu Heating",
        receptionist={"mode": "menu", "greeting": "Thanks for calling Menu Heating"},
        hours=ALWAYS_OPEN,
        routing=ROUTING,
        **extra,
    )
    return org.phone_numbers[0]


async def test_menu_sales_answered_support_unanswered_then_voicemail(
    player: TwilioPlayer, runtime: Runtime
) -> None:
    number = await _menu_org(runtime)
    sales = await player.start_call(CALLER, number, dial_outcome="completed")
    assert "press 1" in " ".join(sales.heard).lower()
    await player.press(sales, "1")
    assert _dials(sales) == [ROUTING["sales"]] and sales.ended and not _recorded(sales)
    assert sales.heard[-1] == "Goodbye."

    support = await player.start_call("+14035550136", number, dial_outcome="no-answer")
    heard = await player.press(support, "2")
    assert _dials(support) == [ROUTING["support"]]
    assert "leave your name" in " ".join(heard) and _recorded(support)  # no answer → voicemail
    assert "we've got your message" in support.heard[-1] and support.ended

    busy = await player.start_call("+14035550137", number, dial_outcome="busy")
    await player.press(busy, "2")
    assert _recorded(busy) and "Nobody could take your call" in " ".join(busy.heard)


async def test_menu_voicemail_repeat_timeout_and_retry(
    player: TwilioPlayer, runtime: Runtime
) -> None:
    number = await _menu_org(runtime)
    nine = await player.start_call(CALLER, number)
    await player.press(nine, "9")
    assert _recorded(nine) and not _dials(nine)

    star = await player.start_call("+14035550138", number)
    again = await player.press(star, "*")
    assert "press 1" in " ".join(again).lower() and star.pending_gather and not star.ended

    quiet = await player.start_call("+14035550139", number)
    retry = await player.silence(quiet)  # timeout: the menu once more
    assert "press 1" in " ".join(retry).lower() and not _recorded(quiet)
    await player.silence(quiet)  # a second timeout: voicemail
    assert _recorded(quiet)

    wrong = await player.start_call("+14035550140", number)
    await player.press(wrong, "5")
    assert not _recorded(wrong) and wrong.pending_gather  # one retry after an invalid key
    await player.press(wrong, "7")
    assert _recorded(wrong)


async def test_menu_after_hours_goes_to_voicemail_not_to_the_team(
    player: TwilioPlayer, runtime: Runtime
) -> None:
    number = await _menu_org(runtime, holidays=_today_in("America/Edmonton"))
    call = await player.start_call(CALLER, number, dial_outcome="completed")
    heard = await player.press(call, "1")
    assert not _dials(call) and _recorded(call)
    assert "closed" in " ".join(heard)


async def test_ai_call_takes_a_lead_and_reads_it_back(
    player: TwilioPlayer, runtime: Runtime
) -> None:
    org = await make_org(runtime, "Lead Plumbing", hours=ALWAYS_OPEN)
    call = await player.start_call(CALLER, org.phone_numbers[0])
    assert "automated assistant" in call.heard[0] and "closed" not in call.heard[0]
    await player.say(call, "Hi, this is Maria Lopez, my water heater is leaking in the basement")
    await player.say(call, "yes that's the best number")
    await player.say(call, "45 Oak Avenue")
    await player.say(call, "tomorrow afternoon")
    final = await player.say(call, "no thanks")
    assert call.ended and "403-555-0135" in " ".join(final)
    await player.hang_up(call, duration=130)
    rows = await sql(runtime, org.org_id, "SELECT channel, intent FROM leads")
    assert [tuple(r) for r in rows] == [("voice", "service_request")]
    assert await sql(runtime, org.org_id, "SELECT kind, quantity FROM usage_events") == [
        ("voice_minutes_in", 3)
    ]


async def test_emergency_dials_on_call_and_bills_the_bridged_leg(
    player: TwilioPlayer, runtime: Runtime
) -> None:
    org = await make_org(runtime, "Urgent Plumbing", notify={"sms": "+14035550104"})
    call = await player.start_call(CALLER, org.phone_numbers[0], dial_outcome="completed")
    heard = await player.say(call, "a pipe burst and water is pouring through the ceiling")
    assert _dials(call) == [ROUTING["on_call"]]
    assert any("on-call" in h for h in heard)
    events = await sql(runtime, org.org_id, "SELECT kind FROM call_events ORDER BY created_at")
    assert [e[0] for e in events][:2] == ["emergency_dial", "dial_completed"]
    # Answered: minutes out are billed for the bridged leg.
    assert await sql(runtime, org.org_id, "SELECT kind, quantity FROM usage_events") == [
        ("voice_minutes_out", 2)
    ]


async def test_after_hours_the_receptionist_takes_the_message(
    player: TwilioPlayer, runtime: Runtime
) -> None:
    """Closed today (a holiday in the business's zone): no transfer, the details are taken;
    an emergency still rings on-call."""
    org = await make_org(
        runtime,
        "Closed Electric",
        hours=ALWAYS_OPEN,
        holidays=_today_in("America/Edmonton"),
        routing=ROUTING,
    )
    call = await player.start_call(CALLER, org.phone_numbers[0], dial_outcome="completed")
    assert "closed right now" in call.heard[0] and call.heard[0].endswith("?")
    heard = await player.say(call, "can I speak to someone from the team please")
    assert not _dials(call) and "away right now" in " ".join(heard) and not call.ended
    await player.say(call, "my name is Tom Reed, the breaker keeps tripping in the kitchen")
    rows = await sql(runtime, org.org_id, "SELECT count(*) FROM leads")
    assert rows[0][0] == 1

    urgent = await player.start_call("+14035550150", org.phone_numbers[0])
    await player.say(urgent, "there's a burning smell and sparks from the panel, it's an emergency")
    assert _dials(urgent) == [ROUTING["on_call"]]


async def test_open_hours_transfer_rings_the_team(player: TwilioPlayer, runtime: Runtime) -> None:
    org = await make_org(runtime, "Open Electric", hours=ALWAYS_OPEN, routing=ROUTING)
    call = await player.start_call(CALLER, org.phone_numbers[0], dial_outcome="completed")
    await player.say(call, "can I speak to someone from the team please")
    assert _dials(call) == [ROUTING["support"]]


async def test_consent_given_refused_or_silent(player: TwilioPlayer, runtime: Runtime) -> None:
    """Recording only after a yes (key 1 or a spoken yes); a refusal or silence goes on
    unrecorded. Either way the call continues with the receptionist."""
    org = await make_org(runtime, recording={"enabled": True}, hours=ALWAYS_OPEN)
    outcomes = {}
    for index, (answer, recorded) in enumerate(
        [("press-1", True), ("say-yes", True), ("press-9", False), ("silence", False)]
    ):
        call = await player.start_call(f"+140355502{index:02d}", org.phone_numbers[0])
        assert "recorded" in call.heard[0] and len(call.heard) == 1
        if answer == "press-1":
            await player.press(call, "1")
        elif answer == "press-9":
            await player.press(call, "9")
        elif answer == "say-yes":
            await player.say(call, "yes that's fine")
        else:
            await player.silence(call)
        assert "automated assistant" in " ".join(call.heard[1:])
        assert any("Start" in tags for tags in _tags(call)) is recorded
        await player.say(call, "my furnace is making a loud banging noise")
        await player.hang_up(call, duration=50)
        outcomes[call.call_sid] = recorded
    calls = await sql(runtime, org.org_id, "SELECT call_sid, recorded FROM calls")
    assert dict(calls) == outcomes
    consent = await sql(
        runtime,
        org.org_id,
        "SELECT evidence, granted FROM consent_records WHERE purpose = 'recording'",
    )
    assert dict(consent) == outcomes
    recordings = await sql(runtime, org.org_id, "SELECT call_sid, source FROM call_recordings")
    assert sorted(recordings) == sorted((sid, "call") for sid, rec in outcomes.items() if rec)


async def test_unknown_number_hangs_up_and_writes_nothing(
    player: TwilioPlayer, runtime: Runtime, fresh_db: DatabaseTarget
) -> None:
    await make_org(runtime)
    before = row_counts(fresh_db)
    call = await player.start_call(CALLER, "+15875550999")
    assert _tags(call) == [["Say", "Hangup"]] and "not in service" in call.heard[0]
    await player.hang_up(call)
    assert row_counts(fresh_db) == before
