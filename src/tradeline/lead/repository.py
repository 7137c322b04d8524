"""Every SQL statement about leads."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.models import Lead


async def get(session: AsyncSession, org_id: uuid.UUID, lead_id: uuid.UUID) -> Lead | None:
    result = await session.execute(
        select(Lead).where(Lead.organization_id == org_id, Lead.id == lead_id)
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
) -> list[Lead]:
    """Newest first, keyset-paginated on (created_at, id)."""
    query = select(Lead).where(Lead.organization_id == org_id)
    if before is not None:
        query = query.where(tuple_(Lead.created_at, Lead.id) < tuple_(*before))
    if phone_index is not None:
        query = query.where(or_(Lead.caller_bidx == phone_index, Lead.callback_bidx == phone_index))
    if status is not None:
        query = query.where(Lead.status == status)
    if channel is not None:
        query = query.where(Lead.channel == channel)
    query = query.order_by(Lead.created_at.desc(), Lead.id.desc()).limit(limit)
    return list((await session.execute(query)).scalars())
