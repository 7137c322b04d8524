"""Knowledge-base jobs: re-embedding after a model switch, and FAQ re-sync after a profile edit.

Both are idempotent (a rerun does only what is left), so at-least-once delivery is safe. Workers
import this module once it is listed in `tradeline.worker.app.TASK_MODULES`.
"""

from __future__ import annotations

import uuid

from procrastinate import JobContext
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.db import tenant_session
from tradeline.knowledge import service
from tradeline.organization.service import get_profile
from tradeline.worker.app import DEFAULT_QUEUE, DEFAULT_RETRY, app, enqueue, job_runtime


@app.task(name="knowledge.reembed", queue=DEFAULT_QUEUE, retry=DEFAULT_RETRY, pass_context=True)
async def reembed(context: JobContext, *, org_id: str) -> int:
    """Vectors for every chunk under the active model; other models' vectors dropped."""
    return await service.reembed_all(job_runtime(context), uuid.UUID(org_id))


@app.task(name="knowledge.sync_faq", queue=DEFAULT_QUEUE, retry=DEFAULT_RETRY, pass_context=True)
async def sync_faq(context: JobContext, *, org_id: str) -> dict[str, int]:
    """The FAQ sources made equal to the profile's current FAQ entries."""
    runtime = job_runtime(context)
    organization = uuid.UUID(org_id)
    async with tenant_session(runtime.maker, organization) as session:
        profile = await get_profile(session, organization)
        return await service.sync_faq(session, runtime, organization, profile.faq)


async def schedule_reembed(session: AsyncSession, org_id: uuid.UUID) -> int:
    """Defer a re-embedding in the caller's transaction (it exists iff that commits)."""
    return await enqueue(session, reembed, org_id=str(org_id))


async def schedule_faq_sync(session: AsyncSession, org_id: uuid.UUID) -> int:
    """Defer a FAQ re-sync in the caller's transaction, e.g. right after a profile update."""
    return await enqueue(session, sync_faq, org_id=str(org_id))
