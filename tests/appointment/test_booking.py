"""Booking against a real database: races, the API, invites (ICS) and reminders with consent."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import func, select, text, update

from tests.factories import make_org
from tests.lead.helpers import bearer, outbox
from tradeline.appointment import service
from tradeline.appointment.invite import invitations
from tradeline.appointment.service import SlotTaken
from tradeline.appointment.tasks import send_due_reminders
from tradeline.consent import service as consent
from tradeline.db import tenant_session
from tradeline.lead.service import create_lead, system_principal, system_view
from tradeline.models import AuditLog, Lead
from tradeline.models.appointment import Appointment
from tradeline.organization.service import get_profile, parse_profile, replace_profile
from tradeline.runtime import Runtime
from tradeline.worker.service import drain

ZONE = ZoneInfo("America/Edmonton")
HOURS = dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "08:00-17:00")


def _weekday_ahead(days: int) -> date:
    """The first weekday at least `days` days from today (business time)."""
    day = datetime.now(ZONE).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


async def _org_and_lead(runtime: Runtime, **lead: object) -> tuple[uuid.UUID, str, uuid.UUID]:
    org = await make_org(runtime, hours=HOURS, notify={"email": "owner@example.com"})
    fields: dict[str, object] = {
        "channel": "voice",
        "caller_number": "+14035550142",
        "callback_number": "+14035550142",
        "caller_name": "Sam Roy",
        "email": "sam@example.com",
        "address": "12 Elbow Dr SW",
    } | lead
    async with tenant_session(runtime.maker, org.org_id) as session:
        row = await create_lead(session, runtime.pii, org.org_id, **fields)  # type: ignore[arg-type]
    return org.org_id, org.api_key, row.id


async def _book(
    runtime: Runtime, org_id: uuid.UUID, lead_id: uuid.UUID, start: datetime, minutes: int = 60
) -> uuid.UUID:
    async with tenant_session(runtime.maker, org_id) as session:
        appointment = await service.book(
            session, runtime, org_id, lead_id=lead_id, start=start, duration_min=minutes
        )
        return appointment.id


async def test_two_concurrent_bookings_of_one_slot_exactly_one_wins(runtime: Runtime) -> None:
    org_id, _, lead_id = await _org_and_lead(runtime)
    slot = _at(_weekday_ahead(3), 10)

    async def attempt(start: datetime) -> str:
        try:
            await _book(runtime, org_id, lead_id, start)
        except SlotTaken:
            return "taken"
        return "booked"

    # Each in its own transaction and connection, all racing for the same hour (and one
    # overlapping half-hour later): the lock makes their check-then-insert atomic.
    outcomes = await asyncio.gather(
        *(attempt(slot) for _ in range(6)), attempt(slot + timedelta(minutes=30))
    )
    assert sorted(outcomes) == ["booked"] + ["taken"] * 6
    async with tenant_session(runtime.maker, org_id) as session:
        rows = (await session.scalars(select(Appointment))).all()
    assert len(rows) == 1
    # Back to back is not an overlap.
    await _book(runtime, org_id, lead_id, rows[0].ends_at)


async def test_book_reschedule_cancel_over_the_api(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org_id, key, lead_id = await _org_and_lead(runtime)
    headers = bearer(key)
    day = _weekday_ahead(3)
    slots = (
        await client.get(
            "/api/v1/appointments/slots",
            params={"from": _at(day, 0).isoformat(), "days": 1, "service": "estimate"},
            headers=headers,
        )
    ).json()
    assert slots["duration_min"] == 30 and slots["timezone"] == "America/Edmonton"
    assert slots["slots"][0]["start"] == _at(day, 8).isoformat()
    assert len(slots["slots"]) == 18  # 08:00 … 16:30

    booked = await client.post(
        "/api/v1/appointments",
        json={
            "lead_id": str(lead_id),
            "start": _at(day, 9).isoformat(),
            "service": "estimate",
            "notes": "gate code 4471",
        },
        headers=headers | {"Idempotency-Key": "book-1"},
    )
    assert booked.status_code == 201, booked.text
    body = booked.json()
    assert (body["start"], body["end"], body["duration_min"]) == (
        _at(day, 9).isoformat(),
        _at(day, 9, 30).isoformat(),
        30,
    )
    assert body["notes"] == "gate code 4471" and body["reminder_status"] == "scheduled"
    replay = await client.post(
        "/api/v1/appointments",
        json={
            "lead_id": str(lead_id),
            "start": _at(day, 9).isoformat(),
            "service": "estimate",
            "notes": "gate code 4471",
        },
        headers=headers | {"Idempotency-Key": "book-1"},
    )
    assert replay.json()["id"] == body["id"] and replay.headers["idempotent-replayed"] == "true"

    lead = (await client.get(f"/api/v1/leads/{lead_id}", headers=headers)).json()
    assert lead["status"] == "booked"
    taken = await client.post(
        "/api/v1/appointments",
        json={"lead_id": str(lead_id), "start": _at(day, 9, 15).isoformat(), "duration_min": 30},
        headers=headers,
    )
    assert taken.status_code == 409 and taken.json()["error"] == "SlotTaken"
    closed = await client.post(
        "/api/v1/appointments",
        json={"lead_id": str(lead_id), "start": _at(day, 16, 30).isoformat()},
        headers=headers,
    )
    assert closed.status_code == 422 and closed.json()["error"] == "OutsideHours"
    naive = await client.post(
        "/api/v1/appointments",
        json={"lead_id": str(lead_id), "start": f"{day}T10:00:00"},
        headers=headers,
    )
    assert naive.status_code == 422
    after = (
        await client.get(
            "/api/v1/appointments/slots",
            params={"from": _at(day, 0).isoformat(), "days": 1, "duration_min": 30},
            headers=headers,
        )
    ).json()
    assert _at(day, 9).isoformat() not in [s["start"] for s in after["slots"]]

    await drain(runtime, queues=["default"])  # the invites of each change go out in turn
    url = f"/api/v1/appointments/{body['id']}"
    moved = await client.patch(url, json={"start": _at(day, 14).isoformat()}, headers=headers)
    assert moved.status_code == 200 and moved.json()["start"] == _at(day, 14).isoformat()
    assert moved.json()["duration_min"] == 30
    await drain(runtime, queues=["default"])
    cancelled = await client.patch(url, json={"status": "cancelled"}, headers=headers)
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["reminder_status"] == "cancelled"
    again = await client.patch(url, json={"start": _at(day, 15).isoformat()}, headers=headers)
    assert again.status_code == 409
    listed = (
        await client.get(
            "/api/v1/appointments",
            params={
                "from": _at(day, 0).isoformat(),
                "to": _at(day + timedelta(days=1), 0).isoformat(),
            },
            headers=headers,
        )
    ).json()["items"]
    assert [(a["id"], a["status"]) for a in listed] == [(body["id"], "cancelled")]

    async with tenant_session(runtime.maker, org_id) as session:
        actions = (
            await session.scalars(
                select(AuditLog.action)
                .where(AuditLog.action.like("appointment.%"))
                .order_by(AuditLog.created_at)
            )
        ).all()
        stored = (await session.execute(text("SELECT notes_enc FROM appointments"))).scalar_one()
    assert actions == ["appointment.booked", "appointment.rescheduled", "appointment.cancelled"]
    assert b"4471" not in bytes(stored)

    # Each change emailed the caller and the owner an invite.
    await drain(runtime, queues=["default"])
    emails = await outbox(runtime, org_id, "email")
    invites = [e for e in emails if e["attachments"] == ["appointment.ics"]]
    assert sorted(e["to"] for e in invites) == ["owner@example.com"] * 3 + ["sam@example.com"] * 3
    assert [e["subject"].split(" — ")[0] for e in invites] == [
        "Your appointment is confirmed",
        "Appointment booked",
        "Your appointment has moved",
        "Appointment rescheduled",
        "Your appointment is cancelled",
        "Appointment cancelled",
    ]


async def test_ics_invite_content(runtime: Runtime) -> None:
    org_id, _, lead_id = await _org_and_lead(runtime)
    start = _at(_weekday_ahead(3), 10)
    appointment_id = await _book(runtime, org_id, lead_id, start, minutes=90)
    async with tenant_session(runtime.maker, org_id) as session:
        profile = await get_profile(session, org_id)
        lead = await system_view(session, runtime.pii, org_id, lead_id)
        row = await session.get(Appointment, appointment_id)
        assert row is not None
        view = service.present(row, runtime.pii, system_principal(org_id), ZONE)
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    caller, owner = invitations(
        profile, view, lead, sequence=0, settings=runtime.settings, stamp=stamp
    )
    assert (caller.to, owner.to) == ("sam@example.com", "owner@example.com")
    name, mime, content = caller.attachments[0]
    assert (name, mime) == ("appointment.ics", "text/calendar")
    assert owner.attachments[0][2] == content
    calendar = Calendar.from_ical(content)
    assert calendar["method"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["uid"]) == f"{appointment_id}@tradeline"
    assert event.decoded("dtstart") == start.astimezone(UTC)
    assert event.decoded("dtend") == start.astimezone(UTC) + timedelta(minutes=90)
    assert event.decoded("dtstamp") == stamp
    assert str(event["summary"]) == f"Appointment — {profile.name}"
    assert str(event["location"]) == "12 Elbow Dr SW"
    assert str(event["organizer"]) == "mailto:owner@example.com"
    assert str(event["attendee"]) == "mailto:sam@example.com"
    assert event["attendee"].params["CN"] == "Sam Roy"
    assert (event.decoded("sequence"), str(event["status"])) == (0, "CONFIRMED")
    assert "Sam Roy" in owner.text and "12 Elbow Dr SW" in (owner.html or "")

    async with tenant_session(runtime.maker, org_id) as session:
        cancelled = await service.cancel(session, runtime, org_id, appointment_id)
        view = service.present(cancelled, runtime.pii, system_principal(org_id), ZONE)
        sequence = cancelled.ics_sequence
    [caller_cancel, _] = invitations(
        profile, view, lead, sequence=sequence, settings=runtime.settings
    )
    calendar = Calendar.from_ical(caller_cancel.attachments[0][2])
    [event] = calendar.walk("VEVENT")
    assert calendar["method"] == "CANCEL"
    assert (event.decoded("sequence"), str(event["status"])) == (1, "CANCELLED")
    assert str(event["uid"]) == f"{appointment_id}@tradeline"

    # The booking's invite job was superseded by the cancellation: one round of emails, not two.
    await drain(runtime, queues=["default"])
    sent = await outbox(runtime, org_id, "email")
    assert [e["subject"].split(" — ")[0] for e in sent] == [
        "Your appointment is cancelled",
        "Appointment cancelled",
    ]

    no_email = lead.model_copy(update={"email": None}) if lead else None
    only_owner = invitations(profile, view, no_email, sequence=sequence, settings=runtime.settings)
    assert [e.to for e in only_owner] == ["owner@example.com"]


async def test_reminders_are_scheduled_a_day_before_and_respect_consent(runtime: Runtime) -> None:
    org_id, _, consenting = await _org_and_lead(runtime)
    numbers = {"opted_out": "+14035550143", "declined": "+14035550144", "no_number": None}
    leads: dict[str, uuid.UUID] = {"consenting": consenting}
    async with tenant_session(runtime.maker, org_id) as session:
        for label, number in numbers.items():
            lead = await create_lead(
                session,
                runtime.pii,
                org_id,
                channel="voice",
                caller_number=number,
                callback_number=number,
            )
            if label == "declined":
                lead.consent_sms = False
            leads[label] = lead.id
        await consent.record(
            session,
            runtime,
            org_id,
            numbers["opted_out"] or "",
            channel="sms",
            purpose="all",
            basis="express",
            granted=False,
            source="keyword",
            wording="STOP",
            evidence=None,
        )
    day = _weekday_ahead(3)
    booked = {
        label: await _book(runtime, org_id, lead_id, _at(day, 8 + index))
        for index, (label, lead_id) in enumerate(leads.items())
    }
    cancelled = await _book(runtime, org_id, consenting, _at(day, 14))
    async with tenant_session(runtime.maker, org_id) as session:
        await service.cancel(session, runtime, org_id, cancelled)
        row = await session.get(Appointment, booked["consenting"])
        assert row is not None and row.reminder_due_at == row.starts_at - timedelta(hours=24)

    # Not due yet: nothing happens.
    assert (await send_due_reminders(runtime)).outcomes == {}
    due = _at(day, 7)  # every reminder (a day before) is due, no appointment has started
    run = await send_due_reminders(runtime, now=due)
    assert run.outcomes == {
        "queued": 1,
        "skipped_opted_out": 1,  # the consent ledger (STOP), through send_sms
        "skipped_no_consent": 1,  # refused texts during the call
        "skipped_no_number": 1,
    }
    await drain(runtime, queues=["default"])  # the SMS domain sends after commit
    [sms] = [m for m in await outbox(runtime, org_id, "sms") if "Reminder" in m["body"]]
    assert sms["to"] == "+14035550142"
    assert sms["body"].startswith("Reminder from Test Plumbing: your appointment is on ")
    assert sms["body"].endswith("Reply STOP to opt out.")
    async with tenant_session(runtime.maker, org_id) as session:
        rows = await session.execute(select(Appointment.id, Appointment.reminder_status))
        statuses: dict[uuid.UUID, str] = dict(rows.all())
        audit = await session.scalar(
            select(func.count()).where(AuditLog.action == "appointment.reminder")
        )
    assert {label: statuses[i] for label, i in booked.items()} == {
        "consenting": "queued",
        "opted_out": "skipped_opted_out",
        "declined": "skipped_no_consent",
        "no_number": "skipped_no_number",
    }
    assert statuses[cancelled] == "cancelled" and audit == 4
    assert (await send_due_reminders(runtime, now=due)).outcomes == {}  # once only


async def test_short_notice_bookings_get_no_reminder(runtime: Runtime) -> None:
    org_id, _, lead_id = await _org_and_lead(runtime)
    # Open around the clock, so "in two hours" is always bookable.
    async with tenant_session(runtime.maker, org_id) as session:
        profile = await get_profile(session, org_id)
        spec = parse_profile(
            profile.model_dump(mode="json")
            | {
                "hours": dict.fromkeys(
                    ("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "00:00-24:00"
                ),
                "holidays": [],
            }
        )
        await replace_profile(session, org_id, spec, "test")
    soon = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    appointment_id = await _book(runtime, org_id, lead_id, soon)
    async with tenant_session(runtime.maker, org_id) as session:
        row = await session.get(Appointment, appointment_id)
        await session.execute(update(Lead).values(status="won"))
    assert row is not None and (row.reminder_status, row.reminder_due_at) == ("not_scheduled", None)
    with pytest.raises(SlotTaken):
        await _book(runtime, org_id, lead_id, soon + timedelta(minutes=59))
