"""What reaches the owner: the emergency alert (text + card), the new-lead card (once), and
the chat message for an emergency."""

from __future__ import annotations

import json
import uuid

import httpx
from sqlalchemy import select

from tests.factories import make_org
from tests.lead.helpers import outbox
from tradeline.db import tenant_session
from tradeline.models import Call
from tradeline.notification.service import notify_call_completed, notify_new_lead
from tradeline.organization.service import get_profile
from tradeline.runtime import Runtime
from tradeline.simulator.player import TwilioPlayer
from tradeline.worker.service import drain

CALLER = "+14035550161"


async def test_emergency_text_alerts_owner_by_sms_email_card_and_slack(
    client: httpx.AsyncClient, player: TwilioPlayer, runtime: Runtime
) -> None:
    org = await make_org(runtime, notify={"sms": "+14035550104", "email": "owner@example.com"})
    hook = await client.post(
        "/api/v1/webhooks",
        json={
            "kind": "slack",
            "url": "https://hooks.slack.com/services/T0/B0/x",
            "events": ["call.emergency"],
        },
        headers={"Authorization": f"Bearer {org.api_key}"},
    )
    assert hook.status_code == 201
    await player.text(
        CALLER, org.phone_numbers[0], "Help, a pipe burst and water is pouring into the basement"
    )
    await drain(runtime, queues=["default"])

    texts = await outbox(runtime, org.org_id, "sms")
    owner_texts = [t for t in texts if t["to"] == "+14035550104"]
    assert len(owner_texts) == 1 and owner_texts[0]["body"].startswith("URGENT (")
    [email] = await outbox(runtime, org.org_id, "email")
    assert email["to"] == "owner@example.com"
    assert email["subject"].startswith("URGENT — emergency call — Test Plumbing")
    assert "Urgency:" in email["text"] and "EMERGENCY" in email["text"]
    assert "#b3261e" in email["html"]  # the urgent header colour
    assert "Number:" in email["text"] and CALLER in email["text"]
    assert "/api/v1/conversations/" in email["text"]  # a text thread: the conversation link
    [post] = await outbox(runtime, org.org_id, "webhook")
    message = json.loads(post["body"])
    assert message["text"] == "URGENT — emergency call — Test Plumbing"
    assert CALLER in message["blocks"][1]["text"]["text"]


async def test_new_lead_card_is_sent_once_per_lead(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime, notify={"email": "owner@example.com"})
    response = await client.post(
        "/api/v1/leads/submit",
        json={
            "org_id": str(org.org_id),
            "name": "Jordan Lee",
            "email": "jordan@example.com",
            "phone": "403-555-0199",
            "message": "Water heater quote",
        },
    )
    lead_id = response.json()["id"]
    async with tenant_session(runtime.maker, org.org_id) as session:
        profile = await get_profile(session, org.org_id)
        await notify_new_lead(session, runtime, org.org_id, profile, uuid.UUID(lead_id))
    await drain(runtime, queues=["default"])
    [email] = await outbox(runtime, org.org_id, "email")
    assert email["subject"] == "New lead — Test Plumbing: Jordan Lee"
    lines = email["text"].splitlines()
    assert lines[:5] == [
        "New lead — Test Plumbing",
        "",
        "Name:    Jordan Lee",
        "Number:  +14035550199",
        "Email:   jordan@example.com",
    ]
    assert f"Lead: http://testserver/api/v1/leads/{lead_id}" in lines
    assert '<a href="tel:+14035550199"' in email["html"]
    assert '<h1 style="margin:4px 0 0;font-size:20px">New lead</h1>' in email["html"]


async def test_call_completed_reaches_subscribers(
    client: httpx.AsyncClient, player: TwilioPlayer, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    await client.post(
        "/api/v1/webhooks",
        json={
            "kind": "generic",
            "url": "https://crm.example.com/in",
            "events": ["call.completed", "call.voicemail"],
        },
        headers={"Authorization": f"Bearer {org.api_key}"},
    )
    call = await player.start_call(CALLER, org.phone_numbers[0])
    await player.say(call, "my dryer vent is blocked, my name is Sam Roy")
    await player.hang_up(call, duration=40)
    for _ in range(2):  # the post-call job queues the deliveries, which run next
        await drain(runtime, queues=["default"])
    posts = [json.loads(p["body"]) for p in await outbox(runtime, org.org_id, "webhook")]
    # Exactly one event for the call, from the post-call job (no voicemail was left).
    assert [p["type"] for p in posts] == ["call.completed"]
    completed = posts[0]
    call_data = completed["data"]["call"]
    assert (call_data["from"], call_data["duration"]) == (CALLER, 40)
    assert call_data["transcript_url"].endswith(f"/api/v1/calls/{call.call_sid}")
    assert completed["data"]["lead"]["caller_name"] == "Sam Roy"
    async with tenant_session(runtime.maker, org.org_id) as session:
        row = (await session.scalars(select(Call))).one()
        queued = await notify_call_completed(session, runtime, org.org_id, row.id, voicemail=True)
    assert queued == 2
    await drain(runtime, queues=["default"])
    posts = [json.loads(p["body"]) for p in await outbox(runtime, org.org_id, "webhook")]
    voicemail = next(p for p in posts if p["type"] == "call.voicemail")
    assert "voicemail_transcript" in voicemail["data"]["call"]
