"""Shared helpers for the SMS and consent tests: the sandbox outbox, signed posts, a loopback
fake of Twilio's Messages API driven through the official SDK."""

from __future__ import annotations

import json
import socket
import struct
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from sqlalchemy import select, text

from tradeline.db import tenant_session
from tradeline.integrations.twilio.signature import sign
from tradeline.models import Message, SandboxOutbox
from tradeline.models.messaging import OutboundSms
from tradeline.runtime import Runtime
from tradeline.simulator.player import ACCOUNT_SID

TOKEN = "test-auth-token"


@dataclass(frozen=True)
class SentSms:
    sid: str
    to: str
    from_: str
    body: str
    status_callback: str | None
    created_at: datetime


async def sandbox_sms(runtime: Runtime, org_id: uuid.UUID) -> list[SentSms]:
    """What the sandbox provider 'sent' for the business, oldest first."""
    async with tenant_session(runtime.maker, org_id) as session:
        rows = (
            await session.execute(
                select(SandboxOutbox)
                .where(SandboxOutbox.provider == "sms")
                .order_by(SandboxOutbox.created_at)
            )
        ).scalars()
        out = []
        for row in rows:
            binding: dict[str, Any] = {
                "org_id": org_id,
                "table": "sandbox_outbox",
                "row_id": row.id,
            }
            to = runtime.pii.open(row.recipient_enc, column="recipient_enc", **binding)
            payload = json.loads(
                runtime.pii.open(row.payload_enc, column="payload_enc", **binding) or "{}"
            )
            out.append(
                SentSms(
                    row.external_id,
                    to or "",
                    payload.get("from", ""),
                    payload.get("body", ""),
                    payload.get("status_callback"),
                    row.created_at,
                )
            )
        return out


async def scalar(runtime: Runtime, org_id: uuid.UUID | None, sql: str, **params: Any) -> Any:
    async with tenant_session(runtime.maker, org_id) as session:
        return (await session.execute(text(sql), params)).scalar_one()


async def rows(runtime: Runtime, org_id: uuid.UUID | None, sql: str, **params: Any) -> list[Any]:
    async with tenant_session(runtime.maker, org_id) as session:
        return list((await session.execute(text(sql), params)).all())


async def outbound(runtime: Runtime, org_id: uuid.UUID) -> list[tuple[Message, OutboundSms]]:
    async with tenant_session(runtime.maker, org_id) as session:
        result = await session.execute(
            select(Message, OutboundSms)
            .join(OutboundSms, OutboundSms.message_id == Message.id)
            .order_by(Message.created_at)
        )
        return [(m, o) for m, o in result.all()]


async def post_signed(
    client: httpx.AsyncClient, path: str, params: dict[str, str]
) -> httpx.Response:
    url = "http://testserver" + path
    return await client.post(
        url, data=params, headers={"X-Twilio-Signature": sign(TOKEN, url, params)}
    )


def sms_form(to: str, body: str, sender: str, sid: str | None = None) -> dict[str, str]:
    sid = sid or "SM" + uuid.uuid4().hex
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "To": to,
        "Body": body,
    }


# --- a loopback fake of Twilio's Messages API ----------------------------------------------


@dataclass
class FakeTwilio:
    """Records every create; `faults` is consumed one per create: "ok" or "reset" (the message
    is accepted, then the connection is reset before any response: an ambiguous outcome)."""

    url: str = ""
    created: list[dict[str, Any]] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            with fake.lock:
                mode = fake.faults.pop(0) if fake.faults else "ok"
                message = {
                    "sid": "SM" + uuid.uuid4().hex,
                    "to": form.get("To"),
                    "from": form.get("From"),
                    "body": form.get("Body"),
                    "status": "queued",
                    "status_callback": form.get("StatusCallback"),
                    "date_created": format_datetime(datetime.now(UTC)),
                }
                fake.created.append(message)
            if mode == "reset":
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
                self.close_connection = True
                return
            self._json(201, _public(message))

        def do_GET(self) -> None:
            query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            with fake.lock:
                found = [
                    _public(m)
                    for m in reversed(fake.created)
                    if m["to"] == query.get("To") and m["from"] == query.get("From")
                ]
            self._json(
                200,
                {
                    "messages": found,
                    "first_page_uri": self.path,
                    "next_page_uri": None,
                    "previous_page_uri": None,
                    "page": 0,
                    "page_size": 50,
                    "start": 0,
                    "end": len(found),
                    "uri": self.path,
                },
            )

    return Handler


def _public(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "sid": message["sid"],
        "account_sid": ACCOUNT_SID,
        "to": message["to"],
        "from": message["from"],
        "body": message["body"],
        "status": message["status"],
        "direction": "outbound-api",
        "num_segments": "1",
        "date_created": message["date_created"],
        "date_updated": message["date_created"],
        "date_sent": None,
        "api_version": "2010-04-01",
        "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{message['sid']}.json",
    }


@contextmanager
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port_url() -> str:
    """A loopback URL nobody listens on: connection refused, provably nothing sent."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
