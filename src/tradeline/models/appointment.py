"""Appointments: a booked job at a time, for a lead. Overlaps are prevented by the service
under a per-business advisory lock (btree_gist, needed for an exclusion constraint, is not
available on the embedded server)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tradeline.models.base import Base, TenantMixin, encrypted


class Appointment(TenantMixin, Base):
    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_org_starts", "organization_id", "starts_at"),
        Index("ix_appointments_reminder_due", "reminder_due_at"),
    )

    lead_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    service: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(12), default="booked")  # booked | cancelled
    notes_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # iCalendar SEQUENCE: bumped on every reschedule or cancellation so calendars update.
    ics_sequence: Mapped[int] = mapped_column(default=0)
    booked_by: Mapped[str | None] = mapped_column(String(64))
    reminder_due_at: Mapped[datetime | None]
    reminder_status: Mapped[str] = mapped_column(String(24), default="scheduled")
    reminder_sent_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]


encrypted("appointments", "notes_enc")
