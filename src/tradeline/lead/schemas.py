"""The Lead shape of CONTRACTS §3."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Channel = Literal["voice", "sms", "web", "import"]
Intent = Literal["service_request", "quote", "question", "existing_job", "spam", "other"]
Status = Literal["new", "contacted", "booked", "won", "lost"]

# C0/C1 control characters other than tab and newlines: never typed by a person into a form,
# and able to break log lines, email headers or terminals that later show the value.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\r\n\t\u2028\u2029]")


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

    @field_validator("name", "email", "company", "phone")
    @classmethod
    def _single_line(cls, value: str | None) -> str | None:
        if value is not None and (_CONTROL.search(value) or _LINE_BREAK.search(value)):
            raise ValueError("must be one line of text without control characters")
        return value

    @field_validator("message")
    @classmethod
    def _no_controls(cls, value: str | None) -> str | None:
        if value is not None and _CONTROL.search(value):
            raise ValueError("must not contain control characters")
        return value


class WebLeadOut(BaseModel):
    success: bool
    id: uuid.UUID


class LeadStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    body: str = Field(min_length=1, max_length=5000)


class NoteOut(BaseModel):
    id: uuid.UUID
    lead_id: uuid.UUID
    created_at: datetime
    author_type: str
    author_id: str | None
    body: str


class NotePage(BaseModel):
    items: list[NoteOut]
    next_cursor: str | None


class ImportIssue(BaseModel):
    """One finding of a CSV import. `row` counts records as a spreadsheet shows them (the
    header is row 1); `field` is the column concerned, null for the whole row."""

    row: int
    field: str | None
    reason: str
    kind: Literal["invalid", "duplicate", "warning"]


class ImportReport(BaseModel):
    rows: int  # data rows read (the header not counted)
    imported: int
    invalid: int  # rows refused for errors
    duplicates: int  # rows skipped as already known (an existing lead or contact, or the file)
    marketing_consent: int  # imported rows carrying a valid marketing consent
    committed: bool  # false: nothing was written (fatal errors without --skip-invalid)
    # Set when the file itself is unusable (its header, its encoding, its CSV syntax):
    # nothing is imported then, whatever --skip-invalid says.
    file_error: str | None = None
    issues: list[ImportIssue]
    issues_truncated: bool = False
