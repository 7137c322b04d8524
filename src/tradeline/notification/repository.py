"""SQL the notification jobs need: the call of a conversation, and the sent-card ledger."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.models import AuditLog, Call

LEAD_CARD_SENT = "notification.lead_card"


async def call_for_conversation(
    session: AsyncSession, org_id: uuid.UUID, conversation_id: uuid.UUID
) -> Call | None:
    result = await session.execute(
        select(Call)
        .where(Call.organization_id == org_id, Call.conversation_id == conversation_id)
        .order_by(Call.created_at.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def lead_card_sent(session: AsyncSession, org_id: uuid.UUID, lead_id: uuid.UUID) -> bool:
    """Whether the owner already got the new-lead card for this lead (one per lead)."""
    found = await session.scalar(
        select(AuditLog.id)
        .where(
            AuditLog.organization_id == org_id,
            AuditLog.action == LEAD_CARD_SENT,
            AuditLog.target_id == str(lead_id),
        )
        .limit(1)
    )
    return found is not None


def mark_lead_card_sent(session: AsyncSession, org_id: uuid.UUID, lead_id: uuid.UUID) -> None:
    session.add(
        AuditLog(
            organization_id=org_id,
            actor_type="system",
            actor_id="notifications",
            action=LEAD_CARD_SENT,
            target_type="lead",
            target_id=str(lead_id),
        )
    )
