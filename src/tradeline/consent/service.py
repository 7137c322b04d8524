"""The consent ledger: every opt-in and opt-out with its wording, source and evidence; the
business's do-not-contact list; and the decision, for one person now, of whether we may write.

Every change for a person takes a transaction-scoped lock on (business, person) that the SMS
sender also takes before it sends: a send either completes before an opt-out commits, or it
waits for it and is refused (see `tradeline.sms.tasks`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.consent import repository
from tradeline.consent.policy import (
    BASES,
    CHANNELS,
    PURPOSES,
    Decision,
    LedgerEntry,
    can_contact,
    sms_opted_out,
)
from tradeline.models import AuditLog, ConsentRecord, Organization
from tradeline.models.messaging import Suppression
from tradeline.runtime import Runtime

# An inquiry refreshes the six-month implied consent; one record a day is enough evidence.
INQUIRY_REFRESH = timedelta(hours=24)
INQUIRY_WORDING = "contacted the business (implied consent by inquiry)"


def _entries(rows: list[ConsentRecord]) -> list[LedgerEntry]:
    return [LedgerEntry(r.channel, r.purpose, r.basis, r.granted, r.recorded_at) for r in rows]


async def entries_for(
    session: AsyncSession, runtime: Runtime, org_id: uuid.UUID, number: str
) -> list[LedgerEntry]:
    rows = await repository.entries(session, org_id, runtime.pii.phone_index(org_id, number))
    return _entries(rows)


async def is_sms_opted_out(
    session: AsyncSession, runtime: Runtime, org_id: uuid.UUID, number: str
) -> bool:
    return sms_opted_out(await entries_for(session, runtime, org_id, number))


async def is_suppressed(
    session: AsyncSession, runtime: Runtime, org_id: uuid.UUID, number: str
) -> bool:
    return await repository.is_suppressed(session, org_id, runtime.pii.phone_index(org_id, number))


async def lock(session: AsyncSession, runtime: Runtime, org_id: uuid.UUID, number: str) -> None:
    """Hold the (business, person) consent lock until this transaction ends."""
    await repository.lock_subject(session, org_id, runtime.pii.phone_index(org_id, number))


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
    recorded_at: datetime | None = None,
    actor_type: str = "system",
    actor_id: str | None = None,
) -> ConsentRecord:
    """Append one ledger entry (channel, purpose, basis, source, wording shown, time, evidence).

    `recorded_at` defaults to now, taken after the lock: a send that held the lock finished
    before this instant.
    """
    if channel not in CHANNELS or purpose not in PURPOSES or basis not in BASES:
        raise ValueError(f"unknown consent entry {channel}/{purpose}/{basis}")
    if recorded_at is not None and recorded_at.tzinfo is None:
        raise ValueError("recorded_at must be timezone-aware")
    index = runtime.pii.phone_index(org_id, number)
    await repository.lock_subject(session, org_id, index)
    row = ConsentRecord(
        id=uuid.uuid4(),
        organization_id=org_id,
        subject_bidx=index,
        channel=channel,
        purpose=purpose,
        basis=basis,
        granted=granted,
        source=source[:24],
        wording=wording[:1000] if wording else None,
        evidence=evidence[:100] if evidence else None,
        recorded_at=recorded_at or datetime.now(UTC),
    )
    await repository.add(session, row)
    if not granted or basis in ("express", "suppressed"):
        # The person's (or the operator's) own decisions are security events; implied
        # consent noted on every inquiry is not.
        await repository.add(
            session,
            AuditLog(
                organization_id=org_id,
                actor_type=actor_type,
                actor_id=actor_id,
                action="consent.granted" if granted else "consent.withdrawn",
                target_type="consent_record",
                target_id=str(row.id),
                data={"channel": channel, "purpose": purpose, "basis": basis, "source": source},
            ),
        )
    return row


async def note_inquiry(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    number: str,
    *,
    channel: str = "sms",
    source: str,
    evidence: str | None,
    now: datetime | None = None,
) -> bool:
    """The person contacted the business: implied consent by inquiry (CASL, six months).

    Recorded at most once a day per person and channel; True when a record was added.
    """
    now = now or datetime.now(UTC)
    index = runtime.pii.phone_index(org_id, number)
    latest = await repository.latest_inquiry_at(session, org_id, index, channel)
    if latest is not None and now - latest < INQUIRY_REFRESH:
        return False
    await record(
        session,
        runtime,
        org_id,
        number,
        channel=channel,
        purpose="transactional",
        basis="implied_inquiry",
        granted=True,
        source=source,
        wording=INQUIRY_WORDING,
        evidence=evidence,
        recorded_at=now,
    )
    return True


async def business_zone(session: AsyncSession, org_id: uuid.UUID) -> str:
    org = await session.get(Organization, org_id)
    return org.timezone if org is not None else "UTC"


async def decide(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    number: str,
    *,
    channel: str,
    purpose: str,
    at: datetime | None = None,
    zone: str | None = None,
) -> Decision:
    """`can_contact` over this person's ledger and the do-not-contact list, read now."""
    index = runtime.pii.phone_index(org_id, number)
    rows = await repository.entries(session, org_id, index)
    suppressed, org_zone = await repository.suppressed_and_zone(session, org_id, index)
    return can_contact(
        _entries(rows),
        number,
        channel,
        purpose,
        at or datetime.now(UTC),
        suppressed=suppressed,
        business_zone=zone or org_zone or "UTC",
    )


async def suppress(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    number: str,
    *,
    reason: str | None,
    source: str,
    actor: str | None,
    actor_type: str = "system",
) -> bool:
    """Put a number on the do-not-contact list (all channels, all purposes). True if added."""
    index = runtime.pii.phone_index(org_id, number)
    await repository.lock_subject(session, org_id, index)
    row = Suppression(
        id=uuid.uuid4(),
        organization_id=org_id,
        subject_bidx=index,
        source=source[:24],
        created_by=actor[:64] if actor else None,
        created_at=datetime.now(UTC),
    )
    row.subject_enc = runtime.pii.seal(
        number, org_id=org_id, table="suppressions", row_id=row.id, column="subject_enc"
    )
    row.reason_enc = runtime.pii.seal(
        reason[:200] if reason else None,
        org_id=org_id,
        table="suppressions",
        row_id=row.id,
        column="reason_enc",
    )
    added = await repository.insert_suppression(session, row)
    if added:
        await record(
            session,
            runtime,
            org_id,
            number,
            channel="all",
            purpose="all",
            basis="suppressed",
            granted=False,
            source=source,
            wording="added to the do-not-contact list",
            evidence=actor,
            actor_type=actor_type,
            actor_id=actor,
        )
    return added


async def unsuppress(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    number: str,
    *,
    source: str,
    actor: str | None,
    actor_type: str = "system",
) -> bool:
    """Take a number off the do-not-contact list. True if it was on it. Earlier opt-outs stay."""
    index = runtime.pii.phone_index(org_id, number)
    await repository.lock_subject(session, org_id, index)
    removed = await repository.delete_suppression(session, org_id, index)
    if removed:
        await record(
            session,
            runtime,
            org_id,
            number,
            channel="all",
            purpose="all",
            basis="suppressed",
            granted=True,
            source=source,
            wording="removed from the do-not-contact list",
            evidence=actor,
            actor_type=actor_type,
            actor_id=actor,
        )
    return removed


async def list_suppressed(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    *,
    limit: int = 50,
    before: datetime | None = None,
) -> list[tuple[Suppression, str | None, str | None]]:
    """(row, number, reason), newest first, decrypted for the caller to mask or show."""
    rows = await repository.list_suppressions(session, org_id, limit=limit, before=before)
    out = []
    for row in rows:

        def reveal(blob: bytes | None, column: str, row_id: uuid.UUID = row.id) -> str | None:
            return runtime.pii.open(
                blob, org_id=org_id, table="suppressions", row_id=row_id, column=column
            )

        out.append(
            (row, reveal(row.subject_enc, "subject_enc"), reveal(row.reason_enc, "reason_enc"))
        )
    return out
