"""The knowledge base: sources, their chunks, chunk embeddings per model, and knowledge gaps.

Embeddings live in their own table, one row per (chunk, model), with the model's name and
dimension: vectors of two models never meet in one search (the search names its model), and a
model switch re-embeds beside the old vectors, then drops them. The column is a `vector` without
a fixed dimension; each supported dimension has its own partial HNSW index on an expression cast
to that dimension (see migration 0005 for why).

Chunk text is the business's own published content, not caller data: it is stored in clear (the
full-text index needs it). The only caller text here, a question we could not answer, is sealed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pgvector.sqlalchemy import VECTOR
from sqlalchemy import (
    Computed,
    ForeignKey,
    Index,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from tradeline.models.base import Base, TenantMixin, encrypted, utcnow

# The text-search configuration of a chunk follows its detected language. The expression is
# written as PostgreSQL prints it back, so `alembic check` sees no difference.
TSV_EXPRESSION = (
    "(setweight(to_tsvector("
    "CASE WHEN ((language)::text = 'fr'::text) THEN 'french'::regconfig "
    "ELSE 'english'::regconfig END, COALESCE(heading, ''::text)), 'A'::\"char\") || "
    "setweight(to_tsvector("
    "CASE WHEN ((language)::text = 'fr'::text) THEN 'french'::regconfig "
    "ELSE 'english'::regconfig END, body), 'B'::\"char\"))"
)

# Dimensions with an HNSW index (MiniLM 384, OpenAI text-embedding-3-small 1536). Any other
# dimension still works, by exact scan of the business's own rows.
INDEXED_DIMENSIONS = (384, 1536)
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 128


def hnsw_index_name(dim: int) -> str:
    return f"ix_knowledge_embeddings_hnsw_{dim}"


class KnowledgeSource(TenantMixin, Base):
    """One ingested document (file, upload, or one FAQ entry of the profile)."""

    __tablename__ = "knowledge_sources"
    __table_args__ = (
        UniqueConstraint("organization_id", "uri", name="uq_knowledge_sources_org_uri"),
        Index("ix_knowledge_sources_org_hash", "organization_id", "content_hash"),
    )

    source_type: Mapped[str] = mapped_column(String(16))
    uri: Mapped[str] = mapped_column(String(1000))
    title: Mapped[str | None] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(5))
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    chunk_count: Mapped[int] = mapped_column(default=0)
    token_count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class KnowledgeChunk(TenantMixin, Base):
    """A passage of at most 256 word-pieces, with its section heading as context."""

    __tablename__ = "knowledge_chunks"
    __table_args__ = (
        Index("ix_knowledge_chunks_source_ordinal", "source_id", "ordinal"),
        Index("ix_knowledge_chunks_tsv", "tsv", postgresql_using="gin"),
    )

    source_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("knowledge_sources.id", ondelete="CASCADE")
    )
    ordinal: Mapped[int]
    source_type: Mapped[str] = mapped_column(String(16))
    heading: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(5))
    token_count: Mapped[int]
    # sha256 of the exact text that is embedded (heading + body): unchanged passages of a
    # re-ingested document keep their vectors instead of being embedded again.
    text_hash: Mapped[str] = mapped_column(String(64))
    tsv: Mapped[str | None] = mapped_column(TSVECTOR, Computed(TSV_EXPRESSION, persisted=True))


class KnowledgeEmbedding(TenantMixin, Base):
    """The vector of one chunk under one model."""

    __tablename__ = "knowledge_embeddings"
    __table_args__ = (
        UniqueConstraint("chunk_id", "model", name="uq_knowledge_embeddings_chunk_model"),
        Index("ix_knowledge_embeddings_org_model", "organization_id", "model"),
        *(
            Index(
                hnsw_index_name(dim),
                literal_column(f"(embedding::vector({dim}))").label(f"embedding_{dim}"),
                postgresql_using="hnsw",
                postgresql_ops={f"embedding_{dim}": "vector_cosine_ops"},
                postgresql_with={"m": HNSW_M, "ef_construction": HNSW_EF_CONSTRUCTION},
                postgresql_where=text(f"dim = {dim}"),
            )
            for dim in INDEXED_DIMENSIONS
        ),
    )

    chunk_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("knowledge_chunks.id", ondelete="CASCADE")
    )
    model: Mapped[str] = mapped_column(String(100))
    dim: Mapped[int]
    # Copied from the chunk so the vector search filters inside the index scan, without a join.
    language: Mapped[str] = mapped_column(String(5))
    source_type: Mapped[str] = mapped_column(String(16))
    # Nullable only so generic tooling can insert a row without a vector; the service always
    # writes one, and HNSW skips NULLs.
    embedding: Mapped[Any] = mapped_column(VECTOR(), nullable=True)


class KnowledgeTerm(TenantMixin, Base):
    """How many of a business's chunks contain a full-text lexeme (its document frequency).

    Kept exact by a statement-level trigger on `knowledge_chunks` (migration 0005). The lexical
    search reads it to leave out the words too common in this knowledge base to tell passages
    apart, which bounds the work of every full-text query (see `repository.search`).
    """

    __tablename__ = "knowledge_terms"
    __table_args__ = (
        UniqueConstraint("organization_id", "lexeme", name="uq_knowledge_terms_org_lexeme"),
    )

    lexeme: Mapped[str] = mapped_column(Text)
    df: Mapped[int] = mapped_column(default=0)


class KnowledgePosting(Base):
    """The full-text inverted index of a business: one row per (lexeme, chunk), from the chunk's
    tsvector, kept exact by the same trigger as `knowledge_terms`.

    Why not only GIN: `tsvector @@ tsquery` is not a leakproof operator, so under row-level
    security Postgres may not use it in an index scan before the tenant policy, and the lexical
    search degrades to a scan of every chunk of the business (≈ 230 ms at 100k chunks). Equality
    on (organization_id, lexeme) is leakproof: the primary key serves the lexical search under
    RLS in well under a millisecond. The GIN index stays for ad-hoc full-text queries.
    """

    __tablename__ = "knowledge_postings"
    __table_args__ = (
        # Covering: the search reads (lexeme → chunk, in heading?) by index-only scans.
        PrimaryKeyConstraint(
            "organization_id",
            "lexeme",
            "chunk_id",
            name="pk_knowledge_postings",
            postgresql_include=["in_heading"],
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    lexeme: Mapped[str] = mapped_column(Text)
    chunk_id: Mapped[uuid.UUID]
    in_heading: Mapped[bool] = mapped_column(default=False)
    # Tenant tables carry an `id` by convention (generic tooling addresses rows by it); the
    # key of a posting is (organization, lexeme, chunk) and the trigger leaves this empty.
    id: Mapped[uuid.UUID | None]


class KnowledgeGap(TenantMixin, Base):
    """A caller question the knowledge base could not answer, for the owner to fill."""

    __tablename__ = "knowledge_gaps"
    __table_args__ = (Index("ix_knowledge_gaps_org_last_seen", "organization_id", "last_seen_at"),)

    question_enc: Mapped[bytes] = mapped_column(LargeBinary)
    language: Mapped[str | None] = mapped_column(String(5))
    count: Mapped[int] = mapped_column(default=1)
    best_confidence: Mapped[float | None]
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


encrypted("knowledge_gaps", "question_enc")

__all__ = [
    "INDEXED_DIMENSIONS",
    "KnowledgeChunk",
    "KnowledgeEmbedding",
    "KnowledgeGap",
    "KnowledgePosting",
    "KnowledgeSource",
    "KnowledgeTerm",
]
