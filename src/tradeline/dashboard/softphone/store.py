"""Where "Try a call" keeps a user's call between two clicks: server-side, keyed by their
dashboard session, sealed (it holds what they typed and the TwiML heard back), never in a cookie.

It lives in the existing database as a row of `idempotency_keys` under its own scope: that table
is already a sealed, tenant-scoped (RLS) key → document store with an expiry that the periodic
purge job enforces, so an abandoned test call disappears by itself two hours after its last
click. Nothing else reads this scope. (A dedicated `softphone_sessions` table would say the same
thing more plainly; swapping it in changes only `load` and `save`.)
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.exceptions import Conflict
from tradeline.idempotency import repository as store
from tradeline.runtime import Runtime

SCOPE = "dashboard.softphone"
LIFETIME = timedelta(hours=2)
MAX_LINES = 200
MAX_EXCHANGES = 30
_HASH = hashlib.sha256(SCOPE.encode()).hexdigest()


class Line(BaseModel):
    who: Literal["caller", "receptionist", "system"]
    text: str
    channel: Literal["voice", "sms"]
    at: datetime


class Exchange(BaseModel):
    url: str
    params: dict[str, str]
    status: int
    twiml: str


class SoftphoneState(BaseModel):
    mode: Literal["voice", "sms"] = "voice"
    caller: str
    business: str
    call_sid: str | None = None
    pending_gather: str | None = None
    no_input_url: str | None = None
    ended: bool = True
    status_sent: bool = True
    dial_outcome: Literal["completed", "no-answer", "busy"] = "no-answer"
    sequence: int = 0
    started_at: datetime | None = None
    lines: list[Line] = Field(default_factory=list)
    exchanges: list[Exchange] = Field(default_factory=list)

    def say(self, who: Literal["caller", "receptionist", "system"], text: str) -> None:
        channel: Literal["voice", "sms"] = "sms" if self.mode == "sms" else "voice"
        self.lines.append(Line(who=who, text=text, channel=channel, at=datetime.now(UTC)))
        del self.lines[:-MAX_LINES]

    def record(self, exchanges: list[Exchange]) -> None:
        self.exchanges.extend(exchanges)
        del self.exchanges[:-MAX_EXCHANGES]

    @property
    def in_call(self) -> bool:
        return self.call_sid is not None and not self.ended


def _key(session_id: uuid.UUID) -> str:
    return str(session_id)


async def lock(session: AsyncSession, org_id: uuid.UUID, session_id: uuid.UUID) -> None:
    """One click at a time per dashboard session (two tabs must not interleave one call)."""
    if not await store.lock(session, f"{SCOPE}:{org_id}:{session_id}", wait_ms=15_000):
        raise Conflict("another action of this test call is still running; try again")


async def load(
    session: AsyncSession, runtime: Runtime, org_id: uuid.UUID, session_id: uuid.UUID
) -> SoftphoneState | None:
    row = await store.find(session, org_id, SCOPE, _key(session_id))
    if row is None or row.expires_at <= datetime.now(UTC) or row.response_enc is None:
        return None
    raw = runtime.pii.open(
        row.response_enc,
        org_id=org_id,
        table="idempotency_keys",
        row_id=row.id,
        column="response_enc",
    )
    return SoftphoneState.model_validate_json(raw) if raw else None


async def save(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    session_id: uuid.UUID,
    state: SoftphoneState,
) -> None:
    row_id = uuid.uuid4()  # the ciphertext is bound to the row id, which changes with it
    sealed = runtime.pii.vault.encrypt(
        state.model_dump_json(),
        org_id=org_id,
        table="idempotency_keys",
        row_id=row_id,
        column="response_enc",
    )
    await store.upsert(
        session,
        row_id=row_id,
        org_id=org_id,
        scope=SCOPE,
        key=_key(session_id),
        request_hash=_HASH,
        status_code=200,
        response_enc=sealed,
        expires_at=datetime.now(UTC) + LIFETIME,
    )
