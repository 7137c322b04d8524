"""SQL of the worker's own jobs (maintenance and the probe)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.db import set_local
from tradeline.models import AuditLog, IdempotencyKey

MAINTENANCE_SETTING = "app.maintenance"
PURGE_IDEMPOTENCY = "purge_idempotency"
PROBE_ACTION = "worker.probe"


async def purge_expired_idempotency_keys(session: AsyncSession) -> int:
    """Delete expired idempotency keys of every business; returns how many.

    Runs with no tenant set: the `purge_expired` policies (migration 0004) open exactly the
    expired rows, for this transaction only, once it declares the maintenance job.
    """
    await set_local(session, MAINTENANCE_SETTING, PURGE_IDEMPOTENCY)
    deleted = await session.scalars(
        delete(IdempotencyKey)
        .where(IdempotencyKey.expires_at < func.now())
        .returning(IdempotencyKey.id)
    )
    return len(deleted.all())


async def record_probe(
    session: AsyncSession, *, org_id: uuid.UUID, job_id: int, attempt: int, worker: str | None
) -> bool:
    """Write the probe's audit row for `job_id` unless it exists; True if written.

    The transaction-scoped advisory lock serializes two runs of the same job (a worker thought
    dead and its replacement), so the check-then-insert cannot let both write.
    """
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"{PROBE_ACTION}:{job_id}"}
    )
    existing = await session.scalar(
        select(AuditLog.id)
        .where(
            AuditLog.action == PROBE_ACTION,
            AuditLog.target_type == "job",
            AuditLog.target_id == str(job_id),
        )
        .limit(1)
    )
    if existing is not None:
        return False
    session.add(
        AuditLog(
            organization_id=org_id,
            actor_type="system",
            actor_id="worker",
            action=PROBE_ACTION,
            target_type="job",
            target_id=str(job_id),
            data={"attempt": attempt, "worker": worker},
        )
    )
    await session.flush()
    return True
