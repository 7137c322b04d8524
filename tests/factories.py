"""Test data through the real services (never hand-written INSERTs that skip the rules)."""

from __future__ import annotations

import secrets
from typing import Any

from tradeline.db import tenant_session
from tradeline.organization.service import CreatedOrganization, create_organization, parse_profile
from tradeline.runtime import Runtime


def profile(
    name: str = "Test Plumbing", numbers: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "phone_numbers": numbers or [f"+1587555{secrets.randbelow(10_000):04d}"],
        "timezone": "America/Edmonton",
        "country": "CA",
        "hours": {"mon": "08:00-17:00", "tue": "08:00-17:00"},
        "routing": {"on_call": "+14035550103"},
    }
    data.update(extra)
    return data


async def make_org(
    runtime: Runtime, name: str = "Test Plumbing", **extra: Any
) -> CreatedOrganization:
    async with tenant_session(runtime.maker, None) as session:
        return await create_organization(session, parse_profile(profile(name, **extra)), runtime)
