"""Every SQL statement about appointments."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.db import set_local
from tradeline.idempotency.repository import lock
from tradeline.models.appointment import Appointment

# The reminder scanner's declaration; the `due_reminders` policy (migration 0008) keys on it.
MAINTENANCE_SETTING = "app.maintenance"
REMINDER_SCAN = "appointment_reminders"
SCHEDULE_LOCK_WAIT_MS = 10_000


async def lock_schedule(session: AsyncSession, org_id: uuid.UUID) -> bool:
    """Serialize bookings of one business until this transaction ends (advisory lock).

    Under it, an overlap check followed by an insert cannot race another booking: the second
    transaction waits here, and its check (a new statement under READ COMMITTED) then sees the
    first one's committed row. False when the wait expired (the transaction is then aborted).
    """
    return await lock(session, f"appointments:{org_id}", wait_ms=SCHEDULE_LOCK_WAIT_MS)


async def get(
    session: AsyncSession, org_id: uuid.UUID, appointment_id: uuid.UUID, *, for_update: bool = False
) -> Appointment | None:
    query = select(Appointment).where(
        Appointment.organization_id == org_id, Appointment.id == appointment_id
    )
    if for_update:
        query = query.with_for_update()
    result = await session.execute(query.execution_options(populate_existing=True))
    return result.scalar_one_or_none()


async def booked_between(
    session: AsyncSession,
    org_id: uuid.UUID,
    start: datetime,
    end: datetime,
    *,
    exclude: uuid.UUID | None = None,
) -> list[Appointment]:
    """Booked appointments overlapping [start, end), earliest first."""
    query = select(Appointment).where(
        Appointment.organization_id == org_id,
        Appointment.status == "booked",
        Appointment.starts_at < end,
        Appointment.ends_at > start,
    )
    if exclude is not None:
        query = query.where(Appointment.id != exclude)
    query = query.order_by(Appointment.starts_at, Appointment.id)
    return list((await session.execute(query)).scalars())


async def listed(
    session: AsyncSession, org_id: uuid.UUID, start: datetime, end: datetime, *, limit: int
) -> list[Appointment]:
    """Every appointment (cancelled too) starting in [start, end), earliest first."""
    query = (
        select(Appointment)
        .where(
            Appointment.organization_id == org_id,
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
        .order_by(Appointment.starts_at, Appointment.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def due_reminders(
    session: AsyncSession, now: datetime, *, limit: int
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(organization, appointment) ids whose reminder is due, across businesses.

    Runs with no business set: it declares the reminder scan, which opens (SELECT only, this
    transaction only) the booked appointments still waiting for their reminder. Ids only.
    """
    await set_local(session, MAINTENANCE_SETTING, REMINDER_SCAN)
    rows = await session.execute(
        select(Appointment.organization_id, Appointment.id)
        .where(
            Appointment.status == "booked",
            Appointment.reminder_status == "scheduled",
            Appointment.reminder_due_at <= now,
        )
        .order_by(Appointment.reminder_due_at)
        .limit(limit)
    )
    return [(org_id, appointment_id) for org_id, appointment_id in rows]


async def claim_reminder(
    session: AsyncSession, org_id: uuid.UUID, appointment_id: uuid.UUID
) -> Appointment | None:
    """The appointment, locked, if its reminder is still waiting (another worker may have
    taken it: SKIP LOCKED, then the status check)."""
    result = await session.execute(
        select(Appointment)
        .where(
            Appointment.organization_id == org_id,
            Appointment.id == appointment_id,
            Appointment.status == "booked",
            Appointment.reminder_status == "scheduled",
        )
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()
