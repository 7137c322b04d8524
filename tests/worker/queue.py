"""Reading the job queue in tests: procrastinate's tables, through the app role like any worker."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import RowMapping, select, text

from tradeline.db import tenant_session
from tradeline.models import AuditLog
from tradeline.runtime import Runtime
from tradeline.worker.repository import PROBE_ACTION

T = TypeVar("T")


async def job_row(runtime: Runtime, job_id: int) -> RowMapping | None:
    """The job as any other connection sees it (committed state only)."""
    async with runtime.engine.connect() as conn:
        result = await conn.execute(
            text(
                "SELECT id, status::text AS status, attempts, args, scheduled_at, queue_name, "
                "worker_id FROM procrastinate_jobs WHERE id = :id"
            ),
            {"id": job_id},
        )
        return result.mappings().first()


async def job_status(runtime: Runtime, job_id: int) -> str | None:
    row = await job_row(runtime, job_id)
    return None if row is None else str(row["status"])


async def last_event_at(runtime: Runtime, job_id: int, event: str) -> Any:
    async with runtime.engine.connect() as conn:
        result = await conn.execute(
            text(
                "SELECT max(at) FROM procrastinate_events "
                "WHERE job_id = :id AND type = CAST(:event AS procrastinate_job_event_type)"
            ),
            {"id": job_id, "event": event},
        )
        return result.scalar_one()


async def make_due(runtime: Runtime, job_id: int) -> None:
    """Skip the rest of a job's backoff: due now (the test checks the backoff, not the clock)."""
    async with runtime.engine.begin() as conn:
        await conn.execute(
            text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE id = :id"),
            {"id": job_id},
        )


async def probe_rows(runtime: Runtime, org_id: uuid.UUID) -> list[AuditLog]:
    async with tenant_session(runtime.maker, org_id) as session:
        rows = await session.scalars(
            select(AuditLog).where(AuditLog.action == PROBE_ACTION).order_by(AuditLog.created_at)
        )
        return list(rows)


async def wait_for(
    check: Callable[[], Awaitable[T | None]], *, within: float, what: str, every: float = 0.1
) -> T:
    """Poll `check` until it returns something truthy; fail with `what` after `within` s."""
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:.0f}s waiting for {what}")
        await asyncio.sleep(every)
