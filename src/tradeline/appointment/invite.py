"""iCalendar invites (RFC 5545 / iTIP) for an appointment: REQUEST when booked or moved,
CANCEL when cancelled. One UID per appointment and a SEQUENCE bumped on every change, so a
calendar updates the event it already has instead of adding another."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tradeline.appointment.schemas import AppointmentOut
from tradeline.config import Settings
from tradeline.lead.schemas import LeadOut
from tradeline.notification.cards import Card, lead_card, lead_url, render_email, window
from tradeline.notification.ports import Email
from tradeline.organization.schemas import BusinessProfileSpec

PRODID = "-//TradeLine//Appointments//EN"
MIME_TYPE = "text/calendar"
FILENAME = "appointment.ics"


@dataclass(frozen=True)
class Invite:
    appointment_id: uuid.UUID
    sequence: int
    cancelled: bool
    start: datetime
    end: datetime
    summary: str
    description: str
    location: str | None
    organizer_name: str
    organizer_email: str | None
    attendee_name: str | None
    attendee_email: str | None


def uid(appointment_id: uuid.UUID) -> str:
    return f"{appointment_id}@tradeline"


def _address(email: str, name: str | None, **params: str) -> Any:
    from icalendar import vCalAddress, vText

    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = vText(value)
    return address


def build_ics(invite: Invite, *, stamp: datetime | None = None) -> bytes:
    # Imported here: workers load every task module at start, and only invites need it.
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if invite.cancelled else "REQUEST")
    event = Event()
    event.add("uid", uid(invite.appointment_id))
    event.add("dtstamp", (stamp or datetime.now(UTC)).astimezone(UTC))
    # UTC instants: every calendar shows them in its own zone, no VTIMEZONE to get wrong.
    event.add("dtstart", invite.start.astimezone(UTC))
    event.add("dtend", invite.end.astimezone(UTC))
    event.add("summary", invite.summary)
    event.add("description", invite.description)
    if invite.location:
        event.add("location", invite.location)
    event.add("sequence", invite.sequence)
    event.add("status", "CANCELLED" if invite.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if invite.organizer_email:
        event.add("organizer", _address(invite.organizer_email, invite.organizer_name))
    if invite.attendee_email:
        event.add(
            "attendee",
            _address(
                invite.attendee_email,
                invite.attendee_name,
                role="REQ-PARTICIPANT",
                partstat="NEEDS-ACTION",
                rsvp="FALSE",
            ),
        )
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def invitations(
    profile: BusinessProfileSpec,
    appointment: AppointmentOut,
    lead: LeadOut | None,
    *,
    sequence: int,
    settings: Settings,
    stamp: datetime | None = None,
) -> list[Email]:
    """The caller's email (when we know their address) and the owner's (when the profile has
    one), each with the same invite attached."""
    zone = ZoneInfo(profile.timezone)
    cancelled = appointment.status == "cancelled"
    state = "cancelled" if cancelled else ("moved" if sequence > 0 else "booked")
    service = appointment.service or "Appointment"
    name = lead.caller_name if lead else None
    invite = Invite(
        appointment_id=appointment.id,
        sequence=sequence,
        cancelled=cancelled,
        start=appointment.start,
        end=appointment.end,
        summary=f"{service} — {profile.name}",
        description=f"{service} with {profile.name}. Questions or changes: call "
        f"{profile.phone_numbers[0]}.",
        location=lead.address if lead else None,
        organizer_name=profile.name,
        organizer_email=str(profile.notify.email) if profile.notify.email else None,
        attendee_name=name,
        attendee_email=lead.email if lead else None,
    )
    attachment = ((FILENAME, MIME_TYPE, build_ics(invite, stamp=stamp)),)
    when = window(appointment.start, appointment.end, zone) or ""
    emails: list[Email] = []
    if lead is not None and lead.email:
        headline = {
            "booked": "Your appointment is confirmed",
            "moved": "Your appointment has moved",
            "cancelled": "Your appointment is cancelled",
        }[state]
        facts = [("When", when), ("Service", service)]
        if lead.address:
            facts.append(("Address", lead.address))
        facts.append(("Questions", profile.phone_numbers[0]))
        card = Card(
            business=profile.name,
            kind="event",
            headline=headline,
            facts=facts,
            footer=f"Sent by {profile.name} about your appointment. Add the attached invite "
            "to your calendar.",
        )
        emails.append(render_email(card, lead.email, attachment))
    if profile.notify.email:
        headline = {
            "booked": "Appointment booked",
            "moved": "Appointment rescheduled",
            "cancelled": "Appointment cancelled",
        }[state]
        owner = lead_card(
            "event",
            business=profile.name,
            lead=lead.model_dump(mode="json") if lead else None,
            zone=zone,
            extra_facts=[("When", when), ("Service", service)],
            links=[("Lead", lead_url(settings, appointment.lead_id))],
        )
        emails.append(
            render_email(replace(owner, headline=headline), str(profile.notify.email), attachment)
        )
    return emails
