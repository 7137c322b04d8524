"""The consent ledger: every opt-in and opt-out with its wording, source and evidence."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.consent.policy import LedgerEntry, sms_opted_out
from tradeline.models import ConsentRecord
from tradeline.runtime import Runtime


async def entries_for(
    session: AsyncSession, runtime: Runtime, org_id: uuid.UUID, number: str
) -> list[LedgerEntry]:
    index = runtime.pii.phone_index(org_id, number)
    rows = await session.execute(
        select(ConsentRecord).where(
            ConsentRecord.organization_id == org_id, ConsentRecord.subject_bidx == index
        )
    )
    return [
        LedgerEntry(r.channel, r.purpose, r.basis, r.granted, r.recorded_at) for r in rows.scalars()
    ]


async def is_sms_opted_out(
    session: AsyncSession, runtime: Runtime, org_id: uuid.UUID, number: str
) -> bool:
    return sms_opted_out(await entries_for(session, runtime, org_id, number))


async def record(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    number: str,
    *,
    channel: str,
    purpose: str,
    basis: str,
    granted: bool,
    source: str,
    wording: str | None,
    evidence: str | None,
) -> ConsentRecord:
    row = ConsentRecord(
        organization_id=org_id,
        subject_bidx=runtime.pii.phone_index(org_id, number),
        channel=channel,
        purpose=purpose,
        basis=basis,
        granted=granted,
        source=source,
        wording=wording,
        evidence=evidence,
        recorded_at=datetime.now(UTC),
    )
    session.add(row)
    await session.flush()
    return row
