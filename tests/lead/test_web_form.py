"""POST /api/v1/leads/submit: the public form."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from sqlalchemy import text

from tests.factories import make_org
from tradeline.db import tenant_session
from tradeline.runtime import Runtime

ORIGIN = "https://bowriver.example"


def _form(org_id: uuid.UUID, **extra: object) -> dict[str, object]:
    return {
        "org_id": str(org_id),
        "name": "Jordan Lee",
        "email": "Jordan.Lee@Example.com",
        "phone": "(403) 555-0199",
        "message": "Water heater replacement quote please",
    } | extra


async def _count(runtime: Runtime, org_id: uuid.UUID, table: str) -> int:
    async with tenant_session(runtime.maker, org_id) as session:
        return int((await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def test_submit_creates_lead_consent_and_notification(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(
        runtime, web={"allowed_origins": [ORIGIN]}, notify={"email": "owner@example.com"}
    )
    response = await client.post(
        "/api/v1/leads/submit", json=_form(org.org_id), headers={"Origin": ORIGIN}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True and uuid.UUID(body["id"])
    assert response.headers["access-control-allow-origin"] == ORIGIN
    lead = (
        await client.get(
            f"/api/v1/leads/{body['id']}", headers={"Authorization": f"Bearer {org.api_key}"}
        )
    ).json()
    assert (lead["channel"], lead["email"], lead["callback_number"]) == (
        "web",
        "jordan.lee@example.com",
        "+14035550199",
    )
    async with tenant_session(runtime.maker, org.org_id) as session:
        basis = (await session.execute(text("SELECT basis FROM consent_records"))).scalar_one()
    assert basis == "implied_inquiry"
    async with runtime.maker() as session:
        jobs = (
            (await session.execute(text("SELECT task_name FROM procrastinate_jobs")))
            .scalars()
            .all()
        )
    assert jobs == ["notification.new_lead_email"]


async def test_other_origins_unknown_orgs_and_bad_fields_are_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime, web={"allowed_origins": [ORIGIN]})
    evil = await client.post(
        "/api/v1/leads/submit", json=_form(org.org_id), headers={"Origin": "https://evil.example"}
    )
    assert evil.status_code == 403
    unknown = await client.post("/api/v1/leads/submit", json=_form(uuid.uuid4()))
    assert unknown.status_code == 404 and unknown.json()["error"] == "NotFound"
    bad_email = await client.post(
        "/api/v1/leads/submit", json=_form(org.org_id, email="not-an-email")
    )
    assert bad_email.status_code == 422 and bad_email.json()["detail"].startswith("email")
    bad_phone = await client.post("/api/v1/leads/submit", json=_form(org.org_id, phone="12"))
    assert bad_phone.status_code == 422
    too_long = await client.post("/api/v1/leads/submit", json=_form(org.org_id, name="x" * 500))
    assert too_long.status_code == 422
    assert await _count(runtime, org.org_id, "leads") == 0


async def test_html_is_stored_as_text(client: httpx.AsyncClient, runtime: Runtime) -> None:
    org = await make_org(runtime)
    payload = _form(org.org_id, name="<script>alert(1)</script>", message="<b>hi</b>")
    response = await client.post("/api/v1/leads/submit", json=payload)
    lead = (
        await client.get(
            f"/api/v1/leads/{response.json()['id']}",
            headers={"Authorization": f"Bearer {org.api_key}"},
        )
    ).json()
    assert lead["caller_name"] == "<script>alert(1)</script>"


async def test_honeypot_same_shape_no_lead_and_an_alert(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    response = await client.post(
        "/api/v1/leads/submit", json=_form(org.org_id, website="http://spam.example")
    )
    assert response.status_code == 200 and set(response.json()) == {"success", "id"}
    assert await _count(runtime, org.org_id, "leads") == 0
    async with runtime.maker() as session:
        kinds = (await session.execute(text("SELECT kind FROM security_alerts"))).scalars().all()
    assert kinds == ["honeypot"]


async def test_five_a_minute_per_ip(client: httpx.AsyncClient, runtime: Runtime) -> None:
    org = await make_org(runtime)
    statuses = [
        (
            await client.post(
                "/api/v1/leads/submit", json=_form(org.org_id, email=f"p{i}@example.com")
            )
        ).status_code
        for i in range(6)
    ]
    assert statuses == [200] * 5 + [429]


async def test_idempotency_key_gives_one_lead(client: httpx.AsyncClient, runtime: Runtime) -> None:
    org = await make_org(runtime)
    headers = {"Idempotency-Key": "form-abc-1"}
    responses = await asyncio.gather(
        *[
            client.post("/api/v1/leads/submit", json=_form(org.org_id), headers=headers)
            for _ in range(4)
        ]
    )
    assert {r.json()["id"] for r in responses} == {responses[0].json()["id"]}
    assert await _count(runtime, org.org_id, "leads") == 1


async def test_summary_calls_and_conversation_views(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    from tradeline.simulator.player import TwilioPlayer

    org = await make_org(runtime)
    headers = {"Authorization": f"Bearer {org.api_key}"}
    player = TwilioPlayer("http://testserver", "test-auth-token", client)
    call = await player.start_call("+14035550160", org.phone_numbers[0])
    await player.say(call, "my dryer vent is blocked, my name is Sam Roy")
    await player.hang_up(call, duration=40)
    summary = (await client.get("/api/v1/dashboard/summary", headers=headers)).json()
    assert summary["call_stats"] == {"total": 1, "inbound": 1, "outbound": 0, "avg_duration": 40.0}
    assert set(summary) == {"call_stats", "sms_stats", "appointment_count", "recent_activity"}
    calls = (await client.get("/api/v1/calls", headers=headers)).json()["items"]
    detail = (await client.get(f"/api/v1/calls/{calls[0]['call_sid']}", headers=headers)).json()
    assert detail["caller_number"] == "+14035550160" and detail["duration"] == 40
    assert any("dryer" in t["text"] for t in detail["transcript"])
    conversation = (
        await client.get(f"/api/v1/conversations/{detail['conversation_id']}", headers=headers)
    ).json()
    assert (
        conversation["channel"] == "voice" and conversation["captured"]["caller_name"] == "Sam Roy"
    )
    other = await make_org(runtime)
    assert (
        await client.get(
            f"/api/v1/calls/{calls[0]['call_sid']}",
            headers={"Authorization": f"Bearer {other.api_key}"},
        )
    ).status_code == 404
    assert (
        await client.get(
            f"/api/v1/conversations/{detail['conversation_id']}",
            headers={"Authorization": f"Bearer {other.api_key}"},
        )
    ).status_code == 404
