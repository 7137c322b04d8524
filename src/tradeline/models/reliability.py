"""Webhook inbox, idempotency keys, sandbox outbox, key-rotation progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradeline.models.base import Base, IdMixin, TenantMixin, encrypted


class ExternalEvent(TenantMixin, Base):
    """Inbox of received webhooks: the unique (source, external_id) makes retries harmless."""

    __tablename__ = "external_events"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_external_events_source_id"),
    )

    source: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(120))
    payload_enc: Mapped[bytes] = mapped_column(LargeBinary)
    response_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    processed_at: Mapped[datetime | None]


class IdempotencyKey(TenantMixin, Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("organization_id", "scope", "key", name="uq_idempotency_scope_key"),
        Index("ix_idempotency_expires", "expires_at"),
    )

    scope: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime]


class SandboxOutbox(TenantMixin, Base):
    """What a provider would have sent (SMS, email, call, webhook) when running offline."""

    __tablename__ = "sandbox_outbox"

    provider: Mapped[str] = mapped_column(String(20))  # sms | email | call | webhook | llm
    recipient_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    payload_enc: Mapped[bytes] = mapped_column(LargeBinary)
    external_id: Mapped[str] = mapped_column(String(64))


class KeyRotation(IdMixin, Base):
    """Progress of a PII key rotation; global because it walks every business."""

    __tablename__ = "key_rotations"

    target_key_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12), default="running")
    rows_done: Mapped[int] = mapped_column(default=0)
    finished_at: Mapped[datetime | None]


encrypted("external_events", "payload_enc", "response_enc")
encrypted("idempotency_keys", "response_enc")
encrypted("sandbox_outbox", "recipient_enc", "payload_enc")
