"""Every SQL statement of the SMS domain."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.db import set_local
from tradeline.models import ExternalEvent, Message, SandboxOutbox, UsageEvent
from tradeline.models.messaging import OutboundSms
from tradeline.sms.policy import STATUS_RANK

MAINTENANCE_SETTING = "app.maintenance"
RECONCILE_SCAN = "sms_reconcile"


# Rank of a message's current status, in SQL, from the one table in `policy` (constants only).
def _rank_sql(column: str) -> str:
    whens = " ".join(f"WHEN '{name}' THEN {value}" for name, value in STATUS_RANK.items())
    return f"CASE {column} {whens} ELSE -1 END"


# One statement for a batch of callbacks (one, from a webhook): claim each (SID, status) once,
# record the claimed ones as events of the messages they belong to, and move each message to the
# highest-ranked status claimed for it if that ranks above its current one. Claims for SIDs not
# on a message yet stay in `sms_status_callbacks` until the SID is recorded.
_STATUS_CALLBACKS = text(
    f"""
    WITH incoming AS (
        SELECT sid, status, err
        FROM unnest(CAST(:sids AS text[]), CAST(:statuses AS text[]), CAST(:errors AS text[]))
            AS t(sid, status, err)
    ), claim AS (
        INSERT INTO sms_status_callbacks (id, organization_id, message_sid, status, error_code)
        SELECT gen_random_uuid(), :org, sid, status, err FROM incoming
        ON CONFLICT ON CONSTRAINT uq_sms_status_callbacks_sid_status DO NOTHING
        RETURNING message_sid, status, error_code
    ), matched AS (
        SELECT m.id AS message_id, c.status, c.error_code, ({_rank_sql("c.status")}) AS rank
        FROM claim c JOIN messages m ON m.organization_id = :org AND m.message_sid = c.message_sid
    ), event AS (
        INSERT INTO message_events (id, organization_id, message_id, status, error_code)
        SELECT gen_random_uuid(), :org, message_id, status, error_code FROM matched
        ON CONFLICT ON CONSTRAINT uq_message_events_status DO NOTHING
        RETURNING 1
    ), best AS (
        SELECT DISTINCT ON (message_id) message_id, status, error_code, rank
        FROM matched ORDER BY message_id, rank DESC
    ), moved AS (
        UPDATE messages
        SET status = best.status, error_code = coalesce(best.error_code, messages.error_code)
        FROM best
        WHERE messages.id = best.message_id AND ({_rank_sql("messages.status")}) < best.rank
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM claim), (SELECT count(*) FROM matched), (SELECT count(*) FROM moved)
    """  # noqa: S608 - the CASE is built from our own constant table
)

# The SID was just recorded on the message: the provider's own status and every callback held
# for that SID, as events, and the message moved to the highest-ranked of them.
_SETTLE = text(
    f"""
    WITH incoming AS (
        SELECT CAST(:status AS text) AS status, CAST(NULL AS text) AS error_code
        UNION ALL
        SELECT status, error_code FROM sms_status_callbacks
        WHERE organization_id = :org AND message_sid = :sid
    ), event AS (
        INSERT INTO message_events (id, organization_id, message_id, status, error_code)
        SELECT gen_random_uuid(), :org, :mid, status, error_code FROM incoming
        ON CONFLICT ON CONSTRAINT uq_message_events_status DO NOTHING
        RETURNING 1
    ), best AS (
        SELECT status, error_code, ({_rank_sql("status")}) AS rank
        FROM incoming ORDER BY rank DESC LIMIT 1
    )
    UPDATE messages
    SET status = best.status, error_code = coalesce(best.error_code, messages.error_code)
    FROM best
    WHERE messages.id = :mid AND messages.organization_id = :org
      AND ({_rank_sql("messages.status")}) < best.rank
    """  # noqa: S608 - the CASE is built from our own constant table
)


def _lock_key(namespace: str, value: str) -> int:
    digest = hashlib.blake2b(f"{namespace}\x00{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def lock_sids(session: AsyncSession, sids: Iterable[str]) -> None:
    """Serializes status callbacks with the recording of the same SID on its message, so a
    callback that beats the SID is held and applied, never lost. Keys are taken in ascending
    order (unnest keeps the array's order), so two batches cannot deadlock."""
    keys = sorted({_lock_key("sms_sid", sid) for sid in sids})
    await session.execute(
        text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS t(k)"),
        {"keys": keys},
    )


async def lock_sid(session: AsyncSession, sid: str) -> None:
    await lock_sids(session, [sid])


@dataclass(frozen=True)
class CallbackOutcome:
    new: int  # (MessageSid, MessageStatus) pairs seen for the first time
    matched: int  # of those, how many belong to a message already (the rest are held)
    moved: int  # messages whose status changed


async def claim_status_callbacks(
    session: AsyncSession, org_id: uuid.UUID, callbacks: Sequence[tuple[str, str, str | None]]
) -> CallbackOutcome:
    """(MessageSid, MessageStatus, ErrorCode) triples, in one statement."""
    if not callbacks:
        return CallbackOutcome(0, 0, 0)
    claimed, matched, moved = (
        await session.execute(
            _STATUS_CALLBACKS,
            {
                "org": org_id,
                "sids": [sid[:64] for sid, _, _ in callbacks],
                "statuses": [status[:20] for _, status, _ in callbacks],
                "errors": [error[:10] if error else None for _, _, error in callbacks],
            },
        )
    ).one()
    return CallbackOutcome(int(claimed), int(matched), int(moved))


async def settle_sid(
    session: AsyncSession, org_id: uuid.UUID, message_id: uuid.UUID, sid: str, status: str
) -> None:
    """After recording `sid` on the message (under `lock_sid`): apply the provider's status
    and the callbacks held for that SID, in one statement."""
    await session.execute(
        _SETTLE, {"org": org_id, "mid": message_id, "sid": sid, "status": status[:20]}
    )


async def inbox_event(
    session: AsyncSession, org_id: uuid.UUID, message_sid: str
) -> ExternalEvent | None:
    return (
        await session.execute(
            select(ExternalEvent).where(
                ExternalEvent.organization_id == org_id,
                ExternalEvent.source == "twilio.sms",
                ExternalEvent.external_id == message_sid,
            )
        )
    ).scalar_one_or_none()


async def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)
    await session.flush()


async def claim_outbound(session: AsyncSession, row: OutboundSms) -> bool:
    """Insert the pipeline row; False when its dedupe key was already used (nothing written)."""
    inserted = await session.execute(
        insert(OutboundSms)
        .values(
            id=row.id,
            organization_id=row.organization_id,
            message_id=row.message_id,
            purpose=row.purpose,
            reason=row.reason,
            dedupe_key=row.dedupe_key,
            stage=row.stage,
            decision=row.decision,
            reconcile_attempts=0,
        )
        .on_conflict_do_nothing(constraint="uq_sms_outbound_dedupe")
        .returning(OutboundSms.id)
    )
    return inserted.first() is not None


async def outbound_by_key(
    session: AsyncSession, org_id: uuid.UUID, dedupe_key: str
) -> OutboundSms | None:
    return (
        await session.execute(
            select(OutboundSms).where(
                OutboundSms.organization_id == org_id, OutboundSms.dedupe_key == dedupe_key
            )
        )
    ).scalar_one_or_none()


async def outbound_for_update(
    session: AsyncSession, org_id: uuid.UUID, message_id: uuid.UUID, *, skip_locked: bool = False
) -> tuple[Message, OutboundSms] | None:
    """The message and its pipeline row, locked until commit (SKIP LOCKED: None if busy)."""
    row = (
        await session.execute(
            select(Message, OutboundSms)
            .join(OutboundSms, OutboundSms.message_id == Message.id)
            .where(Message.organization_id == org_id, Message.id == message_id)
            .with_for_update(skip_locked=skip_locked)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def stuck_sends(
    session: AsyncSession, *, older_than: datetime, limit: int
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(organization, message) of sends stuck in submitting/unknown, across businesses.

    Runs with no tenant set: the `reconcile_scan` policy (migration 0006) opens exactly these
    rows, read-only, once the transaction declares the job.
    """
    await set_local(session, MAINTENANCE_SETTING, RECONCILE_SCAN)
    rows = await session.execute(
        select(OutboundSms.organization_id, OutboundSms.message_id)
        .where(
            OutboundSms.stage.in_(("submitting", "unknown")),
            OutboundSms.submitting_at < older_than,
        )
        .order_by(OutboundSms.submitting_at)
        .limit(limit)
    )
    found = [(org, message) for org, message in rows]
    await set_local(session, MAINTENANCE_SETTING, None)
    return found


async def sids_in_use(session: AsyncSession, sids: Iterable[str]) -> frozenset[str]:
    wanted = list(sids)
    if not wanted:
        return frozenset()
    rows = await session.execute(select(Message.message_sid).where(Message.message_sid.in_(wanted)))
    return frozenset(sid for (sid,) in rows if sid)


async def sandbox_sms_since(
    session: AsyncSession, org_id: uuid.UUID, since: datetime
) -> list[SandboxOutbox]:
    rows = await session.execute(
        select(SandboxOutbox)
        .where(
            SandboxOutbox.organization_id == org_id,
            SandboxOutbox.provider == "sms",
            SandboxOutbox.created_at >= since,
        )
        .order_by(SandboxOutbox.created_at.desc())
        .limit(200)
    )
    return list(rows.scalars())


def add_usage(
    session: AsyncSession, org_id: uuid.UUID, kind: str, quantity: int, ref: str | None
) -> None:
    """Written with the transaction's next flush (batched with the other usage rows)."""
    session.add(UsageEvent(organization_id=org_id, kind=kind, quantity=quantity, ref=ref))
