"""Webhook subscriptions and their delivery log (admins only: they carry customer details)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from tradeline.api import CurrentPrincipal, DbSession, RuntimeDep
from tradeline.idempotency.service import IdempotencyDep
from tradeline.integrations.webhooks import service
from tradeline.integrations.webhooks.schemas import (
    DeliveryOut,
    DeliveryPage,
    DeliveryStatus,
    IntegrationCreated,
    IntegrationIn,
    IntegrationList,
)

router = APIRouter(tags=["webhooks"])


@router.post("/webhooks", response_model=IntegrationCreated, status_code=201)
async def create_webhook(
    body: IntegrationIn,
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
    idempotency: IdempotencyDep,
) -> Response:
    """Subscribe a Slack, Teams or generic endpoint; a generic endpoint's signing secret is in
    this response only."""
    service.require_admin(principal)  # before the effect: a refusal is not stored under a key

    async def effect() -> tuple[int, IntegrationCreated]:
        return 201, await service.create_integration(session, runtime, principal, body)

    return await idempotency.run(session, principal.organization_id, effect)


@router.get("/webhooks", response_model=IntegrationList)
async def list_webhooks(
    principal: CurrentPrincipal, session: DbSession, runtime: RuntimeDep
) -> IntegrationList:
    return IntegrationList(items=await service.list_integrations(session, runtime.pii, principal))


@router.get("/webhooks/deliveries", response_model=DeliveryPage)
async def list_deliveries(
    principal: CurrentPrincipal,
    session: DbSession,
    integration_id: uuid.UUID | None = None,
    status: DeliveryStatus | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeliveryPage:
    """The delivery log, newest first: status, attempts, last response code, next attempt."""
    return await service.list_deliveries(
        session,
        principal,
        limit=limit,
        cursor=cursor,
        integration_id=integration_id,
        status=status,
    )


@router.post(
    "/webhooks/deliveries/{delivery_id}/replay", response_model=DeliveryOut, status_code=202
)
async def replay_delivery(
    delivery_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
    idempotency: IdempotencyDep,
) -> Response:
    service.require_admin(principal)

    async def effect() -> tuple[int, DeliveryOut]:
        return 202, await service.replay(session, runtime, principal, delivery_id)

    return await idempotency.run(session, principal.organization_id, effect)


@router.delete("/webhooks/{integration_id}")
async def delete_webhook(
    integration_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    idempotency: IdempotencyDep,
) -> Response:
    service.require_admin(principal)

    async def effect() -> tuple[int, dict[str, Any]]:
        await service.delete_integration(session, principal, integration_id)
        return 200, {"id": integration_id, "deleted": True}

    return await idempotency.run(session, principal.organization_id, effect)
