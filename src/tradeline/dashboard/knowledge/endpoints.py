"""Knowledge base screen: sources, upload, "ask a question" with its cited passages, and the
questions callers asked that the knowledge base could not answer (gaps).

The upload is a plain multipart form (it must work without JavaScript, and a form cannot send the
API's X-CSRF-Token header), handled here with the same knowledge services as POST /api/v1/kb/upload.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response

from tradeline.api import DbSession, RuntimeDep, enforce_limit
from tradeline.dashboard.business.service import reveal
from tradeline.dashboard.web import DashboardRoute, FormPageDep, PageDep, back, render
from tradeline.exceptions import PayloadTooLarge, Unprocessable
from tradeline.knowledge import answer as answering
from tradeline.knowledge import service as knowledge

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)

# Dashboard requests are capped at 1 MB by the request middleware (the 20 MB allowance is for
# the API's upload route); bigger files go through the API or `tradeline kb ingest`.
MAX_FORM_UPLOAD = 1_000_000
MAX_FILES = 10
RAG_LIMIT = "60/minute"  # the same budget as the API's RAG routes (CONTRACTS §3)


def _file_name(upload: UploadFile) -> str:
    raw = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^\w.\- ]+", "_", raw).strip(" .")
    if not name:
        raise Unprocessable("every file needs a name with its extension (.md .txt .html .pdf)")
    return name[:200]


@router.get("/knowledge")
async def knowledge_page(
    page: PageDep,
    session: DbSession,
    runtime: RuntimeDep,
    q: Annotated[str, Query(max_length=500)] = "",
    uploaded: Annotated[str | None, Query(max_length=200)] = None,
    removed: Annotated[str | None, Query(max_length=5)] = None,
) -> Response:
    sources = await knowledge.list_sources(session, page.org_id)
    result: dict[str, Any] | None = None
    question = q.strip()
    if question:
        await enforce_limit(page.request, RAG_LIMIT, "rag", page.principal.actor_id)
        # The owner trying questions is not a caller: no knowledge gap is recorded for it.
        said = await answering.answer(session, runtime, page.org_id, question, record_gap=False)
        hits = await knowledge.search(session, runtime, page.org_id, question, top_k=5)
        cited = set(said.citations)
        result = {
            "answer": said.answer,
            "best_guess": said.best_guess,
            "confidence": round(said.confidence * 100),
            "hedge": said.hedge,
            "cited": [h for h in hits if h.chunk_id in cited],
            "others": [h for h in hits if h.chunk_id not in cited][:3],
        }
    gaps: list[dict[str, Any]] = []
    if page.can_edit:
        listed = await answering.list_gaps(session, runtime, page.org_id, limit=50)
        await reveal(page, session, "knowledge_gap", [str(g.id) for g, _ in listed], "gaps")
        gaps = [
            {
                "question": text,
                "count": gap.count,
                "last": gap.last_seen_at,
                "confidence": round((gap.best_confidence or 0.0) * 100),
            }
            for gap, text in listed
        ]
    return render(
        page,
        "knowledge.html",
        {
            "sources": sources,
            "q": question,
            "result": result,
            "gaps": gaps,
            "uploaded": uploaded,
            "removed": removed,
            "max_mb": MAX_FORM_UPLOAD // 1_000_000,
        },
    )


@router.post("/knowledge/upload")
async def knowledge_upload(
    page: FormPageDep,
    session: DbSession,
    runtime: RuntimeDep,
    files: Annotated[list[UploadFile], File()],
) -> Response:
    page.require_editor()
    if len(files) > MAX_FILES:
        raise Unprocessable(page.t("At most {n} files at a time.", n=MAX_FILES))
    prepared = []
    total = 0
    # Every file is read and parsed before anything is written: one bad file, nothing stored.
    for upload in files:
        name = _file_name(upload)
        data = await upload.read()
        total += len(data)
        if total > MAX_FORM_UPLOAD:
            raise PayloadTooLarge(page.t("Uploads here are limited to 1 MB."))
        prepared.append(
            await asyncio.to_thread(
                knowledge.prepare_file, data, name, f"upload:{name}", {"uploaded_by": "user"}
            )
        )
    embedder = knowledge.embedder_for(runtime)
    results = [
        await knowledge.store_prepared(session, page.org_id, item, embedder) for item in prepared
    ]
    chunks = sum(r.chunks for r in results)
    return back("/knowledge", uploaded=f"{len(results)}:{chunks}")


@router.post("/knowledge/sources/{source_id}/delete")
async def knowledge_delete(source_id: uuid.UUID, page: FormPageDep, session: DbSession) -> Response:
    page.require_editor()
    await knowledge.delete_source(session, page.org_id, source_id)
    return back("/knowledge", removed="1")
