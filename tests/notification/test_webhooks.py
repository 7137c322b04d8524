"""Outbound webhooks: signed so a receiver can check them with the secret alone, retried with
backoff on 5xx and timeouts but not on 4xx, logged, replayable; Slack and Teams formats."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from tests.factories import make_org
from tests.lead.helpers import api_key, bearer, outbox
from tests.worker.queue import make_due
from tradeline.auth.schemas import Role
from tradeline.db import tenant_session
from tradeline.integrations.webhooks import service
from tradeline.integrations.webhooks.sender import HttpPoster
from tradeline.integrations.webhooks.service import RetryableDelivery, check_url
from tradeline.models.lead_extra import WebhookDelivery
from tradeline.runtime import Runtime
from tradeline.worker.service import drain


@dataclass
class Receiver:
    """A loopback HTTP endpoint that answers the statuses it is given, and verifies every
    request the way our docs tell receivers to: HMAC-SHA256 with the shared secret only."""

    statuses: list[int] = field(default_factory=list)
    secret: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def verify(self, headers: dict[str, str], body: bytes) -> bool:
        parts = dict(p.split("=", 1) for p in headers["tradeline-signature"].split(","))
        if abs(time.time() - int(parts["t"])) > 300:
            return False
        expected = hmac.new(
            self.secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(expected, parts["v1"])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.requests.append(
                {"headers": headers, "body": body, "valid": state.verify(headers, body)}
            )
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/tradeline"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch, runtime: Runtime) -> None:
    monkeypatch.setattr(runtime.settings, "webhook_delivery", "live")


async def _subscribe(
    client: httpx.AsyncClient, key: str, kind: str, url: str, events: list[str] | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/webhooks",
        json={"kind": kind, "url": url, "events": events or []},
        headers=bearer(key),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _submit(client: httpx.AsyncClient, org_id: uuid.UUID, **extra: str) -> str:
    form = {"org_id": str(org_id), "name": "Jordan Lee", "email": "jordan@example.com"} | extra
    response = await client.post("/api/v1/leads/submit", json=form)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def _deliveries(runtime: Runtime, org_id: uuid.UUID) -> list[WebhookDelivery]:
    async with tenant_session(runtime.maker, org_id) as session:
        rows = await session.scalars(
            select(WebhookDelivery).order_by(WebhookDelivery.created_at, WebhookDelivery.id)
        )
        return list(rows)


async def _job(runtime: Runtime) -> dict[str, Any]:
    async with runtime.engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    text(
                        "SELECT id, status::text AS status, attempts, scheduled_at "
                        "FROM procrastinate_jobs WHERE task_name = 'webhooks.deliver' ORDER BY id DESC"
                    )
                )
            )
            .mappings()
            .first()
        )
    assert row is not None
    return dict(row)


@pytest.mark.usefixtures("live")
async def test_signed_and_retried_with_backoff_on_500_until_delivered(
    client: httpx.AsyncClient, runtime: Runtime, receiver: Receiver
) -> None:
    org = await make_org(runtime)
    hook = await _subscribe(client, org.api_key, "generic", receiver.url, ["lead.created"])
    receiver.secret = hook["secret"]
    assert hook["secret"].startswith("whsec_") and hook["signed"] is True
    receiver.statuses = [500, 503]
    lead_id = await _submit(client, org.org_id)

    waits = []
    for attempt, code in ((1, 500), (2, 503)):
        started = datetime.now(UTC)
        await drain(runtime, queues=["default"])
        [delivery] = await _deliveries(runtime, org.org_id)
        assert (delivery.status, delivery.attempts, delivery.last_response_code) == (
            "retrying",
            attempt,
            code,
        )
        job = await _job(runtime)
        assert (job["status"], job["attempts"]) == ("todo", attempt)
        assert delivery.next_attempt_at is not None
        assert abs((job["scheduled_at"] - delivery.next_attempt_at).total_seconds()) < 2
        waits.append((delivery.next_attempt_at - started).total_seconds())
        await drain(runtime, queues=["default"])  # not due yet: the backoff holds it
        assert len(receiver.requests) == attempt
        await make_due(runtime, job["id"])
    assert waits == [pytest.approx(4, abs=1.5), pytest.approx(16, abs=1.5)]  # 4 ** attempt

    await drain(runtime, queues=["default"])
    [delivery] = await _deliveries(runtime, org.org_id)
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == (
        "succeeded",
        3,
        200,
    )
    assert delivery.next_attempt_at is None and delivery.delivered_at is not None
    assert (await _job(runtime))["status"] == "succeeded"

    assert [r["valid"] for r in receiver.requests] == [True, True, True]
    bodies = {r["body"] for r in receiver.requests}
    assert len(bodies) == 1  # every attempt sends the same event
    payload = json.loads(bodies.pop())
    assert payload["type"] == "lead.created" and payload["data"]["lead"]["id"] == lead_id
    assert payload["data"]["lead"]["email"] == "jordan@example.com"
    assert payload["id"] == str(delivery.event_id)
    headers = receiver.requests[0]["headers"]
    assert headers["tradeline-event"] == "lead.created"
    assert headers["tradeline-delivery"] == str(delivery.id)
    assert headers["content-type"] == "application/json"

    # Tampering with the body, or the wrong secret, fails the receiver's check.
    first = receiver.requests[0]
    assert not receiver.verify(first["headers"], first["body"] + b" ")
    receiver.secret = "whsec_wrong"
    assert not receiver.verify(first["headers"], first["body"])


@pytest.mark.usefixtures("live")
async def test_4xx_is_final_and_replay_sends_the_same_event_again(
    client: httpx.AsyncClient, runtime: Runtime, receiver: Receiver
) -> None:
    org = await make_org(runtime)
    hook = await _subscribe(client, org.api_key, "generic", receiver.url, ["lead.created"])
    receiver.secret = hook["secret"]
    receiver.statuses = [400]
    await _submit(client, org.org_id)
    await drain(runtime, queues=["default"])
    await drain(runtime, queues=["default"])
    [delivery] = await _deliveries(runtime, org.org_id)
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == ("failed", 1, 400)
    assert delivery.next_attempt_at is None and delivery.last_error == "HTTP 400"
    assert (await _job(runtime))["status"] == "succeeded"  # the job is done: no retry
    assert len(receiver.requests) == 1

    log = (
        await client.get(
            "/api/v1/webhooks/deliveries", params={"status": "failed"}, headers=bearer(org.api_key)
        )
    ).json()["items"]
    assert [(d["id"], d["attempts"], d["last_response_code"]) for d in log] == [
        (str(delivery.id), 1, 400)
    ]
    replayed = await client.post(
        f"/api/v1/webhooks/deliveries/{delivery.id}/replay", headers=bearer(org.api_key)
    )
    assert replayed.status_code == 202 and replayed.json()["replay_of"] == str(delivery.id)
    await drain(runtime, queues=["default"])
    original, copy = await _deliveries(runtime, org.org_id)
    assert (copy.status, copy.event_id, copy.attempts) == ("succeeded", original.event_id, 1)
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    assert receiver.requests[1]["headers"]["tradeline-delivery"] == str(copy.id)
    assert all(r["valid"] for r in receiver.requests)


async def test_timeouts_are_retried_and_the_transport_is_injectable(runtime: Runtime) -> None:
    org = await make_org(runtime)
    async with tenant_session(runtime.maker, org.org_id) as session:
        from tradeline.auth.service import authenticate_api_key
        from tradeline.integrations.webhooks.schemas import IntegrationIn
        from tradeline.lead.service import create_lead

        principal = await authenticate_api_key(session, org.api_key)
        await service.create_integration(
            session,
            runtime,
            principal,
            IntegrationIn(kind="generic", url="https://crm.example.com/in", secret="s" * 32),
        )
        lead = await create_lead(session, runtime.pii, org.org_id, channel="web", caller_name="Al")
    [delivery] = await _deliveries(runtime, org.org_id)
    seen: list[httpx.Request] = []

    def timeout(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        raise httpx.ReadTimeout("slow receiver", request=request)

    poster = HttpPoster(transport=httpx.MockTransport(timeout))
    with pytest.raises(RetryableDelivery):
        await service.attempt(runtime, org.org_id, delivery.id, poster=poster)
    [delivery] = await _deliveries(runtime, org.org_id)
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == (
        "retrying",
        1,
        None,
    )
    assert delivery.last_error == "timeout (ReadTimeout)"
    assert str(seen[0].url) == "https://crm.example.com/in"
    assert json.loads(seen[0].content)["data"]["lead"]["id"] == str(lead.id)

    ok = HttpPoster(transport=httpx.MockTransport(lambda r: httpx.Response(204)))
    assert await service.attempt(runtime, org.org_id, delivery.id, poster=ok) == "succeeded"
    refused = HttpPoster(public_only=True)
    outcome = await refused.post("http://127.0.0.1:9/x", b"{}", {})
    assert (outcome.delivered, outcome.retryable) == (False, False)
    assert outcome.error is not None and "non-public" in outcome.error


async def test_slack_and_teams_get_escaped_cards_offline_in_the_sandbox(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    await _subscribe(client, org.api_key, "slack", "https://hooks.slack.com/services/T0/B0/x")
    await _subscribe(client, org.api_key, "teams", "https://example.webhook.office.com/w/1")
    lead_id = await _submit(client, org.org_id, name="<script>x</script> [click](http://evil)")
    moved = await client.patch(
        f"/api/v1/leads/{lead_id}", json={"status": "contacted"}, headers=bearer(org.api_key)
    )
    assert moved.status_code == 200
    await drain(runtime, queues=["default"])
    deliveries = await _deliveries(runtime, org.org_id)
    assert sorted((d.event_type, d.status) for d in deliveries) == [
        ("lead.created", "recorded"),
        ("lead.created", "recorded"),
        ("lead.updated", "recorded"),
        ("lead.updated", "recorded"),
    ]
    posts = await outbox(runtime, org.org_id, "webhook")
    slack = [json.loads(p["body"]) for p in posts if p["to"].startswith("https://hooks.slack")]
    teams = [json.loads(p["body"]) for p in posts if "office.com" in p["to"]]
    assert slack[0]["text"] == "New lead — Test Plumbing"
    section = slack[0]["blocks"][1]["text"]["text"]
    assert "*Name:* &lt;script&gt;x&lt;/script&gt; [click](http://evil)" in section
    assert "<script>" not in json.dumps(slack)
    assert "*Status:* new → contacted" in slack[1]["blocks"][1]["text"]["text"]
    card = teams[0]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    facts = {f["title"]: f["value"] for f in card["content"]["body"][2]["facts"]}
    assert facts["Name"] == "<script>x</script> \\[click\\]\\(http://evil\\)"
    assert facts["Email"] == "jordan@example.com"
    # Slack and Teams are not signed unless given a secret; nothing left the machine.
    assert all("TradeLine-Signature" not in p["headers"] for p in posts)


async def test_managing_subscriptions(client: httpx.AsyncClient, runtime: Runtime) -> None:
    org = await make_org(runtime)
    member = await api_key(runtime, org.org_id, Role.MEMBER)
    denied = await client.post(
        "/api/v1/webhooks",
        json={"kind": "generic", "url": "https://crm.example.com/in"},
        headers=bearer(member),
    )
    assert denied.status_code == 403
    assert (await client.get("/api/v1/webhooks", headers=bearer(member))).status_code == 403
    bad = await client.post(
        "/api/v1/webhooks",
        json={"kind": "generic", "url": "ftp://crm.example.com/in"},
        headers=bearer(org.api_key),
    )
    assert bad.status_code == 422
    hook = await _subscribe(
        client, org.api_key, "generic", "https://crm.example.com/in", ["lead.updated"]
    )
    listed = (await client.get("/api/v1/webhooks", headers=bearer(org.api_key))).json()["items"]
    assert listed == [{k: v for k, v in hook.items() if k != "secret"}]
    assert listed[0]["events"] == ["lead.updated"]
    await _submit(client, org.org_id)  # lead.created: not subscribed
    assert await _deliveries(runtime, org.org_id) == []
    deleted = await client.delete(f"/api/v1/webhooks/{hook['id']}", headers=bearer(org.api_key))
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True
    assert (await client.get("/api/v1/webhooks", headers=bearer(org.api_key))).json()["items"] == []
    again = await client.delete(f"/api/v1/webhooks/{hook['id']}", headers=bearer(org.api_key))
    assert again.status_code == 404
    async with tenant_session(runtime.maker, org.org_id) as session:
        stored = (await session.execute(text("SELECT url_enc, secret_enc FROM integrations"))).one()
    assert b"crm.example.com" not in bytes(stored[0]) and b"whsec_" not in bytes(stored[1])


def test_url_rules() -> None:
    assert check_url("http://10.0.0.5/in", production=False)
    for url, production in (
        ("http://crm.example.com/in", True),
        ("https://user:pw@crm.example.com/in", False),
        ("mailto:x@example.com", False),
    ):
        with pytest.raises(Exception, match="url"):
            check_url(url, production=production)
    assert service.next_attempt_at(1) is not None
    assert service.next_attempt_at(9) is None  # 9 attempts, then failed
    delay = service.next_attempt_at(3)
    assert delay is not None
    assert delay - datetime.now(UTC) == pytest.approx(
        timedelta(seconds=64), abs=timedelta(seconds=2)
    )
