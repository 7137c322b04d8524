"""Leads API (CONTRACTS §3)."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from tradeline.api import CurrentPrincipal, DbSession, RuntimeDep, enforce_limit, request_ip
from tradeline.exceptions import Forbidden, NotFound
from tradeline.idempotency.service import (
    HEADER,
    IdempotencyDep,
    KeyedRequest,
    render,
    route_scope,
    run_once,
    validate_key,
)
from tradeline.lead import service, web_form
from tradeline.lead.csv_import import import_csv, rejection
from tradeline.lead.schemas import (
    ImportReport,
    LeadOut,
    LeadPage,
    LeadStatusIn,
    NoteIn,
    NoteOut,
    NotePage,
    WebLeadIn,
    WebLeadOut,
)
from tradeline.models import Organization
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
    since: Annotated[
        datetime | None, Query(description="created at or after (ISO-8601 with offset)")
    ] = None,
    until: Annotated[
        datetime | None, Query(description="created before (ISO-8601 with offset)")
    ] = None,
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
        since=since,
        until=until,
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


@router.patch("/leads/{lead_id}", response_model=LeadOut)
async def update_lead(
    lead_id: uuid.UUID,
    body: LeadStatusIn,
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
    idempotency: IdempotencyDep,
) -> Response:
    """Change the status: new → contacted → booked → won / lost (422 for other moves)."""

    async def effect() -> tuple[int, LeadOut]:
        return 200, await service.change_status(
            session, runtime.pii, principal, lead_id, body.status
        )

    return await idempotency.run(session, principal.organization_id, effect)


@router.post("/leads/{lead_id}/notes", response_model=NoteOut, status_code=201)
async def add_note(
    lead_id: uuid.UUID,
    body: NoteIn,
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
    idempotency: IdempotencyDep,
) -> Response:
    async def effect() -> tuple[int, NoteOut]:
        return 201, await service.add_note(session, runtime.pii, principal, lead_id, body.body)

    return await idempotency.run(session, principal.organization_id, effect)


@router.get("/leads/{lead_id}/notes", response_model=NotePage)
async def list_notes(
    lead_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> NotePage:
    """Newest first; the text is shown to admins (audited) and redacted for other roles."""
    return await service.list_notes(
        session, runtime.pii, principal, lead_id, limit=limit, cursor=cursor
    )


def _file_hash(request: Request, upload: UploadFile) -> str:
    """The idempotency hash of an upload, read in chunks from its spool (never all at once)."""
    digest = hashlib.sha256()
    for part in (request.method, request.url.path, request.url.query, upload.filename or ""):
        digest.update(part.encode())
        digest.update(b"\n")
    upload.file.seek(0)
    while chunk := upload.file.read(1 << 16):
        digest.update(chunk)
    upload.file.seek(0)
    return digest.hexdigest()


@router.post("/leads/import", response_model=ImportReport)
async def import_leads(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
    file: Annotated[UploadFile, File(description="CSV, UTF-8, up to 20 MB")],
    skip_invalid: bool = False,
) -> Response:
    """Import a CSV of leads (columns and rules: `tradeline.lead.csv_import`). All or nothing:
    with invalid rows nothing is imported (422 with the report) unless `skip_invalid=true`."""
    if not principal.sees_pii:
        raise Forbidden("only admins import leads")
    org = await session.get(Organization, principal.organization_id)
    if org is None:
        raise NotFound("business not found")

    async def effect() -> tuple[int, Any]:
        report = await import_csv(
            session,
            runtime.pii,
            org,
            file.file,
            skip_invalid=skip_invalid,
            actor_type=principal.actor_type,
            actor_id=principal.actor_id,
        )
        if report.committed:
            return 200, report
        detail = rejection(report, "skip_invalid=true")
        return 422, {"error": "ImportRejected", "detail": detail, "report": report}

    # Not IdempotencyDep: it would read the whole body into memory to hash it.
    key = request.headers.get(HEADER)
    if key is None:
        status_code, content = await effect()
        return render(status_code, content)
    keyed = KeyedRequest(
        key=validate_key(key), scope=route_scope(request), request_hash=_file_hash(request, file)
    )
    return await run_once(session, runtime.pii, org.id, keyed, effect)
