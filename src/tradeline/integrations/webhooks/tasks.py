"""The delivery job: one attempt per run, retried by the queue on `WEBHOOK_RETRY`."""

from __future__ import annotations

import uuid

from procrastinate import JobContext

from tradeline.integrations.webhooks.service import WEBHOOK_RETRY, attempt
from tradeline.worker.app import app, job_runtime


@app.task(name="webhooks.deliver", retry=WEBHOOK_RETRY, pass_context=True)
async def deliver(context: JobContext, *, org_id: str, delivery_id: str) -> str:
    return await attempt(job_runtime(context), uuid.UUID(org_id), uuid.UUID(delivery_id))
