"""The telephony provider ports: outbound texts and calls, recordings (Twilio in production,
sandbox offline)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class SendResult:
    sid: str
    status: str  # queued | sent | failed | unknown (outcome not known: reconcile, never resend)


class SmsSender(Protocol):
    async def send_sms(
        self,
        session: AsyncSession,
        *,
        org_id: uuid.UUID,
        to: str,
        from_: str,
        body: str,
        status_callback: str | None,
    ) -> SendResult: ...


class CallPlacer(Protocol):
    async def place_call(
        self, session: AsyncSession, *, org_id: uuid.UUID, to: str, from_: str, twiml: str
    ) -> SendResult: ...


class RecordingStore(Protocol):
    """Where call recordings live (Twilio's REST API, or the sandbox outbox offline)."""

    async def delete_recording(self, session: AsyncSession, *, org_id: uuid.UUID, sid: str) -> bool:
        """Delete recording `sid`; True once it is gone (already-gone counts), False to retry."""
        ...
