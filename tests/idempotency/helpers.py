"""Reads for the idempotency tests, through the app role with the business's RLS scope."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from tradeline.db import tenant_session
from tradeline.models import AuditLog, BusinessProfile, IdempotencyKey
from tradeline.runtime import Runtime


def bearer(api_key: str, idempotency_key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {api_key}"}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return headers


async def audit_count(runtime: Runtime, org_id: uuid.UUID, action: str) -> int:
    async with tenant_session(runtime.maker, org_id) as session:
        count = await session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == action)
        )
    return int(count or 0)


async def profile_version(runtime: Runtime, org_id: uuid.UUID) -> int:
    async with tenant_session(runtime.maker, org_id) as session:
        version = await session.scalar(
            select(BusinessProfile.version).where(BusinessProfile.organization_id == org_id)
        )
    assert version is not None
    return version


async def stored_keys(runtime: Runtime, org_id: uuid.UUID) -> list[IdempotencyKey]:
    async with tenant_session(runtime.maker, org_id) as session:
        result = await session.execute(
            select(IdempotencyKey).order_by(IdempotencyKey.created_at, IdempotencyKey.scope)
        )
        return list(result.scalars())
