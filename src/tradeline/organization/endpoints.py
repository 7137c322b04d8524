"""The business profile over the API (CONTRACTS §3: GET/PUT /api/v1/profile)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from tradeline.api import CurrentPrincipal, DbSession, RuntimeDep
from tradeline.exceptions import Forbidden
from tradeline.idempotency.service import IdempotencyDep
from tradeline.organization import service
from tradeline.organization.schemas import BusinessProfileSpec

router = APIRouter(tags=["profile"])


@router.get("/profile", response_model=BusinessProfileSpec)
async def get_profile(principal: CurrentPrincipal, session: DbSession) -> BusinessProfileSpec:
    return await service.get_profile(session, principal.organization_id)


@router.put("/profile", response_model=BusinessProfileSpec)
async def put_profile(
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
    idempotency: IdempotencyDep,
    body: Annotated[dict[str, Any], Body()],
) -> Response:
    # Checked before the idempotent effect: a refusal must not be stored under the key.
    if principal.role.value != "admin":
        raise Forbidden("only admins change the business profile")

    async def replace() -> tuple[int, BusinessProfileSpec]:
        spec = service.parse_profile(body)
        saved = await service.replace_profile(
            session, principal.organization_id, spec, principal.actor_id, runtime
        )
        return 200, saved

    return await idempotency.run(session, principal.organization_id, replace)
