"""GET /api/v1/dashboard/summary."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tradeline.analytics import service
from tradeline.api import CurrentPrincipal, DbSession

router = APIRouter(tags=["dashboard"])


@router.get("/dashboard/summary")
async def dashboard_summary(principal: CurrentPrincipal, session: DbSession) -> dict[str, Any]:
    return await service.summary(session, principal.organization_id)
