"""Appointments API: list, free slots, book, reschedule or cancel."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response

from tradeline.api import CurrentPrincipal, DbSession, RuntimeDep
from tradeline.appointment import policy, repository, service
from tradeline.appointment.schemas import (
    AppointmentChange,
    AppointmentIn,
    AppointmentList,
    AppointmentOut,
    SlotList,
    SlotOut,
)
from tradeline.auth.schemas import Principal
from tradeline.exceptions import NotFound, Unprocessable
from tradeline.idempotency.service import IdempotencyDep
from tradeline.models.appointment import Appointment
from tradeline.organization.service import get_profile
from tradeline.runtime import Runtime

router = APIRouter(tags=["appointments"])

From = Annotated[datetime | None, Query(alias="from", description="ISO-8601 with offset")]


async def _zone(session: DbSession, principal: Principal) -> ZoneInfo:
    profile = await get_profile(session, principal.organization_id)
    return ZoneInfo(profile.timezone)


async def _out(
    session: DbSession, runtime: Runtime, principal: Principal, appointment: Appointment
) -> AppointmentOut:
    await service.reveal(session, principal, [appointment], "api: read appointment")
    return service.present(appointment, runtime.pii, principal, await _zone(session, principal))


@router.get("/appointments", response_model=AppointmentList)
async def list_appointments(
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
    start: From = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> AppointmentList:
    """Appointments starting in [from, to) — default: the next 30 days — earliest first,
    cancelled ones included (see `status`)."""
    first = start or datetime.now(UTC)
    last = end or first + timedelta(days=30)
    rows = await service.list_between(session, principal, first, last, limit=limit)
    await service.reveal(session, principal, rows, "api: list appointments")
    zone = await _zone(session, principal)
    return AppointmentList(items=[service.present(r, runtime.pii, principal, zone) for r in rows])


@router.get("/appointments/slots", response_model=SlotList)
async def slots(
    principal: CurrentPrincipal,
    session: DbSession,
    start: From = None,
    days: Annotated[int, Query(ge=1, le=policy.MAX_DAYS)] = 7,
    service_name: Annotated[str | None, Query(alias="service", max_length=120)] = None,
    duration_min: Annotated[int | None, Query(ge=15, le=480)] = None,
) -> SlotList:
    """Free slots from `from` (default now) over `days` days, in the business's time zone."""
    profile = await get_profile(session, principal.organization_id)
    minutes = duration_min or policy.duration_for(service_name)
    found = await service.free_slots(
        session,
        principal.organization_id,
        profile,
        start=start or datetime.now(UTC),
        days=days,
        duration_min=minutes,
    )
    return SlotList(
        timezone=profile.timezone,
        duration_min=minutes,
        slots=[SlotOut(start=s.start, end=s.end, duration_min=s.duration_min) for s in found],
    )


@router.get("/appointments/{appointment_id}", response_model=AppointmentOut)
async def get_appointment(
    appointment_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
) -> AppointmentOut:
    appointment = await repository.get(session, principal.organization_id, appointment_id)
    if appointment is None:
        raise NotFound("appointment not found")
    return await _out(session, runtime, principal, appointment)


@router.post("/appointments", response_model=AppointmentOut, status_code=201)
async def book(
    body: AppointmentIn,
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
    idempotency: IdempotencyDep,
) -> Response:
    """Book a lead; 409 `SlotTaken` when the time is already booked, 422 outside hours."""

    async def effect() -> tuple[int, AppointmentOut]:
        appointment = await service.book(
            session,
            runtime,
            principal.organization_id,
            lead_id=body.lead_id,
            start=body.start,
            duration_min=body.duration_min,
            service=body.service,
            notes=body.notes,
            by=principal,
        )
        return 201, await _out(session, runtime, principal, appointment)

    return await idempotency.run(session, principal.organization_id, effect)


@router.patch("/appointments/{appointment_id}", response_model=AppointmentOut)
async def change(
    appointment_id: uuid.UUID,
    body: AppointmentChange,
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
    idempotency: IdempotencyDep,
) -> Response:
    """`{"start": …, "duration_min"?: …}` reschedules; `{"status": "cancelled"}` cancels."""
    if body.status == "cancelled" and (body.start or body.duration_min):
        raise Unprocessable("status: cancel or reschedule, not both")
    new_start = body.start
    if body.status is None and new_start is None:
        raise Unprocessable("start: give a new start to reschedule, or status to cancel")

    async def effect() -> tuple[int, AppointmentOut]:
        org_id = principal.organization_id
        if new_start is None:
            appointment = await service.cancel(
                session, runtime, org_id, appointment_id, by=principal
            )
        else:
            appointment = await service.reschedule(
                session,
                runtime,
                org_id,
                appointment_id,
                start=new_start,
                duration_min=body.duration_min,
                by=principal,
            )
        return 200, await _out(session, runtime, principal, appointment)

    return await idempotency.run(session, principal.organization_id, effect)
