"""Voice webhooks played the way Twilio plays them: every answer is TwiML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest
from sqlalchemy import text

from tests.factories import make_org
from tradeline.db import tenant_session
from tradeline.integrations.twilio.signature import sign
from tradeline.runtime import Runtime
from tradeline.simulator.player import ACCOUNT_SID, TwilioPlayer

CALLER = "+14035550135"
ALWAYS_OPEN = dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "00:00-24:00")


def _call_form(to: str, caller: str = CALLER, sid: str = "CA" + "2" * 32) -> dict[str, str]:
    return {
        "CallSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": caller,
        "To": to,
        "CallStatus": "ringing",
        "Direction": "inbound",
    }


async def _post(client: httpx.AsyncClient, path: str, form: dict[str, str]) -> httpx.Response:
    url = f"http://testserver{path}"
    return await client.post(
        path, data=form, headers={"X-Twilio-Signature": sign("test-auth-token", url, form)}
    )


async def test_unsigned_voice_requests_are_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    for path in (
        "/twilio/voice",
        "/twilio/voice/gather",
        "/twilio/voice/status",
        "/twilio/voice/dial-result",
    ):
        response = await client.post(path, data=_call_form(org.phone_numbers[0]))
        assert response.status_code == 403, path
    async with tenant_session(runtime.maker, org.org_id) as session:
        assert (await session.execute(text("SELECT count(*) FROM calls"))).scalar_one() == 0


async def test_unknown_number_apologises_and_hangs_up(client: httpx.AsyncClient) -> None:
    response = await _post(client, "/twilio/voice", _call_form("+15875550999"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.text)
    assert [v.tag for v in root] == ["Say", "Hangup"]


async def test_blocklisted_caller_is_rejected(client: httpx.AsyncClient, runtime: Runtime) -> None:
    org = await make_org(runtime, blocklist=[CALLER])
    response = await _post(client, "/twilio/voice", _call_form(org.phone_numbers[0]))
    assert [v.tag for v in ET.fromstring(response.text)] == ["Reject"]


async def test_more_than_ten_calls_a_minute_from_one_number_are_rejected(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    tags = []
    for i in range(11):
        response = await _post(
            client, "/twilio/voice", _call_form(org.phone_numbers[0], sid=f"CA{i:032d}")
        )
        tags.append(ET.fromstring(response.text)[0].tag)
    assert tags[:10] == ["Gather"] * 10 and tags[10] == "Reject"


async def test_ai_call_discloses_captures_and_reads_back(
    player: TwilioPlayer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(
        runtime, "Voice Plumbing", languages=["en", "fr"], services=["drain cleaning"]
    )
    call = await player.start_call(CALLER, org.phone_numbers[0])
    first = call.exchanges[0].twiml
    gather = ET.fromstring(first).find("Gather")
    assert gather is not None and "speech" in (gather.get("input") or "")
    assert gather.get("language") == "en-CA" and "drain cleaning" in (gather.get("hints") or "")
    assert "automated assistant" in " ".join(call.heard)
    await player.say(call, "Hi, my name is Alan Fraser, I've got a leak under my bathroom sink")
    heard = await player.say(call, "my number is four zero three five five five zero one nine nine")
    assert heard and heard[-1].endswith("?")
    await player.say(call, "12 Elm Street")
    await player.say(call, "tomorrow morning around ten")
    final = await player.say(call, "no email thanks")
    assert call.ended and "403-555-0199" in " ".join(final)
    await player.hang_up(call, duration=95)
    lead = (
        await client.get(
            "/api/v1/leads",
            params={"phone": CALLER},
            headers={"Authorization": f"Bearer {org.api_key}"},
        )
    ).json()["items"][0]
    assert lead["caller_name"] == "Alan Fraser" and lead["callback_number"] == "+14035550199"
    assert lead["channel"] == "voice" and lead["address"] and "Elm" in lead["address"]
    async with tenant_session(runtime.maker, org.org_id) as session:
        status, duration = (
            await session.execute(text("SELECT status, duration_seconds FROM calls"))
        ).one()
    assert (status, duration) == ("completed", 95)


async def test_french_caller_gets_french_gathers(player: TwilioPlayer, runtime: Runtime) -> None:
    org = await make_org(runtime, languages=["en", "fr"])
    call = await player.start_call(CALLER, org.phone_numbers[0])
    await player.say(call, "Bonjour, mon chauffe-eau fuit dans le sous-sol")
    last = ET.fromstring(call.exchanges[-1].twiml).find("Gather")
    assert last is not None and last.get("language") == "fr-CA"
    assert "?" in " ".join(call.heard[-1:])


async def test_emergency_dials_on_call_and_resumes_when_nobody_answers(
    player: TwilioPlayer, runtime: Runtime
) -> None:
    org = await make_org(runtime, notify={"sms": "+14035550104"})
    call = await player.start_call(CALLER, org.phone_numbers[0], dial_outcome="no-answer")
    heard = await player.say(call, "there's water everywhere, a pipe burst in the laundry room")
    dial_twiml = next(e.twiml for e in call.exchanges if "<Dial" in e.twiml)
    dial = ET.fromstring(dial_twiml).find("Dial")
    assert dial is not None and (dial.text or "").strip() == "+14035550103" and dial.get("action")
    assert any("on-call" in h for h in heard)
    assert heard[-1].endswith("?") and not call.ended  # the conversation resumed
    await player.say(call, "it's Sofia Rossi")
    async with runtime.maker() as session:
        jobs = (
            (await session.execute(text("SELECT task_name FROM procrastinate_jobs")))
            .scalars()
            .all()
        )
    assert jobs == ["notification.alert_emergency"]


async def test_menu_mode(player: TwilioPlayer, runtime: Runtime) -> None:
    org = await make_org(
        runtime,
        receptionist={"mode": "menu"},
        hours=ALWAYS_OPEN,
        routing={"sales": "+14035550101", "support": "+14035550102", "on_call": "+14035550103"},
    )
    call = await player.start_call(CALLER, org.phone_numbers[0], dial_outcome="busy")
    assert "press 1" in " ".join(call.heard).lower()
    await player.press(call, "2")
    dial = next(e.twiml for e in call.exchanges if "<Dial" in e.twiml)
    assert "+14035550102" in dial and 'timeout="20"' in dial
    assert any(e.twiml.count("<Record") for e in call.exchanges)  # busy → voicemail
    retry = await player.start_call("+14035550136", org.phone_numbers[0])
    await player.silence(retry)
    await player.silence(retry)
    assert any("<Record" in e.twiml for e in retry.exchanges)  # one retry, then voicemail


@pytest.mark.parametrize(("answer", "recorded"), [("1", True), ("", False), ("9", False)])
async def test_recording_needs_consent(
    client: httpx.AsyncClient, runtime: Runtime, answer: str, recorded: bool
) -> None:
    org = await make_org(runtime, recording={"enabled": True})
    form = _call_form(org.phone_numbers[0])
    first = await _post(client, "/twilio/voice", form)
    assert "recorded" in first.text and 'numDigits="1"' in first.text
    path = "/twilio/voice/consent" if answer else "/twilio/voice/consent?noinput=1"
    await _post(client, path, form | ({"Digits": answer} if answer else {}))
    async with tenant_session(runtime.maker, org.org_id) as session:
        assert (await session.execute(text("SELECT recorded FROM calls"))).scalar_one() is recorded
        consent = (
            await session.execute(text("SELECT granted, evidence FROM consent_records"))
        ).all()
    assert [tuple(c) for c in consent] == [(recorded, form["CallSid"])]


async def test_status_callbacks_are_deduplicated_and_monotonic(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    form = _call_form(org.phone_numbers[0])
    await _post(client, "/twilio/voice", form)
    for seq, status in ((2, "completed"), (1, "in-progress"), (2, "completed")):
        response = await _post(
            client,
            "/twilio/voice/status",
            form | {"CallStatus": status, "SequenceNumber": str(seq), "CallDuration": "30"},
        )
        assert response.status_code == 200
    async with tenant_session(runtime.maker, org.org_id) as session:
        assert (await session.execute(text("SELECT status FROM calls"))).scalar_one() == "completed"
        assert (
            await session.execute(text("SELECT count(*) FROM call_events WHERE kind = 'status'"))
        ).scalar_one() == 2


async def test_voice_answers_twiml_even_when_the_database_is_down(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    await runtime.engine.dispose()
    from sqlalchemy.ext.asyncio import create_async_engine

    from tradeline.db import make_sessionmaker

    broken = create_async_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    runtime.maker = make_sessionmaker(broken)
    response = await _post(
        client, "/twilio/voice/gather", _call_form(org.phone_numbers[0]) | {"SpeechResult": "hello"}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    assert "<Record" in response.text
    spool = runtime.settings.resolved_data_dir / "spool" / "voice-events.jsonl"
    assert spool.exists() and "hello" not in spool.read_text() and CALLER not in spool.read_text()
    await broken.dispose()
