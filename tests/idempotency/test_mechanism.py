"""The reusable mechanism on routes made for these tests: scopes, failures, waiting duplicates.

The routes below are ordinary TradeLine routes (real app, real Postgres, real RLS); their effect is
an audit row we can count, and the test steers it through `app.state` to fail or to pause.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Body, FastAPI, Request, Response

from tests.factories import make_org, profile
from tests.idempotency.helpers import audit_count, bearer, stored_keys
from tradeline.api import CurrentPrincipal, DbSession
from tradeline.exceptions import Conflict
from tradeline.idempotency import service
from tradeline.idempotency.service import IdempotencyDep
from tradeline.models import AuditLog
from tradeline.runtime import Runtime

NOTE, ITEM = "test.note", "test.item"


@dataclass
class Steering:
    """What the next effects do: fail in a given way, or pause until released."""

    failures: list[str] = field(default_factory=list)
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    gate: asyncio.Event | None = None


async def _effect(
    request: Request,
    session: DbSession,
    org_id: uuid.UUID,
    action: str,
    body: dict[str, Any],
    success: int = 201,
) -> tuple[int, Any]:
    steering: Steering = request.app.state.steering
    row = AuditLog(organization_id=org_id, actor_type="system", action=action, data=body)
    session.add(row)
    await session.flush()
    steering.entered.set()
    if steering.gate is not None:
        await steering.gate.wait()
    failure = steering.failures.pop(0) if steering.failures else None
    if failure == "exception":
        raise RuntimeError("the effect broke half way")
    if failure == "unavailable":
        return 503, {"error": "Unavailable", "detail": "try again"}
    if failure == "conflict":
        raise Conflict("that note conflicts with another")
    return success, {"id": row.id, "body": body}


inner = APIRouter()


@inner.post("/notes", status_code=201)
async def add_note(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    idempotency: IdempotencyDep,
    body: Annotated[dict[str, Any], Body()],
) -> Response:
    org_id = principal.organization_id
    return await idempotency.run(
        session, org_id, lambda: _effect(request, session, org_id, NOTE, body)
    )


@inner.put("/items/{item_id}")
async def put_item(
    item_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    idempotency: IdempotencyDep,
    body: Annotated[dict[str, Any], Body()],
) -> Response:
    org_id = principal.organization_id
    return await idempotency.run(
        session,
        org_id,
        lambda: _effect(request, session, org_id, ITEM, {**body, "id": item_id}, 200),
    )


@inner.post("/public/{org_id}/notes", status_code=201)
async def public_note(
    org_id: uuid.UUID,
    request: Request,
    session: DbSession,
    idempotency: IdempotencyDep,
    body: Annotated[dict[str, Any], Body()],
) -> Response:
    """Like the public lead form: no principal, the business comes from the request."""
    return await idempotency.run(
        session, org_id, lambda: _effect(request, session, org_id, NOTE, body)
    )


@pytest.fixture
async def app(runtime: Runtime) -> FastAPI:
    from tradeline.app import create_app

    application = create_app(runtime.settings, runtime=runtime)
    # Included under a prefix, as the real routers are under /api/v1.
    outer = APIRouter(prefix="/_test")
    outer.include_router(inner)
    application.include_router(outer)
    application.state.steering = Steering()
    return application


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    # A 500 is rendered by our handler, then re-raised by Starlette for the server to log.
    transport = httpx.ASGITransport(
        app=app, client=("203.0.113.8", 5555), raise_app_exceptions=False
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def steering_of(app: FastAPI) -> Steering:
    steering: Steering = app.state.steering
    return steering


async def test_an_exception_is_not_stored_and_the_retry_runs(
    app: FastAPI, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    headers = bearer(org.api_key, "flaky")
    steering_of(app).failures.append("exception")

    broken = await http.post("/_test/notes", json={"text": "hello"}, headers=headers)
    assert broken.status_code == 500
    assert await stored_keys(runtime, org.org_id) == []
    assert await audit_count(runtime, org.org_id, NOTE) == 0

    retried = await http.post("/_test/notes", json={"text": "hello"}, headers=headers)
    assert retried.status_code == 201, retried.text
    assert "Idempotent-Replayed" not in retried.headers
    replayed = await http.post("/_test/notes", json={"text": "hello"}, headers=headers)
    assert replayed.status_code == 201
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.content == retried.content
    assert await audit_count(runtime, org.org_id, NOTE) == 1


async def test_a_5xx_result_is_not_stored_and_its_writes_are_undone(
    app: FastAPI, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    headers = bearer(org.api_key, "unavailable")
    steering_of(app).failures.append("unavailable")

    first = await http.post("/_test/notes", json={"text": "hi"}, headers=headers)
    assert first.status_code == 503
    assert first.json() == {"error": "Unavailable", "detail": "try again"}
    assert await stored_keys(runtime, org.org_id) == []
    assert await audit_count(runtime, org.org_id, NOTE) == 0

    second = await http.post("/_test/notes", json={"text": "hi"}, headers=headers)
    assert second.status_code == 201
    assert "Idempotent-Replayed" not in second.headers
    assert await audit_count(runtime, org.org_id, NOTE) == 1


async def test_a_4xx_error_is_stored_and_the_effect_undone(
    app: FastAPI, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    headers = bearer(org.api_key, "conflicting")
    steering_of(app).failures.append("conflict")

    first = await http.post("/_test/notes", json={"text": "x"}, headers=headers)
    assert first.status_code == 409
    assert first.json() == {"error": "Conflict", "detail": "that note conflicts with another"}
    again = await http.post("/_test/notes", json={"text": "x"}, headers=headers)

    assert again.status_code == 409
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert await audit_count(runtime, org.org_id, NOTE) == 0


async def test_one_key_on_different_routes_and_methods_does_not_collide(
    http: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    headers = bearer(org.api_key, "everywhere")

    note = await http.post("/_test/notes", json={"text": "a"}, headers=headers)
    item = await http.put("/_test/items/1", json={"text": "a"}, headers=headers)
    prof = await http.put(
        "/api/v1/profile", json=profile("Scoped", numbers=org.phone_numbers), headers=headers
    )

    assert [r.status_code for r in (note, item, prof)] == [201, 200, 200]
    assert not any("Idempotent-Replayed" in r.headers for r in (note, item, prof))
    scopes = {k.scope for k in await stored_keys(runtime, org.org_id)}
    assert scopes == {"POST /_test/notes", "PUT /_test/items/{item_id}", "PUT /api/v1/profile"}


async def test_the_path_is_part_of_the_request(http: httpx.AsyncClient, runtime: Runtime) -> None:
    org = await make_org(runtime)
    headers = bearer(org.api_key, "item-key")

    first = await http.put("/_test/items/1", json={"text": "a"}, headers=headers)
    other_item = await http.put("/_test/items/2", json={"text": "a"}, headers=headers)
    other_query = await http.put("/_test/items/1?force=1", json={"text": "a"}, headers=headers)

    assert first.status_code == 200
    assert other_item.status_code == 422
    assert other_item.json()["error"] == "IdempotencyKeyReused"
    assert other_query.status_code == 422
    assert await audit_count(runtime, org.org_id, ITEM) == 1


async def test_a_duplicate_waits_for_the_first_and_replays_it(
    app: FastAPI, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    headers = bearer(org.api_key, "in-flight")
    steering = steering_of(app)
    steering.gate = asyncio.Event()

    first = asyncio.create_task(http.post("/_test/notes", json={"n": 1}, headers=headers))
    await asyncio.wait_for(steering.entered.wait(), 10)
    second = asyncio.create_task(http.post("/_test/notes", json={"n": 1}, headers=headers))
    await asyncio.sleep(0.3)
    assert not second.done()  # held by Postgres until the first commits
    steering.gate.set()
    one, two = await asyncio.wait_for(asyncio.gather(first, second), 10)

    assert (one.status_code, two.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in one.headers
    assert two.headers["Idempotent-Replayed"] == "true"
    assert two.content == one.content
    assert await audit_count(runtime, org.org_id, NOTE) == 1


async def test_a_duplicate_that_waits_too_long_gets_409(
    app: FastAPI, http: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "LOCK_WAIT_MS", 200)
    org = await make_org(runtime)
    headers = bearer(org.api_key, "slow")
    steering = steering_of(app)
    steering.gate = asyncio.Event()

    first = asyncio.create_task(http.post("/_test/notes", json={"n": 1}, headers=headers))
    await asyncio.wait_for(steering.entered.wait(), 10)
    impatient = await http.post("/_test/notes", json={"n": 1}, headers=headers)
    steering.gate.set()
    done = await asyncio.wait_for(first, 10)
    later = await http.post("/_test/notes", json={"n": 1}, headers=headers)

    assert impatient.status_code == 409
    assert impatient.json()["error"] == "IdempotencyKeyInUse"
    assert done.status_code == 201
    assert later.headers["Idempotent-Replayed"] == "true"
    assert later.content == done.content
    assert await audit_count(runtime, org.org_id, NOTE) == 1


async def test_a_public_route_scopes_the_transaction_itself(
    http: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    other = await make_org(runtime)
    headers = {"Idempotency-Key": "public"}

    first = await http.post(f"/_test/public/{org.org_id}/notes", json={"t": 1}, headers=headers)
    again = await http.post(f"/_test/public/{org.org_id}/notes", json={"t": 1}, headers=headers)
    elsewhere = await http.post(
        f"/_test/public/{other.org_id}/notes", json={"t": 1}, headers=headers
    )

    assert (first.status_code, again.status_code, elsewhere.status_code) == (201, 201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in elsewhere.headers
    assert await audit_count(runtime, org.org_id, NOTE) == 1
    assert await audit_count(runtime, other.org_id, NOTE) == 1


def test_the_request_hash_ignores_json_layout_but_not_content() -> None:
    base = service.request_hash("PUT", "/a", "x=1&y=2", b'{"a": 1, "b": [1, 2]}')
    assert base == service.request_hash("put", "/a", "y=2&x=1", b'{"b":[1,2],\n "a":1}')
    assert base != service.request_hash("PUT", "/a", "x=1&y=2", b'{"a": 1, "b": [2, 1]}')
    assert base != service.request_hash("PUT", "/b", "x=1&y=2", b'{"a": 1, "b": [1, 2]}')
    assert base != service.request_hash("POST", "/a", "x=1&y=2", b'{"a": 1, "b": [1, 2]}')
    assert base != service.request_hash("PUT", "/a", "x=1", b'{"a": 1, "b": [1, 2]}')
    # Bodies that are not JSON are compared byte for byte.
    assert service.canonical_body(b"a=1&b=2") == b"a=1&b=2"
    assert service.canonical_body(b"  ") == b""
