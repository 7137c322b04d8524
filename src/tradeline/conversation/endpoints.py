"""GET /api/v1/conversations/{id}: the channel, the turns and what was captured."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from tradeline.api import CurrentPrincipal, DbSession, RuntimeDep
from tradeline.conversation import repository
from tradeline.conversation.service import open_state
from tradeline.exceptions import NotFound
from tradeline.kit.crypto import mask_email, mask_name, mask_phone, mask_text
from tradeline.privacy.service import audit_reveal

router = APIRouter(tags=["conversations"])


class TurnOut(BaseModel):
    role: str
    text: str
    at: datetime


class ConversationOut(BaseModel):
    id: uuid.UUID
    channel: str
    status: str
    created_at: datetime
    turns: list[TurnOut]
    captured: dict[str, Any]


@router.get("/conversations/{conversation_id}", response_model=ConversationOut)
async def get_conversation(
    conversation_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession, runtime: RuntimeDep
) -> ConversationOut:
    org_id = principal.organization_id
    conv = await repository.get_conversation(session, org_id, conversation_id)
    if conv is None:
        raise NotFound("conversation not found")
    turns = []
    for row in await repository.turns_of(session, org_id, conv.id):
        text = (
            runtime.pii.open(
                row.text_enc,
                org_id=org_id,
                table="conversation_turns",
                row_id=row.id,
                column="text_enc",
            )
            or ""
        )
        turns.append(
            TurnOut(
                role=row.role,
                text=text if principal.sees_pii or row.role != "caller" else mask_text(text) or "",
                at=row.created_at,
            )
        )
    state = open_state(runtime, conv)
    captured = state.model_dump(
        mode="json",
        include={
            "caller_name",
            "callback_number",
            "email",
            "job_summary",
            "address",
            "preferred_start",
            "preferred_end",
            "emergency",
            "intent",
            "language",
            "consent_sms",
            "consent_recording",
        },
    )
    if principal.sees_pii:
        await audit_reveal(
            session,
            org_id=org_id,
            actor_type=principal.actor_type,
            actor_id=principal.actor_id,
            target_type="conversation",
            target_ids=[str(conv.id)],
            reason="api: read conversation",
        )
    else:
        captured["caller_name"] = mask_name(captured["caller_name"])
        captured["callback_number"] = mask_phone(captured["callback_number"])
        captured["email"] = mask_email(captured["email"])
        captured["address"] = mask_text(captured["address"])
    return ConversationOut(
        id=conv.id,
        channel=conv.channel,
        status=conv.status,
        created_at=conv.created_at,
        turns=turns,
        captured=captured,
    )
