"""Offline providers: record what would have been sent into `sandbox_outbox` (sealed: it holds
recipients and message text), in the same transaction as the work that sent it."""

from __future__ import annotations

import json
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.models import SandboxOutbox
from tradeline.notification.ports import Email
from tradeline.privacy.service import Pii
from tradeline.telephony.ports import SendResult


class Sandbox:
    """SMS, calls, email and tenant webhooks, all into one outbox table."""

    def __init__(self, pii: Pii) -> None:
        self.pii = pii

    async def _record(
        self,
        session: AsyncSession,
        *,
        org_id: uuid.UUID,
        provider: str,
        recipient: str,
        payload: dict[str, object],
        prefix: str,
    ) -> str:
        row = SandboxOutbox(
            id=uuid.uuid4(),
            organization_id=org_id,
            provider=provider,
            external_id=f"{prefix}{uuid.uuid4().hex}",
        )
        row.recipient_enc = self.pii.seal(
            recipient, org_id=org_id, table="sandbox_outbox", row_id=row.id, column="recipient_enc"
        )
        sealed = self.pii.seal(
            json.dumps(payload),
            org_id=org_id,
            table="sandbox_outbox",
            row_id=row.id,
            column="payload_enc",
        )
        row.payload_enc = sealed or b""
        session.add(row)
        await session.flush()
        return row.external_id

    async def send_sms(
        self,
        session: AsyncSession,
        *,
        org_id: uuid.UUID,
        to: str,
        from_: str,
        body: str,
        status_callback: str | None,
    ) -> SendResult:
        sid = await self._record(
            session,
            org_id=org_id,
            provider="sms",
            recipient=to,
            payload={"from": from_, "body": body, "status_callback": status_callback},
            prefix="SM",
        )
        return SendResult(sid=sid, status="sent")

    async def place_call(
        self, session: AsyncSession, *, org_id: uuid.UUID, to: str, from_: str, twiml: str
    ) -> SendResult:
        sid = await self._record(
            session,
            org_id=org_id,
            provider="call",
            recipient=to,
            payload={"from": from_, "twiml": twiml},
            prefix="CA",
        )
        return SendResult(sid=sid, status="queued")

    async def send_email(self, session: AsyncSession, *, org_id: uuid.UUID, email: Email) -> str:
        return await self._record(
            session,
            org_id=org_id,
            provider="email",
            recipient=email.to,
            payload={
                "subject": email.subject,
                "text": email.text,
                "html": email.html,
                "attachments": [name for name, _, _ in email.attachments],
            },
            prefix="EM",
        )

    async def post_webhook(
        self,
        session: AsyncSession,
        *,
        org_id: uuid.UUID,
        url: str,
        body: str,
        headers: dict[str, str],
    ) -> str:
        return await self._record(
            session,
            org_id=org_id,
            provider="webhook",
            recipient=url,
            payload={"body": body, "headers": headers},
            prefix="WH",
        )
