"""Shared by the lead, appointment and notification tests: keys, the sandbox outbox, the app
with the routers of this change mounted (until api.py mounts them itself)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import select

from tradeline.auth.schemas import Role
from tradeline.auth.service import create_api_key
from tradeline.db import tenant_session
from tradeline.models import SandboxOutbox
from tradeline.runtime import Runtime


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def api_key(runtime: Runtime, org_id: uuid.UUID, role: Role) -> str:
    async with tenant_session(runtime.maker, org_id) as session:
        _, raw = await create_api_key(session, org_id, name=f"test {role.value}", role=role)
    return raw


async def outbox(runtime: Runtime, org_id: uuid.UUID, provider: str) -> list[dict[str, Any]]:
    """What the sandbox recorded for `provider`, decrypted, oldest first (recipient + payload)."""
    async with tenant_session(runtime.maker, org_id) as session:
        rows = (
            await session.scalars(
                select(SandboxOutbox)
                .where(SandboxOutbox.provider == provider)
                .order_by(SandboxOutbox.created_at, SandboxOutbox.id)
            )
        ).all()
    found = []
    for row in rows:

        def open_(column: str, row: SandboxOutbox = row) -> str | None:
            return runtime.pii.open(
                getattr(row, column),
                org_id=org_id,
                table="sandbox_outbox",
                row_id=row.id,
                column=column,
            )

        found.append({"to": open_("recipient_enc"), **json.loads(open_("payload_enc") or "{}")})
    return found


@asynccontextmanager
async def app_client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The real app; the appointment and webhook routers are added when api.py does not
    mount them yet (it will: then this adds nothing)."""
    from tradeline.app import create_app
    from tradeline.appointment.endpoints import router as appointments
    from tradeline.integrations.webhooks.endpoints import router as webhooks

    app = create_app(runtime.settings, runtime=runtime)
    paths = {getattr(route, "path", "") for route in app.routes}
    for router, probe in ((appointments, "/api/v1/appointments"), (webhooks, "/api/v1/webhooks")):
        if probe not in paths:
            app.include_router(router, prefix="/api/v1")
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
