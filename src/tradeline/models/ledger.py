"""Consent ledger, audit log, security alerts, usage events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tradeline.models.base import Base, IdMixin, TenantMixin


class ConsentRecord(TenantMixin, Base):
    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_org_subject", "organization_id", "subject_bidx"),)

    subject_bidx: Mapped[bytes] = mapped_column(LargeBinary)
    channel: Mapped[str] = mapped_column(String(10))  # sms | voice | email
    purpose: Mapped[str] = mapped_column(String(16))  # transactional | marketing | recording
    basis: Mapped[str] = mapped_column(String(24))  # express | implied_purchase | implied_inquiry
    granted: Mapped[bool]
    source: Mapped[str] = mapped_column(String(24))
    wording: Mapped[str | None] = mapped_column(String(1000))
    evidence: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime]


class AuditLog(TenantMixin, Base):
    __tablename__ = "audit_log"

    actor_type: Mapped[str] = mapped_column(String(16))  # user | api_key | system | webhook
    actor_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class SecurityAlert(IdMixin, Base):
    """Platform-wide: alerts may concern no business (a flood on an unknown number)."""

    __tablename__ = "security_alerts"

    subject_org_id: Mapped[uuid.UUID | None]  # the business concerned, if any
    kind: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10), default="warning")
    detail: Mapped[str] = mapped_column(String(500))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class UsageEvent(TenantMixin, Base):
    __tablename__ = "usage_events"

    kind: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(default=1)
    ref: Mapped[str | None] = mapped_column(String(64))
