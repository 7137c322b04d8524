"""Businesses, their profile and their phone numbers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tradeline.models.base import Base, IdMixin, TenantMixin


class Organization(IdMixin, Base):
    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2), default="US")
    is_active: Mapped[bool] = mapped_column(default=True)


class BusinessProfile(TenantMixin, Base):
    __tablename__ = "business_profiles"
    __table_args__ = (UniqueConstraint("organization_id"),)

    version: Mapped[int] = mapped_column(default=1)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)


class PhoneNumber(TenantMixin, Base):
    __tablename__ = "phone_numbers"

    e164: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str | None] = mapped_column(String(80))
    provider_sid: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"PhoneNumber({self.e164!r})"


__all__ = ["BusinessProfile", "Organization", "PhoneNumber"]
