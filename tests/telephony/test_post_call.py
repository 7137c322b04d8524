"""After the call: the owner's email (lead card, transcript, recording link) and texts, sent by
the job queued on the terminal status callback — decrypted from the sandbox outbox."""

from __future__ import annotations

import json
from datetime import datetime

import httpx
import pytest
from sqlalchemy import text

from tests.factories import make_org
from tests.telephony.helpers import ALWAYS_OPEN, CALLER, ROUTING, jobs, outbox, signed_post, sql
from tradeline.db import tenant_session
from tradeline.runtime import Runtime
from tradeline.simulator.player import TwilioPlayer
from tradeline.worker.app import DEFAULT_QUEUE
from tradeline.worker.service import drain

OWNER_EMAIL = "owner@example.com"
OWNER_SMS = "+14035550104"
NOTIFY = {"email": OWNER_EMAIL, "sms": OWNER_SMS}


async def _run_jobs(runtime: Runtime) -> None:
    for _ in range(2):  # a job may queue another (the SMS domain's delivery)
        await drain(runtime, queues=[DEFAULT_QUEUE])


async def test_owner_gets_the_lead_card_transcript_and_recording_link(
    player: TwilioPlayer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(
        runtime, "Card Plumbing", hours=ALWAYS_OPEN, notify=NOTIFY, recording={"enabled": True}
    )
    call = await player.start_call(CALLER, org.phone_numbers[0])
    await player.press(call, "1")  # consents to recording
    await player.say(call, "Hi, this is Maria Lopez, my water heater is leaking in the basement")
    await player.say(call, "yes that's the best number")
    await player.say(call, "45 Oak Avenue")
    await player.say(call, "tomorrow afternoon")
    await player.say(call, "no thanks")
    assert call.ended and not call.errors
    # Twilio's order: the call's final status, then the recording once its file is ready.
    await player.hang_up(call, duration=130)
    assert [e.kind for e in call.exchanges[-2:]] == ["status", "recording-status"]
    await _run_jobs(runtime)

    emails = await outbox(runtime, org.org_id, "email")
    assert len(emails) == 1 and emails[0].recipient == OWNER_EMAIL
    mail = emails[0].payload
    assert mail["subject"].startswith("New lead from Maria Lopez")
    body = mail["text"]
    for expected in (
        "Name: Maria Lopez",
        "Number: +14035550135",
        "water heater",
        "Urgency: normal",
        "45 Oak Avenue",
        "Caller: Hi, this is Maria Lopez",
        "Receptionist: ",
        "https://api.twilio.com/2010-04-01/Accounts/",
    ):
        assert expected in body, expected
    recording_sid = next(
        e.params["RecordingSid"] for e in call.exchanges if e.kind == "recording-status"
    )
    assert f"{recording_sid}.mp3" in body
    # Sent within 120 s of the end of the call.
    rows = await sql(
        runtime,
        org.org_id,
        "SELECT c.ended_at, e.created_at FROM calls c JOIN call_events e ON e.call_id = c.id "
        "WHERE e.kind = 'post_call'",
    )
    ended, sent = rows[0]
    assert isinstance(ended, datetime) and 0 <= (sent - ended).total_seconds() < 120
    # Not a missed call (the caller spoke), no text consent: no text to anyone.
    assert await outbox(runtime, org.org_id, "sms") == []
    # The call's timeline and recordings over the API.
    detail = (
        await client.get(
            f"/api/v1/calls/{call.call_sid}", headers={"Authorization": f"Bearer {org.api_key}"}
        )
    ).json()
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds[0] == "consent" and kinds[-1] == "post_call"
    assert {"status", "ended", "recording_completed"} <= set(kinds)
    assert [(r["source"], r["status"]) for r in detail["recordings"]] == [("call", "completed")]


async def test_follow_up_is_sent_once_whatever_runs_again(
    player: TwilioPlayer, runtime: Runtime
) -> None:
    org = await make_org(runtime, hours=ALWAYS_OPEN, notify=NOTIFY, recording={"enabled": True})
    call = await player.start_call(CALLER, org.phone_numbers[0])
    await player.press(call, "1")
    await player.say(call, "my kitchen faucet is dripping, it's Dev Patel")
    await player.hang_up(call, duration=40)
    # The fallback job (queued at the end, in case the recording never came) is due later.
    queued = [name for name, status in await jobs(runtime) if status == "todo"]
    assert queued.count("telephony.post_call") == 2
    await _run_jobs(runtime)
    async with runtime.maker() as session, session.begin():
        await session.execute(text("UPDATE procrastinate_jobs SET scheduled_at = now()"))
    await _run_jobs(runtime)
    assert len(await outbox(runtime, org.org_id, "email")) == 1
    assert [s for _, s in await jobs(runtime)].count("succeeded") >= 2


async def test_voicemail_alerts_the_owner_by_email_and_text(
    player: TwilioPlayer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(
        runtime,
        "Voicemail Heating",
        receptionist={"mode": "menu"},
        hours=ALWAYS_OPEN,
        routing=ROUTING,
        notify=NOTIFY,
    )
    call = await player.start_call(CALLER, org.phone_numbers[0])
    await player.press(call, "9")
    record = next(e for e in call.exchanges if "RecordingSid" in e.params)
    transcription = {
        **{k: record.params[k] for k in ("CallSid", "AccountSid", "From", "To")},
        "RecordingSid": record.params["RecordingSid"],
        "TranscriptionText": "Hi it's Ann, the boiler is leaking, call me back",
        "TranscriptionStatus": "completed",
    }
    response = await signed_post(
        client, f"/twilio/voice/transcription?org={org.org_id}", transcription
    )
    assert response.status_code == 200
    subscribed = await client.post(
        "/api/v1/webhooks",
        json={
            "kind": "generic",
            "url": "https://crm.example.com/calls",
            "events": ["call.voicemail"],
        },
        headers={"Authorization": f"Bearer {org.api_key}"},
    )
    assert subscribed.status_code == 201, subscribed.text
    await player.hang_up(call, duration=35)
    await _run_jobs(runtime)

    hooks = [json.loads(h.payload["body"]) for h in await outbox(runtime, org.org_id, "webhook")]
    assert [h["type"] for h in hooks] == ["call.voicemail"]
    assert "the boiler is leaking" in hooks[0]["data"]["call"]["voicemail_transcript"]
    mail = (await outbox(runtime, org.org_id, "email"))[0].payload
    assert mail["subject"].startswith("Voicemail from")
    assert "the boiler is leaking" in mail["text"]
    assert record.params["RecordingUrl"] in mail["text"]
    texts = {s.recipient: s.payload["body"] for s in await outbox(runtime, org.org_id, "sms")}
    assert "New voicemail" in texts[OWNER_SMS] and "boiler" in texts[OWNER_SMS]
    # Voicemail counts as missed: the caller is texted back by the SMS domain.
    assert "Sorry we missed your call" in texts[CALLER]
    rows = await sql(runtime, org.org_id, "SELECT source, status FROM call_recordings")
    assert rows == [("voicemail", "completed")]


async def test_caller_who_agreed_to_texts_gets_a_confirmation(
    player: TwilioPlayer, runtime: Runtime
) -> None:
    org = await make_org(runtime, "Text Plumbing", hours=ALWAYS_OPEN, notify={"email": OWNER_EMAIL})
    call = await player.start_call(CALLER, org.phone_numbers[0])
    await player.say(call, "Hi, this is Sam Roy, my kitchen drain is clogged")
    # The conversation records the caller's yes to texts on the lead (its own concern).
    async with tenant_session(runtime.maker, org.org_id) as session:
        await session.execute(text("UPDATE leads SET consent_sms = true"))
    await player.hang_up(call, duration=70)
    await _run_jobs(runtime)
    texts = await outbox(runtime, org.org_id, "sms")
    assert [t.recipient for t in texts] == [CALLER]
    body = texts[0].payload["body"]
    assert body.startswith("Thanks for calling Text Plumbing") and "Reply STOP" in body


async def test_opted_out_caller_gets_no_confirmation(
    player: TwilioPlayer, runtime: Runtime
) -> None:
    org = await make_org(runtime, hours=ALWAYS_OPEN, notify={"email": OWNER_EMAIL})
    await player.text(CALLER, org.phone_numbers[0], "STOP")
    before = len(await outbox(runtime, org.org_id, "sms"))
    call = await player.start_call(CALLER, org.phone_numbers[0])
    await player.say(call, "Hi, this is Sam Roy, my kitchen drain is clogged")
    async with tenant_session(runtime.maker, org.org_id) as session:
        await session.execute(text("UPDATE leads SET consent_sms = true"))
    await player.hang_up(call, duration=70)
    await _run_jobs(runtime)
    assert len(await outbox(runtime, org.org_id, "sms")) == before
    assert len(await outbox(runtime, org.org_id, "email")) == 1


@pytest.mark.parametrize("installed", [True, False])
async def test_unanswered_call_is_texted_back_when_the_sms_domain_can(
    player: TwilioPlayer, runtime: Runtime, monkeypatch: pytest.MonkeyPatch, installed: bool
) -> None:
    """The text-back belongs to the SMS domain; without it, the call still ends cleanly."""
    import tradeline.sms.service as sms

    if not installed:
        monkeypatch.delattr(sms, "missed_call_text_back", raising=False)
    org = await make_org(runtime, "Missed Roofing", hours=ALWAYS_OPEN, notify=NOTIFY)
    call = await player.start_call(CALLER, org.phone_numbers[0])
    await player.hang_up(call, duration=0, status="no-answer")
    await _run_jobs(runtime)
    mail = (await outbox(runtime, org.org_id, "email"))[0].payload
    assert mail["subject"].startswith("Missed call from")
    texts = [t.recipient for t in await outbox(runtime, org.org_id, "sms")]
    assert texts == ([CALLER] if installed else [])
    ended = await sql(runtime, org.org_id, "SELECT data FROM call_events WHERE kind = 'ended'")
    assert ended[0][0]["missed"] == "unanswered" and ended[0][0]["texted_back"] is installed
