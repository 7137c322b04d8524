"""Dashboard figures for one business (CONTRACTS §3: GET /api/v1/dashboard/summary)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.models import Call, Lead, Message

DELIVERED = ("delivered", "read")
FAILED = ("failed", "undelivered")
# Outbound rows that never left us (yet): refused by the consent policy, waiting for the worker,
# or in flight / under reconciliation. They are not "sent".
NOT_SENT = ("refused", "pending", "submitting", "unknown")


async def summary(
    session: AsyncSession, org_id: uuid.UUID, *, since: datetime | None = None
) -> dict[str, Any]:
    calls = select(
        func.count(Call.id),
        func.count(Call.id).filter(Call.direction == "inbound"),
        func.count(Call.id).filter(Call.direction != "inbound"),
        func.coalesce(func.avg(Call.duration_seconds), 0),
    ).where(Call.organization_id == org_id)
    sms = select(
        func.count(Message.id).filter(
            Message.direction == "outbound", Message.status.not_in(NOT_SENT)
        ),
        func.count(Message.id).filter(
            Message.direction == "outbound", Message.status.in_(DELIVERED)
        ),
        func.count(Message.id).filter(Message.direction == "outbound", Message.status.in_(FAILED)),
    ).where(Message.organization_id == org_id)
    if since is not None:
        calls = calls.where(Call.created_at >= since)
        sms = sms.where(Message.created_at >= since)
    total, inbound, outbound, avg_duration = (await session.execute(calls)).one()
    sent, delivered, failed = (await session.execute(sms)).one()
    booked = (
        await session.execute(
            select(func.count(Lead.id)).where(
                Lead.organization_id == org_id, Lead.status == "booked"
            )
        )
    ).scalar_one()
    leads = (
        await session.execute(
            select(Lead)
            .where(Lead.organization_id == org_id)
            .order_by(Lead.created_at.desc())
            .limit(10)
        )
    ).scalars()
    recent: list[dict[str, Any]] = [
        {
            "type": "lead",
            "id": str(lead.id),
            "at": lead.created_at.isoformat(),
            "channel": lead.channel,
            "emergency": lead.emergency,
            "status": lead.status,
            "intent": lead.intent,
        }
        for lead in leads
    ]
    calls_seen = (
        await session.execute(
            select(Call)
            .where(Call.organization_id == org_id)
            .order_by(Call.created_at.desc())
            .limit(10)
        )
    ).scalars()
    recent.extend(
        {
            "type": "call",
            "id": call.call_sid,
            "at": call.created_at.isoformat(),
            "status": call.status,
            "duration": call.duration_seconds,
        }
        for call in calls_seen
    )
    recent.sort(key=lambda item: str(item["at"]), reverse=True)
    return {
        "call_stats": {
            "total": int(total),
            "inbound": int(inbound),
            "outbound": int(outbound),
            "avg_duration": round(float(avg_duration), 1),
        },
        "sms_stats": {"sent": int(sent), "delivered": int(delivered), "failed": int(failed)},
        "appointment_count": int(booked),
        "recent_activity": recent[:10],
    }
