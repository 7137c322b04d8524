"""Outbound SMS: a job after commit, consent at queue time and again at send time, the STOP race,
ambiguous provider outcomes reconciled (never resent), usage."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.factories import make_org
from tests.sms.helpers import (
    closed_port_url,
    fake_twilio,
    outbound,
    post_signed,
    rows,
    sandbox_sms,
    scalar,
    sms_form,
)
from tradeline.consent import service as consent
from tradeline.db import tenant_session
from tradeline.organization.service import get_profile
from tradeline.runtime import Runtime
from tradeline.sms import service as sms
from tradeline.sms.gateway import SandboxGateway, TwilioGateway, use_gateway
from tradeline.sms.tasks import reconcile
from tradeline.telephony.ports import SendResult
from tradeline.worker.app import DEFAULT_QUEUE
from tradeline.worker.service import drain

CUSTOMER = "+14035550177"


async def allow(runtime: Runtime, org_id: uuid.UUID, number: str = CUSTOMER) -> None:
    async with tenant_session(runtime.maker, org_id) as session:
        await consent.record(
            session, runtime, org_id, number, channel="sms", purpose="transactional",
            basis="express", granted=True, source="test", wording="Text me about my job",
            evidence="form-1",
        )  # fmt: skip


async def queue(
    runtime: Runtime,
    org_id: uuid.UUID,
    body: str = "Your appointment is tomorrow at 9.",
    **kw: object,
) -> sms.OutboundResult:
    async with tenant_session(runtime.maker, org_id) as session:
        return await sms.send_sms(
            session, runtime, org_id, kw.pop("to", CUSTOMER), body,  # type: ignore[arg-type]
            kw.pop("purpose", "transactional"), "reminder", **kw,  # type: ignore[arg-type]
        )  # fmt: skip


async def jobs(runtime: Runtime) -> list[str]:
    return [
        r[0]
        for r in await rows(runtime, None, "SELECT task_name FROM procrastinate_jobs ORDER BY id")
    ]


async def test_a_send_is_a_job_after_commit_through_the_port(runtime: Runtime) -> None:
    org = await make_org(runtime, "Outbound Co")
    await allow(runtime, org.org_id)

    # Rolled back: no message, no job, nothing sent.
    async def failing_work() -> None:
        async with tenant_session(runtime.maker, org.org_id) as session:
            await sms.send_sms(
                session, runtime, org.org_id, CUSTOMER, "hello", "transactional", "test"
            )
            raise RuntimeError("the caller's work failed")

    with pytest.raises(RuntimeError, match="caller's work failed"):
        await failing_work()
    assert await jobs(runtime) == []
    queued = await queue(runtime, org.org_id)
    assert (queued.status, queued.reason, queued.created) == ("pending", "express", True)
    assert await jobs(runtime) == ["sms.deliver"]
    assert await sandbox_sms(runtime, org.org_id) == []  # nothing before the job
    await drain(runtime, queues=[DEFAULT_QUEUE])
    [sent] = await sandbox_sms(runtime, org.org_id)
    assert (sent.to, sent.from_) == (CUSTOMER, org.phone_numbers[0])
    assert sent.status_callback == "http://testserver/twilio/sms/status"
    [(message, pipeline)] = await outbound(runtime, org.org_id)
    assert message.message_sid == sent.sid and pipeline.stage == "submitted"
    assert message.status == "sent"  # the sandbox reports it sent at once
    usage = await rows(runtime, org.org_id, "SELECT kind, quantity, ref FROM usage_events")
    assert [tuple(u) for u in usage] == [("sms_out", 1, str(message.id))]
    # The job ran: running it again (a retry, a crashed worker's job) sends nothing more.
    from tradeline.sms.tasks import deliver_message

    assert await deliver_message(runtime, org.org_id, message.id) == "submitted"
    assert len(await sandbox_sms(runtime, org.org_id)) == 1


async def test_no_consent_is_refused_and_the_reason_recorded(runtime: Runtime) -> None:
    org = await make_org(runtime)
    refused = await queue(runtime, org.org_id)
    assert (refused.status, refused.reason) == ("refused", "no_consent")
    assert await jobs(runtime) == []
    [(message, pipeline)] = await outbound(runtime, org.org_id)
    assert (message.status, pipeline.stage, pipeline.decision) == (
        "refused",
        "refused",
        "no_consent",
    )
    marketing = await queue(runtime, org.org_id, purpose="marketing", to="+14035550178")
    assert marketing.status == "refused"


async def test_stop_committed_while_queued_means_no_send(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    org = await make_org(runtime)
    await allow(runtime, org.org_id)
    for n in range(3):
        await queue(runtime, org.org_id, body=f"Update {n}")
    stop = await post_signed(
        client, "/twilio/sms", sms_form(org.phone_numbers[0], "STOP", CUSTOMER)
    )
    assert "unsubscribed" in stop.text
    await drain(runtime, queues=[DEFAULT_QUEUE])
    assert await sandbox_sms(runtime, org.org_id) == []
    assert {(o.stage, o.decision) for _, o in await outbound(runtime, org.org_id)} == {
        ("refused", "opted_out")
    }


async def test_stop_racing_the_worker_leaves_no_send_after_its_commit(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    """Sends and the STOP serialize on the person's consent lock: every send finished before
    the STOP's ledger entry was written, and everything after it is refused."""
    org = await make_org(runtime)
    await allow(runtime, org.org_id)
    total = 30
    for n in range(total):
        await queue(runtime, org.org_id, body=f"Update {n}")
    worker = asyncio.create_task(drain(runtime, queues=[DEFAULT_QUEUE]))
    for _ in range(500):
        if len(await sandbox_sms(runtime, org.org_id)) >= 3 or worker.done():
            break
        await asyncio.sleep(0.01)
    stop = await post_signed(
        client, "/twilio/sms", sms_form(org.phone_numbers[0], "stop", CUSTOMER)
    )
    assert stop.status_code == 200
    await worker
    await drain(runtime, queues=[DEFAULT_QUEUE])
    sent = await sandbox_sms(runtime, org.org_id)
    [stopped_at] = [
        r[0]
        for r in await rows(
            runtime, org.org_id, "SELECT recorded_at FROM consent_records WHERE granted = false"
        )
    ]
    stages = [o.stage for _, o in await outbound(runtime, org.org_id)]
    assert 3 <= len(sent) < total  # the race really happened
    assert all(s.created_at < stopped_at for s in sent)
    assert stages.count("submitted") == len(sent)
    assert stages.count("refused") == total - len(sent)


async def test_an_opt_out_covers_every_number_of_the_business(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    org = await make_org(runtime, numbers=["+15875550161", "+15875550162"])
    await allow(runtime, org.org_id)
    await post_signed(client, "/twilio/sms", sms_form("+15875550161", "STOP", CUSTOMER))
    other = await post_signed(
        client, "/twilio/sms", sms_form("+15875550162", "I need a plumber", CUSTOMER)
    )
    assert "<Message>" not in other.text
    refused = await queue(runtime, org.org_id, from_="+15875550162")
    assert (refused.status, refused.reason) == ("refused", "opted_out")


async def test_a_dedupe_key_sends_once(runtime: Runtime) -> None:
    org = await make_org(runtime)
    await allow(runtime, org.org_id)
    first = await queue(runtime, org.org_id, dedupe_key="reminder:job-42")
    again = await queue(runtime, org.org_id, dedupe_key="reminder:job-42")
    assert first.created and not again.created and first.message_id == again.message_id
    await drain(runtime, queues=[DEFAULT_QUEUE])
    assert len(await sandbox_sms(runtime, org.org_id)) == 1


async def test_an_ambiguous_outcome_is_reconciled_never_resent(runtime: Runtime) -> None:
    """Twilio accepts the message, then the connection resets before the answer: the job
    records `unknown`; reconciliation finds it by listing (to, from, time, body hash)."""
    org = await make_org(runtime)
    await allow(runtime, org.org_id)
    with fake_twilio() as fake:
        gw = TwilioGateway("AC" + "1" * 32, "token", base_url=fake.url)
        fake.faults = ["reset"]
        try:
            with use_gateway(lambda _rt: gw):
                await queue(runtime, org.org_id, body="Your quote is ready")
                await queue(runtime, org.org_id, body="A different text")
                await drain(runtime, queues=[DEFAULT_QUEUE])
                stages = {o.stage for _, o in await outbound(runtime, org.org_id)}
                assert stages == {"unknown", "submitted"}
                await drain(runtime, queues=[DEFAULT_QUEUE])  # nothing is retried blindly
                assert len(fake.created) == 2
                assert await reconcile(runtime) == 0  # too recent: its job may still be at it
                settled = await reconcile(runtime, now=datetime.now(UTC) + timedelta(minutes=1))
        finally:
            gw.client.http_client.session.close()
        assert settled == 1 and len(fake.created) == 2
        pairs = await outbound(runtime, org.org_id)
        assert {o.stage for _, o in pairs} == {"submitted"}
        assert {m.message_sid for m, _ in pairs} == {m["sid"] for m in fake.created}
        assert {m["status_callback"] for m in fake.created} == {
            "http://testserver/twilio/sms/status"
        }
        assert (
            await scalar(
                runtime, org.org_id, "SELECT count(*) FROM usage_events WHERE kind = 'sms_out'"
            )
            == 2
        )


async def test_a_send_that_provably_never_left_is_retried(runtime: Runtime) -> None:
    org = await make_org(runtime)
    await allow(runtime, org.org_id)
    down = TwilioGateway("AC" + "1" * 32, "token", base_url=closed_port_url(), timeout=2)
    try:
        with use_gateway(lambda _rt: down):
            await queue(runtime, org.org_id)
            await drain(runtime, queues=[DEFAULT_QUEUE])
    finally:
        down.client.http_client.session.close()
    [(message, pipeline)] = await outbound(runtime, org.org_id)
    assert (message.status, pipeline.stage) == ("pending", "pending")
    await rows(runtime, None, "UPDATE procrastinate_jobs SET scheduled_at = now() RETURNING id")
    await drain(runtime, queues=[DEFAULT_QUEUE])  # back on the sandbox
    assert len(await sandbox_sms(runtime, org.org_id)) == 1


class _DiesMidRequest(SandboxGateway):
    """The worker dies while the request is in flight (nothing reached the provider)."""

    async def send_sms(self, session, **kwargs: object) -> SendResult:
        raise ConnectionAbortedError("worker killed mid-request")


async def test_a_lost_send_is_given_up_after_a_while_never_resent(runtime: Runtime) -> None:
    org = await make_org(runtime)
    await allow(runtime, org.org_id)
    with use_gateway(lambda rt: _DiesMidRequest(rt.pii)):
        await queue(runtime, org.org_id)
        await drain(runtime, queues=[DEFAULT_QUEUE])
    [(_, pipeline)] = await outbound(runtime, org.org_id)
    assert pipeline.stage == "submitting"
    await rows(runtime, None, "UPDATE procrastinate_jobs SET scheduled_at = now() RETURNING id")
    await drain(runtime, queues=[DEFAULT_QUEUE])  # the retry sees `submitting`: no resend
    assert await sandbox_sms(runtime, org.org_id) == []
    assert await reconcile(runtime, now=datetime.now(UTC) + timedelta(minutes=2)) == 0
    assert await reconcile(runtime, now=datetime.now(UTC) + timedelta(minutes=16)) == 1
    [(message, pipeline)] = await outbound(runtime, org.org_id)
    assert (message.status, pipeline.decision) == ("failed", "not_found_at_provider")
    assert await sandbox_sms(runtime, org.org_id) == []


async def test_usage_events_for_texts_in_and_out(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    org = await make_org(runtime)
    form = sms_form(org.phone_numbers[0], "Do you charge for estimates?", CUSTOMER)
    await post_signed(client, "/twilio/sms", form)
    await post_signed(client, "/twilio/sms", form)
    kinds = await rows(
        runtime, org.org_id, "SELECT kind, quantity FROM usage_events ORDER BY created_at"
    )
    assert [k for k, _ in kinds] == ["sms_in", "sms_out"] and all(q >= 1 for _, q in kinds)
    # Replayed by Twilio: no new usage.
    assert await scalar(runtime, org.org_id, "SELECT count(*) FROM usage_events") == 2


async def test_profile_numbers_only(runtime: Runtime) -> None:
    org = await make_org(runtime)
    async with tenant_session(runtime.maker, org.org_id) as session:
        profile = await get_profile(session, org.org_id)
        from tradeline.exceptions import Unprocessable

        with pytest.raises(Unprocessable):
            await sms.send_sms(
                session, runtime, org.org_id, CUSTOMER, "hi", "transactional", "x",
                from_="+15875550999", profile=profile,
            )  # fmt: skip
        with pytest.raises(Unprocessable):
            await sms.send_sms(session, runtime, org.org_id, "not a number", "hi", "marketing", "x")


async def test_dashboard_counts_only_texts_that_left(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    org = await make_org(runtime)
    headers = {"Authorization": f"Bearer {org.api_key}"}

    async def sms_stats() -> dict[str, int]:
        summary = await client.get("/api/v1/dashboard/summary", headers=headers)
        assert summary.status_code == 200
        stats: dict[str, int] = summary.json()["sms_stats"]
        return stats

    assert (await queue(runtime, org.org_id)).status == "refused"  # no consent yet
    await allow(runtime, org.org_id)
    assert (await queue(runtime, org.org_id, body="Your tech is on the way.")).status == "pending"
    assert await sms_stats() == {"sent": 0, "delivered": 0, "failed": 0}
    await drain(runtime, queues=[DEFAULT_QUEUE])
    assert await sms_stats() == {"sent": 1, "delivered": 0, "failed": 0}
