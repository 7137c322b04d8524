"""knowledge base: sources, chunks (full text), embeddings (HNSW per dimension), postings, gaps

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 22:00:00+00:00

Vectors: one `knowledge_embeddings` row per (chunk, model) with a dimension-free `vector` column,
the model's name and its dimension. Each indexed dimension gets a partial HNSW index on an
expression cast to that dimension (`(embedding::vector(384)) WHERE dim = 384`; 1536 for OpenAI
text-embedding-3-small); any other dimension is searched exactly over the business's own rows.
Why this and not a fixed `vector(384)` column on the chunk:
- a model switch (MiniLM 384 → OpenAI 1536) re-embeds beside the live vectors, then drops the
  old ones; a search reads only the active model's rows, so two models never mix;
- one table and one set of RLS policies, instead of a table per dimension;
- full-precision `vector`, not `halfvec`: the 384-d index of 100k chunks is ~200 MB, cached on a
  small box, and the bench met its targets without quantisation (halfvec would halve it: the
  first knob if memory gets tight). HNSW m = 16, ef_construction = 128 (recall, see the bench).

Full text: `tsv` is a stored generated column computed with the chunk's own language
configuration (english / french), heading weighted A, body B, under a GIN index. The hot path
reads `knowledge_postings` (lexeme → chunk) and `knowledge_terms` (document frequencies), both
kept by triggers from `tsv`: `@@` is not leakproof, so under RLS the GIN index cannot serve a
tenant's search (see models/knowledge.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import VECTOR
from sqlalchemy.dialects import postgresql

from tradeline.models.rls import enable_tenant_rls, grant_app

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model's constants: a migration must not change when the model does.
INDEXED_DIMENSIONS = (384, 1536)
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 128
_CONFIG = (
    "CASE WHEN ((language)::text = 'fr'::text) THEN 'french'::regconfig "
    "ELSE 'english'::regconfig END"
)
TSV_EXPRESSION = (
    f"(setweight(to_tsvector({_CONFIG}, COALESCE(heading, ''::text)), 'A'::\"char\") || "
    f"setweight(to_tsvector({_CONFIG}, body), 'B'::\"char\"))"
)

TABLES = (
    "knowledge_sources",
    "knowledge_chunks",
    "knowledge_embeddings",
    "knowledge_terms",
    "knowledge_postings",
    "knowledge_gaps",
)

# Document frequency of each lexeme per business, and the postings (lexeme → chunk), kept exact
# by statement-level triggers over the transition tables (one set-based statement per change, so
# COPY and bulk inserts stay fast); the empty lexeme (never a real one) counts the business's
# chunks, for IDF. Postings exist because `@@` is not leakproof: under RLS the GIN index cannot
# serve the search (see models/knowledge.py). It runs as the invoking
# role, under the same tenant policies. Rows at df 0 are kept (the vocabulary is bounded) and
# ignored by the search.
TERMS_FUNCTION = """
CREATE OR REPLACE FUNCTION tradeline_knowledge_terms_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE knowledge_terms t SET df = t.df - gone.n
    FROM (
      SELECT o.organization_id, l.lexeme, count(*) AS n
      FROM old_chunks o, unnest(tsvector_to_array(o.tsv)) AS l(lexeme)
      GROUP BY 1, 2
      UNION ALL
      SELECT o.organization_id, '', count(*) FROM old_chunks o GROUP BY 1
    ) AS gone
    WHERE t.organization_id = gone.organization_id AND t.lexeme = gone.lexeme;
    DELETE FROM knowledge_postings p
    USING (
      SELECT o.organization_id, l.lexeme, o.id
      FROM old_chunks o, unnest(tsvector_to_array(o.tsv)) AS l(lexeme)
    ) AS gone
    WHERE p.organization_id = gone.organization_id AND p.lexeme = gone.lexeme
      AND p.chunk_id = gone.id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO knowledge_terms (id, organization_id, lexeme, df)
    SELECT gen_random_uuid(), added.organization_id, added.lexeme, added.n
    FROM (
      SELECT n.organization_id, l.lexeme, count(*) AS n
      FROM new_chunks n, unnest(tsvector_to_array(n.tsv)) AS l(lexeme)
      GROUP BY 1, 2
      UNION ALL
      SELECT n.organization_id, '', count(*) FROM new_chunks n GROUP BY 1
    ) AS added
    ORDER BY added.organization_id, added.lexeme
    ON CONFLICT (organization_id, lexeme) DO UPDATE SET df = knowledge_terms.df + EXCLUDED.df;
    INSERT INTO knowledge_postings (organization_id, lexeme, chunk_id, in_heading)
    SELECT n.organization_id, l.lexeme, n.id, 'A' = ANY(l.weights)
    FROM new_chunks n, unnest(n.tsv) AS l;
  END IF;
  RETURN NULL;
END $$
"""


def _common() -> list[sa.Column[object]]:
    return [
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    ]


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organization_id"],
        ["organizations.id"],
        name=f"fk_{table}_organization_id_organizations",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table(
        "knowledge_sources",
        sa.Column("source_type", sa.String(length=16), nullable=False),
        sa.Column("uri", sa.String(length=1000), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("meta", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("token_count", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *_common(),
        _org_fk("knowledge_sources"),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_sources"),
        sa.UniqueConstraint("organization_id", "uri", name="uq_knowledge_sources_org_uri"),
    )
    op.create_index(
        "ix_knowledge_sources_organization_id", "knowledge_sources", ["organization_id"]
    )
    op.create_index(
        "ix_knowledge_sources_org_hash", "knowledge_sources", ["organization_id", "content_hash"]
    )

    op.create_table(
        "knowledge_chunks",
        sa.Column("source_id", sa.UUID(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("source_type", sa.String(length=16), nullable=False),
        sa.Column("heading", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("token_count", sa.Integer(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "tsv",
            postgresql.TSVECTOR(),
            sa.Computed(TSV_EXPRESSION, persisted=True),
            nullable=True,
        ),
        *_common(),
        _org_fk("knowledge_chunks"),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["knowledge_sources.id"],
            name="fk_knowledge_chunks_source_id_knowledge_sources",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_chunks"),
    )
    op.create_index("ix_knowledge_chunks_organization_id", "knowledge_chunks", ["organization_id"])
    op.create_index(
        "ix_knowledge_chunks_source_ordinal", "knowledge_chunks", ["source_id", "ordinal"]
    )
    op.create_index("ix_knowledge_chunks_tsv", "knowledge_chunks", ["tsv"], postgresql_using="gin")

    op.create_table(
        "knowledge_embeddings",
        sa.Column("chunk_id", sa.UUID(), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("source_type", sa.String(length=16), nullable=False),
        sa.Column("embedding", VECTOR(), nullable=True),
        *_common(),
        _org_fk("knowledge_embeddings"),
        sa.ForeignKeyConstraint(
            ["chunk_id"],
            ["knowledge_chunks.id"],
            name="fk_knowledge_embeddings_chunk_id_knowledge_chunks",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_embeddings"),
        sa.UniqueConstraint("chunk_id", "model", name="uq_knowledge_embeddings_chunk_model"),
    )
    op.create_index(
        "ix_knowledge_embeddings_organization_id", "knowledge_embeddings", ["organization_id"]
    )
    op.create_index(
        "ix_knowledge_embeddings_org_model", "knowledge_embeddings", ["organization_id", "model"]
    )
    for dim in INDEXED_DIMENSIONS:
        op.execute(
            f"CREATE INDEX ix_knowledge_embeddings_hnsw_{dim} ON knowledge_embeddings "
            f"USING hnsw ((embedding::vector({dim})) vector_cosine_ops) "
            f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION}) "
            f"WHERE dim = {dim}"
        )

    op.create_table(
        "knowledge_terms",
        sa.Column("lexeme", sa.Text(), nullable=False),
        sa.Column("df", sa.Integer(), nullable=False),
        *_common(),
        _org_fk("knowledge_terms"),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_terms"),
        sa.UniqueConstraint("organization_id", "lexeme", name="uq_knowledge_terms_org_lexeme"),
    )
    op.create_index("ix_knowledge_terms_organization_id", "knowledge_terms", ["organization_id"])
    op.create_table(
        "knowledge_postings",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("lexeme", sa.Text(), nullable=False),
        sa.Column("chunk_id", sa.UUID(), nullable=False),
        sa.Column("in_heading", sa.Boolean(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=True),
        _org_fk("knowledge_postings"),
        sa.PrimaryKeyConstraint(
            "organization_id",
            "lexeme",
            "chunk_id",
            name="pk_knowledge_postings",
            postgresql_include=["in_heading"],
        ),
    )
    op.execute(TERMS_FUNCTION)
    op.execute(
        "CREATE TRIGGER knowledge_terms_on_insert AFTER INSERT ON knowledge_chunks "
        "REFERENCING NEW TABLE AS new_chunks "
        "FOR EACH STATEMENT EXECUTE FUNCTION tradeline_knowledge_terms_sync()"
    )
    op.execute(
        "CREATE TRIGGER knowledge_terms_on_delete AFTER DELETE ON knowledge_chunks "
        "REFERENCING OLD TABLE AS old_chunks "
        "FOR EACH STATEMENT EXECUTE FUNCTION tradeline_knowledge_terms_sync()"
    )
    op.execute(
        "CREATE TRIGGER knowledge_terms_on_update AFTER UPDATE ON knowledge_chunks "
        "REFERENCING OLD TABLE AS old_chunks NEW TABLE AS new_chunks "
        "FOR EACH STATEMENT EXECUTE FUNCTION tradeline_knowledge_terms_sync()"
    )

    op.create_table(
        "knowledge_gaps",
        sa.Column("question_enc", sa.LargeBinary(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("best_confidence", sa.Float(), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        *_common(),
        _org_fk("knowledge_gaps"),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_gaps"),
    )
    op.create_index("ix_knowledge_gaps_organization_id", "knowledge_gaps", ["organization_id"])
    op.create_index(
        "ix_knowledge_gaps_org_last_seen", "knowledge_gaps", ["organization_id", "last_seen_at"]
    )

    for table in TABLES:
        enable_tenant_rls(op, table)
        grant_app(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
    op.execute("DROP FUNCTION IF EXISTS tradeline_knowledge_terms_sync()")
