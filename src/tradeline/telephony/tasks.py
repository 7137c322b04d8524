"""Voice jobs: the post-call follow-up, and the daily purge of recordings past retention."""

from __future__ import annotations

import uuid

import psycopg
from procrastinate import JobContext
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.db import tenant_session
from tradeline.logging import get_logger
from tradeline.models import Call
from tradeline.worker.app import DEFAULT_RETRY, MAINTENANCE_QUEUE, app, job_runtime

log = get_logger(__name__)


@app.task(name="telephony.post_call", retry=DEFAULT_RETRY, pass_context=True)
async def post_call(context: JobContext, *, org_id: str, call_id: str) -> dict[str, bool]:
    """The owner's email (and texts) about one finished call; at most once per call."""
    from tradeline.telephony.followup import send_post_call

    runtime = job_runtime(context)
    org = uuid.UUID(org_id)
    async with tenant_session(runtime.maker, org) as session:
        return await send_post_call(session, runtime, org, uuid.UUID(call_id))


@app.periodic(cron="43 3 * * *")
@app.task(
    name="telephony.purge_recordings",
    queue=MAINTENANCE_QUEUE,
    queueing_lock="telephony.purge_recordings",
    retry=DEFAULT_RETRY,
    pass_context=True,
)
async def purge_recordings(context: JobContext, timestamp: int) -> int:
    """Daily: delete recordings past each business's retention, at Twilio and here."""
    from tradeline.telephony.recordings import purge_expired

    return await purge_expired(job_runtime(context))


async def defer_post_call(session: AsyncSession, call: Call, *, delay_s: int = 0) -> int:
    """Queue `post_call` in the caller's transaction (a job exists iff the call's end was
    committed), now or after `delay_s` seconds. Arguments are row ids only, never PII.

    `tradeline.worker.app.enqueue` without a delay; with one, the same transactional deferral
    with procrastinate's `schedule_in`.
    """
    kwargs = {"org_id": str(call.organization_id), "call_id": str(call.id)}
    if delay_s <= 0:
        from tradeline.worker.app import enqueue

        return await enqueue(session, post_call, **kwargs)
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if not isinstance(driver, psycopg.AsyncConnection):
        raise TypeError("defer_post_call needs a session on the async psycopg driver")
    job_id: int = await post_call.configure(
        connection=driver, schedule_in={"seconds": delay_s}
    ).defer_async(**kwargs)
    return job_id
