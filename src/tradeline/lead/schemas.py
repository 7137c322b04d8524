"""The Lead shape of CONTRACTS §3."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["voice", "sms", "web", "import"]
Intent = Literal["service_request", "quote", "question", "existing_job", "spam", "other"]
Status = Literal["new", "contacted", "booked", "won", "lost"]


class LeadOut(BaseModel):
    id: uuid.UUID
    created_at: datetime
    channel: Channel
    caller_number: str | None
    caller_name: str | None
    callback_number: str | None
    email: str | None
    job_summary: str | None
    address: str | None
    preferred_datetime: datetime | None
    preferred_window_end: datetime | None
    emergency: bool
    intent: Intent
    consent_sms: bool | None
    consent_recording: bool | None
    score: int
    status: Status


class LeadPage(BaseModel):
    items: list[LeadOut]
    next_cursor: str | None


class WebLeadIn(BaseModel):
    """The public form (CONTRACTS §3). `website` is a honeypot: people never fill it in."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    org_id: uuid.UUID
    name: str = Field(min_length=1, max_length=120)
    email: str = Field(min_length=3, max_length=254)
    company: str | None = Field(default=None, max_length=160)
    message: str | None = Field(default=None, max_length=5000)
    phone: str | None = Field(default=None, max_length=40)
    website: str | None = Field(default=None, max_length=500)


class WebLeadOut(BaseModel):
    success: bool
    id: uuid.UUID
