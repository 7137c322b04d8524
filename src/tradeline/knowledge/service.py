"""The knowledge base: ingestion (files, uploads, the profile's FAQ), re-embedding, search.

A source is identified by its uri within its business. Ingesting the same uri with the same
content changes nothing; with changed content it replaces the source's chunks (passages whose
text did not change keep their vectors); content already present under another uri is a
duplicate and is not stored twice. All writes of one business's knowledge base are serialised
by a transaction-scoped advisory lock. Services flush, never commit: callers own the unit of work.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.db import tenant_session
from tradeline.exceptions import NotFound, ServiceUnavailable, Unprocessable
from tradeline.knowledge import repository
from tradeline.knowledge.chunking import ChunkDraft, chunk_document
from tradeline.knowledge.embedding import get_embedder, text_hash
from tradeline.knowledge.extract import Document, Section, SourceType, extract
from tradeline.knowledge.linguistics import detect_language, fold, normalise_space
from tradeline.knowledge.ports import Embedder, Vectors
from tradeline.knowledge.schemas import Hit, IngestResult
from tradeline.logging import get_logger
from tradeline.models import KnowledgeSource
from tradeline.models.base import utcnow
from tradeline.organization.schemas import FaqEntry
from tradeline.runtime import Runtime

log = get_logger(__name__)

EMBED_BATCH = 64  # texts per embedding call (progress granularity; the model batches inside)
REEMBED_BATCH = 256  # chunks per re-embedding transaction

# Search tuning (see docs/PERFORMANCE.md): each arm returns at most POOL candidates before fusion;
# HNSW explores EF_SEARCH candidates (≥ POOL); the lexical arm reads at most TERM_BUDGET postings.
POOL_MIN = 30
EF_SEARCH = 64
TERM_BUDGET = 600
RRF_K = 60

Progress = Callable[[int], None]


@dataclass
class Prepared:
    """A document extracted and chunked, ready to be embedded and stored (no I/O yet)."""

    uri: str
    source_type: SourceType
    title: str | None
    content_hash: str
    language: str
    drafts: list[ChunkDraft]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def tokens(self) -> int:
        return sum(d.token_count for d in self.drafts)


def prepare_document(document: Document, uri: str, meta: dict[str, Any] | None = None) -> Prepared:
    text = document.text
    language = detect_language(text)
    drafts = chunk_document(document, default_language=language)
    if not drafts:
        raise Unprocessable(f"{uri}: no text found to index")
    digest = hashlib.sha256(f"{document.source_type}\n{text}".encode()).hexdigest()
    return Prepared(
        uri=uri[:1000],
        source_type=document.source_type,
        title=(document.title or None) and str(document.title)[:300],
        content_hash=digest,
        language=language,
        drafts=drafts,
        meta=dict(meta or {}),
    )


def prepare_file(
    data: bytes, filename: str, uri: str, meta: dict[str, Any] | None = None
) -> Prepared:
    """Extract and chunk one file (CPU only; safe to run in a worker thread)."""
    return prepare_document(extract(data, filename), uri, {"filename": filename, **(meta or {})})


def embedder_for(runtime: Runtime, embedder: Embedder | None = None) -> Embedder:
    return embedder or get_embedder(runtime.settings)


async def _embed_in_batches(
    embedder: Embedder, texts: Sequence[str], progress: Progress | None
) -> Vectors:
    parts: list[Vectors] = []
    for start in range(0, len(texts), EMBED_BATCH):
        batch = texts[start : start + EMBED_BATCH]
        parts.append(await embedder.embed(batch))
        if progress is not None:
            progress(len(batch))
    if not parts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.vstack(parts)


@dataclass
class _Plan:
    """What one document needs: its texts, the vectors this business already has for them, and
    which texts must be embedded. Decided before the batch's earlier documents are written, so
    it is re-checked at write time (`_write`)."""

    prepared: Prepared
    texts: list[str]
    hashes: list[str]
    known: dict[str, Any]
    missing: list[int]
    skip: IngestResult | None  # unchanged or duplicate: nothing to embed or write


async def _decide(
    session: AsyncSession, org_id: uuid.UUID, prepared: Prepared
) -> tuple[KnowledgeSource | None, IngestResult | None]:
    """The source this uri already has, or the reason to skip the document."""
    existing = await repository.source_by_uri(session, org_id, prepared.uri)
    if existing is not None and existing.content_hash == prepared.content_hash:
        return existing, IngestResult(prepared.uri, existing.id, "unchanged", existing.chunk_count)
    if existing is None:
        twin = await repository.source_by_hash(
            session, org_id, prepared.content_hash, prepared.source_type
        )
        if twin is not None:
            return None, IngestResult(
                prepared.uri, twin.id, "duplicate", twin.chunk_count, duplicate_of=twin.uri
            )
    return existing, None


async def _plan(
    session: AsyncSession, org_id: uuid.UUID, prepared: Prepared, embedder: Embedder
) -> _Plan:
    _, skip = await _decide(session, org_id, prepared)
    texts = [d.embedded_text for d in prepared.drafts]
    hashes = [text_hash(t) for t in texts]
    if skip is not None:
        return _Plan(prepared, texts, hashes, {}, [], skip)
    # Vectors: reuse this business's vectors of identical passages, embed the others.
    known = await repository.embeddings_by_text_hash(session, org_id, embedder.name, hashes)
    missing = [i for i, h in enumerate(hashes) if h not in known]
    return _Plan(prepared, texts, hashes, known, missing, None)


@dataclass
class _Pending:
    """Rows of a batch's sources, inserted together at the end (one trigger run per statement
    instead of one per document). Keyed by source, so a later version of the same file in the
    batch replaces an earlier one's rows before they are written."""

    chunks: dict[uuid.UUID, list[dict[str, Any]]] = field(default_factory=dict)
    embeddings: dict[uuid.UUID, list[dict[str, Any]]] = field(default_factory=dict)

    async def flush(self, session: AsyncSession) -> None:
        await repository.insert_chunks(session, [r for rows in self.chunks.values() for r in rows])
        await repository.insert_embeddings(
            session, [r for rows in self.embeddings.values() for r in rows]
        )
        self.chunks.clear()
        self.embeddings.clear()


async def _write(
    session: AsyncSession,
    org_id: uuid.UUID,
    plan: _Plan,
    fresh: Sequence[Any],
    embedder: Embedder,
    pending: _Pending,
) -> IngestResult:
    prepared = plan.prepared
    existing, skip = await _decide(session, org_id, prepared)
    if skip is not None:  # an earlier document of the same batch made this one redundant
        return skip
    vectors: list[Any] = [plan.known.get(h) for h in plan.hashes]
    for row, index in enumerate(plan.missing):
        vectors[index] = fresh[row]

    now = utcnow()
    if existing is not None:
        await repository.delete_chunks_of(session, org_id, existing.id)
        pending.chunks.pop(existing.id, None)
        pending.embeddings.pop(existing.id, None)
        source = existing
        source.title = prepared.title
        source.content_hash = prepared.content_hash
        source.language = prepared.language
        source.meta = prepared.meta
        source.updated_at = now
        status: Literal["created", "replaced"] = "replaced"
    else:
        source = KnowledgeSource(
            id=uuid.uuid4(),
            organization_id=org_id,
            source_type=prepared.source_type,
            uri=prepared.uri,
            title=prepared.title,
            content_hash=prepared.content_hash,
            language=prepared.language,
            meta=prepared.meta,
            updated_at=now,
        )
        await repository.insert_source(session, source)
        status = "created"
    source.chunk_count = len(prepared.drafts)
    source.token_count = prepared.tokens

    chunk_rows: list[dict[str, Any]] = []
    embedding_rows: list[dict[str, Any]] = []
    for draft, digest, vector in zip(prepared.drafts, plan.hashes, vectors, strict=True):
        chunk_id = uuid.uuid4()
        chunk_rows.append(
            {
                "id": chunk_id,
                "organization_id": org_id,
                "source_id": source.id,
                "ordinal": draft.ordinal,
                "source_type": prepared.source_type,
                "heading": draft.heading,
                "body": draft.body,
                "language": draft.language,
                "token_count": draft.token_count,
                "text_hash": digest,
            }
        )
        embedding_rows.append(
            {
                "id": uuid.uuid4(),
                "organization_id": org_id,
                "chunk_id": chunk_id,
                "model": embedder.name,
                "dim": len(vector),
                "language": draft.language,
                "source_type": prepared.source_type,
                "embedding": np.asarray(vector, dtype=np.float32),
            }
        )
    pending.chunks[source.id] = chunk_rows
    pending.embeddings[source.id] = embedding_rows
    embedded_tokens = sum(prepared.drafts[i].token_count for i in plan.missing)
    log.info(
        "knowledge_source_stored",
        org_id=str(org_id),
        source_id=str(source.id),
        status=status,
        chunks=len(chunk_rows),
        embedded=len(plan.missing),
    )
    return IngestResult(prepared.uri, source.id, status, len(chunk_rows), embedded_tokens)


async def store_many(
    session: AsyncSession,
    org_id: uuid.UUID,
    documents: Sequence[Prepared],
    embedder: Embedder,
    *,
    progress: Progress | None = None,
) -> list[IngestResult]:
    """Create, replace or skip each document (see the module docstring), in order.

    Every document is planned first (what to skip, which vectors to reuse), then the passages
    of all documents are embedded together, longest with longest (full batches, little
    padding: +40 % tokens/s over embedding document by document), then each document is
    written — and re-checked, since an earlier one of the same batch may have changed its
    fate (the same file twice, or a copy of it)."""
    await repository.lock_knowledge_base(session, org_id)
    plans = [await _plan(session, org_id, prepared, embedder) for prepared in documents]
    wanted = [(p, i) for p, plan in enumerate(plans) for i in plan.missing]
    if progress is not None:
        progress(sum(len(plan.texts) for plan in plans) - len(wanted))
    wanted.sort(key=lambda pi: len(plans[pi[0]].texts[pi[1]]))
    vectors = await _embed_in_batches(embedder, [plans[p].texts[i] for p, i in wanted], progress)
    fresh: list[list[Any]] = [[None] * len(plan.missing) for plan in plans]
    slot = [{index: n for n, index in enumerate(plan.missing)} for plan in plans]
    for row, (p, i) in enumerate(wanted):
        fresh[p][slot[p][i]] = vectors[row]
    results: list[IngestResult] = []
    pending = _Pending()
    for plan, rows in zip(plans, fresh, strict=True):
        if plan.skip is not None:
            results.append(plan.skip)
        else:
            results.append(await _write(session, org_id, plan, rows, embedder, pending))
    await pending.flush(session)
    await session.flush()
    return results


async def store_prepared(
    session: AsyncSession,
    org_id: uuid.UUID,
    prepared: Prepared,
    embedder: Embedder,
    *,
    progress: Progress | None = None,
) -> IngestResult:
    """Create, replace or skip one source (see the module docstring)."""
    return (await store_many(session, org_id, [prepared], embedder, progress=progress))[0]


async def ingest_bytes(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    data: bytes,
    filename: str,
    *,
    uri: str | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Ingest one document (its type from the file name's extension)."""
    prepared = await asyncio.to_thread(prepare_file, data, filename, uri or filename)
    return await store_prepared(
        session, org_id, prepared, embedder_for(runtime, embedder), progress=progress
    )


# --- the profile's FAQ ----------------------------------------------------------------------


def faq_uri(question: str) -> str:
    key = hashlib.sha256(normalise_space(fold(question)).encode()).hexdigest()[:24]
    return f"faq:{key}"


def faq_document(entry: FaqEntry) -> Document:
    return Document("faq", None, [Section((normalise_space(entry.q),), [entry.a])])


async def sync_faq(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    faq: list[FaqEntry],
    *,
    embedder: Embedder | None = None,
) -> dict[str, int]:
    """Make the FAQ sources equal to the profile's entries: one source per question (the
    question is the chunk's heading, the answer its body); removed questions are deleted, edited
    answers replaced, unchanged entries left alone. Call it whenever the profile changes."""
    active = embedder_for(runtime, embedder)
    await repository.lock_knowledge_base(session, org_id)
    wanted: dict[str, FaqEntry] = {}
    for entry in faq:
        wanted[faq_uri(entry.q)] = entry  # a repeated question: the last answer wins
    current = await repository.list_sources(session, org_id, source_type="faq")
    stale = [s.id for s in current if s.uri not in wanted]
    removed = await repository.delete_sources(session, org_id, stale)
    counts = {"created": 0, "replaced": 0, "unchanged": 0, "duplicate": 0, "removed": removed}
    documents = []
    for uri, entry in wanted.items():
        prepared = prepare_document(faq_document(entry), uri, {"question": entry.q})
        prepared.title = normalise_space(entry.q)[:300]
        documents.append(prepared)
    for result in await store_many(session, org_id, documents, active):
        counts[result.status] += 1
    return counts


# --- model switch ---------------------------------------------------------------------------


async def reembed_all(
    runtime: Runtime,
    org_id: uuid.UUID,
    *,
    embedder: Embedder | None = None,
    batch: int = REEMBED_BATCH,
) -> int:
    """Give every chunk of the business a vector under the active model, in committed batches
    (resumable: a rerun continues where a killed one stopped), then drop other models' vectors.
    Search keeps working meanwhile: it only ever reads the active model's vectors."""
    active = embedder_for(runtime, embedder)
    done = 0
    while True:
        async with tenant_session(runtime.maker, org_id) as session:
            await repository.lock_knowledge_base(session, org_id)
            chunks = await repository.chunks_missing_model(session, org_id, active.name, batch)
            if not chunks:
                removed = await repository.delete_embeddings_except(session, org_id, active.name)
                log.info(
                    "knowledge_reembedded",
                    org_id=str(org_id),
                    model=active.name,
                    embedded=done,
                    removed=removed,
                )
                return done
            texts = [f"{c.heading}\n{c.body}" if c.heading else c.body for c in chunks]
            vectors = await active.embed(texts)
            await repository.insert_embeddings(
                session,
                [
                    {
                        "id": uuid.uuid4(),
                        "organization_id": org_id,
                        "chunk_id": chunk.id,
                        "model": active.name,
                        "dim": int(vector.shape[0]),
                        "language": chunk.language,
                        "source_type": chunk.source_type,
                        "embedding": vector,
                    }
                    for chunk, vector in zip(chunks, vectors, strict=True)
                ],
            )
            done += len(chunks)


# --- sources --------------------------------------------------------------------------------


async def list_sources(session: AsyncSession, org_id: uuid.UUID) -> list[KnowledgeSource]:
    return await repository.list_sources(session, org_id)


async def delete_source(session: AsyncSession, org_id: uuid.UUID, source_id: uuid.UUID) -> None:
    await repository.lock_knowledge_base(session, org_id)
    if not await repository.delete_sources(session, org_id, [source_id]):
        raise NotFound("knowledge source not found")


# --- search ---------------------------------------------------------------------------------


async def embed_query(embedder: Embedder, query: str) -> Vectors | None:
    """The query's vector; None when the provider is down (search degrades to full text)."""
    try:
        vectors = await embedder.embed([query])
        first: Vectors = vectors[0]
        return first
    except ServiceUnavailable as exc:
        log.warning("query_embedding_failed", error=exc.detail)
        return None


async def search(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    query: str,
    *,
    top_k: int = 8,
    lang: str | None = None,
    source_type: str | None = None,
    embedder: Embedder | None = None,
    vector: Vectors | None = None,
) -> list[Hit]:
    """Hybrid search of one business's knowledge base (the receptionist calls this directly;
    the rate-limited API route wraps it). `vector` skips embedding when the caller has it."""
    active = embedder_for(runtime, embedder)
    if vector is None:
        vector = await embed_query(active, query)
    pool = max(POOL_MIN, top_k * 3)
    await repository.tune_vector_search(session, max(EF_SEARCH, pool))
    rows = await repository.search(
        session,
        org_id,
        query=query,
        vector=None if vector is None else [float(x) for x in vector],
        model=active.name,
        top_k=top_k,
        pool=pool,
        term_budget=TERM_BUDGET,
        rrf_k=RRF_K,
        lang=lang,
        source_type=source_type,
    )
    return [
        Hit(
            chunk_id=row.chunk_id,
            source_id=row.source_id,
            score=row.score,
            heading=row.heading,
            body=row.body,
            language=row.language,
            source_type=row.source_type,
            uri=row.uri,
            title=row.title,
            ordinal=row.ordinal,
            vector_rank=row.vector_rank,
            lexical_rank=row.lexical_rank,
            cosine=row.cosine,
            meta={
                **row.meta,
                "heading": row.heading,
                "title": row.title,
                "language": row.language,
                "ordinal": row.ordinal,
            },
        )
        for row in rows
    ]
