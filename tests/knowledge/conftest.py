"""Fixtures of the knowledge tests: one shared, read-mostly world (a database with the labelled
corpus ingested for one business and canary documents for another), so the embedding work is
done once; and an app with the knowledge router mounted the way api.py mounts it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from tests.conftest import TEST_BLIND, TEST_KEYS, PgCluster
from tests.factories import make_org
from tests.knowledge.corpus_tools import (
    SHARED_KB,
    Question,
    corpus_files,
    ingest_files,
    load_questions,
)

from tradeline.config import Settings
from tradeline.db import DatabaseTarget
from tradeline.organization.schemas import FaqEntry
from tradeline.runtime import Runtime, build_runtime

# Business B's canary documents: vocabulary nobody else uses, so a leak is unmistakable.
CANARY_DOCS = {
    "zephyr-quokka-boilers.md": (
        "# Zephyr Quokka boiler descaling\n\n"
        "Our Zephyr Quokka descaling service flushes marmalite deposits from the boiler's "
        "heat exchanger. The Quokka descaling visit costs $7,777 and takes nine hours.\n\n"
        "## Xylophone valve warranty\n\n"
        "Every xylophone valve we fit is guaranteed for 43 years against marmalite corrosion.\n"
    ),
    "tartan-octopus-drains.txt": (
        "TARTAN OCTOPUS DRAIN SERVICE\n\n"
        "The Tartan Octopus crew clears vermilion sludge from storm drains in Plutonia and "
        "Quibbleton. Ask for the octopus crawler camera, $6,543 per metre.\n"
    ),
    "aubergine-nebula-fr.md": (
        "# Service Nébuleuse Aubergine\n\n"
        "Notre service Nébuleuse Aubergine détartre les chaudières zirconiennes à Quibbleton. "
        "La visite Nébuleuse coûte 8 888 $ et dure onze heures.\n"
    ),
}


@dataclass
class KbWorld:
    runtime: Runtime
    org_a: uuid.UUID  # the labelled corpus (Rivière-Verte)
    key_a: str
    org_b: uuid.UUID  # the canary business
    key_b: str
    org_shared: uuid.UUID | None  # ../shared/eval/kb, when present
    questions: list[Question]
    negatives: list[str]
    faq: list[FaqEntry]


@pytest.fixture(scope="session")
async def kb_world(
    pg_cluster: PgCluster, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[KbWorld]:
    name = f"tl_kb_{uuid.uuid4().hex[:10]}"
    pg_cluster.execute(f"CREATE DATABASE {name} TEMPLATE tl_template")
    url = pg_cluster.url(name)
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("kb") / "var",
        encryption_keys=TEST_KEYS,
        blind_index_key=TEST_BLIND,
        redis_url=None,
        twilio_auth_token="test-auth-token",
        public_url="http://testserver",
    )
    runtime = build_runtime(settings, DatabaseTarget(owner_url=url, app_url=url, set_role=True))
    questions, negatives, faq = load_questions()
    a = await make_org(runtime, "Riviere-Verte Plumbing")
    await ingest_files(runtime, a.org_id, corpus_files(), faq)
    b = await make_org(runtime, "Canary Heating")
    await ingest_files(runtime, b.org_id, [(n, t.encode()) for n, t in CANARY_DOCS.items()])
    shared = None
    if SHARED_KB.is_dir():
        made = await make_org(runtime, "Bow River Plumbing")
        files = [(p.name, p.read_bytes()) for p in sorted(SHARED_KB.glob("*.md"))]
        await ingest_files(runtime, made.org_id, files)
        shared = made.org_id
    yield KbWorld(
        runtime, a.org_id, a.api_key, b.org_id, b.api_key, shared, questions, negatives, faq
    )
    await runtime.close()
    pg_cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def knowledge_app(runtime: Runtime) -> FastAPI:
    """The real app; the knowledge router is added under /api/v1 unless api.py already has it."""
    from tradeline.app import create_app
    from tradeline.knowledge.endpoints import router

    app = create_app(runtime.settings, runtime=runtime)
    paths = {getattr(route, "path", "") for route in app.routes}
    if "/api/v1/rag/search" not in paths:
        app.include_router(router, prefix="/api/v1")
    return app


@pytest.fixture
async def kb_client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=knowledge_app(runtime), client=("203.0.113.9", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def world_client(kb_world: KbWorld) -> AsyncIterator[httpx.AsyncClient]:
    app = knowledge_app(kb_world.runtime)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def write_files(directory: Path, files: dict[str, bytes]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for name, data in files.items():
        path = directory / name
        path.write_bytes(data)
        out.append(path)
    return out
