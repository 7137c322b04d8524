"""OpenAI embeddings and chat through the official SDK against a local fake of the API; model
switches re-embed and never mix two models' vectors."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import uuid
from typing import Any

import httpx2
import numpy as np
import pytest
from sqlalchemy import text
from tests.factories import make_org
from tests.knowledge.corpus_tools import CORPUS

from tradeline.db import tenant_session
from tradeline.exceptions import ServiceUnavailable
from tradeline.knowledge import answer as answering
from tradeline.knowledge import service
from tradeline.knowledge.embedding import (
    LOCAL_MODEL,
    EmbeddingSettings,
    LocalEmbedder,
    OpenAIEmbedder,
    get_embedder,
)
from tradeline.knowledge.llm import OpenAIComposer, get_composer, parse_reply
from tradeline.runtime import Runtime

DIM = 1536


def bag_of_words(text_in: str) -> list[float]:
    """The fake model: hashed word counts, so texts sharing words are close."""
    vector = np.zeros(DIM)
    for word in re.findall(r"[a-z0-9$]+", text_in.lower()):
        vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % DIM] += 1.0
    vector[0] += 0.01  # never the zero vector
    return [float(x) * 3.0 for x in vector]  # not unit length: the client normalises


class FakeOpenAI:
    """What api.openai.com answers, for /v1/embeddings and /v1/chat/completions."""

    def __init__(self, chat_reply: str | None = None, delay: float = 0.0, fail: bool = False):
        self.chat_reply = chat_reply
        self.delay = delay
        self.fail = fail
        self.requests: list[dict[str, Any]] = []

    async def __call__(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.requests.append({"path": request.url.path, **body})
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            return httpx2.Response(500, json={"error": {"message": "boom", "type": "server"}})
        if request.url.path.endswith("/embeddings"):
            inputs = body["input"]
            data = [
                {"object": "embedding", "index": i, "embedding": bag_of_words(t)}
                for i, t in enumerate(inputs)
            ]
            data.reverse()  # the API does not promise order; the client sorts by index
            return httpx2.Response(
                200,
                json={
                    "object": "list",
                    "data": data,
                    "model": body["model"],
                    "usage": {"prompt_tokens": 1, "total_tokens": 1},
                },
            )
        return httpx2.Response(
            200,
            json={
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": self.chat_reply},
                    }
                ],
            },
        )


def openai_embedder(fake: FakeOpenAI) -> OpenAIEmbedder:
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(fake))
    return OpenAIEmbedder(
        model="text-embedding-3-small",
        api_key="sk-test",
        base_url="http://fake-openai.test/v1",
        http_client=client,
    )


async def test_openai_embedder_batches_sorts_and_normalises() -> None:
    fake = FakeOpenAI()
    embedder = openai_embedder(fake)
    embedder.BATCH = 3
    texts = [f"text number {i}" for i in range(7)]
    vectors = await embedder.embed(texts)
    assert vectors.shape == (7, DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    expected = np.array(bag_of_words(texts[5]))
    assert np.allclose(vectors[5], expected / np.linalg.norm(expected), atol=1e-6)
    assert [len(r["input"]) for r in fake.requests] == [3, 3, 1]
    assert fake.requests[0]["model"] == "text-embedding-3-small"
    assert embedder.name == "openai/text-embedding-3-small"


async def test_openai_embedder_errors_are_service_unavailable() -> None:
    embedder = openai_embedder(FakeOpenAI(fail=True))
    with pytest.raises(ServiceUnavailable):
        await embedder.embed(["hello"])


def test_embedder_choice_follows_settings(runtime: Runtime) -> None:
    assert isinstance(get_embedder(runtime.settings), LocalEmbedder)
    assert get_composer(runtime.settings) is None
    configured = runtime.settings.model_copy(
        update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_api_key": None}
    )
    chosen = get_embedder(configured, EmbeddingSettings())
    assert isinstance(chosen, OpenAIEmbedder) and chosen.model == "text-embedding-3-small"
    forced_local = EmbeddingSettings(embedding_provider="local")
    assert isinstance(get_embedder(configured, forced_local), LocalEmbedder)
    assert isinstance(get_composer(configured), OpenAIComposer)


async def test_model_switch_reembeds_and_never_mixes_vectors(runtime: Runtime) -> None:
    org = await make_org(runtime)
    docs = ["price-list-2026.md", "warranty.html", "water-heaters.md"]
    async with tenant_session(runtime.maker, org.org_id) as session:
        for name in docs:
            await service.ingest_bytes(
                session, runtime, org.org_id, (CORPUS / name).read_bytes(), name
            )
    remote = openai_embedder(FakeOpenAI())

    # Before the switch, the remote model has no vectors: its search is full text only.
    async with tenant_session(runtime.maker, org.org_id) as session:
        before = await service.search(
            session, runtime, org.org_id, "water heater warranty years", embedder=remote
        )
    assert before and all(h.vector_rank is None and h.cosine is None for h in before)

    done = await service.reembed_all(runtime, org.org_id, embedder=remote, batch=4)
    async with tenant_session(runtime.maker, org.org_id) as session:
        models = await session.execute(
            text(
                "SELECT model, dim, count(*) FROM knowledge_embeddings "
                "WHERE organization_id = :o GROUP BY 1, 2"
            ),
            {"o": org.org_id},
        )
        chunks = await session.execute(
            text("SELECT count(*) FROM knowledge_chunks WHERE organization_id = :o"),
            {"o": org.org_id},
        )
        n_chunks = chunks.scalar_one()
        assert models.all() == [("openai/text-embedding-3-small", DIM, n_chunks)]
        assert done == n_chunks
        after = await service.search(
            session, runtime, org.org_id, "Navien tankless heat exchanger warranty", embedder=remote
        )
        assert after[0].vector_rank is not None and "15 year heat exchanger" in after[0].body
        # The local model's vectors are gone: its search finds no vectors to compare with.
        local = await service.search(session, runtime, org.org_id, "Navien warranty")
        assert local and all(h.vector_rank is None for h in local)

    again = await service.reembed_all(runtime, org.org_id, embedder=remote)
    assert again == 0  # nothing left to do: a rerun is cheap and harmless
    back = await service.reembed_all(runtime, org.org_id)
    assert back == n_chunks
    async with tenant_session(runtime.maker, org.org_id) as session:
        rows = await session.execute(
            text("SELECT DISTINCT model FROM knowledge_embeddings WHERE organization_id = :o"),
            {"o": org.org_id},
        )
        assert rows.scalars().all() == [LOCAL_MODEL]


async def test_search_degrades_to_full_text_when_the_embedding_provider_fails(
    runtime: Runtime,
) -> None:
    org = await make_org(runtime)
    async with tenant_session(runtime.maker, org.org_id) as session:
        await service.ingest_bytes(
            session, runtime, org.org_id, (CORPUS / "payment.md").read_bytes(), "payment.md"
        )
        hits = await service.search(
            session,
            runtime,
            org.org_id,
            "Financeit financing",
            embedder=openai_embedder(FakeOpenAI(fail=True)),
        )
    assert hits and "Financeit" in hits[0].body and hits[0].lexical_rank == 1


def composer(fake: FakeOpenAI, timeout: float = 2.5) -> OpenAIComposer:
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(fake))
    return OpenAIComposer(
        model="gpt-test",
        api_key="sk-test",
        base_url="http://fake-openai.test/v1",
        http_client=client,
        timeout=timeout,
    )


async def _org_with_warranty(runtime: Runtime) -> uuid.UUID:
    org = await make_org(runtime)
    async with tenant_session(runtime.maker, org.org_id) as session:
        for name in ("warranty.html", "payment.md"):
            await service.ingest_bytes(
                session, runtime, org.org_id, (CORPUS / name).read_bytes(), name
            )
    return org.org_id


async def test_llm_composes_the_answer_and_cites_its_passages(runtime: Runtime) -> None:
    org_id = await _org_with_warranty(runtime)
    reply = '```json\n{"answer": "Our work is guaranteed for two years.", "sources": [1]}\n```'
    fake = FakeOpenAI(chat_reply=reply)
    async with tenant_session(runtime.maker, org_id) as session:
        result = await answering.answer(
            session,
            runtime,
            org_id,
            "How long is your workmanship guaranteed?",
            composer=composer(fake),
        )
        hits = await service.search(
            session, runtime, org_id, "How long is your workmanship guaranteed?", top_k=3
        )
    assert result.composed_by == "llm"
    assert result.answer is not None and "guaranteed for two years" in result.answer
    assert result.citations == [hits[0].chunk_id]
    prompt = fake.requests[0]["messages"][1]["content"]
    assert "[1]" in prompt and "two years" in prompt
    assert fake.requests[0]["model"] == "gpt-test"


@pytest.mark.parametrize(
    "fake",
    [
        FakeOpenAI(chat_reply='{"answer": "x", "sources": [1]}', delay=1.0),  # too slow
        FakeOpenAI(fail=True),  # server error
        FakeOpenAI(chat_reply='{"answer": null, "sources": []}'),  # declines
    ],
    ids=["timeout", "error", "declined"],
)
async def test_llm_trouble_falls_back_to_the_extractive_answer(
    runtime: Runtime, fake: FakeOpenAI
) -> None:
    org_id = await _org_with_warranty(runtime)
    async with tenant_session(runtime.maker, org_id) as session:
        result = await answering.answer(
            session,
            runtime,
            org_id,
            "How long is your workmanship guaranteed?",
            composer=composer(fake, timeout=0.3),
        )
    assert result.composed_by == "extractive"
    assert result.answer is not None and "two years" in result.answer
    assert len(fake.requests) == 1


def test_parse_reply_is_lenient_but_needs_a_cited_answer() -> None:
    assert parse_reply('Sure! {"answer": "Yes.", "sources": [2, 9, "x"]}', 3) == ("Yes.", [1])
    assert parse_reply('{"answer": "Yes.", "sources": []}', 3) is None
    assert parse_reply("no json here", 3) is None
    assert parse_reply('{"answer": 5, "sources": [1]}', 3) is None
