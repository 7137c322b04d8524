"""Security alerts and the audit trail of operator-visible events."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tradeline.logging import get_logger
from tradeline.models import SecurityAlert

log = get_logger(__name__)


async def raise_alert(
    maker: async_sessionmaker[AsyncSession],
    kind: str,
    detail: str,
    *,
    org_id: uuid.UUID | None = None,
    severity: str = "warning",
    data: dict[str, Any] | None = None,
) -> None:
    """Persist an alert in its own transaction: it must survive the request's rollback."""
    log.warning("security_alert", kind=kind, detail=detail, org_id=str(org_id) if org_id else None)
    try:
        async with maker() as session, session.begin():
            session.add(
                SecurityAlert(
                    subject_org_id=org_id,
                    kind=kind,
                    severity=severity,
                    detail=detail[:500],
                    data=data or {},
                )
            )
    except Exception:  # an alert must never turn a handled failure into a crash
        log.exception("security_alert_not_persisted", kind=kind)
