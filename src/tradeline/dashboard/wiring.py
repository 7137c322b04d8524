"""Adapters to the lead workflow (status, notes) and appointment services, shaped for the
screens. Both domains were being built alongside the dashboard: this file is the one place
their APIs meet it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.appointment import service as appointments
from tradeline.auth.schemas import Principal
from tradeline.lead import repository as lead_repository
from tradeline.lead import service as leads
from tradeline.lead.policy import TRANSITIONS
from tradeline.runtime import Runtime

WEEK_LIMIT = 500


@dataclass(frozen=True)
class AppointmentView:
    starts_at: datetime
    ends_at: datetime
    title: str
    lead_id: uuid.UUID | None
    cancelled: bool


@dataclass(frozen=True)
class NoteView:
    at: datetime
    author_type: str
    author_id: str | None
    body: str


async def appointments_between(
    session: AsyncSession,
    runtime: Runtime,
    principal: Principal,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
) -> list[AppointmentView]:
    """Appointments starting in [start, end), with the lead's name (masked by role) as title."""
    rows = await appointments.list_between(session, principal, start, end, limit=WEEK_LIMIT)
    await appointments.reveal(session, principal, rows, "dashboard: week view")
    out = []
    for row in rows:
        shown = appointments.present(row, runtime.pii, principal, zone)
        lead = await lead_repository.get(session, principal.organization_id, row.lead_id)
        who = leads.present(lead, runtime.pii, principal, zone).caller_name if lead else None
        title = " — ".join(part for part in (shown.service, who) if part) or "—"
        out.append(
            AppointmentView(
                starts_at=shown.start,
                ends_at=shown.end,
                title=title,
                lead_id=row.lead_id,
                cancelled=shown.status == "cancelled",
            )
        )
    return out


def next_statuses(current: str) -> list[str]:
    """The statuses a lead may move to from `current` (lead.policy), current first."""
    allowed = TRANSITIONS.get(current, frozenset())
    order = ("new", "contacted", "booked", "won", "lost")
    return [current, *(s for s in order if s in allowed)]


async def change_lead_status(
    session: AsyncSession, runtime: Runtime, principal: Principal, lead_id: uuid.UUID, status: str
) -> None:
    await leads.change_status(session, runtime.pii, principal, lead_id, status)


async def lead_notes(
    session: AsyncSession, runtime: Runtime, principal: Principal, lead_id: uuid.UUID
) -> list[NoteView]:
    """The lead's latest notes, newest first (decrypted and audited for admins, else redacted)."""
    page = await leads.list_notes(session, runtime.pii, principal, lead_id, limit=50, cursor=None)
    return [
        NoteView(
            at=note.created_at,
            author_type=note.author_type,
            author_id=note.author_id,
            body=note.body,
        )
        for note in page.items
    ]


async def add_lead_note(
    session: AsyncSession, runtime: Runtime, principal: Principal, lead_id: uuid.UUID, body: str
) -> None:
    await leads.add_note(session, runtime.pii, principal, lead_id, body)
