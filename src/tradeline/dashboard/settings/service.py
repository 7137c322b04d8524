"""The business profile as an HTML form, and back.

A profile (CONTRACTS §4) is nested and has lists; a form is flat. `form_values` flattens a profile
into the form's fields, `profile_data` reads the posted form back into the profile's shape, which
`organization.service.parse_profile` then validates exactly as the API does. On a validation error
the page is shown again with what was typed, so nothing the owner entered is lost.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.dashboard import repository
from tradeline.exceptions import NotFound
from tradeline.models import AuditLog, User
from tradeline.organization.schemas import DAYS, BusinessProfileSpec, parse_span

FAQ_BLANKS = 2  # empty question/answer pairs offered below the existing ones
LANGUAGE_CHOICES = {
    "en": ["en"],
    "fr": ["fr"],
    "en,fr": ["en", "fr"],
    "fr,en": ["fr", "en"],
}


def _lines(values: list[str]) -> str:
    return "\n".join(values)


def form_values(spec: BusinessProfileSpec) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": spec.name,
        "phone_numbers": _lines(spec.phone_numbers),
        "timezone": spec.timezone,
        "country": spec.country,
        "languages": ",".join(spec.languages),
        "industry": spec.industry or "",
        "holidays": _lines([d.isoformat() for d in spec.holidays]),
        "services": _lines(spec.services),
        "service_area": _lines(spec.service_area),
        "routing_sales": spec.routing.sales or "",
        "routing_support": spec.routing.support or "",
        "routing_on_call": spec.routing.on_call or "",
        "mode": spec.receptionist.mode,
        "greeting": spec.receptionist.greeting or "",
        "recording": spec.recording.enabled,
        "emergency_keywords": _lines(spec.emergency_keywords),
        "blocklist": _lines(spec.blocklist),
        "allowed_origins": _lines(spec.web.allowed_origins),
        "notify_email": str(spec.notify.email or ""),
        "notify_sms": spec.notify.sms or "",
        "faq": [{"q": e.q, "a": e.a} for e in spec.faq] + [{"q": "", "a": ""}] * FAQ_BLANKS,
    }
    for day in DAYS:
        span = spec.hours.get(day)
        opening = parse_span(span) if span else None
        values[f"open_{day}"] = opening is not None
        values[f"from_{day}"] = span.split("-")[0] if span and opening else "08:00"
        values[f"to_{day}"] = span.split("-")[1] if span and opening else "17:00"
    return values


def _text(form: Mapping[str, Any], key: str) -> str:
    value = form.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def _list_lines(form: Mapping[str, Any], key: str) -> list[str]:
    """One entry per line (entries such as services may contain commas)."""
    return [line.strip() for line in _text(form, key).splitlines() if line.strip()]


def posted_values(form: Mapping[str, Any]) -> dict[str, Any]:
    """What was typed, in `form_values`' shape, to show the form again after an error."""
    values: dict[str, Any] = {
        key: _text(form, key)
        for key in (
            "name",
            "phone_numbers",
            "timezone",
            "country",
            "languages",
            "industry",
            "holidays",
            "services",
            "service_area",
            "routing_sales",
            "routing_support",
            "routing_on_call",
            "mode",
            "greeting",
            "emergency_keywords",
            "blocklist",
            "allowed_origins",
            "notify_email",
            "notify_sms",
        )
    }
    values["recording"] = form.get("recording") == "on"
    faq = []
    index = 0
    while f"faq_q_{index}" in form or f"faq_a_{index}" in form:
        faq.append({"q": _text(form, f"faq_q_{index}"), "a": _text(form, f"faq_a_{index}")})
        index += 1
    values["faq"] = faq + [{"q": "", "a": ""}] * max(
        0, FAQ_BLANKS - sum(1 for f in faq if not f["q"])
    )
    for day in DAYS:
        values[f"open_{day}"] = form.get(f"open_{day}") == "on"
        values[f"from_{day}"] = _text(form, f"from_{day}") or "08:00"
        values[f"to_{day}"] = _text(form, f"to_{day}") or "17:00"
    return values


def profile_data(form: Mapping[str, Any]) -> dict[str, Any]:
    """The posted form in the profile's own shape (validation is the profile model's job)."""
    routing = {
        key: _text(form, f"routing_{key}") or None for key in ("sales", "support", "on_call")
    }
    faq = []
    index = 0
    while f"faq_q_{index}" in form or f"faq_a_{index}" in form:
        question, answer = _text(form, f"faq_q_{index}"), _text(form, f"faq_a_{index}")
        if question or answer:
            faq.append({"q": question, "a": answer})
        index += 1
    hours = {
        day: f"{_text(form, f'from_{day}')}-{_text(form, f'to_{day}')}"
        for day in DAYS
        if form.get(f"open_{day}") == "on"
    }
    notify: dict[str, Any] = {
        "email": _text(form, "notify_email") or None,
        "sms": _text(form, "notify_sms") or None,
    }
    return {
        "name": _text(form, "name"),
        "phone_numbers": _list_lines(form, "phone_numbers"),
        "timezone": _text(form, "timezone"),
        "country": _text(form, "country").upper() or "US",
        "languages": LANGUAGE_CHOICES.get(_text(form, "languages"), ["en"]),
        "industry": _text(form, "industry") or None,
        "hours": hours,
        "holidays": _list_lines(form, "holidays"),
        "services": _list_lines(form, "services"),
        "service_area": _list_lines(form, "service_area"),
        "routing": routing,
        "receptionist": {
            "mode": _text(form, "mode") or "ai",
            "greeting": _text(form, "greeting") or None,
        },
        "recording": {"enabled": form.get("recording") == "on"},
        "emergency_keywords": _list_lines(form, "emergency_keywords"),
        "blocklist": _list_lines(form, "blocklist"),
        "web": {"allowed_origins": _list_lines(form, "allowed_origins")},
        "faq": faq,
        "notify": notify,
    }


# Which form field shows an error about a profile path (the first part of the error message).
FIELD_FOR_PATH = {
    "name": "name",
    "phone_numbers": "phone_numbers",
    "timezone": "timezone",
    "country": "country",
    "languages": "languages",
    "industry": "industry",
    "hours": "open_mon",
    "holidays": "holidays",
    "services": "services",
    "service_area": "service_area",
    "routing.sales": "routing_sales",
    "routing.support": "routing_support",
    "routing.on_call": "routing_on_call",
    "receptionist.greeting": "greeting",
    "receptionist.mode": "mode-ai",
    "emergency_keywords": "emergency_keywords",
    "blocklist": "blocklist",
    "web.allowed_origins": "allowed_origins",
    "faq": "faq_q_0",
    "notify.email": "notify_email",
    "notify.sms": "notify_sms",
}


def field_for(message: str) -> str:
    path = message.split(":", 1)[0]
    for prefix in sorted(FIELD_FOR_PATH, key=len, reverse=True):
        if path == prefix or path.startswith(prefix + "."):
            return FIELD_FOR_PATH[prefix]
    return "name"


# --- things auth has no service for yet (see the reply: to move into auth.service) -------------


async def revoke_api_key(
    session: AsyncSession, org_id: uuid.UUID, key_id: uuid.UUID, actor: str
) -> str:
    key = await repository.api_key(session, org_id, key_id)
    if key is None:
        raise NotFound("API key not found")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        session.add(
            AuditLog(
                organization_id=org_id,
                actor_type="user",
                actor_id=actor,
                action="api_key.revoked",
                target_type="api_key",
                target_id=str(key.id),
            )
        )
        await session.flush()
    return key.name


async def set_locale(session: AsyncSession, user: User, locale: str) -> None:
    user.locale = locale
    await session.flush()
