"""Knowledge base API (CONTRACTS §3), mounted under /api/v1:

- POST /rag/search, POST /rag/answer — 60/min per API key or dashboard session (one budget for
  both); the receptionist calls the services directly and is not limited.
- POST /kb/upload (multipart, ≤ 20 MB, admin or moderator), GET /kb/sources,
  DELETE /kb/sources/{id} (admin or moderator), GET /kb/gaps (admin or moderator).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Annotated

from fastapi import APIRouter, File, Request, Response, UploadFile

from tradeline.api import CurrentPrincipal, DbSession, RuntimeDep, enforce_limit
from tradeline.auth.schemas import Principal, Role
from tradeline.exceptions import Forbidden, PayloadTooLarge, Unprocessable
from tradeline.knowledge import answer as answering
from tradeline.knowledge import service
from tradeline.knowledge.schemas import (
    AnswerRequest,
    AnswerResponse,
    IngestedOut,
    SearchHit,
    SearchRequest,
    SearchResponse,
    SourceList,
    SourceOut,
    UploadResponse,
)
from tradeline.privacy.service import audit_reveal

router = APIRouter(tags=["knowledge"])

RAG_LIMIT = "60/minute"
MAX_UPLOAD_BYTES = 20_000_000
MAX_FILES = 50


def _require_editor(principal: Principal) -> None:
    if principal.role not in (Role.ADMIN, Role.MODERATOR):
        raise Forbidden("only admins and moderators change the knowledge base")


@router.post("/rag/search", response_model=SearchResponse)
async def rag_search(
    body: SearchRequest,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
) -> SearchResponse:
    await enforce_limit(request, RAG_LIMIT, "rag", principal.actor_id)
    hits = await service.search(
        session,
        runtime,
        principal.organization_id,
        body.query,
        top_k=body.top_k,
        lang=body.filter.lang,
        source_type=body.filter.source_type,
    )
    return SearchResponse(
        results=[
            SearchHit(
                chunk_id=h.chunk_id,
                source_id=h.source_id,
                score=round(h.score, 6),
                snippet=h.snippet(),
                source_type=h.source_type,
                uri=h.uri,
                meta=h.meta,
            )
            for h in hits
        ]
    )


@router.post("/rag/answer", response_model=AnswerResponse)
async def rag_answer(
    body: AnswerRequest,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
) -> AnswerResponse:
    await enforce_limit(request, RAG_LIMIT, "rag", principal.actor_id)
    result = await answering.answer(
        session, runtime, principal.organization_id, body.query, lang=body.lang
    )
    return AnswerResponse(
        answer=result.answer,
        citations=result.citations,
        confidence=result.confidence,
        hedge=result.hedge,
    )


def _upload_name(upload: UploadFile) -> str:
    raw = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^\w.\- ]+", "_", raw).strip(" .")
    if not name:
        raise Unprocessable("file: every part needs a file name with its extension")
    return name[:200]


@router.post("/kb/upload", response_model=UploadResponse)
async def kb_upload(
    files: Annotated[list[UploadFile], File(description=".md .txt .html .pdf, ≤ 20 MB in all")],
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
) -> UploadResponse:
    _require_editor(principal)
    if len(files) > MAX_FILES:
        raise Unprocessable(f"files: at most {MAX_FILES} per upload")
    # Every file is read and parsed before anything is written: one bad file, nothing stored.
    prepared: list[service.Prepared] = []
    total = 0
    for upload in files:
        name = _upload_name(upload)
        data = await upload.read()
        total += len(data)
        if total > MAX_UPLOAD_BYTES:
            raise PayloadTooLarge(f"uploads over {MAX_UPLOAD_BYTES} bytes")
        prepared.append(
            await asyncio.to_thread(
                service.prepare_file,
                data,
                name,
                f"upload:{name}",
                {"uploaded_by": principal.actor_type},
            )
        )
    embedder = service.embedder_for(runtime)
    results = await service.store_many(session, principal.organization_id, prepared, embedder)
    return UploadResponse(
        sources=len({r.source_id for r in results if r.source_id is not None}),
        chunks=sum(r.chunks for r in results),
        files=[
            IngestedOut(
                uri=r.uri,
                source_id=r.source_id,
                status=r.status,
                chunks=r.chunks,
                duplicate_of=r.duplicate_of,
            )
            for r in results
        ],
    )


@router.get("/kb/sources", response_model=SourceList)
async def kb_sources(principal: CurrentPrincipal, session: DbSession) -> SourceList:
    rows = await service.list_sources(session, principal.organization_id)
    return SourceList(
        items=[
            SourceOut(
                id=s.id,
                source_type=s.source_type,
                uri=s.uri,
                title=s.title,
                language=s.language,
                chunks=s.chunk_count,
                tokens=s.token_count,
                content_hash=s.content_hash,
                created_at=s.created_at,
                updated_at=s.updated_at,
            )
            for s in rows
        ]
    )


@router.delete("/kb/sources/{source_id}", status_code=204)
async def kb_delete_source(
    source_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Response:
    _require_editor(principal)
    await service.delete_source(session, principal.organization_id, source_id)
    return Response(status_code=204)


@router.get("/kb/gaps")
async def kb_gaps(
    principal: CurrentPrincipal, session: DbSession, runtime: RuntimeDep
) -> dict[str, list[dict[str, object]]]:
    """Questions the knowledge base could not answer (callers' words: editors only, audited)."""
    _require_editor(principal)
    gaps = await answering.list_gaps(session, runtime, principal.organization_id)
    await audit_reveal(
        session,
        org_id=principal.organization_id,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
        target_type="knowledge_gap",
        target_ids=[str(g.id) for g, _ in gaps],
        reason="api: list knowledge gaps",
    )
    return {
        "items": [
            {
                "id": str(gap.id),
                "question": question,
                "language": gap.language,
                "count": gap.count,
                "best_confidence": gap.best_confidence,
                "first_seen": gap.created_at.isoformat(),
                "last_seen": gap.last_seen_at.isoformat(),
            }
            for gap, question in gaps
        ]
    }
