"""Contacts (the person, with history) and leads (one inquiry). PII is encrypted."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tradeline.models.base import Base, TenantMixin, encrypted


class Contact(TenantMixin, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_org_phone_bidx", "organization_id", "phone_bidx"),
        Index("ix_contacts_org_email_bidx", "organization_id", "email_bidx"),
    )

    name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    address_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_bidx: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_bidx: Mapped[bytes | None] = mapped_column(LargeBinary)
    language: Mapped[str | None] = mapped_column(String(5))
    updated_at: Mapped[datetime | None]


class Lead(TenantMixin, Base):
    __tablename__ = "leads"
    __table_args__ = (
        Index("ix_leads_org_created", "organization_id", "created_at", "id"),
        Index("ix_leads_org_caller_bidx", "organization_id", "caller_bidx"),
        Index("ix_leads_org_callback_bidx", "organization_id", "callback_bidx"),
    )

    contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    conversation_id: Mapped[uuid.UUID | None]
    channel: Mapped[str] = mapped_column(String(10))
    caller_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    caller_name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    callback_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    job_summary_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    address_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    caller_bidx: Mapped[bytes | None] = mapped_column(LargeBinary)
    callback_bidx: Mapped[bytes | None] = mapped_column(LargeBinary)
    preferred_datetime: Mapped[datetime | None]
    preferred_window_end: Mapped[datetime | None]
    emergency: Mapped[bool] = mapped_column(default=False)
    intent: Mapped[str] = mapped_column(String(20), default="other")
    consent_sms: Mapped[bool | None]
    consent_recording: Mapped[bool | None]
    score: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default="new")
    updated_at: Mapped[datetime | None]


encrypted("contacts", "name_enc", "phone_enc", "email_enc", "address_enc")
encrypted(
    "leads",
    "caller_number_enc",
    "caller_name_enc",
    "callback_number_enc",
    "email_enc",
    "job_summary_enc",
    "address_enc",
)
