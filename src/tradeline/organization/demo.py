"""`tradeline demo`: the demo business (+15875550100) with a login and some history to look at."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from tradeline.auth.schemas import Role
from tradeline.auth.service import create_user
from tradeline.db import set_org, tenant_session
from tradeline.lead.service import create_lead
from tradeline.models import Organization, User
from tradeline.organization import repository
from tradeline.organization.service import create_organization, parse_profile
from tradeline.runtime import Runtime

DEMO_NUMBER = "+15875550100"
DEMO_EMAIL = "owner@demoplumbing.example.com"

DEMO_PROFILE = {
    "name": "Demo Plumbing & Heating",
    "phone_numbers": [DEMO_NUMBER],
    "timezone": "America/Edmonton",
    "country": "CA",
    "languages": ["en", "fr"],
    "industry": "plumbing",
    "hours": dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "08:00-17:00")
    | {"sat": "09:00-13:00"},
    "holidays": ["2026-12-25", "2026-12-26", "2027-01-01"],
    "services": ["drain cleaning", "water heater repair", "furnace repair", "leak repair"],
    "service_area": ["Calgary", "Airdrie", "Cochrane"],
    "routing": {
        "sales": "+14035550101",
        "support": "+14035550102",
        "on_call": "+14035550103",
    },
    "receptionist": {"mode": "ai", "greeting": "Thanks for calling Demo Plumbing and Heating"},
    "recording": {"enabled": False},
    "emergency_keywords": ["flood", "burst", "gas smell", "no heat", "sewage backup"],
    "faq": [
        {"q": "Is there a fee for a quote?", "a": "Quotes are free within our service area."},
        {
            "q": "Do you offer emergency service?",
            "a": "Yes, our on-call plumber is available 24/7.",
        },
    ],
    "notify": {"email": "owner@demoplumbing.example.com"},
}

# Fictional callers (555-01xx numbers are reserved for fiction).
SAMPLE_LEADS = [
    (
        "sms",
        "+14035550123",
        "Dave Wilson",
        "Basement flooding through the floor drain",
        True,
        "service_request",
    ),
    (
        "voice",
        "+14035550124",
        "Priya Sharma",
        "No hot water, water heater",
        False,
        "service_request",
    ),
    ("web", "+14035550125", "Marc Tremblay", "Quote for a bathroom renovation", False, "quote"),
    ("voice", "+14035550126", "Sarah Chen", "Dripping kitchen faucet", False, "service_request"),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str


async def seed_demo(runtime: Runtime) -> DemoLogin:
    async with tenant_session(runtime.maker, None) as session:
        old = await repository.org_for_number(session, DEMO_NUMBER)
        if old is not None:
            await set_org(session, old)
            await session.execute(delete(Organization).where(Organization.id == old))
        await session.execute(delete(User).where(User.email == DEMO_EMAIL))
        created = await create_organization(session, parse_profile(DEMO_PROFILE), runtime)
        password = secrets.token_urlsafe(12)
        await create_user(
            session, created.org_id, email=DEMO_EMAIL, password=password, role=Role.ADMIN
        )
        now = datetime.now(UTC)
        for age, (channel, number, name, job, urgent, intent) in enumerate(SAMPLE_LEADS):
            lead = await create_lead(
                session,
                runtime.pii,
                created.org_id,
                channel=channel,
                caller_number=number,
                callback_number=number,
                caller_name=name,
                job_summary=job,
                emergency=urgent,
                intent=intent,
                score=90 if urgent else 60,
            )
            lead.created_at = now - timedelta(hours=6 * age)
    login = DemoLogin(email=DEMO_EMAIL, password=password)
    path = runtime.settings.resolved_data_dir / "demo-login.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(
            {"email": login.email, "password": login.password, "org_id": str(created.org_id)},
            handle,
        )
    return login
