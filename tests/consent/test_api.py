"""The consent API: status, the do-not-contact list (POST/DELETE/GET), consent records."""

from __future__ import annotations

import uuid

import httpx

from tests.factories import make_org
from tests.sms.helpers import outbound, rows
from tradeline.auth.schemas import Role
from tradeline.auth.service import create_api_key
from tradeline.db import tenant_session
from tradeline.runtime import Runtime
from tradeline.sms import service as sms

CUSTOMER = "+14035550155"


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def member_key(runtime: Runtime, org_id: uuid.UUID) -> str:
    async with tenant_session(runtime.maker, org_id) as session:
        _, raw = await create_api_key(session, org_id, name="front desk", role=Role.MEMBER)
    return raw


async def send(runtime: Runtime, org_id: uuid.UUID) -> sms.OutboundResult:
    async with tenant_session(runtime.maker, org_id) as session:
        return await sms.send_sms(
            session,
            runtime,
            org_id,
            CUSTOMER,
            "Reminder: tomorrow 9am",
            "transactional",
            "reminder",
        )


async def test_do_not_contact_list(runtime: Runtime, client: httpx.AsyncClient) -> None:
    org = await make_org(runtime)
    admin, member = auth(org.api_key), auth(await member_key(runtime, org.org_id))
    record = await client.post(
        "/api/v1/consent/records",
        json={"phone": "403-555-0155", "purpose": "transactional", "basis": "express",
              "wording": "Text me about my appointment", "evidence": "signed form 17"},
        headers=admin,
    )  # fmt: skip
    assert record.status_code == 201
    assert (await send(runtime, org.org_id)).status == "pending"

    added = await client.post(
        "/api/v1/consent/suppressions",
        json={"phone": "(403) 555-0155", "reason": "asked by phone"},
        headers=member,
    )
    assert added.status_code == 201 and added.json() == {
        "phone": "***-***-0155",
        "suppressed": True,
        "changed": True,
    }
    again = await client.post(
        "/api/v1/consent/suppressions", json={"phone": CUSTOMER}, headers=admin
    )
    assert again.status_code == 200 and again.json()["changed"] is False
    assert (await send(runtime, org.org_id)).reason == "suppressed"
    status = (
        await client.get("/api/v1/consent/status", params={"phone": CUSTOMER}, headers=admin)
    ).json()
    assert status["suppressed"] is True and status["sms_opted_out"] is False
    assert status["sms_transactional"] == {"allowed": False, "reason": "suppressed"}

    listed = (await client.get("/api/v1/consent/suppressions", headers=admin)).json()
    assert [(i["phone"], i["reason"], i["source"]) for i in listed["items"]] == [
        (CUSTOMER, "asked by phone", "api")
    ]
    masked = (await client.get("/api/v1/consent/suppressions", headers=member)).json()
    assert [(i["phone"], i["reason"]) for i in masked["items"]] == [("***-***-0155", None)]

    refused = await client.delete(
        "/api/v1/consent/suppressions", params={"phone": CUSTOMER}, headers=member
    )
    assert refused.status_code == 403 and refused.json()["error"] == "Forbidden"
    removed = await client.delete(
        "/api/v1/consent/suppressions", params={"phone": CUSTOMER}, headers=admin
    )
    assert removed.status_code == 200 and removed.json() == {
        "phone": CUSTOMER,
        "suppressed": False,
        "changed": True,
    }
    assert (await send(runtime, org.org_id)).status == "pending"

    ledger = await rows(
        runtime,
        org.org_id,
        "SELECT basis, granted, source FROM consent_records ORDER BY recorded_at",
    )
    assert [tuple(r) for r in ledger] == [
        ("express", True, "api"),
        ("suppressed", False, "api"),
        ("suppressed", True, "api"),
    ]
    audit = await rows(
        runtime,
        org.org_id,
        "SELECT action FROM audit_log WHERE action LIKE 'consent.%' ORDER BY created_at",
    )
    assert [a[0] for a in audit] == ["consent.granted", "consent.withdrawn", "consent.granted"]
    assert [o.decision for _, o in await outbound(runtime, org.org_id)] == [
        "express",
        "suppressed",
        "express",
    ]


async def test_bad_input_is_4xx_and_tenants_stay_apart(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    a, b = await make_org(runtime, "A"), await make_org(runtime, "B")
    bad = await client.post(
        "/api/v1/consent/suppressions", json={"phone": "not a phone"}, headers=auth(a.api_key)
    )
    assert bad.status_code == 422
    future = await client.post(
        "/api/v1/consent/records",
        json={
            "phone": CUSTOMER,
            "purpose": "marketing",
            "basis": "express",
            "recorded_at": "2999-01-01T00:00:00Z",
        },
        headers=auth(a.api_key),
    )
    assert future.status_code == 422
    assert (
        await client.post("/api/v1/consent/suppressions", json={"phone": CUSTOMER})
    ).status_code == 401
    await client.post(
        "/api/v1/consent/suppressions", json={"phone": CUSTOMER}, headers=auth(a.api_key)
    )
    status_b = (
        await client.get(
            "/api/v1/consent/status", params={"phone": CUSTOMER}, headers=auth(b.api_key)
        )
    ).json()
    assert status_b["suppressed"] is False
    assert (await client.get("/api/v1/consent/suppressions", headers=auth(b.api_key))).json()[
        "items"
    ] == []
