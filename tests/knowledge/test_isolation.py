"""Business A asks 1,000 questions written to match business B's canary documents: none of B's
chunks is ever returned or cited. Both walls are checked: the SQL's own organization filter
(service layer) and row-level security alone (a query naming B from A's transaction)."""

from __future__ import annotations

import random
import uuid

import httpx
from sqlalchemy import text
from tests.knowledge.conftest import CANARY_DOCS, KbWorld

from tradeline.db import tenant_session
from tradeline.knowledge import answer as answering
from tradeline.knowledge import repository, service
from tradeline.knowledge.embedding import LOCAL_MODEL, local_embedder
from tradeline.knowledge.linguistics import split_sentences

CANARY_TERMS = [
    "Zephyr Quokka",
    "quokka descaling",
    "marmalite deposits",
    "xylophone valve",
    "Tartan Octopus",
    "vermilion sludge",
    "Plutonia",
    "Quibbleton",
    "octopus crawler camera",
    "Nébuleuse Aubergine",
    "chaudières zirconiennes",
    "$7,777",
    "$6,543 per metre",
    "43 years",
]
TEMPLATES = [
    "How much does the {} cost?",
    "Do you offer {}?",
    "Tell me about {}",
    "{}",
    "Is {} guaranteed?",
    "Combien coûte {} ?",
    "Can you come to {} for {}?",
    "What is {} and {}?",
]


def canary_queries(n: int) -> list[str]:
    """Deterministic questions built from B's own words and sentences."""
    rng = random.Random(20261122)
    sentences = [s for doc in CANARY_DOCS.values() for s in split_sentences(doc) if len(s) > 12]
    out: list[str] = []
    while len(out) < n:
        template = rng.choice(TEMPLATES)
        if rng.random() < 0.2:
            out.append(rng.choice(sentences).lstrip("# "))
            continue
        slots = template.count("{}")
        out.append(template.format(*rng.sample(CANARY_TERMS, slots)))
    return out


async def _chunk_ids(world: KbWorld, org_id: uuid.UUID) -> set[uuid.UUID]:
    async with tenant_session(world.runtime.maker, org_id) as session:
        rows = await session.execute(text("SELECT id FROM knowledge_chunks"))
        return {r[0] for r in rows}


async def test_a_thousand_canary_questions_from_a_never_reach_b(
    kb_world: KbWorld, world_client: httpx.AsyncClient
) -> None:
    queries = canary_queries(1000)
    b_chunks = await _chunk_ids(kb_world, kb_world.org_b)
    a_chunks = await _chunk_ids(kb_world, kb_world.org_a)
    assert b_chunks and a_chunks and not (a_chunks & b_chunks)
    vectors = local_embedder().encode(queries)  # one batch: the test measures isolation

    returned: set[uuid.UUID] = set()
    async with tenant_session(kb_world.runtime.maker, kb_world.org_a) as session:
        for query, vector in zip(queries, vectors, strict=True):
            hits = await service.search(
                session, kb_world.runtime, kb_world.org_a, query, top_k=10, vector=vector
            )
            returned.update(h.chunk_id for h in hits)
        cited: set[uuid.UUID] = set()
        for query in queries[:20]:
            result = await answering.answer(
                session, kb_world.runtime, kb_world.org_a, query, record_gap=False
            )
            cited.update(result.citations)
    assert returned and returned <= a_chunks
    assert not (returned & b_chunks) and not (cited & b_chunks)

    # The same words do find B's documents for B: the queries really target them.
    async with tenant_session(kb_world.runtime.maker, kb_world.org_b) as session:
        found = 0
        for query, vector in list(zip(queries, vectors, strict=True))[:100]:
            hits = await service.search(
                session, kb_world.runtime, kb_world.org_b, query, top_k=1, vector=vector
            )
            found += bool(hits) and hits[0].chunk_id in b_chunks
    assert found >= 95

    # And through the API, with A's key, for a sample.
    headers = {"Authorization": f"Bearer {kb_world.key_a}"}
    for query in queries[:25]:
        response = await world_client.post(
            "/api/v1/rag/search", json={"query": query, "top_k": 10}, headers=headers
        )
        assert response.status_code == 200, response.text
        ids = {uuid.UUID(r["chunk_id"]) for r in response.json()["results"]}
        assert not (ids & b_chunks)
    for query in queries[25:30]:
        response = await world_client.post(
            "/api/v1/rag/answer", json={"query": query}, headers=headers
        )
        assert response.status_code == 200, response.text
        assert not ({uuid.UUID(c) for c in response.json()["citations"]} & b_chunks)


async def test_row_level_security_alone_hides_b(kb_world: KbWorld) -> None:
    """The SQL asks for B's rows by name from A's transaction: RLS returns none."""
    query = "Zephyr Quokka descaling price"
    vector = [float(x) for x in local_embedder().encode([query])[0]]
    async with tenant_session(kb_world.runtime.maker, kb_world.org_a) as session:
        rows = await repository.search(
            session,
            kb_world.org_b,
            query=query,
            vector=vector,
            model=LOCAL_MODEL,
            top_k=10,
            pool=30,
            term_budget=1000,
        )
        sources = await repository.list_sources(session, kb_world.org_b)
        terms = await session.execute(
            text("SELECT count(*) FROM knowledge_terms WHERE organization_id = :b"),
            {"b": kb_world.org_b},
        )
        assert terms.scalar_one() == 0
    assert rows == [] and sources == []
    async with tenant_session(kb_world.runtime.maker, kb_world.org_b) as session:
        own = await repository.search(
            session,
            kb_world.org_b,
            query=query,
            vector=vector,
            model=LOCAL_MODEL,
            top_k=10,
            pool=30,
            term_budget=1000,
        )
    assert own and "Quokka" in own[0].body
