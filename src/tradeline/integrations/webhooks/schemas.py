"""Webhook subscriptions and deliveries over the API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["slack", "teams", "generic"]
EventType = Literal[
    "lead.created",
    "lead.updated",
    "appointment.booked",
    "appointment.rescheduled",
    "appointment.cancelled",
    "call.completed",
    "call.voicemail",
    "call.emergency",
]
DeliveryStatus = Literal["pending", "retrying", "succeeded", "failed", "recorded"]


class IntegrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Kind
    url: str = Field(min_length=8, max_length=2000)
    # Generic endpoints always sign; without a secret one is generated and shown once.
    secret: str | None = Field(default=None, min_length=16, max_length=200)
    # Empty → every event.
    events: list[EventType] = Field(default_factory=list, max_length=20)
    description: str | None = Field(default=None, max_length=200)


class IntegrationOut(BaseModel):
    id: uuid.UUID
    kind: Kind
    url: str
    events: list[EventType]
    description: str | None
    signed: bool
    created_at: datetime


class IntegrationCreated(IntegrationOut):
    # The signing secret, shown this once (null when the subscription does not sign).
    secret: str | None


class IntegrationList(BaseModel):
    items: list[IntegrationOut]


class DeliveryOut(BaseModel):
    id: uuid.UUID
    integration_id: uuid.UUID
    event_id: uuid.UUID
    event_type: EventType
    subject_id: uuid.UUID
    status: DeliveryStatus
    attempts: int
    last_response_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    replay_of: uuid.UUID | None
    created_at: datetime


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None
