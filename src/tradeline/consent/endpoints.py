"""Consent status over the API (the owner's compliance view and the evaluation read it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from tradeline.api import CurrentPrincipal, DbSession, RuntimeDep
from tradeline.consent import service
from tradeline.exceptions import Unprocessable
from tradeline.kit.phone import InvalidPhoneNumber, to_e164
from tradeline.models import Organization

router = APIRouter(tags=["consent"])


class ConsentStatus(BaseModel):
    sms_opted_out: bool


@router.get("/consent/status", response_model=ConsentStatus)
async def consent_status(
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
    phone: Annotated[str, Query(max_length=40)],
) -> ConsentStatus:
    org = await session.get(Organization, principal.organization_id)
    try:
        number = to_e164(phone, org.country if org else None)
    except InvalidPhoneNumber as exc:
        raise Unprocessable(f"phone: {exc}") from exc
    return ConsentStatus(
        sms_opted_out=await service.is_sms_opted_out(
            session, runtime, principal.organization_id, number
        )
    )
