"""Appointments: free slots, race-safe booking, rescheduling and cancelling.

The two calls the receptionist needs::

    from tradeline.appointment.service import book, free_slots

    slots = await free_slots(session, org_id, profile, start=datetime.now(UTC), days=7)
    appointment = await book(session, runtime, org_id, lead_id=lead.id, start=slots[0].start)

Both run in the caller's transaction (they `flush`, never commit). `book` raises `SlotTaken`
(409) when another booking got the time first, `OutsideHours` (422) for a time the business is
closed, `NotFound` for an unknown lead. Invites and webhooks go out after commit, by jobs.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.appointment import policy, repository
from tradeline.appointment.policy import DEFAULT_DURATION_MIN, Slot
from tradeline.appointment.schemas import AppointmentOut
from tradeline.auth.schemas import Principal
from tradeline.consent import service as consent
from tradeline.exceptions import Conflict, NotFound, Unprocessable
from tradeline.kit.crypto import mask_text
from tradeline.lead import repository as leads
from tradeline.lead.policy import can_transition
from tradeline.lead.service import set_status
from tradeline.models import AuditLog, Lead
from tradeline.models.appointment import Appointment
from tradeline.organization.schemas import BusinessProfileSpec
from tradeline.organization.service import get_profile
from tradeline.privacy.service import Pii, audit_reveal
from tradeline.runtime import Runtime

REMINDER_BEFORE = timedelta(hours=24)
TABLE = "appointments"


class SlotTaken(Conflict):
    """Another appointment already holds (part of) that time."""


class OutsideHours(Unprocessable):
    """The business is closed for (part of) that time, or it is in the past."""


def _aware(value: datetime, name: str) -> None:
    if value.tzinfo is None:
        raise Unprocessable(f"{name}: give a time zone offset (e.g. 2026-12-01T09:00:00-07:00)")


def _length(duration_min: int | None, service: str | None) -> int:
    minutes = duration_min if duration_min is not None else policy.duration_for(service)
    try:
        policy.check_duration(minutes)
    except ValueError as exc:
        raise Unprocessable(str(exc)) from exc
    return minutes


async def free_slots(
    session: AsyncSession,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    *,
    start: datetime,
    days: int,
    duration_min: int = DEFAULT_DURATION_MIN,
) -> list[Slot]:
    """Bookable slots of `duration_min` from `start` (never earlier than now) over `days` local
    days, inside business hours, outside holidays and clear of booked appointments.

    Slots start every 30 minutes from opening time and are given in the business's time zone.
    A free slot is a hint, not a hold: `book` re-checks under its lock.
    """
    _aware(start, "start")
    if not 1 <= days <= policy.MAX_DAYS:
        raise Unprocessable(f"days: between 1 and {policy.MAX_DAYS}")
    length = _length(duration_min, None)
    not_before = max(start, datetime.now(UTC))
    zone = ZoneInfo(profile.timezone)
    first = not_before.astimezone(zone).date()
    windows = policy.opening_windows(profile, first, days)
    if not windows:
        return []
    busy = await repository.booked_between(session, org_id, windows[0][0], windows[-1][1])
    return policy.free_slots(
        profile,
        [(a.starts_at, a.ends_at) for a in busy],
        start=not_before,
        days=days,
        duration_min=length,
    )


def _check_time(profile: BusinessProfileSpec, start: datetime, end: datetime) -> None:
    if start <= datetime.now(UTC):
        raise OutsideHours("start: must be in the future")
    if not policy.fits_hours(profile, start, end):
        local = start.astimezone(ZoneInfo(profile.timezone))
        raise OutsideHours(
            f"start: {local:%a %Y-%m-%d %H:%M} for {int((end - start).total_seconds() // 60)} "
            "minutes is outside business hours (or a holiday)"
        )


async def _claim(
    session: AsyncSession,
    org_id: uuid.UUID,
    start: datetime,
    end: datetime,
    *,
    exclude: uuid.UUID | None = None,
) -> None:
    """Take the business's schedule lock, then make sure the time is still free."""
    if not await repository.lock_schedule(session, org_id):
        raise Conflict("the schedule is busy with another booking; retry in a moment")
    if await repository.booked_between(session, org_id, start, end, exclude=exclude):
        raise SlotTaken("that time is already booked; pick another slot")


def _schedule_reminder(appointment: Appointment) -> None:
    due = appointment.starts_at - REMINDER_BEFORE
    if due > datetime.now(UTC):
        appointment.reminder_due_at, appointment.reminder_status = due, "scheduled"
    else:
        # Booked less than a day ahead: the confirmation is the reminder.
        appointment.reminder_due_at, appointment.reminder_status = None, "not_scheduled"


def lead_number(runtime: Runtime, lead: Lead) -> str | None:
    """The number to text a lead on: the callback number, else the caller's."""
    for column in ("callback_number_enc", "caller_number_enc"):
        value = runtime.pii.open(
            getattr(lead, column),
            org_id=lead.organization_id,
            table="leads",
            row_id=lead.id,
            column=column,
        )
        if value:
            return value
    return None


def _actor(by: Principal | None) -> tuple[str, str]:
    return ("system", "system") if by is None else (by.actor_type, by.actor_id)


async def _after_change(
    session: AsyncSession,
    appointment: Appointment,
    event: str,
    by: Principal | None,
    data: dict[str, str],
) -> None:
    from tradeline.appointment.tasks import send_invites
    from tradeline.integrations.webhooks.service import emit
    from tradeline.worker.app import enqueue

    actor_type, actor_id = _actor(by)
    session.add(
        AuditLog(
            organization_id=appointment.organization_id,
            actor_type=actor_type,
            actor_id=actor_id,
            action=f"appointment.{event}",
            target_type="appointment",
            target_id=str(appointment.id),
            data=data,
        )
    )
    await session.flush()
    await enqueue(
        session,
        send_invites,
        org_id=str(appointment.organization_id),
        appointment_id=str(appointment.id),
        sequence=appointment.ics_sequence,
    )
    await emit(session, appointment.organization_id, f"appointment.{event}", appointment.id)


async def book(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    *,
    lead_id: uuid.UUID,
    start: datetime,
    duration_min: int | None = None,
    service: str | None = None,
    notes: str | None = None,
    by: Principal | None = None,
) -> Appointment:
    """Book `lead_id` at `start` for `duration_min` (default: the service's usual length).

    Race-safe: bookings of one business are serialized by a transaction-scoped advisory lock,
    and the overlap check runs under it, so of two concurrent bookings of one slot exactly one
    commits and the other gets `SlotTaken`. The lead moves to `booked` when its status allows,
    the caller (if we have their email) and the owner get an invite, and a text reminder is
    scheduled 24 h before. `by` is who booked (None: the receptionist itself).
    """
    _aware(start, "start")
    minutes = _length(duration_min, service)
    end = start + timedelta(minutes=minutes)
    profile = await get_profile(session, org_id)
    lead = await leads.get(session, org_id, lead_id)
    if lead is None:
        raise NotFound("lead not found")
    _check_time(profile, start, end)
    await _claim(session, org_id, start, end)
    appointment = Appointment(
        id=uuid.uuid4(),
        organization_id=org_id,
        lead_id=lead_id,
        starts_at=start.astimezone(UTC),
        ends_at=end.astimezone(UTC),
        service=service,
        status="booked",
        ics_sequence=0,
        booked_by=_actor(by)[1],
    )
    appointment.notes_enc = runtime.pii.seal(
        notes, org_id=org_id, table=TABLE, row_id=appointment.id, column="notes_enc"
    )
    _schedule_reminder(appointment)
    session.add(appointment)
    await session.flush()
    number = lead_number(runtime, lead)
    if number is not None and lead.consent_sms is not False:
        # Asking for an appointment is an inquiry: the basis for its transactional texts
        # (the reminder), as the consent ledger wants one.
        await consent.note_inquiry(
            session,
            runtime,
            org_id,
            number,
            channel="sms",
            source="appointment",
            evidence=str(appointment.id),
        )
    if can_transition(lead.status, "booked"):
        actor_type, actor_id = _actor(by)
        await set_status(
            session,
            lead,
            "booked",
            actor_type=actor_type,
            actor_id=actor_id,
            reason=f"appointment {appointment.id} booked",
        )
    await _after_change(
        session, appointment, "booked", by, {"start": appointment.starts_at.isoformat()}
    )
    return appointment


async def _load(session: AsyncSession, org_id: uuid.UUID, appointment_id: uuid.UUID) -> Appointment:
    appointment = await repository.get(session, org_id, appointment_id, for_update=True)
    if appointment is None:
        raise NotFound("appointment not found")
    return appointment


async def reschedule(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    appointment_id: uuid.UUID,
    *,
    start: datetime,
    duration_min: int | None = None,
    by: Principal | None = None,
) -> Appointment:
    """Move a booked appointment (same race-safety as `book`); invites are updated."""
    _aware(start, "start")
    appointment = await _load(session, org_id, appointment_id)
    if appointment.status != "booked":
        raise Conflict("a cancelled appointment cannot be rescheduled; book a new one")
    current = int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
    minutes = _length(duration_min if duration_min is not None else current, None)
    end = start + timedelta(minutes=minutes)
    profile = await get_profile(session, org_id)
    _check_time(profile, start, end)
    await _claim(session, org_id, start, end, exclude=appointment.id)
    previous = appointment.starts_at
    appointment.starts_at, appointment.ends_at = start.astimezone(UTC), end.astimezone(UTC)
    appointment.ics_sequence += 1
    appointment.updated_at = datetime.now(UTC)
    _schedule_reminder(appointment)
    await session.flush()
    await _after_change(
        session,
        appointment,
        "rescheduled",
        by,
        {"from": previous.isoformat(), "to": appointment.starts_at.isoformat()},
    )
    return appointment


async def cancel(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    appointment_id: uuid.UUID,
    *,
    by: Principal | None = None,
) -> Appointment:
    """Cancel (idempotent): the slot frees up, calendars get a CANCEL, no reminder goes out."""
    appointment = await _load(session, org_id, appointment_id)
    if appointment.status == "cancelled":
        return appointment
    now = datetime.now(UTC)
    appointment.status = "cancelled"
    appointment.cancelled_at = appointment.updated_at = now
    appointment.ics_sequence += 1
    if appointment.reminder_status == "scheduled":
        appointment.reminder_status = "cancelled"
    await session.flush()
    await _after_change(session, appointment, "cancelled", by, {})
    return appointment


def present(
    appointment: Appointment, pii: Pii, principal: Principal, zone: ZoneInfo
) -> AppointmentOut:
    notes = pii.open(
        appointment.notes_enc,
        org_id=appointment.organization_id,
        table=TABLE,
        row_id=appointment.id,
        column="notes_enc",
    )
    return AppointmentOut(
        id=appointment.id,
        lead_id=appointment.lead_id,
        start=appointment.starts_at.astimezone(zone),
        end=appointment.ends_at.astimezone(zone),
        duration_min=int((appointment.ends_at - appointment.starts_at).total_seconds() // 60),
        service=appointment.service,
        status="cancelled" if appointment.status == "cancelled" else "booked",
        notes=notes if principal.sees_pii else mask_text(notes),
        reminder_status=appointment.reminder_status,
        created_at=appointment.created_at,
    )


async def reveal(
    session: AsyncSession, principal: Principal, appointments: list[Appointment], reason: str
) -> None:
    """Audit an admin's view of appointment notes (the only PII an appointment holds)."""
    if principal.sees_pii:
        await audit_reveal(
            session,
            org_id=principal.organization_id,
            actor_type=principal.actor_type,
            actor_id=principal.actor_id,
            target_type="appointment",
            target_ids=[str(a.id) for a in appointments if a.notes_enc is not None],
            reason=reason,
        )


async def list_between(
    session: AsyncSession, principal: Principal, start: datetime, end: datetime, *, limit: int
) -> list[Appointment]:
    _aware(start, "from")
    _aware(end, "to")
    if end <= start:
        raise Unprocessable("to: must be after from")
    if end - start > timedelta(days=366):
        raise Unprocessable("to: at most a year after from")
    return await repository.listed(session, principal.organization_id, start, end, limit=limit)
