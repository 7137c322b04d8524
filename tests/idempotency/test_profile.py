"""Idempotency-Key on PUT /api/v1/profile, end to end over HTTP against a real Postgres."""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update

from tests.factories import make_org, profile
from tests.idempotency.helpers import audit_count, bearer, profile_version, stored_keys
from tradeline.auth.schemas import Role
from tradeline.auth.service import create_api_key
from tradeline.db import tenant_session
from tradeline.idempotency.service import COLUMN, TABLE
from tradeline.kit.crypto import DecryptionError
from tradeline.models import IdempotencyKey
from tradeline.runtime import Runtime

UPDATED = "profile.updated"


async def test_twenty_concurrent_duplicates_make_one_change(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime, "Before Plumbing")
    body = profile("After Plumbing", numbers=org.phone_numbers)
    headers = bearer(org.api_key, "concurrent-" + secrets.token_hex(4))

    responses = await asyncio.gather(
        *(client.put("/api/v1/profile", json=body, headers=headers) for _ in range(20))
    )

    assert {r.status_code for r in responses} == {200}, [r.text for r in responses]
    assert len({r.content for r in responses}) == 1
    assert responses[0].json()["name"] == "After Plumbing"
    replayed = [r.headers.get("Idempotent-Replayed") for r in responses]
    assert replayed.count("true") == 19
    assert replayed.count(None) == 1
    assert await audit_count(runtime, org.org_id, UPDATED) == 1
    assert await profile_version(runtime, org.org_id) == 2
    assert len(await stored_keys(runtime, org.org_id)) == 1


async def test_replay_is_marked_and_has_no_effect(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    body = profile("Replayed Plumbing", numbers=org.phone_numbers)
    headers = bearer(org.api_key, "replay-1")

    first = await client.put("/api/v1/profile", json=body, headers=headers)
    assert first.status_code == 200, first.text
    assert "Idempotent-Replayed" not in first.headers
    # The same JSON with its keys in another order and other spacing is the same request.
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    second = await client.put(
        "/api/v1/profile",
        content=reordered,
        headers={**headers, "Content-Type": "application/json"},
    )

    assert second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.content == first.content
    assert await audit_count(runtime, org.org_id, UPDATED) == 1

    # Without the header the route behaves as before: every PUT is applied.
    plain = await client.put("/api/v1/profile", json=body, headers=bearer(org.api_key))
    assert plain.status_code == 200
    assert plain.json() == first.json()
    assert "Idempotent-Replayed" not in plain.headers
    assert await audit_count(runtime, org.org_id, UPDATED) == 2
    fetched = await client.get("/api/v1/profile", headers=bearer(org.api_key))
    assert fetched.json() == plain.json()


async def test_same_key_with_another_body_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    headers = bearer(org.api_key, "reused")
    first = await client.put(
        "/api/v1/profile", json=profile("First Name", numbers=org.phone_numbers), headers=headers
    )
    assert first.status_code == 200

    other = await client.put(
        "/api/v1/profile", json=profile("Second Name", numbers=org.phone_numbers), headers=headers
    )

    assert other.status_code == 422
    assert other.json()["error"] == "IdempotencyKeyReused"
    assert "Idempotency-Key" in other.json()["detail"]
    current = await client.get("/api/v1/profile", headers=bearer(org.api_key))
    assert current.json()["name"] == "First Name"
    assert await audit_count(runtime, org.org_id, UPDATED) == 1
    assert await profile_version(runtime, org.org_id) == 2


async def test_businesses_using_the_same_key_do_not_collide(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    one = await make_org(runtime, "One Plumbing")
    two = await make_org(runtime, "Two Electric")
    key = "shared-key"

    first, second = await asyncio.gather(
        client.put(
            "/api/v1/profile",
            json=profile("One Renamed", numbers=one.phone_numbers),
            headers=bearer(one.api_key, key),
        ),
        client.put(
            "/api/v1/profile",
            json=profile("Two Renamed", numbers=two.phone_numbers),
            headers=bearer(two.api_key, key),
        ),
    )

    assert (first.status_code, second.status_code) == (200, 200)
    assert "Idempotent-Replayed" not in first.headers
    assert "Idempotent-Replayed" not in second.headers
    assert first.json()["name"] == "One Renamed"
    assert second.json()["name"] == "Two Renamed"
    assert await audit_count(runtime, one.org_id, UPDATED) == 1
    assert await audit_count(runtime, two.org_id, UPDATED) == 1
    assert [k.key for k in await stored_keys(runtime, one.org_id)] == [key]
    assert [k.key for k in await stored_keys(runtime, two.org_id)] == [key]


async def test_a_client_error_of_the_effect_is_stored_and_replayed(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    headers = bearer(org.api_key, "invalid-profile")
    invalid = profile("Bad Zone", numbers=org.phone_numbers, timezon="Mars/Olympus")

    first = await client.put("/api/v1/profile", json=invalid, headers=headers)
    assert first.status_code == 422
    assert first.json()["error"] == "Unprocessable"
    again = await client.put("/api/v1/profile", json=invalid, headers=headers)

    assert again.status_code == 422
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    # The key is spent on that request: a corrected body needs a new key.
    fixed = await client.put(
        "/api/v1/profile", json=profile("Good", numbers=org.phone_numbers), headers=headers
    )
    assert fixed.json()["error"] == "IdempotencyKeyReused"
    assert await audit_count(runtime, org.org_id, UPDATED) == 0


async def test_a_conflicting_profile_is_stored_as_409_and_leaves_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await make_org(runtime, "Owner Plumbing")
    other = await make_org(runtime, "Other Plumbing")
    # Keeps its own number and adds one that belongs to the other business: a unique violation.
    taken = profile("Other Renamed", numbers=[*other.phone_numbers, owner.phone_numbers[0]])
    headers = bearer(other.api_key, "conflict")

    first = await client.put("/api/v1/profile", json=taken, headers=headers)
    assert first.status_code == 409, first.text
    assert first.json()["error"] == "Conflict"
    again = await client.put("/api/v1/profile", json=taken, headers=headers)

    assert again.status_code == 409
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    # The failed effect was rolled back; only the stored response was kept.
    current = await client.get("/api/v1/profile", headers=bearer(other.api_key))
    assert current.json()["name"] == "Other Plumbing"
    assert current.json()["phone_numbers"] == other.phone_numbers
    assert await profile_version(runtime, other.org_id) == 1
    assert await audit_count(runtime, other.org_id, UPDATED) == 0
    [stored] = await stored_keys(runtime, other.org_id)
    assert (stored.key, stored.status_code, stored.scope) == (
        "conflict",
        409,
        "PUT /api/v1/profile",
    )


async def test_stored_response_is_encrypted(client: httpx.AsyncClient, runtime: Runtime) -> None:
    org = await make_org(runtime)
    canary = f"Canary{secrets.token_hex(6)}"
    response = await client.put(
        "/api/v1/profile",
        json=profile(canary, numbers=org.phone_numbers),
        headers=bearer(org.api_key, "canary"),
    )
    assert response.status_code == 200
    assert canary in response.text

    [stored] = await stored_keys(runtime, org.org_id)
    assert stored.response_enc is not None
    raw = bytes(stored.response_enc)
    assert canary.encode() not in raw
    assert canary.encode("utf-16-le") not in raw
    assert org.phone_numbers[0].encode() not in raw
    # ...and it is the response, bound to this row: it opens only with the row's own context.
    opened = runtime.pii.open(raw, org_id=org.org_id, table=TABLE, row_id=stored.id, column=COLUMN)
    assert opened is not None
    assert json.loads(opened) == response.json()
    with pytest.raises(DecryptionError):
        runtime.pii.open(raw, org_id=org.org_id, table=TABLE, row_id=uuid.uuid4(), column=COLUMN)


async def test_keys_that_are_empty_or_too_long_are_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    body = profile("Length Test", numbers=org.phone_numbers)

    for bad in ("", "   ", "k" * 256):
        response = await client.put("/api/v1/profile", json=body, headers=bearer(org.api_key, bad))
        assert response.status_code == 400, bad
        assert response.json()["error"] == "InvalidIdempotencyKey"
    assert await audit_count(runtime, org.org_id, UPDATED) == 0

    longest = await client.put("/api/v1/profile", json=body, headers=bearer(org.api_key, "k" * 255))
    assert longest.status_code == 200
    assert await audit_count(runtime, org.org_id, UPDATED) == 1


async def test_a_refusal_before_the_effect_does_not_spend_the_key(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    async with tenant_session(runtime.maker, org.org_id) as session:
        _, member_key = await create_api_key(session, org.org_id, name="member", role=Role.MEMBER)
    body = profile("Admin Only", numbers=org.phone_numbers)

    refused = await client.put("/api/v1/profile", json=body, headers=bearer(member_key, "k1"))
    assert refused.status_code == 403
    applied = await client.put("/api/v1/profile", json=body, headers=bearer(org.api_key, "k1"))

    assert applied.status_code == 200
    assert "Idempotent-Replayed" not in applied.headers
    assert applied.json()["name"] == "Admin Only"


async def test_an_expired_key_is_reused_as_new(client: httpx.AsyncClient, runtime: Runtime) -> None:
    org = await make_org(runtime)
    headers = bearer(org.api_key, "old-key")
    first = await client.put(
        "/api/v1/profile", json=profile("Day One", numbers=org.phone_numbers), headers=headers
    )
    assert first.status_code == 200
    [before] = await stored_keys(runtime, org.org_id)
    assert timedelta(hours=23) < before.expires_at - datetime.now(UTC) <= timedelta(hours=24)
    async with tenant_session(runtime.maker, org.org_id) as session:
        await session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == before.id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )

    later = await client.put(
        "/api/v1/profile", json=profile("Day Two", numbers=org.phone_numbers), headers=headers
    )

    assert later.status_code == 200, later.text
    assert "Idempotent-Replayed" not in later.headers
    assert later.json()["name"] == "Day Two"
    assert await audit_count(runtime, org.org_id, UPDATED) == 2
    [after] = await stored_keys(runtime, org.org_id)
    assert after.id != before.id
    assert after.request_hash != before.request_hash
    assert after.expires_at > datetime.now(UTC) + timedelta(hours=23)
    replay = await client.put(
        "/api/v1/profile", json=profile("Day Two", numbers=org.phone_numbers), headers=headers
    )
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.content == later.content
