"""The worker's own diagnostic job."""

from __future__ import annotations

import asyncio
import uuid

from procrastinate import JobContext

from tradeline.db import tenant_session
from tradeline.worker import repository
from tradeline.worker.app import DEFAULT_QUEUE, DEFAULT_RETRY, app, job_runtime


@app.task(name="worker.probe", queue=DEFAULT_QUEUE, retry=DEFAULT_RETRY, pass_context=True)
async def probe(context: JobContext, *, org_id: str, hold_s: float = 0.0) -> bool:
    """Leave one `worker.probe` audit row in the business, keyed by the job id.

    Shows end to end that jobs flow: deferred, fetched, run with a Runtime, committed. The row
    is written at most once per job however many times the job runs (retries, a crashed
    worker's job taken over), so it is also how the crash tests count effects. `hold_s` keeps
    the transaction open after the insert, the window in which a killed worker must leave
    nothing behind.
    """
    runtime = job_runtime(context)
    organization = uuid.UUID(org_id)
    job_id = context.job.id
    if job_id is None:  # a fetched job always has its id; this narrows the type
        raise RuntimeError("probe ran without a job id")
    async with tenant_session(runtime.maker, organization) as session:
        written = await repository.record_probe(
            session,
            org_id=organization,
            job_id=job_id,
            attempt=context.job.attempts,
            worker=context.worker_name,
        )
        if hold_s > 0:
            await asyncio.sleep(hold_s)
    return written
