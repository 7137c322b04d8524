"""Offline stand-in for Twilio's recording API: a deletion is recorded in `sandbox_outbox`
(sealed like every outbox row), in the same transaction as the purge that asked for it."""

from __future__ import annotations

import json
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.models import SandboxOutbox
from tradeline.privacy.service import Pii

PROVIDER = "recording_delete"


class SandboxRecordings:
    def __init__(self, pii: Pii) -> None:
        self.pii = pii

    async def delete_recording(self, session: AsyncSession, *, org_id: uuid.UUID, sid: str) -> bool:
        row = SandboxOutbox(
            id=uuid.uuid4(), organization_id=org_id, provider=PROVIDER, external_id=sid[:64]
        )
        row.recipient_enc = self.pii.seal(
            sid, org_id=org_id, table="sandbox_outbox", row_id=row.id, column="recipient_enc"
        )
        row.payload_enc = (
            self.pii.seal(
                json.dumps({"action": "delete_recording", "sid": sid}),
                org_id=org_id,
                table="sandbox_outbox",
                row_id=row.id,
                column="payload_enc",
            )
            or b""
        )
        session.add(row)
        await session.flush()
        return True
