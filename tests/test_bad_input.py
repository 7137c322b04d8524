"""Bad input gets a clear 4xx `{"error", "detail"}` and nothing half-written."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from sqlalchemy import select

from tests.factories import make_org
from tradeline.db import tenant_session
from tradeline.models import BusinessProfile
from tradeline.runtime import Runtime


def _shape(response: httpx.Response) -> dict[str, str]:
    body: dict[str, str] = response.json()
    assert set(body) == {"error", "detail"}, body
    return body


async def test_malformed_json_is_400(client: httpx.AsyncClient, runtime: Runtime) -> None:
    org = await make_org(runtime)
    response = await client.put(
        "/api/v1/profile",
        content=b'{"name": "x",',
        headers={"Authorization": f"Bearer {org.api_key}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert _shape(response)["error"] == "MalformedJSON"


async def test_invalid_profile_is_422_naming_the_field_and_changes_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime, "Unchanged Co")
    headers = {"Authorization": f"Bearer {org.api_key}"}
    current = (await client.get("/api/v1/profile", headers=headers)).json()
    bad = current | {"name": "Changed", "routing": {"on_call": "12"}}
    response = await client.put("/api/v1/profile", json=bad, headers=headers)
    assert response.status_code == 422
    assert _shape(response)["detail"].startswith("routing.on_call")
    async with tenant_session(runtime.maker, org.org_id) as session:
        row = (await session.execute(select(BusinessProfile))).scalar_one()
    assert row.data["name"] == "Unchanged Co" and row.version == 1


async def test_body_over_one_megabyte_is_413(client: httpx.AsyncClient, runtime: Runtime) -> None:
    org = await make_org(runtime)
    headers = {"Authorization": f"Bearer {org.api_key}", "Content-Type": "application/json"}
    big = b'{"name": "' + b"x" * 1_100_000 + b'"}'
    response = await client.put("/api/v1/profile", content=big, headers=headers)
    assert response.status_code == 413 and _shape(response)["error"] == "PayloadTooLarge"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(20):
            yield b"x" * 100_000

    streamed = await client.put("/api/v1/profile", content=chunks(), headers=headers)
    assert streamed.status_code == 413


async def test_unknown_route_and_method_are_json_errors(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and _shape(missing)["error"] == "NotFound"
    wrong = await client.delete("/healthz")
    assert wrong.status_code == 405 and _shape(wrong)["error"] == "MethodNotAllowed"


async def test_bad_query_parameters_are_422(client: httpx.AsyncClient, runtime: Runtime) -> None:
    org = await make_org(runtime)
    headers = {"Authorization": f"Bearer {org.api_key}"}
    for query in ("phone=not-a-phone", "cursor=%%%", "limit=0", "status=maybe"):
        response = await client.get(f"/api/v1/leads?{query}", headers=headers)
        assert response.status_code == 422, query
        _shape(response)
    bad_id = await client.get("/api/v1/leads/not-a-uuid", headers=headers)
    assert bad_id.status_code == 422


async def test_requests_carry_a_request_id(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    made = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert made.headers["x-request-id"] != "bad id with spaces"


async def test_metrics_and_openapi(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert (
        'tradeline_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz"}'
        in metrics.text
    )
    assert "tradeline_jobs" in metrics.text
    spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/leads" in spec["paths"] and "/api/v1/profile" in spec["paths"]
