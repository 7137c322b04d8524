"""Consent API I/O."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class DecisionOut(BaseModel):
    allowed: bool
    reason: str


class ConsentStatus(BaseModel):
    sms_opted_out: bool
    suppressed: bool = False
    sms_transactional: DecisionOut | None = None
    sms_marketing: DecisionOut | None = None


class SuppressionIn(BaseModel):
    phone: str = Field(max_length=40)
    reason: str | None = Field(default=None, max_length=200)


class SuppressionOut(BaseModel):
    phone: str  # E.164 for admins, masked for other roles
    suppressed: bool
    changed: bool  # False when the number already was (or was not) on the list


class SuppressionItem(BaseModel):
    phone: str | None
    reason: str | None
    source: str
    created_at: datetime


class SuppressionPage(BaseModel):
    items: list[SuppressionItem]
    next_before: datetime | None


class ConsentRecordIn(BaseModel):
    """Consent the business obtained outside our channels (a signed form, a purchase)."""

    phone: str = Field(max_length=40)
    channel: Literal["sms", "voice", "email", "all"] = "sms"
    purpose: Literal["transactional", "marketing"]
    basis: Literal["express", "implied_purchase", "implied_inquiry"]
    granted: bool = True
    wording: str | None = Field(default=None, max_length=1000)
    evidence: str | None = Field(default=None, max_length=100)
    recorded_at: datetime | None = None  # when it was given; default now


class ConsentRecordOut(BaseModel):
    id: str
    recorded_at: datetime
