"""Every SQL statement about conversations, turns and contacts."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.models import Contact, Conversation, ConversationTurn


async def latest_conversation(
    session: AsyncSession, org_id: uuid.UUID, channel: str, thread_key: str
) -> Conversation | None:
    result = await session.execute(
        select(Conversation)
        .where(
            Conversation.organization_id == org_id,
            Conversation.channel == channel,
            Conversation.thread_key == thread_key,
        )
        .order_by(Conversation.created_at.desc())
        .limit(1)
        .with_for_update()
    )
    return result.scalar_one_or_none()


async def get_conversation(
    session: AsyncSession, org_id: uuid.UUID, conversation_id: uuid.UUID
) -> Conversation | None:
    result = await session.execute(
        select(Conversation).where(
            Conversation.organization_id == org_id, Conversation.id == conversation_id
        )
    )
    return result.scalar_one_or_none()


async def turns_of(
    session: AsyncSession, org_id: uuid.UUID, conversation_id: uuid.UUID
) -> list[ConversationTurn]:
    result = await session.execute(
        select(ConversationTurn)
        .where(
            ConversationTurn.organization_id == org_id,
            ConversationTurn.conversation_id == conversation_id,
        )
        .order_by(ConversationTurn.created_at, ConversationTurn.id)
    )
    return list(result.scalars())


async def contact_by_phone(
    session: AsyncSession, org_id: uuid.UUID, phone_bidx: bytes
) -> Contact | None:
    result = await session.execute(
        select(Contact)
        .where(Contact.organization_id == org_id, Contact.phone_bidx == phone_bidx)
        .order_by(Contact.created_at)
        .limit(1)
    )
    return result.scalar_one_or_none()


async def add(session: AsyncSession, *rows: object) -> None:
    """Pending until the next query (autoflush) or the end of the turn: a new call's contact,
    conversation, call and greeting go to the database in one flush, the conversation already
    with its final state (one INSERT, no UPDATE after it)."""
    session.add_all(rows)
