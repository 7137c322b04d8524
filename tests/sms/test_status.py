"""Message status callbacks: deduplicated on (MessageSid, MessageStatus), monotonic, order-free."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.factories import make_org
from tests.sms.helpers import fake_twilio, outbound, post_signed, rows, scalar
from tests.sms.test_outbound import CUSTOMER, allow
from tradeline.db import tenant_session
from tradeline.organization.service import get_profile
from tradeline.runtime import Runtime
from tradeline.simulator.player import ACCOUNT_SID
from tradeline.sms import service as sms
from tradeline.sms.gateway import TwilioGateway, use_gateway
from tradeline.sms.tasks import deliver_message, reconcile
from tradeline.worker.app import DEFAULT_QUEUE
from tradeline.worker.service import drain

# Real lifecycles (Twilio sends no callback for the initial queued/accepted) and the final
# state each must end in, whatever order and however often its callbacks arrive.
LIFECYCLES = [
    (("sending", "sent", "delivered"), "delivered"),
    (("sending", "sent", "undelivered"), "undelivered"),
    (("sending", "failed"), "failed"),
    (("sending", "sent", "delivered", "read"), "read"),
    (("sending", "sent"), "sent"),
]


async def _messages(runtime: Runtime, org_id: uuid.UUID, count: int) -> list[tuple[uuid.UUID, str]]:
    """`count` sent messages (through send_sms and the job), as (id, MessageSid)."""
    customers = [f"+1403555{n:04d}" for n in range(300, 308)]
    for customer in customers:
        await allow(runtime, org_id, customer)
    async with tenant_session(runtime.maker, org_id) as session:
        profile = await get_profile(session, org_id)
        ids = [
            (
                await sms.send_sms(
                    session,
                    runtime,
                    org_id,
                    customers[n % len(customers)],
                    f"Update {n}",
                    "transactional",
                    "test",
                    profile=profile,
                )
            ).message_id
            for n in range(count)
        ]
    gate = asyncio.Semaphore(len(customers))

    async def one(message_id: uuid.UUID) -> None:
        async with gate:
            assert await deliver_message(runtime, org_id, message_id) == "submitted"

    await asyncio.gather(*(one(m) for m in ids))
    return [(m.id, m.message_sid or "") for m, _ in await outbound(runtime, org_id)]


def _plan(sids: list[str], total: int, seed: int) -> tuple[list[tuple[str, str]], dict[str, str]]:
    rng = random.Random(seed)
    expected: dict[str, str] = {}
    distinct: list[tuple[str, str]] = []
    for sid in sids:
        statuses, final = rng.choice(LIFECYCLES)
        expected[sid] = final
        distinct.extend((sid, s) for s in statuses)
    callbacks = distinct + [rng.choice(distinct) for _ in range(total - len(distinct))]
    rng.shuffle(callbacks)
    return callbacks, expected


def _params(org_number: str, sid: str, status: str) -> dict[str, str]:
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": ACCOUNT_SID,
        "From": org_number,
        "To": CUSTOMER,
        "ApiVersion": "2010-04-01",
    }
    if status in ("failed", "undelivered"):
        params["ErrorCode"] = "30003"
    return params


async def _final(runtime: Runtime, org_id: uuid.UUID) -> dict[str, str]:
    return {m.message_sid or "": m.status for m, _ in await outbound(runtime, org_id)}


async def test_ten_thousand_duplicated_shuffled_callbacks_end_in_the_right_state(
    runtime: Runtime,
) -> None:
    org = await make_org(runtime)
    sent = await _messages(runtime, org.org_id, 250)
    callbacks, expected = _plan([sid for _, sid in sent], 10_000, seed=20261122)
    assert len(callbacks) == 10_000 and len(expected) == 250
    number = org.phone_numbers[0]
    batch, workers = 20, 4
    queue: asyncio.Queue[list[tuple[str, str]]] = asyncio.Queue()
    for i in range(0, len(callbacks), batch):
        queue.put_nowait(callbacks[i : i + batch])
    new = 0

    async def worker() -> None:
        nonlocal new
        while not queue.empty():
            chunk = queue.get_nowait()
            async with tenant_session(runtime.maker, org.org_id) as session:
                params = [_params(number, sid, status) for sid, status in chunk]
                fresh = await sms.record_statuses(session, org.org_id, params)
            new += fresh  # not `new += await ...`: that reads `new` before awaiting

    await asyncio.gather(*(worker() for _ in range(workers)))
    distinct = {(sid, status) for sid, status in callbacks}
    assert new == len(distinct)
    final = await _final(runtime, org.org_id)
    wrong = {sid: (final[sid], want) for sid, want in expected.items() if final[sid] != want}
    assert wrong == {}
    # The sandbox reported `sent` when it took each message: one more event each, unless the
    # callbacks reported `sent` too.
    events = distinct | {(sid, "sent") for _, sid in sent}
    assert await scalar(runtime, org.org_id, "SELECT count(*) FROM message_events") == len(events)
    assert await scalar(runtime, org.org_id, "SELECT count(*) FROM sms_status_callbacks") == len(
        distinct
    )
    failed = await rows(
        runtime,
        org.org_id,
        "SELECT DISTINCT error_code FROM messages WHERE status IN ('failed', 'undelivered')",
    )
    assert [tuple(r) for r in failed] == [("30003",)]


async def test_signed_webhook_sample_concurrent_duplicates(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    org = await make_org(runtime)
    sent = await _messages(runtime, org.org_id, 25)
    callbacks, expected = _plan([sid for _, sid in sent], 400, seed=7)
    gate = asyncio.Semaphore(8)

    async def post(sid: str, status: str) -> int:
        async with gate:
            response = await post_signed(
                client, "/twilio/sms/status", _params(org.phone_numbers[0], sid, status)
            )
            assert response.text.startswith("<?xml") and "<Message>" not in response.text
            return response.status_code

    codes = await asyncio.gather(*(post(sid, status) for sid, status in callbacks))
    assert set(codes) == {200}
    assert await _final(runtime, org.org_id) == expected
    forged = await client.post(
        "/twilio/sms/status", data=_params(org.phone_numbers[0], sent[0][1], "failed")
    )
    assert forged.status_code == 403
    assert (await _final(runtime, org.org_id))[sent[0][1]] == expected[sent[0][1]]


async def test_callbacks_that_beat_the_sid_are_held_then_applied(runtime: Runtime) -> None:
    """The provider accepted the send but our job never learnt the SID (connection reset);
    the callbacks arrive first, are held, and apply when reconciliation records the SID."""
    org = await make_org(runtime)
    await allow(runtime, org.org_id)
    with fake_twilio() as fake:
        fake.faults = ["reset"]
        gw = TwilioGateway("AC" + "1" * 32, "token", base_url=fake.url)
        try:
            with use_gateway(lambda _rt: gw):
                async with tenant_session(runtime.maker, org.org_id) as session:
                    await sms.send_sms(
                        session,
                        runtime,
                        org.org_id,
                        CUSTOMER,
                        "Quote ready",
                        "transactional",
                        "quote",
                    )
                await drain(runtime, queues=[DEFAULT_QUEUE])
                sid = fake.created[0]["sid"]
                for status in ("delivered", "sent", "delivered"):
                    async with runtime.maker() as session, session.begin():
                        await sms.record_status(session, _params(org.phone_numbers[0], sid, status))
                [(message, _)] = await outbound(runtime, org.org_id)
                assert (message.status, message.message_sid) == ("unknown", None)
                await reconcile(runtime, now=datetime.now(UTC) + timedelta(minutes=1))
        finally:
            gw.client.http_client.session.close()
    [(message, pipeline)] = await outbound(runtime, org.org_id)
    assert (message.message_sid, message.status, pipeline.stage) == (sid, "delivered", "submitted")
    events = await rows(runtime, org.org_id, "SELECT status FROM message_events ORDER BY status")
    assert [e[0] for e in events] == ["delivered", "queued", "sent"]


async def test_unknown_business_or_missing_fields_change_nothing(runtime: Runtime) -> None:
    async with runtime.maker() as session, session.begin():
        assert not await sms.record_status(
            session, _params("+15875550999", "SM" + "0" * 32, "sent")
        )
        assert not await sms.record_status(session, {"MessageSid": "", "MessageStatus": "sent"})
