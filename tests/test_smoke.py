from __future__ import annotations

import httpx

from tests.factories import make_org
from tradeline.runtime import Runtime


async def test_health_ready_and_profile(client: httpx.AsyncClient, runtime: Runtime) -> None:
    assert (await client.get("/healthz")).text == "ok"
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    created = await make_org(runtime, "Smoke Plumbing")
    response = await client.get(
        "/api/v1/profile", headers={"Authorization": f"Bearer {created.api_key}"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Smoke Plumbing"
    assert (await client.get("/api/v1/profile")).status_code == 401
