"""Leads API (CONTRACTS §3)."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from tradeline.api import CurrentPrincipal, DbSession, RuntimeDep, enforce_limit, request_ip
from tradeline.idempotency.service import IdempotencyDep
from tradeline.lead import service, web_form
from tradeline.lead.schemas import LeadOut, LeadPage, WebLeadIn, WebLeadOut
from tradeline.ops.service import raise_alert

router = APIRouter(tags=["leads"])
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d+)?$")


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


@router.options("/leads/submit", include_in_schema=False)
async def submit_preflight(request: Request) -> Response:
    # The allowed origins depend on the business named in the body, which a preflight does not
    # carry: answer it, and enforce the origin on the POST itself (nothing written otherwise).
    origin = request.headers.get("origin", "")
    return Response(
        status_code=204,
        headers=_cors(origin)
        | {
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Idempotency-Key",
            "Access-Control-Max-Age": "600",
        },
    )


def _cors(origin: str | None) -> dict[str, str]:
    if not origin or not _ORIGIN.match(origin):
        return {}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


@router.post("/leads/submit", response_model=WebLeadOut)
async def submit_lead(
    request: Request,
    form: WebLeadIn,
    session: DbSession,
    runtime: RuntimeDep,
    idempotency: IdempotencyDep,
) -> Response:
    await enforce_limit(request, "5/minute", "lead_form_ip", request_ip(request))
    origin = request.headers.get("origin")
    if form.website:
        # A bot filled the hidden field: same shape of answer on purpose, nothing stored.
        await raise_alert(
            runtime.maker,
            "honeypot",
            "web lead form honeypot filled",
            org_id=form.org_id,
            data={"ip": request_ip(request)},
        )
        return JSONResponse({"success": True, "id": str(uuid.uuid4())}, headers=_cors(origin))

    async def effect() -> tuple[int, WebLeadOut]:
        return 200, await web_form.submit(session, runtime, form, origin=origin)

    await web_form.open_org(session, form.org_id)
    response = await idempotency.run(session, form.org_id, effect)
    response.headers.update(_cors(origin))
    return response
