"""Every SQL statement of the knowledge base. Each one names its business (`organization_id =
:org`) on top of the row-level security policies: two walls, as everywhere else."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.models import (
    KnowledgeChunk,
    KnowledgeEmbedding,
    KnowledgeGap,
    KnowledgeSource,
)

# --- writes ---------------------------------------------------------------------------------


async def lock_knowledge_base(session: AsyncSession, org_id: uuid.UUID) -> None:
    """One writer per business at a time (for the transaction): ingests of the same file race
    on its uri, and document-frequency updates of concurrent writers would wait on each other."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended('tradeline.knowledge:' || :org, 0))"),
        {"org": str(org_id)},
    )


async def source_by_uri(
    session: AsyncSession, org_id: uuid.UUID, uri: str
) -> KnowledgeSource | None:
    result = await session.execute(
        select(KnowledgeSource).where(
            KnowledgeSource.organization_id == org_id, KnowledgeSource.uri == uri
        )
    )
    return result.scalar_one_or_none()


async def source_by_hash(
    session: AsyncSession, org_id: uuid.UUID, content_hash: str, source_type: str
) -> KnowledgeSource | None:
    result = await session.execute(
        select(KnowledgeSource)
        .where(
            KnowledgeSource.organization_id == org_id,
            KnowledgeSource.content_hash == content_hash,
            KnowledgeSource.source_type == source_type,
        )
        .order_by(KnowledgeSource.created_at)
        .limit(1)
    )
    return result.scalar_one_or_none()


async def list_sources(
    session: AsyncSession, org_id: uuid.UUID, source_type: str | None = None
) -> list[KnowledgeSource]:
    query = select(KnowledgeSource).where(KnowledgeSource.organization_id == org_id)
    if source_type is not None:
        query = query.where(KnowledgeSource.source_type == source_type)
    query = query.order_by(KnowledgeSource.source_type, KnowledgeSource.uri)
    return list((await session.execute(query)).scalars())


async def get_source(
    session: AsyncSession, org_id: uuid.UUID, source_id: uuid.UUID
) -> KnowledgeSource | None:
    result = await session.execute(
        select(KnowledgeSource).where(
            KnowledgeSource.organization_id == org_id, KnowledgeSource.id == source_id
        )
    )
    return result.scalar_one_or_none()


async def insert_source(session: AsyncSession, source: KnowledgeSource) -> None:
    session.add(source)
    await session.flush()


async def delete_sources(
    session: AsyncSession, org_id: uuid.UUID, source_ids: Sequence[uuid.UUID]
) -> int:
    if not source_ids:
        return 0
    result = await session.execute(
        delete(KnowledgeSource).where(
            KnowledgeSource.organization_id == org_id, KnowledgeSource.id.in_(source_ids)
        )
    )
    rowcount: int = getattr(result, "rowcount", 0)
    return rowcount


async def embeddings_by_text_hash(
    session: AsyncSession, org_id: uuid.UUID, model: str, hashes: Sequence[str]
) -> dict[str, Any]:
    """Vectors this business already has under `model` for these exact texts."""
    if not hashes:
        return {}
    result = await session.execute(
        select(KnowledgeChunk.text_hash, KnowledgeEmbedding.embedding)
        .join(KnowledgeEmbedding, KnowledgeEmbedding.chunk_id == KnowledgeChunk.id)
        .where(
            KnowledgeChunk.organization_id == org_id,
            KnowledgeEmbedding.organization_id == org_id,
            KnowledgeEmbedding.model == model,
            KnowledgeEmbedding.embedding.is_not(None),
            KnowledgeChunk.text_hash.in_(list(set(hashes))),
        )
    )
    return {row[0]: row[1] for row in result}


async def delete_chunks_of(session: AsyncSession, org_id: uuid.UUID, source_id: uuid.UUID) -> None:
    await session.execute(
        delete(KnowledgeChunk).where(
            KnowledgeChunk.organization_id == org_id, KnowledgeChunk.source_id == source_id
        )
    )


# Multi-row INSERT statements, not executemany: the chunk triggers run once per statement, so
# one statement per few hundred chunks keeps their set-based work set-based (and the round trips
# few). Sizes keep the bind parameters of one statement well under PostgreSQL's 65,535.
_CHUNK_ROWS_PER_STATEMENT = 500
_EMBEDDING_ROWS_PER_STATEMENT = 200


async def insert_chunks(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK_ROWS_PER_STATEMENT):
        batch = list(rows[start : start + _CHUNK_ROWS_PER_STATEMENT])
        await session.execute(insert(KnowledgeChunk).values(batch))


async def insert_embeddings(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _EMBEDDING_ROWS_PER_STATEMENT):
        batch = list(rows[start : start + _EMBEDDING_ROWS_PER_STATEMENT])
        await session.execute(insert(KnowledgeEmbedding).values(batch))


async def chunks_missing_model(
    session: AsyncSession, org_id: uuid.UUID, model: str, limit: int
) -> list[KnowledgeChunk]:
    has_vector = (
        select(KnowledgeEmbedding.id)
        .where(
            KnowledgeEmbedding.organization_id == org_id,
            KnowledgeEmbedding.chunk_id == KnowledgeChunk.id,
            KnowledgeEmbedding.model == model,
        )
        .exists()
    )
    result = await session.execute(
        select(KnowledgeChunk)
        .where(KnowledgeChunk.organization_id == org_id, ~has_vector)
        .order_by(KnowledgeChunk.id)
        .limit(limit)
    )
    return list(result.scalars())


async def delete_embeddings_except(session: AsyncSession, org_id: uuid.UUID, model: str) -> int:
    result = await session.execute(
        delete(KnowledgeEmbedding).where(
            KnowledgeEmbedding.organization_id == org_id, KnowledgeEmbedding.model != model
        )
    )
    rowcount: int = getattr(result, "rowcount", 0)
    return rowcount


async def count_chunks(session: AsyncSession, org_id: uuid.UUID) -> int:
    result = await session.execute(
        select(func.count()).where(KnowledgeChunk.organization_id == org_id)
    )
    return int(result.scalar_one())


async def count_embeddings(session: AsyncSession, org_id: uuid.UUID, model: str) -> int:
    result = await session.execute(
        select(func.count()).where(
            KnowledgeEmbedding.organization_id == org_id, KnowledgeEmbedding.model == model
        )
    )
    return int(result.scalar_one())


async def chunk_bodies(
    session: AsyncSession, org_id: uuid.UUID, source_id: uuid.UUID
) -> list[KnowledgeChunk]:
    result = await session.execute(
        select(KnowledgeChunk)
        .where(KnowledgeChunk.organization_id == org_id, KnowledgeChunk.source_id == source_id)
        .order_by(KnowledgeChunk.ordinal)
    )
    return list(result.scalars())


# --- knowledge gaps -------------------------------------------------------------------------


async def recent_gaps(session: AsyncSession, org_id: uuid.UUID, limit: int) -> list[KnowledgeGap]:
    result = await session.execute(
        select(KnowledgeGap)
        .where(KnowledgeGap.organization_id == org_id, KnowledgeGap.resolved_at.is_(None))
        .order_by(KnowledgeGap.last_seen_at.desc())
        .limit(limit)
    )
    return list(result.scalars())


async def insert_gap(session: AsyncSession, gap: KnowledgeGap) -> None:
    session.add(gap)
    await session.flush()


async def touch_gap(
    session: AsyncSession,
    org_id: uuid.UUID,
    gap_id: uuid.UUID,
    at: datetime,
    confidence: float,
) -> None:
    await session.execute(
        update(KnowledgeGap)
        .where(KnowledgeGap.organization_id == org_id, KnowledgeGap.id == gap_id)
        .values(
            count=KnowledgeGap.count + 1,
            last_seen_at=at,
            best_confidence=func.greatest(KnowledgeGap.best_confidence, confidence),
        )
    )


# --- search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchRow:
    chunk_id: uuid.UUID
    source_id: uuid.UUID
    score: float
    vector_rank: int | None
    lexical_rank: int | None
    cosine: float | None
    heading: str | None
    body: str
    language: str
    source_type: str
    ordinal: int
    uri: str
    title: str | None
    meta: dict[str, Any]


async def tune_vector_search(session: AsyncSession, ef_search: int) -> None:
    """HNSW knobs for this transaction (once per transaction and value). Iterative scans keep
    returning neighbours when the business's filters (its own rows, a language, a source type)
    discard many."""
    transaction = session.sync_session.get_transaction()
    if session.info.get("knowledge_hnsw") == (transaction, ef_search):
        return
    session.info["knowledge_hnsw"] = (transaction, ef_search)
    await session.execute(
        text(
            "SELECT set_config('hnsw.ef_search', :ef, true), "
            "set_config('hnsw.iterative_scan', 'relaxed_order', true)"
        ),
        {"ef": str(ef_search)},
    )


# The lexical arm, BM25-like with binary term frequency, over the business's postings (the
# inverted index kept from each chunk's tsvector; see models/knowledge.py for why not `@@`): the
# query's lexemes under both text-search configurations, each scored by its IDF (document
# frequencies from `knowledge_terms`, whose empty lexeme counts the chunks), half again when the
# word is in the passage's heading. Words too common in this business's chunks are left out —
# the rarest are kept while their document frequencies add up to at most :budget — so at most
# :budget postings are read, whatever the corpus size, and the words kept are the informative
# ones. A query made only of very common words gets no lexical arm; the vector arm answers it.
_LEXICAL_ARM = """
terms AS (
  SELECT DISTINCT l.lexeme
  FROM unnest(
    tsvector_to_array(to_tsvector('english'::regconfig, :query))
    || tsvector_to_array(to_tsvector('french'::regconfig, :query))
  ) AS l(lexeme)
), total AS (
  SELECT greatest(df, 1) AS n FROM knowledge_terms WHERE organization_id = :org AND lexeme = ''
), stats AS (
  SELECT t.lexeme, k.df, sum(k.df) OVER (ORDER BY k.df, t.lexeme) AS cum
  FROM terms t
  JOIN knowledge_terms k ON k.organization_id = :org AND k.lexeme = t.lexeme
  WHERE k.df > 0 AND t.lexeme <> ''
), kept AS (
  SELECT stats.lexeme, ln(1 + (total.n - stats.df + 0.5) / (stats.df + 0.5)) AS idf
  FROM stats, total
  WHERE stats.cum <= :budget
), lex AS (
  SELECT p.chunk_id AS id,
         row_number() OVER (
           ORDER BY sum(kept.idf * CASE WHEN p.in_heading THEN 1.5 ELSE 1.0 END) DESC, p.chunk_id
         ) AS rank
  FROM kept
  JOIN knowledge_postings p ON p.organization_id = :org AND p.lexeme = kept.lexeme
  {posting_filters}
  GROUP BY p.chunk_id
  ORDER BY rank
  LIMIT :pool
)"""

# The vector arm: nearest chunks by cosine distance under the active model only. The literal
# `dim = N` and the `::vector(N)` cast match the partial HNSW index of that dimension.
_VECTOR_ARM = """
vec AS (
  SELECT chunk_id AS id, row_number() OVER (ORDER BY distance, chunk_id) AS rank
  FROM (
    SELECT e.chunk_id, e.embedding::vector({dim}) <=> CAST(:vector AS vector({dim})) AS distance
    FROM knowledge_embeddings e
    WHERE e.organization_id = :org AND e.model = :model AND e.dim = {dim} {embedding_filters}
    ORDER BY distance
    LIMIT :pool
  ) AS nearest
)"""

_NO_VECTOR_ARM = "vec AS (SELECT NULL::uuid AS id, NULL::bigint AS rank WHERE false)"

# Reciprocal-rank fusion (k = 60), each arm cut to :pool before fusing.
_FUSION = """
SELECT f.id, f.score, f.vrank, f.lrank,
       {cosine} AS cosine,
       c.source_id, c.heading, c.body, c.language, c.source_type, c.ordinal,
       s.uri, s.title, s.meta
FROM (
  SELECT coalesce(v.id, l.id) AS id, v.rank AS vrank, l.rank AS lrank,
         coalesce(1.0 / (:rrf_k + v.rank), 0) + coalesce(1.0 / (:rrf_k + l.rank), 0) AS score
  FROM vec v FULL JOIN lex l ON v.id = l.id
  ORDER BY score DESC, vrank NULLS LAST, lrank NULLS LAST, id
  LIMIT :top_k
) AS f
JOIN knowledge_chunks c ON c.id = f.id AND c.organization_id = :org
JOIN knowledge_sources s ON s.id = c.source_id AND s.organization_id = :org
{cosine_join}
ORDER BY f.score DESC, f.vrank NULLS LAST, f.lrank NULLS LAST, f.id
"""


async def search(
    session: AsyncSession,
    org_id: uuid.UUID,
    *,
    query: str,
    vector: Sequence[float] | None,
    model: str,
    top_k: int,
    pool: int,
    term_budget: int,
    rrf_k: int = 60,
    lang: str | None = None,
    source_type: str | None = None,
) -> list[SearchRow]:
    """Hybrid search in one statement: vector arm + lexical arm, fused by reciprocal rank."""
    params: dict[str, Any] = {
        "org": org_id,
        "query": query,
        "model": model,
        "top_k": top_k,
        "pool": pool,
        "budget": term_budget,
        "rrf_k": rrf_k,
    }
    chunk_filters, embedding_filters = "", ""
    if lang is not None:
        chunk_filters += " AND fc.language = :lang"
        embedding_filters += " AND e.language = :lang"
        params["lang"] = lang
    if source_type is not None:
        chunk_filters += " AND fc.source_type = :source_type"
        embedding_filters += " AND e.source_type = :source_type"
        params["source_type"] = source_type
    posting_filters = (
        "JOIN knowledge_chunks fc ON fc.id = p.chunk_id AND fc.organization_id = :org"
        + chunk_filters
        if chunk_filters
        else ""
    )
    if vector is not None:
        dim = len(vector)
        params["vector"] = "[" + ",".join(f"{float(x):.7g}" for x in vector) + "]"
        vector_arm = _VECTOR_ARM.format(dim=dim, embedding_filters=embedding_filters)
        cosine = f"1 - (e.embedding::vector({dim}) <=> CAST(:vector AS vector({dim})))"
        cosine_join = (
            "LEFT JOIN knowledge_embeddings e ON e.chunk_id = f.id "
            f"AND e.organization_id = :org AND e.model = :model AND e.dim = {dim}"
        )
    else:
        vector_arm, cosine, cosine_join = _NO_VECTOR_ARM, "NULL::float8", ""
    sql = (
        "WITH "
        + _LEXICAL_ARM.format(posting_filters=posting_filters)
        + ", "
        + vector_arm
        + _FUSION.format(cosine=cosine, cosine_join=cosine_join)
    )
    result = await session.execute(text(sql), params)
    return [
        SearchRow(
            chunk_id=row.id,
            source_id=row.source_id,
            score=float(row.score),
            vector_rank=row.vrank,
            lexical_rank=row.lrank,
            cosine=float(row.cosine) if row.cosine is not None else None,
            heading=row.heading,
            body=row.body,
            language=row.language,
            source_type=row.source_type,
            ordinal=row.ordinal,
            uri=row.uri,
            title=row.title,
            meta=dict(row.meta or {}),
        )
        for row in result
    ]
