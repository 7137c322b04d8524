"""Appointments over the API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AppointmentStatus = Literal["booked", "cancelled"]


class AppointmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    lead_id: uuid.UUID
    start: datetime
    duration_min: int | None = Field(default=None, ge=15, le=480)
    service: str | None = Field(default=None, min_length=1, max_length=120)
    notes: str | None = Field(default=None, max_length=2000)


class AppointmentChange(BaseModel):
    """Reschedule (`start`, optionally `duration_min`) or cancel (`status: "cancelled"`)."""

    model_config = ConfigDict(extra="forbid")

    start: datetime | None = None
    duration_min: int | None = Field(default=None, ge=15, le=480)
    status: Literal["cancelled"] | None = None


class AppointmentOut(BaseModel):
    id: uuid.UUID
    lead_id: uuid.UUID
    start: datetime  # with the business's UTC offset
    end: datetime
    duration_min: int
    service: str | None
    status: AppointmentStatus
    notes: str | None
    reminder_status: str
    created_at: datetime


class AppointmentList(BaseModel):
    items: list[AppointmentOut]


class SlotOut(BaseModel):
    start: datetime
    end: datetime
    duration_min: int


class SlotList(BaseModel):
    timezone: str
    duration_min: int
    slots: list[SlotOut]
