"""Every SQL statement about the consent ledger and the do-not-contact list."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.models import ConsentRecord, Organization
from tradeline.models.messaging import Suppression


def _lock_key(namespace: str, *parts: bytes) -> int:
    digest = hashlib.blake2b(namespace.encode() + b"\x00" + b"\x00".join(parts), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


async def lock_subject(session: AsyncSession, org_id: uuid.UUID, subject_bidx: bytes) -> None:
    """Serialize consent changes and sends for one person of one business, until commit.

    The ledger writer (STOP, suppression) and the SMS sender both take it: a send either
    completes before the opt-out commits, or it waits and then sees the opt-out.
    """
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:key)"),
        {"key": _lock_key("consent", org_id.bytes, subject_bidx)},
    )


async def entries(
    session: AsyncSession, org_id: uuid.UUID, subject_bidx: bytes
) -> list[ConsentRecord]:
    rows = await session.execute(
        select(ConsentRecord)
        .where(ConsentRecord.organization_id == org_id, ConsentRecord.subject_bidx == subject_bidx)
        .order_by(ConsentRecord.recorded_at)
    )
    return list(rows.scalars())


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def latest_inquiry_at(
    session: AsyncSession, org_id: uuid.UUID, subject_bidx: bytes, channel: str
) -> datetime | None:
    return await session.scalar(
        select(ConsentRecord.recorded_at)
        .where(
            ConsentRecord.organization_id == org_id,
            ConsentRecord.subject_bidx == subject_bidx,
            ConsentRecord.channel == channel,
            ConsentRecord.basis == "implied_inquiry",
            ConsentRecord.granted.is_(True),
        )
        .order_by(ConsentRecord.recorded_at.desc())
        .limit(1)
    )


async def suppressed_and_zone(
    session: AsyncSession, org_id: uuid.UUID, subject_bidx: bytes
) -> tuple[bool, str | None]:
    """Is the person on the do-not-contact list, and the business's time zone (one query)."""
    row = (
        await session.execute(
            select(
                select(Suppression.id)
                .where(
                    Suppression.organization_id == org_id,
                    Suppression.subject_bidx == subject_bidx,
                )
                .exists(),
                select(Organization.timezone).where(Organization.id == org_id).scalar_subquery(),
            )
        )
    ).one()
    return bool(row[0]), row[1]


async def is_suppressed(session: AsyncSession, org_id: uuid.UUID, subject_bidx: bytes) -> bool:
    found = await session.scalar(
        select(Suppression.id).where(
            Suppression.organization_id == org_id, Suppression.subject_bidx == subject_bidx
        )
    )
    return found is not None


async def insert_suppression(session: AsyncSession, row: Suppression) -> bool:
    """True when added; False when the number was already on the list."""
    inserted = await session.execute(
        insert(Suppression)
        .values(
            id=row.id,
            organization_id=row.organization_id,
            subject_bidx=row.subject_bidx,
            subject_enc=row.subject_enc,
            reason_enc=row.reason_enc,
            source=row.source,
            created_by=row.created_by,
            created_at=row.created_at,
        )
        .on_conflict_do_nothing(constraint="uq_suppressions_org_subject")
        .returning(Suppression.id)
    )
    return inserted.first() is not None


async def delete_suppression(session: AsyncSession, org_id: uuid.UUID, subject_bidx: bytes) -> bool:
    removed = await session.execute(
        delete(Suppression)
        .where(Suppression.organization_id == org_id, Suppression.subject_bidx == subject_bidx)
        .returning(Suppression.id)
    )
    return removed.first() is not None


async def list_suppressions(
    session: AsyncSession, org_id: uuid.UUID, *, limit: int, before: datetime | None
) -> list[Suppression]:
    query = select(Suppression).where(Suppression.organization_id == org_id)
    if before is not None:
        query = query.where(Suppression.created_at < before)
    rows = await session.execute(
        query.order_by(Suppression.created_at.desc(), Suppression.id).limit(limit)
    )
    return list(rows.scalars())
