"""Form abuse: hostile text stays inert, floods are capped, bots are dropped."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from sqlalchemy import text

from tests.factories import make_org
from tests.lead.helpers import bearer, outbox
from tradeline.db import tenant_session
from tradeline.runtime import Runtime
from tradeline.worker.service import drain

XSS_NAME = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQLI_COMPANY = "Robert'); DROP TABLE leads;--"
SQLI_MESSAGE = "' OR '1'='1' -- ; SELECT pg_sleep(5); <b onmouseover=alert(2)>hi</b> & more"


def _form(org_id: uuid.UUID, **extra: object) -> dict[str, object]:
    return {
        "org_id": str(org_id),
        "name": "Jordan Lee",
        "email": "jordan@example.com",
        "message": "Need a quote",
    } | extra


async def test_xss_and_sql_payloads_are_stored_inert_and_rendered_escaped(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime, notify={"email": "owner@example.com"})
    response = await client.post(
        "/api/v1/leads/submit",
        json=_form(
            org.org_id,
            name=XSS_NAME,
            company=SQLI_COMPANY,
            message=SQLI_MESSAGE,
            email="o'hara+test@example.com",
        ),
    )
    assert response.status_code == 200, response.text

    # API JSON: the exact text back, as JSON strings (never interpreted), in a JSON response.
    lead = await client.get(f"/api/v1/leads/{response.json()['id']}", headers=bearer(org.api_key))
    assert lead.headers["content-type"] == "application/json"
    body = lead.json()
    assert body["caller_name"] == XSS_NAME
    assert body["job_summary"] == f"{SQLI_COMPANY} — {SQLI_MESSAGE}"
    assert body["email"] == "o'hara+test@example.com"
    async with tenant_session(runtime.maker, org.org_id) as session:
        count = (await session.execute(text("SELECT count(*) FROM leads"))).scalar_one()
    assert count == 1  # the table is still there, with the one row

    # The owner's lead card: HTML escaped, text part verbatim.
    await drain(runtime, queues=["default"])
    [email] = await outbox(runtime, org.org_id, "email")
    html, plain = email["html"], email["text"]
    assert "<script" not in html and "<img" not in html and "<b onmouseover" not in html
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    )
    assert "Robert&#39;); DROP TABLE leads;--" in html
    assert "&lt;b onmouseover=alert(2)&gt;hi&lt;/b&gt; &amp; more" in html
    assert XSS_NAME in plain and SQLI_MESSAGE in plain
    assert "\n" not in email["subject"] and XSS_NAME in email["subject"]


async def test_control_characters_are_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    org = await make_org(runtime)
    for field, value in (
        ("name", "Eve\r\nBcc: all@example.com"),
        ("name", "nul\x00byte"),
        ("message", "bell\x07"),
    ):
        response = await client.post(
            "/api/v1/leads/submit", json=_form(org.org_id, **{field: value})
        )
        assert response.status_code == 422, (field, value)
    multi_line = await client.post(
        "/api/v1/leads/submit", json=_form(org.org_id, message="line one\nline two\ttabbed")
    )
    assert multi_line.status_code == 200


async def test_a_thousand_posts_from_one_ip_get_five_through(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)

    async def post(i: int) -> int:
        # A bot rotating X-Forwarded-For does not get new buckets: no proxy is trusted.
        response = await client.post(
            "/api/v1/leads/submit",
            json=_form(org.org_id, email=f"bot{i}@example.com"),
            headers={"X-Forwarded-For": f"198.51.100.{i % 250}"},
        )
        if response.status_code == 429:
            assert int(response.headers["retry-after"]) >= 1
        return response.status_code

    statuses: list[int] = []
    for start in range(0, 1000, 100):
        statuses += await asyncio.gather(*(post(i) for i in range(start, start + 100)))
    assert statuses.count(200) == 5
    assert statuses.count(429) == 995
    async with tenant_session(runtime.maker, org.org_id) as session:
        count = (await session.execute(text("SELECT count(*) FROM leads"))).scalar_one()
    assert count == 5
