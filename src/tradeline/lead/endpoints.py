"""Leads API (CONTRACTS §3)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from tradeline.api import CurrentPrincipal, DbSession, RuntimeDep
from tradeline.lead import service
from tradeline.lead.schemas import LeadOut, LeadPage

router = APIRouter(tags=["leads"])


@router.get("/leads", response_model=LeadPage)
async def list_leads(
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
    phone: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    status: Literal["new", "contacted", "booked", "won", "lost"] | None = None,
    channel: Literal["voice", "sms", "web", "import"] | None = None,
) -> LeadPage:
    return await service.list_leads(
        session,
        runtime.pii,
        principal,
        limit=limit,
        cursor=cursor,
        phone=phone,
        status=status,
        channel=channel,
    )


@router.get("/leads/{lead_id}", response_model=LeadOut)
async def get_lead(
    lead_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession, runtime: RuntimeDep
) -> LeadOut:
    return await service.get_lead(session, runtime.pii, principal, lead_id)
