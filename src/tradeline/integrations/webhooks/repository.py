"""Every SQL statement about integrations and webhook deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.models.lead_extra import Integration, WebhookDelivery


async def subscribed(session: AsyncSession, org_id: uuid.UUID, event: str) -> list[Integration]:
    """Live subscriptions of a business that want `event`."""
    result = await session.execute(
        select(Integration)
        .where(
            Integration.organization_id == org_id,
            Integration.deleted_at.is_(None),
            Integration.events.contains([event]),
        )
        .order_by(Integration.created_at, Integration.id)
    )
    return list(result.scalars())


async def get_integration(
    session: AsyncSession, org_id: uuid.UUID, integration_id: uuid.UUID
) -> Integration | None:
    result = await session.execute(
        select(Integration).where(
            Integration.organization_id == org_id, Integration.id == integration_id
        )
    )
    return result.scalar_one_or_none()


async def live_integrations(session: AsyncSession, org_id: uuid.UUID) -> list[Integration]:
    result = await session.execute(
        select(Integration)
        .where(Integration.organization_id == org_id, Integration.deleted_at.is_(None))
        .order_by(Integration.created_at, Integration.id)
    )
    return list(result.scalars())


async def get_delivery(
    session: AsyncSession, org_id: uuid.UUID, delivery_id: uuid.UUID, *, for_update: bool = False
) -> WebhookDelivery | None:
    query = select(WebhookDelivery).where(
        WebhookDelivery.organization_id == org_id, WebhookDelivery.id == delivery_id
    )
    if for_update:
        query = query.with_for_update()
    result = await session.execute(query.execution_options(populate_existing=True))
    return result.scalar_one_or_none()


async def page_deliveries(
    session: AsyncSession,
    org_id: uuid.UUID,
    *,
    limit: int,
    before: tuple[datetime, uuid.UUID] | None,
    integration_id: uuid.UUID | None,
    status: str | None,
) -> list[WebhookDelivery]:
    """Newest first, keyset-paginated on (created_at, id)."""
    query = select(WebhookDelivery).where(WebhookDelivery.organization_id == org_id)
    if before is not None:
        query = query.where(
            tuple_(WebhookDelivery.created_at, WebhookDelivery.id) < tuple_(*before)
        )
    if integration_id is not None:
        query = query.where(WebhookDelivery.integration_id == integration_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    query = query.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    return list((await session.execute(query.limit(limit))).scalars())
