"""Every SQL statement about idempotency keys: the per-key lock, the lookup and the upsert."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.models import IdempotencyKey

_LOCK_NOT_AVAILABLE = "55P03"  # SQLSTATE raised when lock_timeout expires


async def current_org(session: AsyncSession) -> uuid.UUID | None:
    """The business the transaction is scoped to (RLS), if any."""
    value = (await session.execute(text("SELECT tradeline_current_org()"))).scalar_one_or_none()
    return value if isinstance(value, uuid.UUID) or value is None else uuid.UUID(str(value))


async def lock(session: AsyncSession, name: str, *, wait_ms: int) -> bool:
    """Take a transaction-scoped advisory lock on `name`, waiting at most `wait_ms`.

    Released by Postgres at COMMIT or ROLLBACK, whichever ends the transaction. Returns False when
    the wait expired; the transaction is then aborted and must be rolled back by the caller.
    Names hash to 64 bits: a collision only makes two unrelated keys take turns.
    """
    previous = (await session.execute(text("SELECT current_setting('lock_timeout')"))).scalar_one()
    await session.execute(
        text("SELECT set_config('lock_timeout', :wait, true)"), {"wait": f"{wait_ms}ms"}
    )
    try:
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name}
        )
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            return False
        raise
    # Only the wait for this lock is bounded; the effect's own statements keep the usual timeout.
    await session.execute(
        text("SELECT set_config('lock_timeout', :previous, true)"), {"previous": previous}
    )
    return True


async def find(
    session: AsyncSession, org_id: uuid.UUID, scope: str, key: str
) -> IdempotencyKey | None:
    result = await session.execute(
        select(IdempotencyKey)
        .where(
            IdempotencyKey.organization_id == org_id,
            IdempotencyKey.scope == scope,
            IdempotencyKey.key == key,
        )
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def upsert(
    session: AsyncSession,
    *,
    row_id: uuid.UUID,
    org_id: uuid.UUID,
    scope: str,
    key: str,
    request_hash: str,
    status_code: int,
    response_enc: bytes,
    expires_at: datetime,
) -> None:
    """Store a response under its key, replacing an expired row in place.

    A plain INSERT would race the purge job (it may delete the expired row between our lookup and
    our write), so the upsert covers both cases; the caller holds the key's lock, so the row it
    replaces is never a live one. The id changes with the content: the ciphertext is bound to it.
    """
    statement = insert(IdempotencyKey).values(
        id=row_id,
        organization_id=org_id,
        scope=scope,
        key=key,
        request_hash=request_hash,
        status_code=status_code,
        response_enc=response_enc,
        expires_at=expires_at,
    )
    statement = statement.on_conflict_do_update(
        constraint="uq_idempotency_scope_key",
        set_={
            "id": statement.excluded.id,
            "created_at": func.now(),
            "request_hash": statement.excluded.request_hash,
            "status_code": statement.excluded.status_code,
            "response_enc": statement.excluded.response_enc,
            "expires_at": statement.excluded.expires_at,
        },
    )
    await session.execute(statement)
