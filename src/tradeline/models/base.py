"""Declarative base, shared column helpers and the registry of encrypted columns."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, ForeignKey, MetaData, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: DateTime(timezone=True),
        uuid.UUID: UUID(as_uuid=True),
    }


class IdMixin:
    # Ids are made in Python, not by the server: encrypted columns bind the row id into their
    # associated data, so the id must exist before the row is written.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class TenantMixin(IdMixin):
    """Every tenant row carries its organization; RLS policies key on this column."""

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )


# table name → encrypted (bytea) columns. Key rotation and the PII canary tests walk this map,
# so a new encrypted column is covered by adding it here.
ENCRYPTED_COLUMNS: dict[str, tuple[str, ...]] = {}


def encrypted(table: str, *columns: str) -> None:
    ENCRYPTED_COLUMNS[table] = tuple(columns)
