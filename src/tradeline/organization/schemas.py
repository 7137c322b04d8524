"""The business profile (CONTRACTS §4) as a strict pydantic model."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, field_validator

from tradeline.kit.phone import InvalidPhoneNumber, to_e164

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


def _e164(value: str) -> str:
    try:
        normalised = to_e164(value)
    except InvalidPhoneNumber as exc:
        raise ValueError(str(exc)) from exc
    if normalised != value.strip():
        raise ValueError(f"must be E.164 (e.g. {normalised}), got {value!r}")
    return normalised


E164 = Annotated[str, AfterValidator(_e164)]
Language = Literal["en", "fr"]


def _default_languages() -> list[Language]:
    return ["en"]


class _Strict(BaseModel):
    # Unknown keys are refused: a typo such as `timezon` must not silently fall back to a default.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Routing(_Strict):
    sales: E164 | None = None
    support: E164 | None = None
    on_call: E164 | None = None


class Receptionist(_Strict):
    mode: Literal["ai", "menu"] = "ai"
    greeting: str | None = Field(default=None, max_length=500)


class Recording(_Strict):
    enabled: bool = False


class Web(_Strict):
    allowed_origins: list[Annotated[str, Field(pattern=r"^https?://[^/\s]+$")]] = Field(
        default_factory=list
    )


class FaqEntry(_Strict):
    q: str = Field(min_length=1, max_length=500)
    a: str = Field(min_length=1, max_length=4000)


class Notify(_Strict):
    email: EmailStr | None = None
    sms: E164 | None = None


class BusinessProfileSpec(_Strict):
    name: str = Field(min_length=1, max_length=200)
    phone_numbers: list[E164] = Field(min_length=1)
    timezone: str
    country: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    languages: list[Language] = Field(default_factory=_default_languages, min_length=1)
    industry: str | None = Field(default=None, max_length=80)
    hours: dict[str, str] = Field(default_factory=dict)
    holidays: list[date] = Field(default_factory=list)
    services: list[str] = Field(default_factory=list)
    service_area: list[str] = Field(default_factory=list)
    routing: Routing = Field(default_factory=Routing)
    receptionist: Receptionist = Field(default_factory=Receptionist)
    recording: Recording = Field(default_factory=Recording)
    emergency_keywords: list[str] = Field(default_factory=list)
    blocklist: list[E164] = Field(default_factory=list)
    web: Web = Field(default_factory=Web)
    faq: list[FaqEntry] = Field(default_factory=list)
    notify: Notify = Field(default_factory=Notify)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("phone_numbers")
    @classmethod
    def _unique_numbers(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("phone numbers must be unique")
        return value

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: dict[str, str]) -> dict[str, str]:
        for day, span in value.items():
            if day not in DAYS:
                raise ValueError(f"unknown day {day!r} (use {', '.join(DAYS)})")
            opening = parse_span(span)
            if opening is None:
                raise ValueError(f"{day}: {span!r} is not HH:MM-HH:MM with open before close")
        return value


def parse_span(span: str) -> tuple[time, time] | None:
    """'08:00-17:00' → (08:00, 17:00); None when malformed or not increasing."""
    match = _HOURS.match(span.strip())
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if not (0 <= h1 < 24 and 0 <= m1 < 60 and 0 <= h2 <= 24 and 0 <= m2 < 60):
        return None
    start = time(h1, m1)
    end = time(23, 59, 59) if h2 == 24 else time(h2, m2)
    return (start, end) if start < end else None
