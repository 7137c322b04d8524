"""Conversation state (persisted, encrypted) and what a turn produces."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

Slot = Literal["job", "name", "callback", "address", "when", "email", "anything_else"]
Lang = Literal["en", "fr"]


class ConversationState(BaseModel):
    """Everything the receptionist knows about this conversation. Never only in memory: it is
    sealed into `conversations.state_enc` after every turn, so any process can take the next."""

    language: Lang = "en"
    language_locked: bool = False  # the caller showed their language; stop re-detecting on "ok"
    caller_number: str | None = None
    caller_name: str | None = None
    callback_number: str | None = None
    callback_confirmed: bool = False
    email: str | None = None
    job_summary: str | None = None
    address: str | None = None
    preferred_start: datetime | None = None
    preferred_end: datetime | None = None
    emergency: bool = False
    emergency_reason: str | None = None
    emergency_escalated: bool = False
    intent: str = "other"
    consent_sms: bool | None = None
    consent_recording: bool | None = None
    # What was asked and how often: a captured field is never asked again, and nothing is
    # asked more than twice (callers who decline are not nagged).
    asked: dict[str, int] = Field(default_factory=dict)
    declined: list[str] = Field(default_factory=list)
    confirmed: list[str] = Field(default_factory=list)
    last_question: Slot | None = None
    turns: int = 0
    finished: bool = False
    lead_id: str | None = None
    unanswered_questions: int = 0
    topic: str | None = None  # what the caller last asked about, for "book that" follow-ups

    def has(self, slot: str) -> bool:
        values = {
            "job": self.job_summary,
            "name": self.caller_name,
            "callback": self.callback_number if self.callback_confirmed else None,
            "address": self.address,
            "when": self.preferred_start,
            "email": self.email,
        }
        return values.get(slot) is not None or slot in self.declined

    @property
    def effective_callback(self) -> str | None:
        """The caller's own number unless they gave another (CONTRACTS §3)."""
        return self.callback_number or self.caller_number


class ActionKind(StrEnum):
    ESCALATE = "escalate"  # emergency: dial on-call (voice) / alert owner (SMS)
    TRANSFER = "transfer"  # caller asked for a person
    VOICEMAIL = "voicemail"
    END = "end"
    KNOWLEDGE_GAP = "knowledge_gap"


class Action(BaseModel):
    kind: ActionKind
    detail: str | None = None


class TurnResult(BaseModel):
    reply: str
    actions: list[Action] = Field(default_factory=list)
    state: ConversationState
    answered_question: bool = False

    def has(self, kind: ActionKind) -> bool:
        return any(a.kind is kind for a in self.actions)
