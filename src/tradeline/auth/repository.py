"""Every SQL statement about users, memberships, API keys and sessions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.db import LOOKUP_KEY_HASH, LOOKUP_USER, set_local
from tradeline.models import ApiKey, Membership, User, UserSession


async def api_key_by_hash(session: AsyncSession, key_hash: str) -> ApiKey | None:
    await set_local(session, LOOKUP_KEY_HASH, key_hash)
    result = await session.execute(select(ApiKey).where(ApiKey.key_hash == key_hash))
    key = result.scalar_one_or_none()
    await set_local(session, LOOKUP_KEY_HASH, None)
    return key


async def touch_api_key(session: AsyncSession, key_id: uuid.UUID, at: datetime) -> None:
    await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=at))


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == email.lower()))
    return result.scalar_one_or_none()


async def memberships_of(session: AsyncSession, user_id: uuid.UUID) -> list[Membership]:
    await set_local(session, LOOKUP_USER, str(user_id))
    result = await session.execute(
        select(Membership).where(Membership.user_id == user_id).order_by(Membership.created_at)
    )
    rows = list(result.scalars())
    await set_local(session, LOOKUP_USER, None)
    return rows


async def session_by_hash(session: AsyncSession, token_hash: str) -> UserSession | None:
    result = await session.execute(select(UserSession).where(UserSession.token_hash == token_hash))
    return result.scalar_one_or_none()


async def delete_session(session: AsyncSession, session_id: uuid.UUID) -> None:
    await session.execute(delete(UserSession).where(UserSession.id == session_id))


async def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)
    await session.flush()
