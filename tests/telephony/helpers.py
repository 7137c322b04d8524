"""Shared helpers of the voice tests: signed posts, row counts, the sandbox outbox decrypted."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from tests.organization.tenancy import tenant_tables
from tradeline.db import DatabaseTarget, tenant_session
from tradeline.integrations.twilio.signature import sign
from tradeline.models import SandboxOutbox
from tradeline.runtime import Runtime
from tradeline.simulator.player import ACCOUNT_SID

TOKEN = "test-auth-token"
CALLER = "+14035550135"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS_OPEN = dict.fromkeys(DAYS, "00:00-24:00")
ROUTING = {"sales": "+14035550101", "support": "+14035550102", "on_call": "+14035550103"}


def call_form(
    to: str, caller: str = CALLER, sid: str | None = None, **extra: str
) -> dict[str, str]:
    return {
        "CallSid": sid or "CA" + uuid.uuid4().hex,
        "AccountSid": ACCOUNT_SID,
        "From": caller,
        "To": to,
        "CallStatus": "ringing",
        "Direction": "inbound",
        **extra,
    }


async def signed_post(
    client: httpx.AsyncClient,
    path: str,
    form: dict[str, str],
    *,
    base: str = "http://testserver",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST `path` signed by the SDK for `base + path` (the URL Twilio would have called)."""
    signature = sign(TOKEN, base + path, form)
    return await client.post(
        path, data=form, headers={"X-Twilio-Signature": signature, **(headers or {})}
    )


def row_counts(target: DatabaseTarget) -> dict[str, int]:
    """Rows in every tenant table (found in the catalog) plus the job queue, as the owner."""
    engine = create_engine(target.owner_url)
    try:
        with engine.connect() as conn:
            tables = [*tenant_tables(conn), "procrastinate_jobs", "security_alerts"]
            return {
                table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
                for table in tables
            }
    finally:
        engine.dispose()


async def sql(runtime: Runtime, org_id: uuid.UUID, query: str, **params: Any) -> list[Any]:
    async with tenant_session(runtime.maker, org_id) as session:
        return list((await session.execute(text(query), params)).all())


@dataclass
class Sent:
    provider: str
    recipient: str
    payload: dict[str, Any]


async def outbox(runtime: Runtime, org_id: uuid.UUID, provider: str | None = None) -> list[Sent]:
    """What the sandbox providers 'sent', decrypted with the runtime's PII vault."""
    from sqlalchemy import select

    async with tenant_session(runtime.maker, org_id) as session:
        rows = (
            await session.execute(select(SandboxOutbox).order_by(SandboxOutbox.created_at))
        ).scalars()
        sent = []
        for row in rows:
            if provider is not None and row.provider != provider:
                continue
            recipient = runtime.pii.open(
                row.recipient_enc,
                org_id=org_id,
                table="sandbox_outbox",
                row_id=row.id,
                column="recipient_enc",
            )
            payload = runtime.pii.open(
                row.payload_enc,
                org_id=org_id,
                table="sandbox_outbox",
                row_id=row.id,
                column="payload_enc",
            )
            sent.append(Sent(row.provider, recipient or "", json.loads(payload or "{}")))
        return sent


async def jobs(runtime: Runtime) -> list[tuple[str, str]]:
    async with runtime.maker() as session:
        rows = await session.execute(
            text("SELECT task_name, status::text FROM procrastinate_jobs ORDER BY id")
        )
        return [(r[0], r[1]) for r in rows]
