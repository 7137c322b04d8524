"""Missed-call text-back: once per call, only with consent, threaded into the call's lead."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from tests.factories import make_org
from tests.sms.helpers import outbound, rows, sandbox_sms
from tradeline.conversation import service as conversations
from tradeline.db import tenant_session
from tradeline.organization.service import get_profile
from tradeline.runtime import Runtime
from tradeline.simulator.player import TwilioPlayer
from tradeline.sms import service as sms
from tradeline.worker.app import DEFAULT_QUEUE
from tradeline.worker.service import drain

CALLER = "+14035550188"


async def _call(runtime: Runtime, org_id: uuid.UUID, call_sid: str, said: str | None) -> uuid.UUID:
    """A voice conversation as the voice channel keeps it (thread = CallSid), with one turn."""
    async with tenant_session(runtime.maker, org_id) as session:
        profile = await get_profile(session, org_id)
        contact = await conversations.find_or_create_contact(session, runtime, org_id, CALLER)
        thread = await conversations.load_or_start(
            session, runtime, org_id=org_id, profile=profile, channel="voice", thread_key=call_sid,
            caller_number=CALLER, now=datetime.now(UTC), contact=contact,
        )  # fmt: skip
        if said:
            await conversations.take_turn(
                session, runtime, thread, profile=profile, text=said, channel="voice", lookup=None
            )
        return thread.conversation.id


async def _text_back(
    runtime: Runtime, org_id: uuid.UUID, call_sid: str, conv: uuid.UUID | None
) -> bool:
    async with tenant_session(runtime.maker, org_id) as session:
        profile = await get_profile(session, org_id)
        return await sms.missed_call_text_back(
            session,
            runtime,
            org_id,
            profile,
            caller=CALLER,
            call_sid=call_sid,
            conversation_id=conv,
        )


async def test_one_text_back_per_call_continuing_the_calls_lead(
    runtime: Runtime, client: httpx.AsyncClient, player: TwilioPlayer
) -> None:
    org = await make_org(runtime, "Missed Call Plumbing")
    business = org.phone_numbers[0]
    call_sid = "CA" + uuid.uuid4().hex
    conv = await _call(
        runtime, org.org_id, call_sid, "Hi, this is Dana Whitfield, my water heater is leaking"
    )
    assert await _text_back(runtime, org.org_id, call_sid, conv) is True
    assert await _text_back(runtime, org.org_id, call_sid, conv) is False  # the same call again
    await drain(runtime, queues=[DEFAULT_QUEUE])
    [sent] = await sandbox_sms(runtime, org.org_id)
    assert (sent.to, sent.from_) == (CALLER, business)
    assert "missed your call" in sent.body and "Missed Call Plumbing" in sent.body
    assert "water heater" in sent.body and "Dana" in sent.body and "STOP" in sent.body
    [(message, pipeline)] = await outbound(runtime, org.org_id)
    assert (pipeline.purpose, pipeline.reason, pipeline.decision) == (
        "transactional",
        "missed_call",
        "implied_inquiry",
    )
    inquiry = await rows(runtime, org.org_id, "SELECT basis, source, evidence FROM consent_records")
    assert [tuple(r) for r in inquiry] == [("implied_inquiry", "missed_call", call_sid)]
    # The customer answers by text: same thread, same lead, now with the address.
    reply = await player.text(CALLER, business, "Yes please, it's at 42 Elm Street NW")
    assert reply
    leads = (
        await client.get(
            "/api/v1/leads",
            params={"phone": CALLER},
            headers={"Authorization": f"Bearer {org.api_key}"},
        )
    ).json()["items"]
    assert len(leads) == 1
    assert leads[0]["caller_name"] == "Dana Whitfield" and "Elm" in (leads[0]["address"] or "")
    threads = await rows(
        runtime,
        org.org_id,
        "SELECT channel, meta->>'continues' FROM conversations ORDER BY created_at",
    )
    assert [tuple(t) for t in threads] == [("voice", None), ("sms", str(conv))]
    assert message.conversation_id is not None


async def test_a_call_that_captured_nothing_gets_the_plain_offer(
    runtime: Runtime, player: TwilioPlayer
) -> None:
    org = await make_org(runtime, "Quiet Line")
    call_sid = "CA" + uuid.uuid4().hex
    assert await _text_back(runtime, org.org_id, call_sid, None) is True
    await drain(runtime, queues=[DEFAULT_QUEUE])
    [sent] = await sandbox_sms(runtime, org.org_id)
    assert "What can we do for you?" in sent.body
    # The text-back was the greeting: the answer goes straight into the conversation.
    reply = await player.text(CALLER, org.phone_numbers[0], "My basement drain is clogged")
    assert "automated assistant" not in reply


async def test_no_text_back_to_an_opted_out_or_withheld_caller(
    runtime: Runtime, player: TwilioPlayer
) -> None:
    org = await make_org(runtime)
    await player.text(CALLER, org.phone_numbers[0], "STOP")
    call_sid = "CA" + uuid.uuid4().hex
    assert await _text_back(runtime, org.org_id, call_sid, None) is False
    assert await _text_back(runtime, org.org_id, call_sid, None) is False
    async with tenant_session(runtime.maker, org.org_id) as session:
        profile = await get_profile(session, org.org_id)
        assert not await sms.missed_call_text_back(
            session,
            runtime,
            org.org_id,
            profile,
            caller="anonymous",
            call_sid="CA" + "2" * 32,
            conversation_id=None,
        )
    await drain(runtime, queues=[DEFAULT_QUEUE])
    assert await sandbox_sms(runtime, org.org_id) == []
    [(message, pipeline)] = await outbound(runtime, org.org_id)
    assert (message.status, pipeline.decision) == ("refused", "opted_out")
