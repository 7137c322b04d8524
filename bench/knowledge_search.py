"""Knowledge base: query embedding, hybrid search at 1k / 10k / 100k chunks, ingest throughput.

    .venv/bin/python bench/knowledge_search.py [--sizes 1000,10000,100000] [--queries 200]
                                              [--json]

What is measured, each on its own:

* ingest: 60 realistic documents (sentences of tests/knowledge/corpus recombined under numbered
  headings) through the path `tradeline kb ingest` takes (extract → chunk → embed → store,
  `service.store_many`), in embedded tokens per second; plus the model alone at batch sizes
  8/16/32.
* query embedding: one question at a time through `service.embed_query` (the local int8 ONNX
  model on a worker thread), as a call pays it.
* search: `service.search` with the query vector given, inside a tenant transaction (as a
  request or a call turn runs it), for one business holding N chunks; each arm alone; and the
  same call timed with its own BEGIN / tenant setting / COMMIT around it.
* HNSW recall@10 of the vector arm against exact numpy search, for several `hnsw.ef_search`.

Corpus: synthetic chunks of ~150 words from a Zipf vocabulary (real trade words + pseudo-words),
bulk-loaded with binary COPY (the full-text column and the document-frequency trigger run as in
production; indexes are built after the load). Vectors: the real MiniLM vectors of the ingest
run's chunks as centres, and for each synthetic chunk a unit vector mixing two centres plus
Gaussian noise (cosine to its main centre ≈ 0.8) — the clustered shape of real embeddings, which
uniform random vectors do not have. Queries: the labelled questions and word-salad queries from
the corpus vocabulary, embedded by the real model.

Uses a throw-away embedded Postgres (or TRADELINE_TEST_DATABASE_URL's server).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

import psycopg  # noqa: E402
from pgvector import Vector  # noqa: E402
from pgvector.psycopg import register_vector  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from tests.knowledge.corpus_tools import (  # noqa: E402
    SHARED_QUESTIONS,
    corpus_files,
    load_questions,
)

from tradeline.config import Settings  # noqa: E402
from tradeline.db import DatabaseTarget, run_migrations, tenant_session  # noqa: E402
from tradeline.kit.embedded_postgres import start_embedded  # noqa: E402
from tradeline.knowledge import service  # noqa: E402
from tradeline.knowledge.embedding import LOCAL_MODEL, LocalEmbedder, local_embedder  # noqa: E402
from tradeline.knowledge.extract import extract  # noqa: E402
from tradeline.knowledge.linguistics import split_sentences  # noqa: E402
from tradeline.logging import configure_logging  # noqa: E402
from tradeline.runtime import Runtime, build_runtime  # noqa: E402

KEYS = "k1:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="
BLIND = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="
TRADE_WORDS = [
    "water",
    "heater",
    "drain",
    "furnace",
    "boiler",
    "pipe",
    "leak",
    "repair",
    "replace",
    "install",
    "service",
    "call",
    "fee",
    "price",
    "estimate",
    "warranty",
    "tank",
    "gas",
    "electric",
    "tankless",
    "sump",
    "pump",
    "valve",
    "sewer",
    "camera",
    "inspection",
    "hydro",
    "jetting",
    "plumber",
    "emergency",
    "hours",
    "weekend",
    "holiday",
    "invoice",
    "payment",
    "visa",
    "debit",
    "parking",
    "van",
    "licence",
    "permit",
    "renovation",
    "bathroom",
    "kitchen",
    "faucet",
    "toilet",
    "shower",
    "basement",
    "flood",
    "backflow",
    "pressure",
    "thermostat",
    "filter",
    "humidifier",
    "heat",
    "cooling",
    "vent",
    "chimney",
    "rebate",
    "financing",
    "membership",
]
STOP = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "for",
    "on",
    "with",
    "we",
    "our",
    "you",
    "your",
    "are",
    "be",
    "at",
    "by",
    "this",
    "that",
    "it",
    "or",
    "as",
    "from",
]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ter",
    "van",
    "pro",
    "sel",
    "dra",
    "quin",
    "bo",
    "re",
    "tal",
    "nes",
    "por",
    "gu",
    "fen",
    "li",
    "mar",
    "cos",
    "ti",
    "an",
    "ber",
    "dul",
    "ex",
]


def pct(samples: list[float], q: int) -> float:
    return (
        statistics.quantiles(samples, n=100, method="inclusive")[q - 1]
        if len(samples) > 1
        else samples[0]
    )


def ms(samples: list[float]) -> dict[str, float]:
    return {"p50_ms": round(pct(samples, 50) * 1e3, 2), "p95_ms": round(pct(samples, 95) * 1e3, 2)}


class Vocabulary:
    def __init__(self, rng: np.random.Generator, size: int = 6000) -> None:
        pyrng = random.Random(7)
        words = list(TRADE_WORDS)
        while len(words) < size:
            word = "".join(pyrng.choices(SYLLABLES, k=pyrng.randint(2, 4)))
            if word not in words:
                words.append(word)
        self.words = np.array(words)
        ranks = np.arange(1, size + 1)
        weights = 1 / ranks**1.07
        self.p = weights / weights.sum()
        self.rng = rng

    def sample(self, n: int) -> np.ndarray:
        return self.words[self.rng.choice(len(self.words), size=n, p=self.p)]

    def chunks(self, n: int, words_per_chunk: int = 150) -> list[tuple[str, str]]:
        content = self.sample(n * words_per_chunk).reshape(n, words_per_chunk)
        stops = self.rng.random((n, words_per_chunk)) < 0.4
        stop_words = np.array(STOP)[self.rng.integers(0, len(STOP), (n, words_per_chunk))]
        words = np.where(stops, stop_words, content)
        heads = self.sample(n * 2).reshape(n, 2)
        out = []
        for i in range(n):
            row = words[i]
            sentences = [
                " ".join(row[j : j + 15]).capitalize() + "." for j in range(0, words_per_chunk, 15)
            ]
            out.append((f"Section {heads[i, 0]} {heads[i, 1]}", " ".join(sentences)))
        return out


def synthetic_vectors(centres: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    main = centres[rng.integers(0, len(centres), n)]
    other = centres[rng.integers(0, len(centres), n)]
    noise = rng.standard_normal((n, centres.shape[1])).astype(np.float32) / np.sqrt(
        centres.shape[1]
    )
    mixed = main + 0.35 * other + 0.6 * noise
    unit: np.ndarray = (mixed / np.linalg.norm(mixed, axis=1, keepdims=True)).astype(np.float32)
    return unit


def ingest_documents(count: int = 60) -> list[tuple[str, bytes]]:
    """Realistic documents: the corpus's sentences recombined under numbered headings."""
    sentences: list[str] = []
    for name, data in corpus_files():
        if name.endswith(".pdf"):
            continue
        document = extract(data, name)
        for section in document.sections:
            for block in section.blocks:
                sentences.extend(s for s in split_sentences(block) if len(s.split()) >= 5)
    rng = random.Random(11)
    docs = []
    for d in range(count):
        parts = [f"# Service handbook {d}"]
        for s in range(3):
            parts.append(f"## Topic {d}.{s}")
            parts.append(" ".join(rng.sample(sentences, 9)))
        docs.append((f"handbook-{d}.md", "\n\n".join(parts).encode()))
    return docs


def queries(count: int, vocabulary: Vocabulary) -> list[str]:
    labelled, negatives, _ = load_questions()
    shared, _, _ = load_questions(SHARED_QUESTIONS)
    natural = [q.q for q in labelled] + [q.q for q in shared] + negatives
    rng = random.Random(3)
    out = list(natural)
    while len(out) < count:
        out.append(" ".join(vocabulary.sample(rng.randint(3, 6))) + "?")
    return out[:count]


def create_database(admin_url: str, name: str, template: str | None = None) -> str:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(
            text(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        )
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def libpq(url: str) -> str:
    parsed = make_url(url)
    host = parsed.query.get("host") or parsed.host or "localhost"
    return f"host={host} dbname={parsed.database} user={parsed.username or 'postgres'}"


def bulk_load(
    url: str, org_id: uuid.UUID, chunks: list[tuple[str, str]], vectors: np.ndarray
) -> tuple[dict[str, float], list[uuid.UUID]]:
    """COPY the chunks and vectors for one business, then build the indexes (as the owner)."""
    timings: dict[str, float] = {}
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        register_vector(conn)
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute(
            "INSERT INTO organizations (id, name, slug, timezone, country, is_active) "
            "VALUES (%s, 'bench', %s, 'UTC', 'CA', true)",
            (org_id, f"bench-{org_id.hex[:8]}"),
        )
        source_id = uuid.uuid4()
        conn.execute(
            "INSERT INTO knowledge_sources (id, organization_id, source_type, uri, content_hash, "
            "language, meta, chunk_count, token_count, updated_at) "
            "VALUES (%s, %s, 'markdown', 'bench.md', 'x', 'en', '{}', %s, 0, now())",
            (source_id, org_id, len(chunks)),
        )
        # A bulk import's usual order: indexes dropped, rows copied, indexes built once.
        conn.execute("DROP INDEX ix_knowledge_embeddings_hnsw_384")
        conn.execute("DROP INDEX ix_knowledge_chunks_tsv")
        conn.execute("ALTER TABLE knowledge_postings DROP CONSTRAINT pk_knowledge_postings")
        ids = [uuid.uuid4() for _ in chunks]
        started = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy(
                "COPY knowledge_chunks (id, organization_id, source_id, ordinal, source_type, "
                "heading, body, language, token_count, text_hash) FROM STDIN"
            ) as copy:
                for i, (heading, body) in enumerate(chunks):
                    copy.write_row(
                        (
                            ids[i],
                            org_id,
                            source_id,
                            i,
                            "markdown",
                            heading,
                            body,
                            "en",
                            200,
                            f"h{i}",
                        )
                    )
            timings["copy_chunks_s"] = time.perf_counter() - started
            started = time.perf_counter()
            with cur.copy(
                "COPY knowledge_embeddings (id, organization_id, chunk_id, model, dim, language, "
                "source_type, embedding) FROM STDIN WITH (FORMAT BINARY)"
            ) as copy:
                copy.set_types(
                    ["uuid", "uuid", "uuid", "varchar", "int4", "varchar", "varchar", "vector"]
                )
                for i, chunk_id in enumerate(ids):
                    copy.write_row(
                        (
                            uuid.uuid4(),
                            org_id,
                            chunk_id,
                            LOCAL_MODEL,
                            384,
                            "en",
                            "markdown",
                            vectors[i],
                        )
                    )
            timings["copy_vectors_s"] = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute(
            "CREATE INDEX ix_knowledge_embeddings_hnsw_384 ON knowledge_embeddings "
            "USING hnsw ((embedding::vector(384)) vector_cosine_ops) "
            "WITH (m = 16, ef_construction = 128) WHERE dim = 384"
        )
        timings["hnsw_build_s"] = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute(
            "ALTER TABLE knowledge_postings ADD CONSTRAINT pk_knowledge_postings "
            "PRIMARY KEY (organization_id, lexeme, chunk_id) INCLUDE (in_heading)"
        )
        timings["postings_index_s"] = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute("CREATE INDEX ix_knowledge_chunks_tsv ON knowledge_chunks USING gin (tsv)")
        timings["gin_build_s"] = time.perf_counter() - started
        conn.execute("VACUUM ANALYZE knowledge_chunks")
        conn.execute("VACUUM ANALYZE knowledge_embeddings")
        conn.execute("VACUUM ANALYZE knowledge_terms")
        conn.execute("VACUUM ANALYZE knowledge_postings")
        counted = conn.execute("SELECT count(*) FROM knowledge_postings").fetchone()
        timings["postings"] = float(counted[0]) if counted else 0.0
        # Warm the caches the way a running server has them.
        conn.execute("SELECT count(*) FROM knowledge_chunks WHERE organization_id = %s", (org_id,))
    return {k: round(v, 2) for k, v in timings.items()}, ids


async def measure_ingest(runtime: Runtime, org_id: uuid.UUID) -> tuple[dict[str, Any], np.ndarray]:
    docs = ingest_documents()
    embedder = local_embedder()
    embedder.load()
    before = embedder.tokens_embedded
    tokens = 0
    started = time.perf_counter()
    prepared = [service.prepare_file(data, name, name) for name, data in docs]
    async with tenant_session(runtime.maker, org_id) as session:
        for result in await service.store_many(session, org_id, prepared, embedder):
            tokens += result.tokens_embedded
    elapsed = time.perf_counter() - started
    model_tokens = embedder.tokens_embedded - before
    async with tenant_session(runtime.maker, org_id) as session:
        rows = await session.execute(
            text(
                "SELECT c.heading, c.body, e.embedding FROM knowledge_embeddings e "
                "JOIN knowledge_chunks c ON c.id = e.chunk_id"
            )
        )
        fetched = rows.all()
    centres = np.array([Vector.from_text(r[2]).to_numpy() for r in fetched], dtype=np.float32)
    texts = [f"{r[0]}\n{r[1]}" for r in fetched][:128]
    batches: dict[str, float] = {}
    for size in (8, 16, 32):
        model = LocalEmbedder(batch_size=size)
        model.load()
        model.encode(texts[:16])
        model.tokens_embedded = 0
        t0 = time.perf_counter()
        model.encode(texts)
        batches[f"batch_{size}_tokens_per_s"] = round(
            model.tokens_embedded / (time.perf_counter() - t0)
        )
    return (
        {
            "documents": len(docs),
            "chunks": len(centres),
            "embedded_tokens": tokens,
            "model_tokens": model_tokens,
            "seconds": round(elapsed, 2),
            "ingest_tokens_per_s": round(tokens / elapsed),
            "avg_chunk_tokens": round(tokens / max(len(centres), 1)),
            **batches,
        },
        centres,
    )


async def measure_queries(qs: list[str]) -> tuple[dict[str, float], np.ndarray]:
    embedder = local_embedder()
    for q in qs[:10]:
        await service.embed_query(embedder, q)
    samples = []
    vectors = []
    for q in qs:
        t0 = time.perf_counter()
        vector = await service.embed_query(embedder, q)
        samples.append(time.perf_counter() - t0)
        if vector is None:
            raise RuntimeError("the local model cannot fail")
        vectors.append(vector)
    return ms(samples), np.array(vectors)


async def measure_search(
    runtime: Runtime, org_id: uuid.UUID, qs: list[str], vectors: np.ndarray
) -> dict[str, Any]:
    async def run(use_vector: bool, use_text: bool, own_transaction: bool = False) -> list[float]:
        samples = []
        for q, v in zip(qs, vectors, strict=True):
            t0 = time.perf_counter()
            async with tenant_session(runtime.maker, org_id) as session:
                t1 = time.perf_counter()
                await service.search(
                    session,
                    runtime,
                    org_id,
                    q if use_text else "",
                    top_k=8,
                    vector=v if use_vector else None,
                    embedder=_NoEmbedder() if not use_vector else None,
                )
                t2 = time.perf_counter()
            samples.append(time.perf_counter() - t0 if own_transaction else t2 - t1)
        return samples

    await run(True, True)  # warm-up pass
    return {
        "hybrid": ms(await run(True, True)),
        "vector_only": ms(await run(True, False)),
        "lexical_only": ms(await run(False, True)),
        "hybrid_with_own_transaction": ms(await run(True, True, own_transaction=True)),
    }


class _NoEmbedder:
    """Lexical-only measurement: the provider is 'down', search runs its full-text arm."""

    name = LOCAL_MODEL

    async def embed(self, texts: Any) -> np.ndarray:
        from tradeline.exceptions import ServiceUnavailable

        raise ServiceUnavailable("bench: full-text arm only")


def hnsw_recall(
    url: str, org_id: uuid.UUID, corpus: np.ndarray, ids: list[uuid.UUID], rng: np.random.Generator
) -> dict[str, Any]:
    """Recall of the vector arm against exact numpy search, per `hnsw.ef_search`: recall@10,
    and the share of the exact top 3 inside the arm's pool of 30 (what fusion sees). Queries
    are in-distribution (corpus points moved by noise): off-distribution questions have no
    true neighbours in a synthetic corpus, so their "exact top 10" is arbitrary."""
    picks = corpus[rng.integers(0, len(corpus), 100)]
    noise = rng.standard_normal(picks.shape).astype(np.float32) * 0.5 / np.sqrt(corpus.shape[1])
    queries_ = picks + noise
    queries_ /= np.linalg.norm(queries_, axis=1, keepdims=True)
    exact = np.argsort(-(queries_ @ corpus.T), axis=1)[:, :10]
    index_of = {cid: i for i, cid in enumerate(ids)}
    out: dict[str, Any] = {}
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        register_vector(conn)
        conn.execute("SET hnsw.iterative_scan = relaxed_order")
        for ef in (40, 64, 100):
            conn.execute(f"SET hnsw.ef_search = {ef}")
            at10 = top3 = 0
            samples = []
            for qi, q in enumerate(queries_):
                t0 = time.perf_counter()
                rows = conn.execute(
                    "SELECT chunk_id FROM knowledge_embeddings WHERE organization_id = %s "
                    "AND model = %s AND dim = 384 "
                    "ORDER BY embedding::vector(384) <=> %s::vector(384) LIMIT 30",
                    (org_id, LOCAL_MODEL, q),
                ).fetchall()
                samples.append(time.perf_counter() - t0)
                got = [index_of[r[0]] for r in rows]
                at10 += len(set(got[:10]) & set(exact[qi].tolist()))
                top3 += len(set(got) & set(exact[qi, :3].tolist()))
            out[f"ef_search_{ef}"] = {
                "recall_at_10": round(at10 / (10 * len(queries_)), 3),
                "exact_top3_in_pool": round(top3 / (3 * len(queries_)), 3),
                **ms(samples),
            }
    return out


def drop_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    engine.dispose()


def main(sizes: list[int], query_count: int, as_json: bool) -> None:
    configure_logging("ERROR")
    external = os.environ.get("TRADELINE_TEST_DATABASE_URL")
    data_dir = Path(tempfile.mkdtemp(prefix="tl-bench-kb-"))
    data_dir.chmod(0o755)
    handle = None
    if external:
        admin = external
    else:
        handle = start_embedded(data_dir)
        admin = handle.url(database="postgres")
    settings = Settings(
        data_dir=data_dir / "var", encryption_keys=KEYS, blind_index_key=BLIND, redis_url=None
    )
    template = f"tl_bench_kb_template_{uuid.uuid4().hex[:6]}"
    template_url = create_database(admin, template)
    run_migrations(template_url)
    report: dict[str, Any] = {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()[0]}
    rng = np.random.default_rng(42)
    vocabulary = Vocabulary(rng)
    qs = queries(query_count, vocabulary)
    try:
        ingest_url = create_database(admin, f"{template}_ingest", template)

        async def ingest_phase() -> tuple[dict[str, Any], np.ndarray, dict[str, float], np.ndarray]:
            runtime = build_runtime(settings, DatabaseTarget(ingest_url, ingest_url, True))
            try:
                from tests.factories import make_org

                org = await make_org(runtime, "Bench Ingest")
                ingest, centres = await measure_ingest(runtime, org.org_id)
                embed, qvecs = await measure_queries(qs)
                return ingest, centres, embed, qvecs
            finally:
                await runtime.close()

        ingest, centres, embed, qvecs = asyncio.run(ingest_phase())
        report["ingest"] = ingest
        report["query_embedding"] = embed
        report["search"] = {}
        for size in sizes:
            url = create_database(admin, f"{template}_{size}", template)
            org_id = uuid.uuid4()
            t0 = time.perf_counter()
            chunks = Vocabulary(np.random.default_rng(size)).chunks(size)
            vectors = synthetic_vectors(centres, size, np.random.default_rng(size + 1))
            generated = time.perf_counter() - t0
            load, ids = bulk_load(url, org_id, chunks, vectors)

            async def search_phase(url: str = url, org_id: uuid.UUID = org_id) -> dict[str, Any]:
                runtime = build_runtime(settings, DatabaseTarget(url, url, True))
                try:
                    return await measure_search(runtime, org_id, qs, qvecs)
                finally:
                    await runtime.close()

            figures = asyncio.run(search_phase())
            entry: dict[str, Any] = {"generate_s": round(generated, 1), **load, **figures}
            if size >= 10_000:
                entry["hnsw"] = hnsw_recall(url, org_id, vectors, ids, np.random.default_rng(5))
            report["search"][str(size)] = entry
            drop_database(admin, f"{template}_{size}")
        drop_database(admin, f"{template}_ingest")
        drop_database(admin, template)
    finally:
        if handle is not None:
            handle.release()
    if as_json:
        print(json.dumps(report, indent=2))
        return
    print(f"cpus={report['cpus']} load at start={report['load_average_at_start']:.2f}")
    print(f"ingest: {json.dumps(report['ingest'])}")
    print(f"query embedding: {report['query_embedding']}")
    for size, entry in report["search"].items():
        print(f"{size} chunks: {json.dumps(entry)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    main([int(s) for s in args.sizes.split(",")], args.queries, args.json)
