"""Outbound email over SMTP (stdlib smtplib in a thread)."""

from __future__ import annotations

import asyncio
import smtplib
import uuid
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.notification.ports import Email


class SmtpSender:
    """`smtp://user:pass@host:587?from=TradeLine <no-reply@x>` (STARTTLS) or `smtps://…`."""

    def __init__(self, url: str) -> None:
        parsed = urlparse(url)
        self.host = parsed.hostname or "localhost"
        self.port = parsed.port or (465 if parsed.scheme == "smtps" else 587)
        self.tls = parsed.scheme == "smtps"
        self.username = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None
        query = dict(p.split("=", 1) for p in parsed.query.split("&") if "=" in p)
        self.sender = unquote(query.get("from", "TradeLine <no-reply@localhost>"))

    def _send(self, message: EmailMessage) -> None:
        smtp_class = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
        with smtp_class(self.host, self.port, timeout=10) as smtp:
            if not self.tls and smtp.has_extn("starttls"):
                smtp.starttls()
            if self.username and self.password:
                smtp.login(self.username, self.password)
            smtp.send_message(message)

    async def send_email(self, session: AsyncSession, *, org_id: uuid.UUID, email: Email) -> str:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, email.to, email.subject
        message.set_content(email.text)
        if email.html:
            message.add_alternative(email.html, subtype="html")
        for name, mime, content in email.attachments:
            main, _, sub = mime.partition("/")
            message.add_attachment(content, maintype=main, subtype=sub, filename=name)
        await asyncio.to_thread(self._send, message)
        return str(message.get("Message-ID") or uuid.uuid4().hex)
