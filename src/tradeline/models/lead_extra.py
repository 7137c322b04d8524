"""Lead notes, per-business integrations (webhook subscriptions) and their delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tradeline.models.base import Base, TenantMixin, encrypted


class LeadNote(TenantMixin, Base):
    """Staff text about a lead; it may quote the customer, so it is sealed like any PII."""

    __tablename__ = "lead_notes"
    __table_args__ = (Index("ix_lead_notes_lead_created", "lead_id", "created_at", "id"),)

    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    author_type: Mapped[str] = mapped_column(String(16))  # user | api_key | system
    author_id: Mapped[str | None] = mapped_column(String(64))
    body_enc: Mapped[bytes] = mapped_column(LargeBinary)


class Integration(TenantMixin, Base):
    """A webhook subscription: Slack, Microsoft Teams or a generic signed endpoint.

    The URL is sealed too: Slack and Teams incoming-webhook URLs are bearer credentials.
    """

    __tablename__ = "integrations"

    kind: Mapped[str] = mapped_column(String(10))  # slack | teams | generic
    url_enc: Mapped[bytes] = mapped_column(LargeBinary)
    secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    events: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    description: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str | None] = mapped_column(String(64))
    # Deleting keeps the row (the delivery log points at it) but stops every delivery.
    deleted_at: Mapped[datetime | None]


class WebhookDelivery(TenantMixin, Base):
    """One event to one integration: what was sent, how often, and how it went."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_org_created", "organization_id", "created_at", "id"),
    )

    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[uuid.UUID]
    event_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[uuid.UUID]
    # Non-personal context of the event (e.g. a status change); the payload itself is sealed.
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    payload_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_response_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    next_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    replay_of: Mapped[uuid.UUID | None]
    updated_at: Mapped[datetime | None]


encrypted("lead_notes", "body_enc")
encrypted("integrations", "url_enc", "secret_enc")
encrypted("webhook_deliveries", "payload_enc")
