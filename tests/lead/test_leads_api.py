"""Leads API: filters and cursors, status transitions, notes with an audit trail, masking."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, text

from tests.factories import make_org
from tests.lead.helpers import api_key, bearer
from tradeline.auth.schemas import Role
from tradeline.db import tenant_session
from tradeline.lead.policy import TRANSITIONS
from tradeline.lead.service import create_lead
from tradeline.models import AuditLog, Lead
from tradeline.models.lead_extra import LeadNote
from tradeline.runtime import Runtime

BASE = datetime(2026, 10, 1, 12, tzinfo=UTC)


async def _lead(runtime: Runtime, org_id: uuid.UUID, **fields: object) -> uuid.UUID:
    created_at = fields.pop("created_at", None)
    status = fields.pop("status", None)
    async with tenant_session(runtime.maker, org_id) as session:
        lead = await create_lead(session, runtime.pii, org_id, **fields)  # type: ignore[arg-type]
        if created_at is not None:
            lead.created_at = created_at  # type: ignore[assignment]
        if status is not None:
            lead.status = status  # type: ignore[assignment]
        return lead.id


async def _audit(runtime: Runtime, org_id: uuid.UUID, action: str) -> list[AuditLog]:
    async with tenant_session(runtime.maker, org_id) as session:
        rows = await session.scalars(
            select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.created_at)
        )
        return list(rows)


async def test_filters_by_date_status_channel_phone_with_cursor(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    ids = [
        await _lead(
            runtime,
            org.org_id,
            channel="voice" if day % 2 else "web",
            caller_number=f"+1403555{day:04d}",
            callback_number=f"+1403555{day:04d}",
            created_at=BASE + timedelta(days=day),
            status="contacted" if day == 3 else None,
        )
        for day in range(6)
    ]
    headers = bearer(org.api_key)

    async def listing(**params: str | int) -> list[str]:
        response = await client.get("/api/v1/leads", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    window = {
        "since": (BASE + timedelta(days=1)).isoformat(),
        "until": (BASE + timedelta(days=4)).isoformat(),
    }
    assert await listing(**window) == [str(ids[3]), str(ids[2]), str(ids[1])]
    assert await listing(**window, channel="voice") == [str(ids[3]), str(ids[1])]
    assert await listing(status="contacted") == [str(ids[3])]
    assert await listing(phone="(403) 555-0004") == [str(ids[4])]

    first = (await client.get("/api/v1/leads", params={"limit": 4}, headers=headers)).json()
    second = (
        await client.get(
            "/api/v1/leads", params={"limit": 4, "cursor": first["next_cursor"]}, headers=headers
        )
    ).json()
    assert [i["id"] for i in first["items"] + second["items"]] == [str(i) for i in reversed(ids)]
    assert second["next_cursor"] is None

    naive = await client.get(
        "/api/v1/leads", params={"since": "2026-10-01T00:00:00"}, headers=headers
    )
    assert naive.status_code == 422 and naive.json()["detail"].startswith("since")
    backwards = await client.get(
        "/api/v1/leads",
        params={"since": window["until"], "until": window["since"]},
        headers=headers,
    )
    assert backwards.status_code == 422


async def test_status_moves_along_allowed_transitions_only_and_is_audited(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    lead_id = await _lead(runtime, org.org_id, channel="web", caller_name="Ana Silva")
    headers = bearer(org.api_key)
    url = f"/api/v1/leads/{lead_id}"

    async def move(status: str, **extra: str) -> httpx.Response:
        return await client.patch(url, json={"status": status}, headers=headers | extra)

    refused = await move("won")  # new → won skips the work
    assert refused.status_code == 422 and refused.json()["error"] == "InvalidTransition"
    assert "allowed from new: booked, contacted, lost" in refused.json()["detail"]
    for status in ("contacted", "booked", "won"):
        moved = await move(status)
        assert moved.status_code == 200 and moved.json()["status"] == status
    final = await move("lost")
    assert final.status_code == 422 and "none (final)" in final.json()["detail"]
    unknown = await move("archived")
    assert unknown.status_code == 422

    changes = [r.data for r in await _audit(runtime, org.org_id, "lead.status_changed")]
    assert changes == [
        {"from": "new", "to": "contacted"},
        {"from": "contacted", "to": "booked"},
        {"from": "booked", "to": "won"},
    ]


def test_transition_table_is_closed_over_statuses() -> None:
    statuses = {"new", "contacted", "booked", "won", "lost"}
    assert set(TRANSITIONS) == statuses
    assert all(targets <= statuses for targets in TRANSITIONS.values())
    assert TRANSITIONS["won"] == frozenset()


async def test_status_change_honours_idempotency_key(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    lead_id = await _lead(runtime, org.org_id, channel="web")
    headers = bearer(org.api_key) | {"Idempotency-Key": "move-1"}
    first = await client.patch(
        f"/api/v1/leads/{lead_id}", json={"status": "contacted"}, headers=headers
    )
    again = await client.patch(
        f"/api/v1/leads/{lead_id}", json={"status": "contacted"}, headers=headers
    )
    assert first.status_code == again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert len(await _audit(runtime, org.org_id, "lead.status_changed")) == 1


async def test_notes_are_sealed_audited_and_masked_for_non_admins(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    lead_id = await _lead(
        runtime, org.org_id, channel="voice", caller_number="+14035550177", caller_name="Ana Silva"
    )
    member = await api_key(runtime, org.org_id, Role.MEMBER)
    secret = "Called back: Ana's gate code is 4471, cell 403-555-0199"
    added = await client.post(
        f"/api/v1/leads/{lead_id}/notes", json={"body": secret}, headers=bearer(org.api_key)
    )
    assert added.status_code == 201 and added.json()["body"] == secret
    by_member = await client.post(
        f"/api/v1/leads/{lead_id}/notes", json={"body": "left a voicemail"}, headers=bearer(member)
    )
    assert by_member.status_code == 201 and by_member.json()["body"] == "left a voicemail"

    async with tenant_session(runtime.maker, org.org_id) as session:
        raw = (await session.execute(text("SELECT body_enc FROM lead_notes"))).scalars().all()
        notes = (await session.scalars(select(LeadNote))).all()
    assert len(raw) == 2 and all(b"4471" not in bytes(blob) for blob in raw)
    assert {n.author_type for n in notes} == {"api_key"}

    admin_view = (
        await client.get(f"/api/v1/leads/{lead_id}/notes", headers=bearer(org.api_key))
    ).json()
    assert [n["body"] for n in admin_view["items"]] == ["left a voicemail", secret]
    member_view = (
        await client.get(f"/api/v1/leads/{lead_id}/notes", headers=bearer(member))
    ).json()
    assert [n["body"] for n in member_view["items"]] == ["[redacted]", "[redacted]"]

    added_audit = await _audit(runtime, org.org_id, "lead.note_added")
    assert [a.target_id for a in added_audit] == [str(lead_id)] * 2
    assert all("4471" not in str(a.data) for a in added_audit)
    reveals = [
        a for a in await _audit(runtime, org.org_id, "pii.reveal") if a.target_type == "lead_note"
    ]
    assert len(reveals) == 1 and reveals[0].reason == "api: read lead notes"  # admins only


async def test_masked_for_members_decrypted_and_audited_for_admins(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    lead_id = await _lead(
        runtime,
        org.org_id,
        channel="voice",
        caller_number="+14035550177",
        callback_number="+14035550177",
        caller_name="Ana Silva",
        email="ana@example.com",
    )
    member = await api_key(runtime, org.org_id, Role.MEMBER)
    masked = (await client.get(f"/api/v1/leads/{lead_id}", headers=bearer(member))).json()
    assert (masked["caller_number"], masked["caller_name"], masked["email"]) == (
        "***-***-0177",
        "A*** S***",
        "a***@example.com",
    )
    assert await _audit(runtime, org.org_id, "pii.reveal") == []
    moved = await client.patch(
        f"/api/v1/leads/{lead_id}", json={"status": "contacted"}, headers=bearer(member)
    )
    assert moved.status_code == 200 and moved.json()["caller_number"] == "***-***-0177"
    clear = (await client.get(f"/api/v1/leads/{lead_id}", headers=bearer(org.api_key))).json()
    assert clear["caller_number"] == "+14035550177" and clear["caller_name"] == "Ana Silva"
    assert len(await _audit(runtime, org.org_id, "pii.reveal")) == 1


async def test_other_businesses_leads_are_404(client: httpx.AsyncClient, runtime: Runtime) -> None:
    org, other = await make_org(runtime), await make_org(runtime, "Other Co")
    lead_id = await _lead(runtime, org.org_id, channel="web")
    headers = bearer(other.api_key)
    url = f"/api/v1/leads/{lead_id}"
    responses = [
        await client.patch(url, json={"status": "contacted"}, headers=headers),
        await client.post(f"{url}/notes", json={"body": "x"}, headers=headers),
        await client.get(f"{url}/notes", headers=headers),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404]
    async with tenant_session(runtime.maker, org.org_id) as session:
        lead = await session.get(Lead, lead_id)
        notes = (await session.execute(text("SELECT count(*) FROM lead_notes"))).scalar_one()
    assert lead is not None and lead.status == "new" and notes == 0
