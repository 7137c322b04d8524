"""Regenerate the examples in this folder from the real rendering and signing code.

    .venv/bin/python docs/examples/generate.py            # writes next to this file
    .venv/bin/python docs/examples/generate.py OUT_DIR    # writes elsewhere

Sample data only (fictional people and 555 numbers); fixed ids, times and secret, so the output
is the same on every run. `tests/notification/test_examples.py` checks that the committed
files are exactly what this script produces today.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tradeline.config import Settings
from tradeline.integrations.webhooks import formats
from tradeline.integrations.webhooks.events import envelope
from tradeline.integrations.webhooks.service import build_headers
from tradeline.lead.schemas import LeadOut
from tradeline.models.lead_extra import WebhookDelivery
from tradeline.notification.cards import call_url, lead_card, lead_url, render_email

HERE = Path(__file__).resolve().parent
ZONE = ZoneInfo("America/Edmonton")
BUSINESS = "Bow River Plumbing & Heating"
ORG_ID = uuid.UUID("8f2f6a4e-0000-4000-8000-000000000001")
LEAD_ID = uuid.UUID("5b7c0d1e-0000-4000-8000-000000000002")
EVENT_ID = uuid.UUID("e1e1e1e1-0000-4000-8000-000000000003")
DELIVERY_ID = uuid.UUID("d0d0d0d0-0000-4000-8000-000000000004")
CALL_SID = "CA0123456789abcdef0123456789abcdef"
SECRET = "whsec_example_only_do_not_use_0123456789abcdef"  # noqa: S105 - a published example
SIGNED_AT = 1795007103  # 2026-11-18T13:05:03Z, a second after the event
SETTINGS = Settings(public_url="https://rx.example.com")

LEAD = LeadOut(
    id=LEAD_ID,
    created_at=datetime(2026, 11, 18, 13, 5, tzinfo=UTC),
    channel="voice",
    caller_number="+14035550199",
    caller_name="Jordan Lee",
    callback_number="+14035550199",
    email="jordan.lee@example.com",
    job_summary="Water heater leaking in the basement, pilot light keeps going out",
    address="112 Elbow Dr SW, Calgary",
    preferred_datetime=datetime(2026, 11, 19, 9, 0, tzinfo=ZONE),
    preferred_window_end=datetime(2026, 11, 19, 12, 0, tzinfo=ZONE),
    emergency=False,
    intent="service_request",
    consent_sms=True,
    consent_recording=None,
    score=85,
    status="new",
)


def owner_email() -> tuple[str, str, str]:
    """(subject, text, html) of the owner's new-lead card for LEAD, after its call."""
    card = lead_card(
        "new_lead",
        business=BUSINESS,
        lead=LEAD.model_dump(mode="json"),
        zone=ZONE,
        links=[
            ("Transcript", call_url(SETTINGS, CALL_SID)),
            ("Lead", lead_url(SETTINGS, LEAD_ID)),
        ],
    )
    email = render_email(card, "owner@bowriverplumbing.example")
    return email.subject, email.text, email.html or ""


def webhook() -> tuple[dict[str, object], bytes, dict[str, str]]:
    """(payload, exact body, headers) of a signed `lead.created` delivery of LEAD."""
    payload = envelope(
        event_id=EVENT_ID,
        event_type="lead.created",
        occurred_at="2026-11-18T13:05:02.114000+00:00",
        org_id=ORG_ID,
        org_name=BUSINESS,
        data={"lead": LEAD.model_dump(mode="json")},
    )
    body = formats.body_for("generic", payload, ZONE)
    delivery = WebhookDelivery(id=DELIVERY_ID, event_id=EVENT_ID, event_type="lead.created")
    return payload, body, build_headers(delivery, body, SECRET, timestamp=SIGNED_AT)


def generate(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    subject, text, html = owner_email()
    payload, body, headers = webhook()
    files = {
        "owner-email.txt": f"Subject: {subject}\n\n{text}",
        "owner-email.html": html,
        "webhook-lead.created.json": json.dumps(payload, indent=2, ensure_ascii=False) + "\n",
        "webhook-lead.created.http": "POST /hooks/tradeline HTTP/1.1\n"
        + "".join(f"{name}: {value}\n" for name, value in headers.items())
        + f"Content-Length: {len(body)}\n\n"
        + body.decode()
        + "\n",
        "slack-lead.created.json": json.dumps(
            json.loads(formats.body_for("slack", payload, ZONE)), indent=2, ensure_ascii=False
        )
        + "\n",
        "teams-lead.created.json": json.dumps(
            json.loads(formats.body_for("teams", payload, ZONE)), indent=2, ensure_ascii=False
        )
        + "\n",
    }
    written = []
    for name, content in files.items():
        path = out / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for path in generate(target):
        sys.stdout.write(f"wrote {path}\n")
