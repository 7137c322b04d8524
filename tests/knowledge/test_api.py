"""The knowledge routes (CONTRACTS §3): shapes, auth, roles, bad input, the 60/min limit."""

from __future__ import annotations

import uuid

import httpx
import pytest
from tests.factories import make_org
from tests.knowledge.conftest import KbWorld
from tests.knowledge.corpus_tools import CORPUS, render_pdf

from tradeline.auth.schemas import Role
from tradeline.auth.service import create_api_key
from tradeline.db import tenant_session
from tradeline.runtime import Runtime


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_search_and_answer_contract_shapes(
    kb_world: KbWorld, world_client: httpx.AsyncClient
) -> None:
    response = await world_client.post(
        "/api/v1/rag/search",
        json={"query": "How long is your workmanship guarantee?", "top_k": 3},
        headers=bearer(kb_world.key_a),
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert 1 <= len(results) <= 3
    for result in results:
        assert set(result) == {
            "chunk_id",
            "source_id",
            "score",
            "snippet",
            "source_type",
            "uri",
            "meta",
        }
        uuid.UUID(result["chunk_id"]), uuid.UUID(result["source_id"])
        assert isinstance(result["score"], float) and result["snippet"]
    assert results[0]["uri"] == "warranty.html" and results[0]["source_type"] == "html"
    assert results[0]["meta"]["heading"].startswith("Our warranty")
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)

    filtered = await world_client.post(
        "/api/v1/rag/search",
        json={"query": "estimations gratuites", "filter": {"lang": "fr", "source_type": "html"}},
        headers=bearer(kb_world.key_a),
    )
    assert filtered.status_code == 200
    assert {r["uri"] for r in filtered.json()["results"]} == {"faq-fr.html"}

    answer = await world_client.post(
        "/api/v1/rag/answer",
        json={"query": "Do you take American Express?"},
        headers=bearer(kb_world.key_a),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) >= {"answer", "citations", "confidence"}
    assert "American Express" in body["answer"] and 0.0 <= body["confidence"] <= 1.0
    assert len(body["citations"]) == 1 and uuid.UUID(body["citations"][0])

    unknown = await world_client.post(
        "/api/v1/rag/answer",
        json={"query": "How many moons does Jupiter have?"},
        headers=bearer(kb_world.key_a),
    )
    assert unknown.json()["answer"] is None and unknown.json()["citations"] == []
    assert unknown.json()["confidence"] < 0.6


async def test_without_a_key_is_401(kb_client: httpx.AsyncClient) -> None:
    for path, body in (
        ("/api/v1/rag/search", {"query": "x"}),
        ("/api/v1/rag/answer", {"query": "x"}),
    ):
        response = await kb_client.post(path, json=body)
        assert response.status_code == 401
        assert response.json()["error"] == "Unauthorized"
    bad = await kb_client.post(
        "/api/v1/rag/search", json={"query": "x"}, headers=bearer("tl_not-a-real-key")
    )
    assert bad.status_code == 401
    assert (await kb_client.get("/api/v1/kb/sources")).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"query": ""},
        {"query": "   "},
        {"query": "x" * 2001},
        {"query": "ok", "top_k": 0},
        {"query": "ok", "top_k": 51},
        {"query": "ok", "top_k": "many"},
        {"query": "ok", "filter": {"lang": "de"}},
        {"query": "ok", "filter": {"source_type": "docx"}},
        {"query": "ok", "filter": {"colour": "red"}},
        {"query": "ok", "extra": 1},
        {"query": 42},
    ],
)
async def test_bad_search_input_is_422(
    kb_world: KbWorld, world_client: httpx.AsyncClient, body: dict[str, object]
) -> None:
    # Refused before the route runs: the key's 60/min RAG budget is not spent.
    response = await world_client.post(
        "/api/v1/rag/search", json=body, headers=bearer(kb_world.key_b)
    )
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"error", "detail"}


async def test_bad_answer_input_and_malformed_json(
    kb_world: KbWorld, world_client: httpx.AsyncClient
) -> None:
    for body in ({"query": ""}, {"query": "ok", "lang": "es"}, {"q": "ok"}):
        response = await world_client.post(
            "/api/v1/rag/answer", json=body, headers=bearer(kb_world.key_b)
        )
        assert response.status_code == 422, body
    broken = await world_client.post(
        "/api/v1/rag/search",
        content=b"{not json",
        headers={**bearer(kb_world.key_b), "content-type": "application/json"},
    )
    assert broken.status_code == 400 and broken.json()["error"] == "MalformedJSON"


async def test_search_is_limited_to_60_per_minute_per_key(
    runtime: Runtime, kb_client: httpx.AsyncClient
) -> None:
    org = await make_org(runtime)
    async with tenant_session(runtime.maker, org.org_id) as session:
        _, other_key = await create_api_key(session, org.org_id, name="other", role=Role.MEMBER)
    statuses = []
    for i in range(60):
        path = "/api/v1/rag/search" if i % 2 else "/api/v1/rag/answer"
        response = await kb_client.post(path, json={"query": f"q{i}"}, headers=bearer(org.api_key))
        statuses.append(response.status_code)
    assert statuses == [200] * 60
    over = await kb_client.post(
        "/api/v1/rag/search", json={"query": "one more"}, headers=bearer(org.api_key)
    )
    assert over.status_code == 429 and over.json()["error"] == "TooManyRequests"
    assert int(over.headers["Retry-After"]) >= 1
    # The limit is per key: another key of the same business still searches.
    fresh = await kb_client.post(
        "/api/v1/rag/search", json={"query": "one more"}, headers=bearer(other_key)
    )
    assert fresh.status_code == 200


async def test_upload_list_and_delete_sources(
    runtime: Runtime, kb_client: httpx.AsyncClient
) -> None:
    org = await make_org(runtime)
    files = [
        ("files", ("price-list.md", (CORPUS / "price-list-2026.md").read_bytes(), "text/markdown")),
        (
            "files",
            (
                "plan.pdf",
                render_pdf((CORPUS / "maintenance-plan.pdf.md").read_text()),
                "application/pdf",
            ),
        ),
    ]
    response = await kb_client.post("/api/v1/kb/upload", files=files, headers=bearer(org.api_key))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sources"] == 2 and body["chunks"] >= 4
    assert [f["status"] for f in body["files"]] == ["created", "created"]
    assert {f["uri"] for f in body["files"]} == {"upload:price-list.md", "upload:plan.pdf"}

    again = await kb_client.post("/api/v1/kb/upload", files=files, headers=bearer(org.api_key))
    assert [f["status"] for f in again.json()["files"]] == ["unchanged", "unchanged"]

    listed = await kb_client.get("/api/v1/kb/sources", headers=bearer(org.api_key))
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert {(i["uri"], i["source_type"]) for i in items} == {
        ("upload:price-list.md", "markdown"),
        ("upload:plan.pdf", "pdf"),
    }
    assert all(i["chunks"] >= 1 and i["language"] == "en" for i in items)

    found = await kb_client.post(
        "/api/v1/rag/search",
        json={"query": "Comfort Club monthly price"},
        headers=bearer(org.api_key),
    )
    assert found.json()["results"][0]["uri"] == "upload:plan.pdf"

    pdf_id = next(i["id"] for i in items if i["source_type"] == "pdf")
    deleted = await kb_client.delete(f"/api/v1/kb/sources/{pdf_id}", headers=bearer(org.api_key))
    assert deleted.status_code == 204
    missing = await kb_client.delete(f"/api/v1/kb/sources/{pdf_id}", headers=bearer(org.api_key))
    assert missing.status_code == 404
    remaining = await kb_client.get("/api/v1/kb/sources", headers=bearer(org.api_key))
    assert [i["uri"] for i in remaining.json()["items"]] == ["upload:price-list.md"]


async def test_upload_roles_and_bad_files(runtime: Runtime, kb_client: httpx.AsyncClient) -> None:
    org = await make_org(runtime)
    async with tenant_session(runtime.maker, org.org_id) as session:
        _, member = await create_api_key(session, org.org_id, name="m", role=Role.MEMBER)
        _, moderator = await create_api_key(session, org.org_id, name="mod", role=Role.MODERATOR)
    doc = [("files", ("notes.txt", b"Our van is blue and parks anywhere.", "text/plain"))]
    refused = await kb_client.post("/api/v1/kb/upload", files=doc, headers=bearer(member))
    assert refused.status_code == 403 and refused.json()["error"] == "Forbidden"
    allowed = await kb_client.post("/api/v1/kb/upload", files=doc, headers=bearer(moderator))
    assert allowed.status_code == 200
    gaps = await kb_client.get("/api/v1/kb/gaps", headers=bearer(member))
    assert gaps.status_code == 403

    mixed = [
        ("files", ("good.md", b"# Good\n\nA fine document.", "text/markdown")),
        ("files", ("photo.jpg", b"\xff\xd8\xff", "image/jpeg")),
    ]
    bad = await kb_client.post("/api/v1/kb/upload", files=mixed, headers=bearer(org.api_key))
    assert bad.status_code == 422 and "unsupported file type" in bad.json()["detail"]
    corrupt = [("files", ("broken.pdf", b"%PDF-1.7 garbage", "application/pdf"))]
    assert (
        await kb_client.post("/api/v1/kb/upload", files=corrupt, headers=bearer(org.api_key))
    ).status_code == 422
    empty = await kb_client.post("/api/v1/kb/upload", headers=bearer(org.api_key))
    assert empty.status_code == 422
    # Nothing of the refused uploads was written.
    listed = await kb_client.get("/api/v1/kb/sources", headers=bearer(org.api_key))
    assert [i["uri"] for i in listed.json()["items"]] == ["upload:notes.txt"]

    huge = [("files", ("big.txt", b"a" * 20_000_001, "text/plain"))]
    too_big = await kb_client.post("/api/v1/kb/upload", files=huge, headers=bearer(org.api_key))
    assert too_big.status_code == 413


async def test_gaps_route_shows_questions_to_editors(
    runtime: Runtime, kb_client: httpx.AsyncClient
) -> None:
    org = await make_org(runtime)
    asked = await kb_client.post(
        "/api/v1/rag/answer",
        json={"query": "Do you sell snow tires?"},
        headers=bearer(org.api_key),
    )
    assert asked.json()["answer"] is None
    gaps = await kb_client.get("/api/v1/kb/gaps", headers=bearer(org.api_key))
    assert gaps.status_code == 200
    assert [(g["question"], g["count"]) for g in gaps.json()["items"]] == [
        ("Do you sell snow tires?", 1)
    ]
