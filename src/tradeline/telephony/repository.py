"""Every SQL statement about calls, their timeline, recordings and voice usage."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.models import Call, CallEvent, ConversationTurn, UsageEvent
from tradeline.models.telephony import CallRecording


async def get_call(
    session: AsyncSession, org_id: uuid.UUID, call_sid: str, *, lock: bool = False
) -> Call | None:
    """The call by its CallSid; `lock` serialises the callbacks of one call (row lock)."""
    query = select(Call).where(Call.organization_id == org_id, Call.call_sid == call_sid)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def get_call_by_id(
    session: AsyncSession, org_id: uuid.UUID, call_id: uuid.UUID
) -> Call | None:
    return (
        await session.execute(
            select(Call).where(Call.organization_id == org_id, Call.id == call_id)
        )
    ).scalar_one_or_none()


async def add_call(session: AsyncSession, call: Call) -> None:
    session.add(call)
    await session.flush()


async def add_event(
    session: AsyncSession,
    call: Call,
    kind: str,
    data: dict[str, Any] | None = None,
    *,
    sequence: int | None = None,
    dedupe_key: str | None = None,
) -> bool:
    """Append to the call's timeline; False when an event with the same dedupe key (or the
    same kind and sequence) is there already — a repeated callback changes nothing.

    Without an explicit sequence, the event is numbered after the call's events of its kind.
    """
    if sequence is None:
        sequence = (
            await session.execute(
                select(func.count())
                .select_from(CallEvent)
                .where(CallEvent.call_id == call.id, CallEvent.kind == kind)
            )
        ).scalar_one()
    inserted = await session.execute(
        insert(CallEvent)
        .values(
            id=uuid.uuid4(),
            organization_id=call.organization_id,
            call_id=call.id,
            kind=kind[:40],
            sequence=sequence,
            data=data or {},
            dedupe_key=dedupe_key,
            created_at=datetime.now(UTC),  # not now(): events of one transaction keep their order
        )
        .on_conflict_do_nothing()
        .returning(CallEvent.id)
    )
    return inserted.first() is not None


async def events_of(session: AsyncSession, call: Call) -> list[CallEvent]:
    rows = await session.execute(
        select(CallEvent)
        .where(CallEvent.organization_id == call.organization_id, CallEvent.call_id == call.id)
        .order_by(CallEvent.created_at, CallEvent.id)
    )
    return list(rows.scalars())


async def event_kinds(session: AsyncSession, call: Call) -> set[str]:
    rows = await session.execute(
        select(CallEvent.kind)
        .where(CallEvent.organization_id == call.organization_id, CallEvent.call_id == call.id)
        .distinct()
    )
    return set(rows.scalars())


async def update_event_data(
    session: AsyncSession, call: Call, dedupe_key: str, data: dict[str, Any]
) -> None:
    await session.execute(
        update(CallEvent)
        .where(
            CallEvent.organization_id == call.organization_id,
            CallEvent.call_id == call.id,
            CallEvent.dedupe_key == dedupe_key,
        )
        .values(data=data)
    )


async def caller_turns(session: AsyncSession, org_id: uuid.UUID, conversation_id: uuid.UUID) -> int:
    return (
        await session.execute(
            select(func.count())
            .select_from(ConversationTurn)
            .where(
                ConversationTurn.organization_id == org_id,
                ConversationTurn.conversation_id == conversation_id,
                ConversationTurn.role == "caller",
            )
        )
    ).scalar_one()


async def add_usage(
    session: AsyncSession, org_id: uuid.UUID, *, kind: str, quantity: int, ref: str
) -> None:
    session.add(UsageEvent(organization_id=org_id, kind=kind, quantity=quantity, ref=ref[:64]))
    await session.flush()


# --- recordings ----------------------------------------------------------------------------


async def claim_recording(
    session: AsyncSession,
    org_id: uuid.UUID,
    *,
    recording_sid: str,
    call_sid: str,
    call_id: uuid.UUID | None,
    source: str,
) -> CallRecording:
    """The recording's row, created on first sight (concurrent callbacks race safely), locked."""
    await session.execute(
        insert(CallRecording)
        .values(
            id=uuid.uuid4(),
            organization_id=org_id,
            call_id=call_id,
            call_sid=call_sid[:64],
            recording_sid=recording_sid[:64],
            source=source[:40],
            status="in-progress",
        )
        .on_conflict_do_nothing(index_elements=["recording_sid"])
    )
    row = (
        await session.execute(
            select(CallRecording)
            .where(
                CallRecording.organization_id == org_id,
                CallRecording.recording_sid == recording_sid[:64],
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    return row


async def recordings_of(session: AsyncSession, call: Call) -> list[CallRecording]:
    rows = await session.execute(
        select(CallRecording)
        .where(
            CallRecording.organization_id == call.organization_id,
            CallRecording.call_id == call.id,
        )
        .order_by(CallRecording.created_at)
    )
    return list(rows.scalars())


async def expired_recordings(
    session: AsyncSession, org_id: uuid.UUID, cutoff: datetime, limit: int
) -> Sequence[CallRecording]:
    """Recordings of one business finished before `cutoff` and still held at the provider."""
    finished = func.coalesce(CallRecording.completed_at, CallRecording.created_at)
    rows = await session.execute(
        select(CallRecording)
        .where(
            CallRecording.organization_id == org_id,
            CallRecording.deleted_at.is_(None),
            finished < cutoff,
        )
        .order_by(finished)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return rows.scalars().all()


async def forget_recording_url(session: AsyncSession, org_id: uuid.UUID, url: str) -> None:
    """The call row's voicemail link, once the recording behind it is deleted."""
    await session.execute(
        update(Call)
        .where(Call.organization_id == org_id, Call.recording_url == url)
        .values(recording_url=None)
    )
