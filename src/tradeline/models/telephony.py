"""Calls, call events, messages and message events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tradeline.models.base import Base, TenantMixin, encrypted


class Call(TenantMixin, Base):
    __tablename__ = "calls"

    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    direction: Mapped[str] = mapped_column(String(20), default="inbound")
    from_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    from_bidx: Mapped[bytes | None] = mapped_column(LargeBinary)
    to_number: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="ringing")
    duration_seconds: Mapped[int | None]
    recorded: Mapped[bool] = mapped_column(default=False)
    recording_url: Mapped[str | None] = mapped_column(String(500))
    voicemail_transcript_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL")
    )
    last_sequence: Mapped[int] = mapped_column(default=-1)
    ended_at: Mapped[datetime | None]


class CallEvent(TenantMixin, Base):
    __tablename__ = "call_events"
    __table_args__ = (UniqueConstraint("call_id", "kind", "sequence", name="uq_call_events_seq"),)

    call_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    sequence: Mapped[int] = mapped_column(default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # Idempotency of callbacks that carry no sequence (recording events, follow-up markers,
    # status callbacks without SequenceNumber): unique per call, NULL for plain timeline rows.
    dedupe_key: Mapped[str | None] = mapped_column(String(100))


class Message(TenantMixin, Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_org_created", "organization_id", "created_at"),)

    message_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    direction: Mapped[str] = mapped_column(String(10))  # inbound | outbound
    customer_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    customer_bidx: Mapped[bytes | None] = mapped_column(LargeBinary, index=True)
    business_number: Mapped[str] = mapped_column(String(20))
    body_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default="received")
    error_code: Mapped[str | None] = mapped_column(String(10))
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL")
    )


class MessageEvent(TenantMixin, Base):
    __tablename__ = "message_events"
    __table_args__ = (UniqueConstraint("message_id", "status", name="uq_message_events_status"),)

    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(10))


encrypted("calls", "from_enc", "voicemail_transcript_enc")
encrypted("messages", "customer_enc", "body_enc")


# Appended (the table family grows by addition): the dedupe key's uniqueness per call.
Index("uq_call_events_dedupe", CallEvent.call_id, CallEvent.dedupe_key, unique=True)


class CallRecording(TenantMixin, Base):
    """A recording Twilio holds for us (voicemail, consented call or transfer): what the owner
    is sent a link to, and what the retention purge deletes at Twilio when it expires."""

    __tablename__ = "call_recordings"
    __table_args__ = (Index("ix_call_recordings_org_created", "organization_id", "created_at"),)

    # SET NULL, not CASCADE: erasing a call must not forget a recording still held at Twilio.
    call_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("calls.id", ondelete="SET NULL"), index=True
    )
    call_sid: Mapped[str] = mapped_column(String(64))
    recording_sid: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(40), default="unknown")
    status: Mapped[str] = mapped_column(String(20), default="in-progress")
    url: Mapped[str | None] = mapped_column(String(500))
    duration_seconds: Mapped[int | None]
    completed_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
