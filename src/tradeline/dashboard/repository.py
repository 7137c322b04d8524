"""Read-only SQL for screens whose domain has no listing service yet (DESIGN: the dashboard
reads through services; these are the reads no service offers). Nothing here writes.

Every tenant query names its business explicitly (the first wall) and runs in a transaction
already scoped to it by RLS (the second wall).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, cast, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.models import (
    ApiKey,
    AuditLog,
    Call,
    ConsentRecord,
    Contact,
    Conversation,
    ConversationTurn,
    Lead,
    Membership,
    Message,
    SandboxOutbox,
    SecurityAlert,
    User,
)

MISSED_STATUSES = ("busy", "no-answer", "failed", "canceled")


def _day(column: Any, zone: str) -> Any:
    """The calendar day of a timestamp in the business's zone."""
    return cast(func.timezone(zone, column), Date)


@dataclass(frozen=True)
class DayCounts:
    day: date
    answered: int = 0
    missed: int = 0
    leads: int = 0
    emergencies: int = 0
    booked: int = 0
    texts: int = 0


async def daily_counts(
    session: AsyncSession, org_id: uuid.UUID, zone: str, since: datetime
) -> dict[date, DayCounts]:
    """Per local day since `since`: calls answered/missed, leads, emergencies, bookings, texts."""
    out: dict[date, dict[str, int]] = {}
    call_day = _day(Call.created_at, zone)
    calls = await session.execute(
        select(
            call_day,
            func.count(Call.id).filter(Call.status.not_in(MISSED_STATUSES)),
            func.count(Call.id).filter(Call.status.in_(MISSED_STATUSES)),
        )
        .where(Call.organization_id == org_id, Call.created_at >= since)
        .group_by(call_day)
    )
    for day, answered, missed in calls.all():
        out.setdefault(day, {}).update(answered=int(answered), missed=int(missed))
    lead_day = _day(Lead.created_at, zone)
    leads = await session.execute(
        select(
            lead_day,
            func.count(Lead.id),
            func.count(Lead.id).filter(Lead.emergency.is_(True)),
            func.count(Lead.id).filter(Lead.status.in_(("booked", "won"))),
        )
        .where(Lead.organization_id == org_id, Lead.created_at >= since)
        .group_by(lead_day)
    )
    for day, count, urgent, booked in leads.all():
        out.setdefault(day, {}).update(
            leads=int(count), emergencies=int(urgent), booked=int(booked)
        )
    message_day = _day(Message.created_at, zone)
    texts = await session.execute(
        select(message_day, func.count(Message.id))
        .where(Message.organization_id == org_id, Message.created_at >= since)
        .group_by(message_day)
    )
    for day, count in texts.all():
        out.setdefault(day, {}).update(texts=int(count))
    return {day: DayCounts(day=day, **values) for day, values in out.items()}


# --- calls --------------------------------------------------------------------------------------


async def calls_page(
    session: AsyncSession,
    org_id: uuid.UUID,
    *,
    status: str | None,
    since: datetime | None,
    until: datetime | None,
    caller_bidx: bytes | None,
    voicemail: bool,
    limit: int,
    offset: int,
) -> list[Call]:
    query = select(Call).where(Call.organization_id == org_id)
    if status == "missed":
        query = query.where(Call.status.in_(MISSED_STATUSES))
    elif status == "answered":
        query = query.where(Call.status.not_in(MISSED_STATUSES))
    if since is not None:
        query = query.where(Call.created_at >= since)
    if until is not None:
        query = query.where(Call.created_at < until)
    if caller_bidx is not None:
        query = query.where(Call.from_bidx == caller_bidx)
    if voicemail:
        query = query.where(Call.recording_url.is_not(None))
    query = query.order_by(Call.created_at.desc(), Call.id.desc()).limit(limit).offset(offset)
    return list((await session.execute(query)).scalars())


async def call_by_sid(session: AsyncSession, org_id: uuid.UUID, call_sid: str) -> Call | None:
    result = await session.execute(
        select(Call).where(Call.organization_id == org_id, Call.call_sid == call_sid)
    )
    return result.scalar_one_or_none()


async def conversation(
    session: AsyncSession, org_id: uuid.UUID, conversation_id: uuid.UUID
) -> Conversation | None:
    result = await session.execute(
        select(Conversation).where(
            Conversation.organization_id == org_id, Conversation.id == conversation_id
        )
    )
    return result.scalar_one_or_none()


async def emergency_conversations(
    session: AsyncSession, org_id: uuid.UUID, conversation_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these conversations produced an emergency lead."""
    if not conversation_ids:
        return set()
    result = await session.execute(
        select(Lead.conversation_id).where(
            Lead.organization_id == org_id,
            Lead.conversation_id.in_(list(conversation_ids)),
            Lead.emergency.is_(True),
        )
    )
    return {row for row in result.scalars() if row is not None}


async def lead_for_conversation(
    session: AsyncSession, org_id: uuid.UUID, conversation_id: uuid.UUID
) -> Lead | None:
    result = await session.execute(
        select(Lead)
        .where(Lead.organization_id == org_id, Lead.conversation_id == conversation_id)
        .order_by(Lead.created_at.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


# --- text conversations -------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadRow:
    conversation: Conversation
    turns: int
    customer_enc: bytes | None
    customer_message_id: uuid.UUID | None


async def sms_threads(
    session: AsyncSession, org_id: uuid.UUID, *, limit: int, offset: int
) -> list[ThreadRow]:
    turns = (
        select(func.count(ConversationTurn.id))
        .where(
            ConversationTurn.organization_id == org_id,
            ConversationTurn.conversation_id == Conversation.id,
        )
        .scalar_subquery()
    )
    first_message = (
        select(Message.id)
        .where(Message.organization_id == org_id, Message.conversation_id == Conversation.id)
        .order_by(Message.created_at)
        .limit(1)
        .scalar_subquery()
    )
    result = await session.execute(
        select(Conversation, turns, first_message)
        .where(Conversation.organization_id == org_id, Conversation.channel == "sms")
        .order_by(
            func.coalesce(Conversation.last_activity_at, Conversation.created_at).desc(),
            Conversation.id.desc(),
        )
        .limit(limit)
        .offset(offset)
    )
    rows = result.all()
    ids = [mid for _, _, mid in rows if mid is not None]
    customers: dict[uuid.UUID, bytes | None] = {}
    if ids:
        found = await session.execute(
            select(Message.id, Message.customer_enc).where(
                Message.organization_id == org_id, Message.id.in_(ids)
            )
        )
        customers = {mid: enc for mid, enc in found.all()}  # noqa: C416 - rows, not pairs
    return [
        ThreadRow(conv, int(count or 0), customers.get(mid) if mid else None, mid)
        for conv, count, mid in rows
    ]


async def messages_of(
    session: AsyncSession, org_id: uuid.UUID, conversation_id: uuid.UUID
) -> list[Message]:
    result = await session.execute(
        select(Message)
        .where(Message.organization_id == org_id, Message.conversation_id == conversation_id)
        .order_by(Message.created_at, Message.id)
    )
    return list(result.scalars())


async def latest_message_from(
    session: AsyncSession, org_id: uuid.UUID, customer_bidx: bytes
) -> Message | None:
    result = await session.execute(
        select(Message)
        .where(
            Message.organization_id == org_id,
            Message.customer_bidx == customer_bidx,
            Message.conversation_id.is_not(None),
        )
        .order_by(Message.created_at.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


# --- consent ------------------------------------------------------------------------------------


async def consent_records(
    session: AsyncSession,
    org_id: uuid.UUID,
    *,
    subject_bidx: bytes | None = None,
    granted: bool | None = None,
    limit: int = 200,
) -> list[ConsentRecord]:
    query = select(ConsentRecord).where(ConsentRecord.organization_id == org_id)
    if subject_bidx is not None:
        query = query.where(ConsentRecord.subject_bidx == subject_bidx)
    if granted is not None:
        query = query.where(ConsentRecord.granted.is_(granted))
    query = query.order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc()).limit(limit)
    return list((await session.execute(query)).scalars())


async def contacts_by_phone_index(
    session: AsyncSession, org_id: uuid.UUID, indexes: Sequence[bytes]
) -> dict[bytes, Contact]:
    """The ledger keeps only blind indexes; the contact with the same index names the number."""
    if not indexes:
        return {}
    result = await session.execute(
        select(Contact).where(
            Contact.organization_id == org_id, Contact.phone_bidx.in_(list(set(indexes)))
        )
    )
    found: dict[bytes, Contact] = {}
    for contact in result.scalars():
        if contact.phone_bidx is not None:
            found.setdefault(bytes(contact.phone_bidx), contact)
    return found


# --- outbox, team, keys -------------------------------------------------------------------------


async def outbox(
    session: AsyncSession, org_id: uuid.UUID, *, provider: str | None, limit: int
) -> list[SandboxOutbox]:
    query = select(SandboxOutbox).where(SandboxOutbox.organization_id == org_id)
    if provider:
        query = query.where(SandboxOutbox.provider == provider)
    query = query.order_by(SandboxOutbox.created_at.desc(), SandboxOutbox.id.desc()).limit(limit)
    return list((await session.execute(query)).scalars())


async def team(session: AsyncSession, org_id: uuid.UUID) -> list[tuple[Membership, User]]:
    result = await session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organization_id == org_id)
        .order_by(User.email)
    )
    return [(m, u) for m, u in result.all()]


async def api_keys(session: AsyncSession, org_id: uuid.UUID) -> list[ApiKey]:
    result = await session.execute(
        select(ApiKey).where(ApiKey.organization_id == org_id).order_by(ApiKey.created_at.desc())
    )
    return list(result.scalars())


async def api_key(session: AsyncSession, org_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
    result = await session.execute(
        select(ApiKey).where(ApiKey.organization_id == org_id, ApiKey.id == key_id)
    )
    return result.scalar_one_or_none()


# --- live updates -------------------------------------------------------------------------------


async def recent_calls(
    session: AsyncSession, org_id: uuid.UUID, *, since: datetime | None, limit: int
) -> list[Call]:
    query = select(Call).where(Call.organization_id == org_id)
    if since is not None:
        query = query.where(Call.created_at > since)
    query = query.order_by(Call.created_at.desc()).limit(limit)
    return list((await session.execute(query)).scalars())


async def recent_leads(
    session: AsyncSession, org_id: uuid.UUID, *, since: datetime | None, limit: int
) -> list[Lead]:
    query = select(Lead).where(Lead.organization_id == org_id)
    if since is not None:
        query = query.where(Lead.created_at > since)
    query = query.order_by(Lead.created_at.desc()).limit(limit)
    return list((await session.execute(query)).scalars())


async def leads_requested_between(
    session: AsyncSession, org_id: uuid.UUID, start: datetime, end: datetime
) -> list[Lead]:
    """Leads whose caller asked for a time in [start, end) (the week view without bookings)."""
    result = await session.execute(
        select(Lead)
        .where(
            Lead.organization_id == org_id,
            Lead.preferred_datetime.is_not(None),
            Lead.preferred_datetime >= start,
            Lead.preferred_datetime < end,
        )
        .order_by(Lead.preferred_datetime)
    )
    return list(result.scalars())


# --- operators (global tables and the job queue) ------------------------------------------------


async def security_alerts(session: AsyncSession, *, limit: int) -> list[SecurityAlert]:
    result = await session.execute(
        select(SecurityAlert).order_by(SecurityAlert.created_at.desc()).limit(limit)
    )
    return list(result.scalars())


async def audit_entries(session: AsyncSession, org_id: uuid.UUID, *, limit: int) -> list[AuditLog]:
    result = await session.execute(
        select(AuditLog)
        .where(AuditLog.organization_id == org_id)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .limit(limit)
    )
    return list(result.scalars())


async def counts_for(session: AsyncSession, org_id: uuid.UUID) -> tuple[int, int, int]:
    """(calls, leads, users) of one business, for the operators' list."""
    calls = await session.execute(select(func.count(Call.id)).where(Call.organization_id == org_id))
    leads = await session.execute(select(func.count(Lead.id)).where(Lead.organization_id == org_id))
    users = await session.execute(
        select(func.count(Membership.id)).where(Membership.organization_id == org_id)
    )
    return int(calls.scalar_one()), int(leads.scalar_one()), int(users.scalar_one())


async def database_facts(session: AsyncSession) -> dict[str, Any]:
    row = (
        await session.execute(
            text(
                "SELECT current_setting('server_version') AS version, "
                "pg_database_size(current_database()) AS size, "
                "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) "
                "AS connections"
            )
        )
    ).one()
    return {"version": row.version, "size": int(row.size), "connections": int(row.connections)}


async def job_counts(session: AsyncSession) -> dict[str, int]:
    result = await session.execute(
        text("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY status")
    )
    return {str(status): int(count) for status, count in result.all()}


async def failed_jobs(session: AsyncSession, *, limit: int) -> list[dict[str, Any]]:
    result = await session.execute(
        text(
            "SELECT j.id, j.task_name, j.queue_name, j.attempts, "
            "(SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id) AS at "
            "FROM procrastinate_jobs j WHERE j.status = 'failed' "
            "ORDER BY j.id DESC LIMIT :limit"
        ),
        {"limit": limit},
    )
    return [dict(row._mapping) for row in result.all()]
