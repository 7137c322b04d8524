"""Consent over the API: a person's status, the do-not-contact list, and consent obtained
elsewhere (the owner's compliance view; the evaluation reads the status)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from tradeline.api import CurrentPrincipal, DbSession, RuntimeDep
from tradeline.auth.schemas import Principal, Role
from tradeline.consent import service
from tradeline.consent.schemas import (
    ConsentRecordIn,
    ConsentRecordOut,
    ConsentStatus,
    DecisionOut,
    SuppressionIn,
    SuppressionItem,
    SuppressionOut,
    SuppressionPage,
)
from tradeline.exceptions import Forbidden, Unprocessable
from tradeline.kit.crypto import mask_phone
from tradeline.kit.phone import InvalidPhoneNumber, to_e164
from tradeline.models import Organization

router = APIRouter(tags=["consent"])


async def _number(session: DbSession, principal: Principal, phone: str) -> str:
    org = await session.get(Organization, principal.organization_id)
    try:
        return to_e164(phone, org.country if org else None)
    except InvalidPhoneNumber as exc:
        raise Unprocessable(f"phone: {exc}") from exc


def _shown(principal: Principal, number: str | None) -> str | None:
    return number if principal.sees_pii else mask_phone(number)


@router.get("/consent/status", response_model=ConsentStatus)
async def consent_status(
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
    phone: Annotated[str, Query(max_length=40)],
) -> ConsentStatus:
    org_id = principal.organization_id
    number = await _number(session, principal, phone)
    decisions = {
        purpose: await service.decide(
            session, runtime, org_id, number, channel="sms", purpose=purpose
        )
        for purpose in ("transactional", "marketing")
    }
    return ConsentStatus(
        sms_opted_out=await service.is_sms_opted_out(session, runtime, org_id, number),
        suppressed=await service.is_suppressed(session, runtime, org_id, number),
        sms_transactional=DecisionOut(**vars(decisions["transactional"])),
        sms_marketing=DecisionOut(**vars(decisions["marketing"])),
    )


@router.post("/consent/suppressions", response_model=SuppressionOut, status_code=201)
async def add_suppression(
    body: SuppressionIn, principal: CurrentPrincipal, session: DbSession, runtime: RuntimeDep
) -> JSONResponse:
    """Any role may honour a do-not-contact request; answered 201 when added, 200 if it was."""
    number = await _number(session, principal, body.phone)
    added = await service.suppress(
        session,
        runtime,
        principal.organization_id,
        number,
        reason=body.reason,
        source="api",
        actor=principal.actor_id,
        actor_type=principal.actor_type,
    )
    out = SuppressionOut(phone=_shown(principal, number) or "", suppressed=True, changed=added)
    return JSONResponse(out.model_dump(), status_code=201 if added else 200)


@router.delete("/consent/suppressions", response_model=SuppressionOut)
async def remove_suppression(
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
    phone: Annotated[str, Query(max_length=40)],
) -> SuppressionOut:
    """Only admins lift a do-not-contact entry (it lets the business write again)."""
    if principal.role is not Role.ADMIN:
        raise Forbidden("only admins remove numbers from the do-not-contact list")
    number = await _number(session, principal, phone)
    removed = await service.unsuppress(
        session,
        runtime,
        principal.organization_id,
        number,
        source="api",
        actor=principal.actor_id,
        actor_type=principal.actor_type,
    )
    return SuppressionOut(phone=_shown(principal, number) or "", suppressed=False, changed=removed)


@router.get("/consent/suppressions", response_model=SuppressionPage)
async def list_suppressions(
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: datetime | None = None,
) -> SuppressionPage:
    if before is not None and before.tzinfo is None:
        before = before.replace(tzinfo=UTC)
    rows = await service.list_suppressed(
        session, runtime, principal.organization_id, limit=limit, before=before
    )
    items = [
        SuppressionItem(
            phone=_shown(principal, number),
            reason=reason if principal.sees_pii else None,
            source=row.source,
            created_at=row.created_at,
        )
        for row, number, reason in rows
    ]
    return SuppressionPage(
        items=items, next_before=items[-1].created_at if len(items) == limit else None
    )


@router.post("/consent/records", response_model=ConsentRecordOut, status_code=201)
async def add_record(
    body: ConsentRecordIn, principal: CurrentPrincipal, session: DbSession, runtime: RuntimeDep
) -> ConsentRecordOut:
    """Record consent given outside our channels: a signed form (express), a purchase."""
    if principal.role is Role.MEMBER:
        raise Forbidden("only admins and moderators record consent")
    at = body.recorded_at
    if at is not None:
        if at.tzinfo is None:
            raise Unprocessable("recorded_at: needs a UTC offset")
        if at > datetime.now(UTC):
            raise Unprocessable("recorded_at: in the future")
    number = await _number(session, principal, body.phone)
    row = await service.record(
        session,
        runtime,
        principal.organization_id,
        number,
        channel=body.channel,
        purpose=body.purpose,
        basis=body.basis,
        granted=body.granted,
        source="api",
        wording=body.wording,
        evidence=body.evidence or principal.actor_id,
        recorded_at=at,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
    )
    return ConsentRecordOut(id=str(row.id), recorded_at=row.recorded_at)
