"""Owner notifications: decided inside the request's transaction, sent by jobs after commit."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.organization.schemas import BusinessProfileSpec
from tradeline.runtime import Runtime


async def alert_owner_emergency(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    *,
    conversation_id: uuid.UUID | None,
    reason: str | None,
) -> None:
    """Text `notify.sms` and email the owner at once — as a job, so it happens iff we commit."""
    from tradeline.notification.tasks import alert_emergency
    from tradeline.worker.app import enqueue

    if not (profile.notify.sms or profile.notify.email):
        return
    await enqueue(
        session,
        alert_emergency,
        org_id=str(org_id),
        conversation_id=str(conversation_id) if conversation_id else None,
        reason=(reason or "emergency")[:80],
    )


async def notify_new_lead(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    lead_id: uuid.UUID,
) -> None:
    """Email the owner a lead card — after commit, by a job."""
    from tradeline.notification.tasks import new_lead_email
    from tradeline.worker.app import enqueue

    if profile.notify.email:
        await enqueue(session, new_lead_email, org_id=str(org_id), lead_id=str(lead_id))
