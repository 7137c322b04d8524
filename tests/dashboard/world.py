"""A seeded business for the dashboard's tests and the Lighthouse bench, built only through the
product's own paths: `tradeline demo`'s seed, signed Twilio webhooks played by `TwilioPlayer`
(calls, texts, an opt-out), the knowledge service, auth for the team, and the sandbox provider."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tradeline.appointment.policy import duration_for
from tradeline.appointment.service import book, free_slots
from tradeline.auth.schemas import Role
from tradeline.auth.service import create_user
from tradeline.db import tenant_session
from tradeline.integrations.sandbox import Sandbox
from tradeline.knowledge import service as knowledge
from tradeline.models import Lead
from tradeline.notification.ports import Email
from tradeline.organization.demo import DEMO_NUMBER, seed_demo
from tradeline.organization.service import get_profile
from tradeline.runtime import Runtime
from tradeline.simulator.player import TwilioPlayer

PASSWORD = "correct horse battery staple"
MEMBER_EMAIL = "member@demoplumbing.example.com"
OPERATOR_EMAIL = "ops@tradeline.example.com"
CALLER = "+14035550177"  # the seeded AI call (fictional 555 number)
MISSED_CALLER = "+14035550178"
TEXTER = "+14035550179"
OPTED_OUT = "+14035550180"
CALLER_NAME = "Jordan Ellis"

PRICES = """# Prices and service

## Drain cleaning
A standard drain cleaning costs $189 including the first hour on site.

## Water heaters
We install tank water heaters from $1,450, installed, with a six year warranty.

## Service area
We serve Calgary, Airdrie and Cochrane. Visits outside these towns add a $60 travel fee.
"""


@dataclass
class World:
    org_id: uuid.UUID
    number: str
    admin_email: str
    admin_password: str
    member_email: str
    operator_email: str
    password: str
    call_sid: str
    missed_sid: str
    booked_at: datetime


async def seed(runtime: Runtime, app: FastAPI, base_url: str) -> World:
    login = await seed_demo(runtime)
    org_id = await _org_id(runtime)
    async with tenant_session(runtime.maker, org_id) as session:
        await create_user(session, org_id, email=MEMBER_EMAIL, password=PASSWORD, role=Role.MEMBER)
        await create_user(
            session,
            org_id,
            email=OPERATOR_EMAIL,
            password=PASSWORD,
            role=Role.ADMIN,
            operator=True,
        )
        await knowledge.ingest_bytes(
            session, runtime, org_id, PRICES.encode(), "prices.md", uri="upload:prices.md"
        )
        sandbox = Sandbox(runtime.pii)
        await sandbox.send_email(
            session,
            org_id=org_id,
            email=Email(
                to="owner@demoplumbing.example.com",
                subject="New lead: basement flooding",
                text="Jordan Ellis called about a flooded basement.",
            ),
        )
        await sandbox.send_sms(
            session,
            org_id=org_id,
            to="+14035550104",
            from_=DEMO_NUMBER,
            body="EMERGENCY: flooded basement, call Jordan back now",
            status_callback=None,
        )
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url=base_url, timeout=60) as client:
        player = TwilioPlayer(base_url, "test-auth-token", client)
        call = await player.start_call(CALLER, DEMO_NUMBER)
        for words in (
            "Hi, I need a plumber, my water heater is leaking all over the floor",
            f"My name is {CALLER_NAME}",
            "Yes, this number is good",
            "12 Elm Street in Calgary",
            "Tomorrow morning please",
            "No, that's all, thanks",
        ):
            if call.ended:
                break
            await player.say(call, words)
        await player.hang_up(call, duration=95)
        missed = await player.start_call(MISSED_CALLER, DEMO_NUMBER)
        await player.post(
            "/twilio/voice/status",
            {
                "CallSid": missed.call_sid,
                "AccountSid": "AC" + "0" * 32,
                "From": MISSED_CALLER,
                "To": DEMO_NUMBER,
                "CallStatus": "no-answer",
                "Direction": "inbound",
                "SequenceNumber": "1",
            },
        )
        for body in (
            "Hi, can I get a quote to replace my kitchen faucet?",
            "I'm Sam Rivera",
            "Next Tuesday afternoon works",
        ):
            await player.text(TEXTER, DEMO_NUMBER, body)
        await player.text(OPTED_OUT, DEMO_NUMBER, "Do you clean drains?")
        await player.text(OPTED_OUT, DEMO_NUMBER, "STOP")
    booked_at = await _book_priya(runtime, org_id)
    return World(
        org_id=org_id,
        number=DEMO_NUMBER,
        admin_email=login.email,
        admin_password=login.password,
        member_email=MEMBER_EMAIL,
        operator_email=OPERATOR_EMAIL,
        password=PASSWORD,
        call_sid=call.call_sid,
        missed_sid=missed.call_sid,
        booked_at=booked_at,
    )


async def _book_priya(runtime: Runtime, org_id: uuid.UUID) -> datetime:
    """Book the demo's water-heater lead into the first free slot from tomorrow."""
    async with tenant_session(runtime.maker, org_id) as session:
        profile = await get_profile(session, org_id)
        rows = (await session.execute(select(Lead).where(Lead.organization_id == org_id))).scalars()
        lead = next(
            row
            for row in rows
            if "hot water"
            in (
                runtime.pii.open(
                    row.job_summary_enc,
                    org_id=org_id,
                    table="leads",
                    row_id=row.id,
                    column="job_summary_enc",
                )
                or ""
            )
        )
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        minutes = duration_for("water heater repair")
        slots = await free_slots(
            session, org_id, profile, start=tomorrow, days=7, duration_min=minutes
        )
        booked = await book(
            session,
            runtime,
            org_id,
            lead_id=lead.id,
            start=slots[0].start,
            service="water heater repair",
        )
        return booked.starts_at


async def _org_id(runtime: Runtime) -> uuid.UUID:
    from tradeline.organization.service import resolve_tenant_by_number

    async with tenant_session(runtime.maker, None) as session:
        org_id = await resolve_tenant_by_number(session, DEMO_NUMBER)
    assert org_id is not None
    return org_id
