"""Every SQL statement about leads, their notes, and the contacts an import dedupes against."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.models import Contact, Lead
from tradeline.models.lead_extra import LeadNote


async def get(
    session: AsyncSession, org_id: uuid.UUID, lead_id: uuid.UUID, *, for_update: bool = False
) -> Lead | None:
    query = select(Lead).where(Lead.organization_id == org_id, Lead.id == lead_id)
    if for_update:
        query = query.with_for_update()
    result = await session.execute(query)
    return result.scalar_one_or_none()


async def by_conversation(
    session: AsyncSession, org_id: uuid.UUID, conversation_id: uuid.UUID
) -> Lead | None:
    result = await session.execute(
        select(Lead)
        .where(Lead.organization_id == org_id, Lead.conversation_id == conversation_id)
        .order_by(Lead.created_at.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def page(
    session: AsyncSession,
    org_id: uuid.UUID,
    *,
    limit: int,
    before: tuple[datetime, uuid.UUID] | None,
    phone_index: bytes | None,
    status: str | None,
    channel: str | None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Lead]:
    """Newest first, keyset-paginated on (created_at, id); `since` inclusive, `until` not."""
    query = select(Lead).where(Lead.organization_id == org_id)
    if before is not None:
        query = query.where(tuple_(Lead.created_at, Lead.id) < tuple_(*before))
    if phone_index is not None:
        query = query.where(or_(Lead.caller_bidx == phone_index, Lead.callback_bidx == phone_index))
    if status is not None:
        query = query.where(Lead.status == status)
    if channel is not None:
        query = query.where(Lead.channel == channel)
    if since is not None:
        query = query.where(Lead.created_at >= since)
    if until is not None:
        query = query.where(Lead.created_at < until)
    query = query.order_by(Lead.created_at.desc(), Lead.id.desc()).limit(limit)
    return list((await session.execute(query)).scalars())


async def notes_page(
    session: AsyncSession,
    org_id: uuid.UUID,
    lead_id: uuid.UUID,
    *,
    limit: int,
    before: tuple[datetime, uuid.UUID] | None,
) -> list[LeadNote]:
    query = select(LeadNote).where(LeadNote.organization_id == org_id, LeadNote.lead_id == lead_id)
    if before is not None:
        query = query.where(tuple_(LeadNote.created_at, LeadNote.id) < tuple_(*before))
    query = query.order_by(LeadNote.created_at.desc(), LeadNote.id.desc()).limit(limit)
    return list((await session.execute(query)).scalars())


async def contact_by_index(
    session: AsyncSession,
    org_id: uuid.UUID,
    *,
    phone_index: bytes | None,
    email_index: bytes | None,
) -> Contact | None:
    conditions = []
    if phone_index is not None:
        conditions.append(Contact.phone_bidx == phone_index)
    if email_index is not None:
        conditions.append(Contact.email_bidx == email_index)
    if not conditions:
        return None
    result = await session.execute(
        select(Contact)
        .where(Contact.organization_id == org_id, or_(*conditions))
        .order_by(Contact.created_at)
        .limit(1)
    )
    return result.scalar_one_or_none()


async def known_phone_indexes(
    session: AsyncSession, org_id: uuid.UUID, indexes: Collection[bytes]
) -> set[bytes]:
    """Which of these phone blind indexes a lead or a contact of the business already has."""
    if not indexes:
        return set()
    wanted = list(indexes)
    found: set[bytes] = set()
    for column in (Lead.caller_bidx, Lead.callback_bidx):
        rows = await session.execute(
            select(column).where(Lead.organization_id == org_id, column.in_(wanted)).distinct()
        )
        found.update(bytes(v) for v in rows.scalars() if v is not None)
    rows = await session.execute(
        select(Contact.phone_bidx)
        .where(Contact.organization_id == org_id, Contact.phone_bidx.in_(wanted))
        .distinct()
    )
    found.update(bytes(v) for v in rows.scalars() if v is not None)
    return found


async def known_email_indexes(
    session: AsyncSession, org_id: uuid.UUID, indexes: Collection[bytes]
) -> set[bytes]:
    """Which of these email blind indexes a contact of the business already has. Leads carry no
    email index; web-form and imported leads link a contact that does."""
    if not indexes:
        return set()
    rows = await session.execute(
        select(Contact.email_bidx)
        .where(Contact.organization_id == org_id, Contact.email_bidx.in_(list(indexes)))
        .distinct()
    )
    return {bytes(v) for v in rows.scalars() if v is not None}


async def insert_rows(session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """One multi-row INSERT for a batch (imports), instead of a statement per object."""
    if rows:
        await session.execute(insert(model), rows)
