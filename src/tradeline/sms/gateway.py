"""Which SMS gateway sends: Twilio through its SDK when configured, the sandbox otherwise.

Both extend the existing clients (`integrations.sandbox.Sandbox`, `integrations.twilio.rest.
TwilioRest`) with `list_recent` (reconciliation) — see `tradeline.sms.ports`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.integrations.sandbox import Sandbox
from tradeline.integrations.twilio.rest import TwilioRest
from tradeline.runtime import Runtime
from tradeline.sms import repository
from tradeline.sms.ports import ProviderMessage, SmsGateway


class SandboxGateway(Sandbox):
    """Offline: what would have been sent is in `sandbox_outbox`; listing reads it back."""

    async def list_recent(
        self,
        session: AsyncSession,
        *,
        org_id: uuid.UUID,
        to: str,
        from_: str,
        since: datetime,
    ) -> list[ProviderMessage]:
        found = []
        for row in await repository.sandbox_sms_since(session, org_id, since):
            recipient = self.pii.open(
                row.recipient_enc,
                org_id=org_id,
                table="sandbox_outbox",
                row_id=row.id,
                column="recipient_enc",
            )
            sealed = self.pii.open(
                row.payload_enc,
                org_id=org_id,
                table="sandbox_outbox",
                row_id=row.id,
                column="payload_enc",
            )
            payload = json.loads(sealed or "{}")
            if recipient != to or payload.get("from") != from_:
                continue
            found.append(
                ProviderMessage(
                    sid=row.external_id,
                    to=to,
                    from_=str(payload.get("from")),
                    body=str(payload.get("body", "")),
                    created_at=row.created_at,
                    status="sent",
                )
            )
        return found


class TwilioGateway(TwilioRest):
    """The Twilio REST port (sends with a bounded timeout; an ambiguous outcome is `unknown`,
    reconciled, never retried) plus the listing that reconciliation needs."""

    async def list_recent(
        self,
        session: AsyncSession,
        *,
        org_id: uuid.UUID,
        to: str,
        from_: str,
        since: datetime,
    ) -> list[ProviderMessage]:
        # No date filter at the provider: Twilio filters on DateSent, which a message still
        # queued does not have yet. To+From and a small page are enough.
        listed = await asyncio.to_thread(
            self.client.messages.list, to=to, from_=from_, limit=50, page_size=50
        )
        found = []
        for item in listed:
            created = item.date_created or datetime.now(UTC)
            if created < since:
                continue
            found.append(
                ProviderMessage(
                    sid=str(item.sid),
                    to=str(item.to),
                    from_=str(item.from_),
                    body=str(item.body or ""),
                    created_at=created,
                    status=str(item.status or "queued"),
                )
            )
        return found


_override: Callable[[Runtime], SmsGateway] | None = None


def gateway(runtime: Runtime) -> SmsGateway:
    if _override is not None:
        return _override(runtime)
    settings = runtime.settings
    if settings.twilio_account_sid and settings.twilio_auth_token:
        return TwilioGateway(
            settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value()
        )
    return SandboxGateway(runtime.pii)


@contextlib.contextmanager
def use_gateway(factory: Callable[[Runtime], SmsGateway]) -> Iterator[None]:
    """Route sends through another gateway for a block (a loopback fake of a provider)."""
    global _override
    previous, _override = _override, factory
    try:
        yield
    finally:
        _override = previous
