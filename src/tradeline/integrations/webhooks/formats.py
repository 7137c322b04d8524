"""The bytes each kind of subscription receives for an event.

- generic: the event payload itself (`events.render`), compact JSON, signed.
- slack: an incoming-webhook message (text + Block Kit) made from the same lead card the
  owner's email shows.
- teams: a Teams incoming-webhook / Workflows message with one Adaptive Card.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from tradeline.notification.cards import (
    Card,
    CardKind,
    lead_card,
    render_slack,
    render_teams,
    window,
)

TITLES: dict[str, str] = {
    "lead.created": "New lead",
    "lead.updated": "Lead updated",
    "appointment.booked": "Appointment booked",
    "appointment.rescheduled": "Appointment rescheduled",
    "appointment.cancelled": "Appointment cancelled",
    "call.completed": "Call completed",
    "call.voicemail": "New voicemail",
    "call.emergency": "URGENT — emergency call",
}


def dumps(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def card_for(payload: dict[str, Any], zone: ZoneInfo) -> Card:
    """The lead card for an event, with what the event adds (when, status, call)."""
    event = str(payload["type"])
    data: dict[str, Any] = payload.get("data") or {}
    lead = data.get("lead") if isinstance(data.get("lead"), dict) else None
    extra: list[tuple[str, str]] = []
    links: list[tuple[str, str]] = []
    voicemail = None
    changes = data.get("changes") or {}
    if "status" in changes:
        extra.append(("Status", f"{changes['status']['from']} → {changes['status']['to']}"))
    appointment = data.get("appointment") or {}
    if appointment.get("start"):
        extra.append(("When", window(appointment["start"], appointment.get("end"), zone) or ""))
        if appointment.get("service"):
            extra.append(("Service", str(appointment["service"])))
    call = data.get("call") or {}
    if call.get("call_sid"):
        if call.get("duration") is not None:
            extra.append(("Call length", f"{call['duration']} s"))
        links.append(("Transcript", str(call["transcript_url"])))
        voicemail = call.get("voicemail_transcript")
    if event == "call.voicemail" and not voicemail:
        voicemail = "(no transcript yet)"
    kind: CardKind = "emergency" if event == "call.emergency" else "event"
    card = lead_card(
        kind,
        business=str((payload.get("organization") or {}).get("name") or "TradeLine"),
        lead=lead,
        zone=zone,
        reason=data.get("reason"),
        voicemail=voicemail,
        links=links,
        extra_facts=extra,
    )
    headline = TITLES.get(event, event)
    if event == "lead.created" and card.urgent:
        headline = "New lead — URGENT"
    return replace(card, headline=headline)


def body_for(kind: str, payload: dict[str, Any], zone: ZoneInfo) -> bytes:
    if kind == "slack":
        return dumps(render_slack(card_for(payload, zone)))
    if kind == "teams":
        return dumps(render_teams(card_for(payload, zone)))
    return dumps(payload)
