"""Outbound SMS pipeline, message status callbacks, and the do-not-contact list."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradeline.models.base import Base, TenantMixin, encrypted


class OutboundSms(TenantMixin, Base):
    """The send pipeline of one outbound `messages` row (the row keeps the public status).

    stage: pending → submitting → submitted, or refused (consent), failed (the provider said
    no, or a lost send was never found), unknown (the outcome is ambiguous: reconciled by
    listing the provider's messages, never resent blindly).
    """

    __tablename__ = "sms_outbound"
    __table_args__ = (
        UniqueConstraint("message_id", name="uq_sms_outbound_message_id"),
        UniqueConstraint("organization_id", "dedupe_key", name="uq_sms_outbound_dedupe"),
        Index("ix_sms_outbound_stage", "stage", "submitting_at"),
    )

    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(16))  # transactional | marketing
    reason: Mapped[str] = mapped_column(String(40))  # why we send: missed_call, reminder, reply…
    dedupe_key: Mapped[str | None] = mapped_column(String(120))
    stage: Mapped[str] = mapped_column(String(12), default="pending")
    decision: Mapped[str | None] = mapped_column(String(40))  # can_contact's last reason
    submitting_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    reconcile_attempts: Mapped[int] = mapped_column(default=0)


class SmsStatusCallback(TenantMixin, Base):
    """Every distinct (MessageSid, MessageStatus) received: the dedupe claim, and the holding
    place for callbacks that arrive before we know which message the SID belongs to."""

    __tablename__ = "sms_status_callbacks"
    __table_args__ = (
        UniqueConstraint(
            "organization_id", "message_sid", "status", name="uq_sms_status_callbacks_sid_status"
        ),
    )

    message_sid: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(10))


class Suppression(TenantMixin, Base):
    """The business's do-not-contact list: no message of any kind, on any channel."""

    __tablename__ = "suppressions"
    __table_args__ = (
        UniqueConstraint("organization_id", "subject_bidx", name="uq_suppressions_org_subject"),
    )

    subject_bidx: Mapped[bytes] = mapped_column(LargeBinary)
    subject_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)  # free text from the owner
    source: Mapped[str] = mapped_column(String(24))
    created_by: Mapped[str | None] = mapped_column(String(64))


encrypted("suppressions", "subject_enc", "reason_enc")
