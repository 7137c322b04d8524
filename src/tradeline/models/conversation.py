"""Conversations (one per call or SMS thread) and their turns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tradeline.models.base import Base, TenantMixin, encrypted


class Conversation(TenantMixin, Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_org_thread", "organization_id", "thread_key"),)

    channel: Mapped[str] = mapped_column(String(10))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    # CallSid for voice; blind index of the customer number for an SMS thread.
    thread_key: Mapped[str] = mapped_column(String(100))
    # Captured slots, encrypted as one JSON document: it holds names, numbers and addresses.
    state_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="open")
    last_activity_at: Mapped[datetime | None]


class ConversationTurn(TenantMixin, Base):
    __tablename__ = "conversation_turns"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(10))  # caller | assistant | system
    text_enc: Mapped[bytes] = mapped_column(LargeBinary)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


encrypted("conversations", "state_enc")
encrypted("conversation_turns", "text_enc")
