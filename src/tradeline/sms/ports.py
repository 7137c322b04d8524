"""The outbound SMS port as the SMS pipeline needs it: send, and list what was sent.

`SmsGateway` extends `tradeline.telephony.ports.SmsSender` with `list_recent`, which the
reconciliation uses to settle sends whose outcome is unknown (the request may have left when
the connection broke: Twilio's Messages API has no idempotency key, so a blind retry could
text the customer twice).

`SendResult.status` from a gateway: `queued`/`accepted`/`sent` (the provider has it, with its
SID), `failed` (refused for good), `unknown` (may or may not have left: reconcile, never
resend), or `not_sent` (provably never left — connection refused or connect timeout — safe to
try again later).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.telephony.ports import SmsSender


@dataclass(frozen=True)
class ProviderMessage:
    sid: str
    to: str
    from_: str
    body: str
    created_at: datetime
    status: str


class SmsGateway(SmsSender, Protocol):
    async def list_recent(
        self,
        session: AsyncSession,
        *,
        org_id: uuid.UUID,
        to: str,
        from_: str,
        since: datetime,
    ) -> list[ProviderMessage]:
        """Messages from `from_` to `to` created at or after `since`, newest first."""
        ...
