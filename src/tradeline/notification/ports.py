"""The email provider port (SMTP or Resend in production, sandbox offline)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[tuple[str, str, bytes], ...] = ()  # (filename, mime type, content)


class EmailSender(Protocol):
    async def send_email(
        self, session: AsyncSession, *, org_id: uuid.UUID, email: Email
    ) -> str: ...
