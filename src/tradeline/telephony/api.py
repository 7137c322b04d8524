"""Calls over the REST API (CONTRACTS §3): status, duration, transcript turns, recording flag;
one call also shows its timeline (status callbacks, dials, recordings, follow-up) and recordings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from tradeline.api import CurrentPrincipal, DbSession, RuntimeDep
from tradeline.conversation import repository as conversations
from tradeline.exceptions import NotFound
from tradeline.kit.crypto import mask_phone, mask_text
from tradeline.models import Call
from tradeline.privacy.service import audit_reveal
from tradeline.runtime import Runtime
from tradeline.telephony import repository

router = APIRouter(tags=["calls"])


class TranscriptTurn(BaseModel):
    role: str
    text: str
    at: datetime


class TimelineEvent(BaseModel):
    kind: str
    at: datetime
    data: dict[str, Any]


class RecordingOut(BaseModel):
    recording_sid: str
    source: str
    status: str
    duration: int | None
    url: str | None  # None once deleted (retention)
    completed_at: datetime | None
    deleted_at: datetime | None


class CallOut(BaseModel):
    call_sid: str
    direction: str
    status: str
    caller_number: str | None
    to_number: str
    duration: int | None
    recorded: bool
    voicemail: bool
    conversation_id: uuid.UUID | None
    created_at: datetime
    ended_at: datetime | None
    transcript: list[TranscriptTurn]
    timeline: list[TimelineEvent] = []
    recordings: list[RecordingOut] = []


class CallPage(BaseModel):
    items: list[CallOut]


async def _present(
    session: DbSession, runtime: Runtime, call: Call, sees_pii: bool, with_turns: bool
) -> CallOut:
    caller = runtime.pii.open(
        call.from_enc, org_id=call.organization_id, table="calls", row_id=call.id, column="from_enc"
    )
    turns: list[TranscriptTurn] = []
    if with_turns and call.conversation_id:
        for row in await conversations.turns_of(
            session, call.organization_id, call.conversation_id
        ):
            text = (
                runtime.pii.open(
                    row.text_enc,
                    org_id=row.organization_id,
                    table="conversation_turns",
                    row_id=row.id,
                    column="text_enc",
                )
                or ""
            )
            turns.append(
                TranscriptTurn(
                    role=row.role,
                    text=text if sees_pii or row.role != "caller" else mask_text(text) or "",
                    at=row.created_at,
                )
            )
    return CallOut(
        call_sid=call.call_sid,
        direction=call.direction,
        status=call.status,
        caller_number=caller if sees_pii else mask_phone(caller),
        to_number=call.to_number,
        duration=call.duration_seconds,
        recorded=call.recorded,
        voicemail=call.recording_url is not None,
        conversation_id=call.conversation_id,
        created_at=call.created_at,
        ended_at=call.ended_at,
        transcript=turns,
    )


@router.get("/calls", response_model=CallPage)
async def list_calls(
    principal: CurrentPrincipal,
    session: DbSession,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CallPage:
    rows = (
        (
            await session.execute(
                select(Call)
                .where(Call.organization_id == principal.organization_id)
                .order_by(Call.created_at.desc())
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    if principal.sees_pii and rows:
        await audit_reveal(
            session,
            org_id=principal.organization_id,
            actor_type=principal.actor_type,
            actor_id=principal.actor_id,
            target_type="call",
            target_ids=[r.call_sid for r in rows],
            reason="api: list calls",
        )
    return CallPage(
        items=[
            await _present(session, runtime, r, principal.sees_pii, with_turns=False) for r in rows
        ]
    )


@router.get("/calls/{call_sid}", response_model=CallOut)
async def get_call(
    call_sid: str, principal: CurrentPrincipal, session: DbSession, runtime: RuntimeDep
) -> CallOut:
    call = (
        await session.execute(
            select(Call).where(
                Call.organization_id == principal.organization_id, Call.call_sid == call_sid
            )
        )
    ).scalar_one_or_none()
    if call is None:
        raise NotFound("call not found")
    if principal.sees_pii:
        await audit_reveal(
            session,
            org_id=principal.organization_id,
            actor_type=principal.actor_type,
            actor_id=principal.actor_id,
            target_type="call",
            target_ids=[call.call_sid],
            reason="api: read call",
        )
    out = await _present(session, runtime, call, principal.sees_pii, with_turns=True)
    out.timeline = [
        TimelineEvent(kind=e.kind, at=e.created_at, data=e.data)
        for e in await repository.events_of(session, call)
    ]
    out.recordings = [
        RecordingOut(
            recording_sid=r.recording_sid,
            source=r.source,
            status=r.status,
            duration=r.duration_seconds,
            url=r.url,
            completed_at=r.completed_at,
            deleted_at=r.deleted_at,
        )
        for r in await repository.recordings_of(session, call)
    ]
    return out
