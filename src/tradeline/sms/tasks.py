"""Jobs of the outbound SMS pipeline: deliver one message; reconcile sends of unknown outcome.

Delivery, in two transactions:

1. `pending` → `submitting`, committed *before* the request leaves: if the worker dies while
   the request is in flight, the row says so, and a re-run of the job never sends it again.
2. Under the (business, person) consent lock — the lock an opt-out takes to commit — the
   consent policy is checked once more, then the provider is called: `submitted` with its
   MessageSid, `failed` (refused for good), `unknown` (may have left: reconciled, never
   resent), or back to `pending` when it provably never left (retried with backoff).

Reconciliation (every minute): sends stuck in `submitting`/`unknown` are looked up at the
provider (same recipient, sender and body hash, created after our attempt, SID not already
ours). Found → `submitted`. Not found after `GIVE_UP` → `failed`; never resent automatically.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Final

from procrastinate import JobContext
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.consent import service as consent
from tradeline.db import tenant_session
from tradeline.logging import get_logger
from tradeline.models import Message
from tradeline.models.messaging import OutboundSms
from tradeline.runtime import Runtime
from tradeline.sms import repository
from tradeline.sms.gateway import gateway
from tradeline.sms.policy import CLOCK_SKEW, match_sent, segments
from tradeline.worker.app import DEFAULT_QUEUE, DEFAULT_RETRY, MAINTENANCE_QUEUE, app, job_runtime

log = get_logger(__name__)

# A `submitting` row younger than this may still be in its job's hands.
RECONCILE_AFTER: Final = timedelta(seconds=30)
# Not at the provider this long after our attempt: it never left. Marked failed, not resent.
GIVE_UP: Final = timedelta(minutes=15)
RECONCILE_BATCH: Final = 200
STATUS_PATH: Final = "/twilio/sms/status"


class ProviderUnreachable(Exception):
    """The provider could not be reached and nothing was sent: the job is retried."""


def status_callback_url(runtime: Runtime) -> str | None:
    public = runtime.settings.public_url
    return f"{public.rstrip('/')}{STATUS_PATH}" if public else None


def _reveal(runtime: Runtime, message: Message) -> tuple[str, str]:
    def one(column: str) -> str:
        value = runtime.pii.open(
            getattr(message, column),
            org_id=message.organization_id,
            table="messages",
            row_id=message.id,
            column=column,
        )
        if value is None:
            raise RuntimeError(f"outbound message {message.id} has no {column}")
        return value

    return one("customer_enc"), one("body_enc")


async def record_sid(
    session: AsyncSession,
    runtime: Runtime,
    message: Message,
    outbound: OutboundSms,
    sid: str,
    provider_status: str,
    now: datetime,
    body: str,
) -> None:
    """The provider has it: SID on the message, then every status reported for that SID."""
    org_id = message.organization_id
    await repository.lock_sid(session, sid)
    message.message_sid = sid
    message.status = "submitted"
    outbound.stage = "submitted"
    outbound.submitted_at = now
    await session.flush()
    await repository.settle_sid(session, org_id, message.id, sid, provider_status)
    repository.add_usage(session, org_id, "sms_out", segments(body), str(message.id))


async def deliver_message(
    runtime: Runtime, org_id: uuid.UUID, message_id: uuid.UUID, *, last_attempt: bool = False
) -> str:
    """Send one queued outbound message; returns its pipeline stage afterwards."""
    async with tenant_session(runtime.maker, org_id) as session:
        pair = await repository.outbound_for_update(session, org_id, message_id)
        if pair is None:
            return "missing"
        message, outbound = pair
        if outbound.stage != "pending":
            return outbound.stage  # already attempted: a re-run never sends twice
        outbound.stage, message.status = "submitting", "submitting"
        outbound.submitting_at = datetime.now(UTC)

    unreachable = False
    async with tenant_session(runtime.maker, org_id) as session:
        pair = await repository.outbound_for_update(session, org_id, message_id)
        if pair is None:
            return "missing"
        message, outbound = pair
        if outbound.stage != "submitting":
            return outbound.stage  # reconciliation settled it meanwhile
        to, body = _reveal(runtime, message)
        await consent.lock(session, runtime, org_id, to)
        decision = await consent.decide(
            session, runtime, org_id, to, channel="sms", purpose=outbound.purpose
        )
        outbound.decision = decision.reason
        if not decision.allowed:
            outbound.stage, message.status = "refused", "refused"
            log.info("sms_refused_at_send", reason=decision.reason, message_id=str(message_id))
            return "refused"
        result = await gateway(runtime).send_sms(
            session,
            org_id=org_id,
            to=to,
            from_=message.business_number,
            body=body,
            status_callback=status_callback_url(runtime),
        )
        if result.status == "not_sent":
            if last_attempt:
                outbound.stage, message.status = "failed", "failed"
                outbound.decision = "provider_unreachable"
            else:
                outbound.stage, message.status = "pending", "pending"
                outbound.submitting_at = None
                unreachable = True
        elif result.status == "failed":
            outbound.stage, message.status = "failed", "failed"
        elif result.status == "unknown" or not result.sid:
            outbound.stage, message.status = "unknown", "unknown"
            log.warning("sms_outcome_unknown", message_id=str(message_id))
        else:
            await record_sid(
                session,
                runtime,
                message,
                outbound,
                result.sid,
                result.status,
                datetime.now(UTC),
                body,
            )
        stage = outbound.stage
    if unreachable:
        raise ProviderUnreachable(f"message {message_id}: provider unreachable, nothing sent")
    return stage


async def reconcile(runtime: Runtime, *, now: datetime | None = None) -> int:
    """Settle sends stuck in `submitting`/`unknown`; returns how many were settled."""
    now = now or datetime.now(UTC)
    async with runtime.maker() as session, session.begin():
        stuck = await repository.stuck_sends(
            session, older_than=now - RECONCILE_AFTER, limit=RECONCILE_BATCH
        )
    settled = 0
    for org_id, message_id in stuck:
        try:
            async with tenant_session(runtime.maker, org_id) as session:
                settled += await _settle(session, runtime, org_id, message_id, now)
        except OSError as exc:  # the provider's list is unreachable: next tick
            log.warning("sms_reconcile_failed", message_id=str(message_id), error=repr(exc))
    return settled


async def _settle(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    message_id: uuid.UUID,
    now: datetime,
) -> int:
    pair = await repository.outbound_for_update(session, org_id, message_id, skip_locked=True)
    if pair is None:
        return 0  # its job is still sending it
    message, outbound = pair
    if outbound.stage not in ("submitting", "unknown"):
        return 0
    attempted = outbound.submitting_at or message.created_at
    to, body = _reveal(runtime, message)
    listed = await gateway(runtime).list_recent(
        session,
        org_id=org_id,
        to=to,
        from_=message.business_number,
        since=attempted - CLOCK_SKEW,
    )
    taken = await repository.sids_in_use(session, (m.sid for m in listed))
    sid = match_sent(
        [(m.sid, m.to, m.from_, m.body, m.created_at) for m in listed],
        to=to,
        from_=message.business_number,
        body=body,
        submitting_at=attempted,
        taken=taken,
    )
    outbound.reconcile_attempts += 1
    if sid is not None:
        status = next(m.status for m in listed if m.sid == sid)
        await record_sid(session, runtime, message, outbound, sid, status, now, body)
        log.info("sms_reconciled", message_id=str(message_id), found=True)
        return 1
    if now - attempted > GIVE_UP:
        outbound.stage, message.status = "failed", "failed"
        outbound.decision = "not_found_at_provider"
        log.warning("sms_reconciled", message_id=str(message_id), found=False)
        return 1
    return 0


@app.task(name="sms.deliver", queue=DEFAULT_QUEUE, retry=DEFAULT_RETRY, pass_context=True)
async def deliver(context: JobContext, *, org_id: str, message_id: str) -> str:
    retry = DEFAULT_RETRY.max_attempts or 0
    return await deliver_message(
        job_runtime(context),
        uuid.UUID(org_id),
        uuid.UUID(message_id),
        last_attempt=context.job.attempts >= retry,
    )


@app.periodic(cron="* * * * *")
@app.task(
    name="sms.reconcile",
    queue=MAINTENANCE_QUEUE,
    queueing_lock="sms.reconcile",
    retry=DEFAULT_RETRY,
    pass_context=True,
)
async def reconcile_sends(context: JobContext, timestamp: int) -> int:
    """Every minute: sends of unknown outcome are looked up at the provider."""
    return await reconcile(job_runtime(context))
