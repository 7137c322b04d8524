"""The business profile over the API (CONTRACTS §3: GET/PUT /api/v1/profile)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body

from tradeline.api import CurrentPrincipal, DbSession
from tradeline.exceptions import Forbidden
from tradeline.organization import service
from tradeline.organization.schemas import BusinessProfileSpec

router = APIRouter(tags=["profile"])


@router.get("/profile", response_model=BusinessProfileSpec)
async def get_profile(principal: CurrentPrincipal, session: DbSession) -> BusinessProfileSpec:
    return await service.get_profile(session, principal.organization_id)


@router.put("/profile", response_model=BusinessProfileSpec)
async def put_profile(
    principal: CurrentPrincipal, session: DbSession, body: dict[str, Any] = Body(...)
) -> BusinessProfileSpec:
    if principal.role.value != "admin":
        raise Forbidden("only admins change the business profile")
    spec = service.parse_profile(body)
    return await service.replace_profile(session, principal.organization_id, spec, principal.actor_id)
