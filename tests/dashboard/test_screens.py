"""The dashboard over HTTP (no browser): every screen with its seeded content, masking by role,
CSRF on every form, the profile form round trip, the softphone, keys, language, PWA files."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from tests.dashboard.conftest import BASE, Site, csrf_of, signed_in
from tests.dashboard.forms import form_fields
from tests.dashboard.world import CALLER, CALLER_NAME, MISSED_CALLER, OPTED_OUT, PASSWORD, TEXTER
from tradeline.db import tenant_session
from tradeline.models import Call, SecurityAlert
from tradeline.organization import service as organizations
from tradeline.organization.schemas import BusinessProfileSpec

pytestmark = pytest.mark.xdist_group("dashboard-http")


async def _profile(site: Site) -> BusinessProfileSpec:
    async with tenant_session(site.runtime.maker, site.world.org_id) as session:
        return await organizations.get_profile(session, site.world.org_id)


SCREENS = [
    ("/", [CALLER_NAME, "Calls answered", "Calls missed", "Emergencies", "Bookings"]),
    ("/?days=30", ["Last 30 days"]),
    ("/calls", [CALLER, MISSED_CALLER, "No answer"]),
    ("/calls?status=missed", [MISSED_CALLER]),
    ("/texts", [TEXTER]),
    ("/leads", [CALLER_NAME, "Dave Wilson"]),
    ("/leads?status=new&channel=voice", [CALLER_NAME]),
    ("/appointments", ["Appointments", "Previous week"]),
    ("/knowledge", ["Prices and service", "Knowledge gaps"]),
    ("/knowledge?q=How+much+does+drain+cleaning+cost%3F", ["$189", "Cited passages"]),
    ("/settings", ["Thanks for calling Demo Plumbing and Heating", "+14035550103"]),
    ("/settings/team", ["member@demoplumbing.example.com"]),
    ("/settings/api-keys", ["admin (created with the business)"]),
    ("/compliance", [OPTED_OUT]),
    (f"/compliance?phone={OPTED_OUT[2:]}", ["Consent records for this number", "Withdrawn"]),
    ("/outbox", ["New lead: basement flooding", "EMERGENCY: flooded basement"]),
    ("/try", ["Try a call"]),
    ("/admin", ["Demo Plumbing &amp; Heating", "+15875550100"]),
    ("/admin/security", ["Security alerts"]),
    ("/admin/audit", ["pii.reveal"]),
    ("/admin/health", ["Job queue", "PostgreSQL"]),
]


@pytest.mark.parametrize(("path", "expected"), SCREENS)
async def test_every_screen_shows_its_seeded_content(
    operator: httpx.AsyncClient, path: str, expected: list[str]
) -> None:
    response = await operator.get(path)
    assert response.status_code == 200, response.text[:500]
    for text in expected:
        assert text in response.text, f"{path}: {text!r} missing"
    assert '<html lang="en">' in response.text
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_call_detail_has_timeline_transcript_captured_fields_and_consent(
    site: Site, admin: httpx.AsyncClient
) -> None:
    page = (await admin.get(f"/calls/{site.world.call_sid}")).text
    for text in ("Timeline", "Call started", "Transcript", CALLER_NAME, "Consent", "Recording"):
        assert text in page
    assert "water heater" in page and "Preferred time" in page
    lead = re.search(r'href="/leads/([0-9a-f-]{36})"', page)
    assert lead, "the call links to its lead"
    detail = (await admin.get(f"/leads/{lead.group(1)}")).text
    assert CALLER_NAME in detail and CALLER in detail and "12 Elm Street" in detail


async def test_the_week_view_shows_bookings_and_requested_times(
    site: Site, admin: httpx.AsyncClient, member: httpx.AsyncClient
) -> None:
    zone = ZoneInfo("America/Edmonton")
    week = site.world.booked_at.astimezone(zone).date().isoformat()
    page = (await admin.get(f"/appointments?week={week}")).text
    assert "water heater repair — Priya Sharma" in page and "Booked" in page
    masked = (await member.get(f"/appointments?week={week}")).text
    assert "water heater repair — P*** S***" in masked
    asked = (datetime.now(zone) + timedelta(days=1)).date().isoformat()  # "tomorrow morning"
    assert "Requested" in (await admin.get(f"/appointments?week={asked}")).text


async def test_text_thread_detail(admin: httpx.AsyncClient) -> None:
    listing = (await admin.get("/texts")).text
    threads = re.findall(r'href="(/texts/[0-9a-f-]{36})"', listing)
    assert threads
    pages = [(await admin.get(url)).text for url in threads]
    opted = [p for p in pages if "opted out of texts" in p]
    assert len(opted) == 1 and OPTED_OUT in opted[0]
    quote = next(p for p in pages if "kitchen faucet" in p)
    assert TEXTER in quote and "Delivery" in quote


async def test_members_see_masked_numbers_and_names(
    site: Site, admin: httpx.AsyncClient, member: httpx.AsyncClient
) -> None:
    for path in ("/leads", "/calls", f"/calls/{site.world.call_sid}", "/compliance", "/"):
        whole = (await admin.get(path)).text
        masked = (await member.get(path)).text
        assert CALLER in whole or OPTED_OUT in whole, path
        assert CALLER not in masked and OPTED_OUT not in masked, path
        assert "***-***-" in masked, path
    call = (await member.get(f"/calls/{site.world.call_sid}")).text
    assert CALLER_NAME not in call and "J*** E***" in call
    assert "[redacted]" in call  # the caller's own words
    assert "12 Elm Street" not in call


async def test_admin_only_and_operator_only_screens(
    member: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    for path in ("/outbox", "/settings/api-keys", "/compliance/consent.csv"):
        response = await member.get(path)
        assert response.status_code == 403, path
        assert "Only admins" in response.text
    for path in ("/admin", "/admin/health", "/admin/audit", "/admin/security"):
        assert (await admin.get(path)).status_code == 403, path
    nav = (await admin.get("/")).text
    assert 'href="/admin"' not in nav and 'href="/outbox"' in nav
    assert 'href="/outbox"' not in (await member.get("/")).text


async def test_signed_out_visitors_are_sent_to_sign_in_and_back(site: Site) -> None:
    transport = httpx.ASGITransport(app=site.app, client=("198.51.100.250", 1))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        for path in ("/calls", "/settings", "/try", "/admin"):
            response = await client.get(path)
            assert response.status_code == 303
            assert response.headers["location"] == f"/login?next={path}"
        form = await client.get("/login?next=/calls")
        assert 'name="next" value="/calls"' in form.text
        signed = await client.post(
            "/login",
            data={
                "email": site.world.member_email,
                "password": PASSWORD,
                "csrf_token": csrf_of(form.text),
                "next": "//evil.example/steal",
            },
        )
        assert signed.headers["location"] == "/"  # never off-site


async def test_every_form_needs_the_session_csrf_token(
    site: Site, admin: httpx.AsyncClient
) -> None:
    before = await _profile(site)
    for path, data in (
        ("/settings", {"name": "Hijacked"}),
        ("/settings/api-keys", {"name": "stolen", "role": "admin"}),
        ("/settings/team", {"email": "x@x.test", "password": "p" * 12, "role": "admin"}),
        ("/try/start", {}),
        ("/account/locale", {"locale": "fr"}),
    ):
        for token in (None, "forged"):
            sent = data | ({"csrf_token": token} if token else {})
            response = await admin.post(path, data=sent)
            assert response.status_code == 403, (path, token)
    assert (await _profile(site)) == before


async def test_the_profile_form_round_trips_every_field(
    site: Site, admin: httpx.AsyncClient
) -> None:
    before = await _profile(site)
    page = (await admin.get("/settings")).text
    fields = form_fields(page, "/settings")
    assert fields["greeting"] == before.receptionist.greeting
    response = await admin.post("/settings", data=fields)
    assert response.status_code == 303 and response.headers["location"] == "/settings?saved=1"
    assert (await _profile(site)) == before


async def test_saving_the_profile_changes_what_the_next_caller_hears(
    site: Site, admin: httpx.AsyncClient
) -> None:
    fields = form_fields((await admin.get("/settings")).text, "/settings")
    fields |= {
        "greeting": "Hello from the settings test",
        "routing_on_call": "+14035550199",
        "emergency_keywords": "flood\nburst pipe\nno heat",
        "open_sun": "on",
        "from_sun": "10:00",
        "to_sun": "14:00",
        "faq_q_2": "Do you work weekends?",
        "faq_a_2": "Yes, on Saturdays and Sundays for emergencies.",
        "languages": "en,fr",
    }
    response = await admin.post("/settings", data=fields)
    assert response.status_code == 303
    saved = await _profile(site)
    assert saved.receptionist.greeting == "Hello from the settings test"
    assert saved.routing.on_call == "+14035550199"
    assert saved.emergency_keywords == ["flood", "burst pipe", "no heat"]
    assert saved.hours["sun"] == "10:00-14:00"
    assert saved.faq[-1].q == "Do you work weekends?"
    assert saved.languages == ["en", "fr"]
    started = await admin.post(
        "/try/start", data={"csrf_token": csrf_of((await admin.get("/try")).text)}
    )
    assert started.status_code == 303
    assert "Hello from the settings test" in (await admin.get("/try")).text


async def test_an_invalid_profile_is_refused_with_the_form_kept(
    site: Site, admin: httpx.AsyncClient
) -> None:
    before = await _profile(site)
    fields = form_fields((await admin.get("/settings")).text, "/settings")
    fields |= {"routing_on_call": "not a number", "greeting": "Typed but refused"}
    response = await admin.post("/settings", data=fields)
    assert response.status_code == 422
    assert "routing.on_call" in response.text and 'role="alert"' in response.text
    assert 'value="Typed but refused"' in response.text  # nothing typed is lost
    assert (
        'id="routing_on_call" name="routing_on_call" type="tel" value="not a number"'
        in response.text
    )
    assert 'aria-invalid="true"' in response.text
    assert (await _profile(site)) == before


async def test_members_cannot_change_the_profile(site: Site, member: httpx.AsyncClient) -> None:
    page = (await member.get("/settings")).text
    assert '<fieldset class="plain" disabled>' in page
    fields = form_fields(page, "/settings") | {"greeting": "member was here"}
    response = await member.post("/settings", data=fields)
    assert response.status_code == 403
    assert (await _profile(site)).receptionist.greeting != "member was here"


async def test_try_a_call_voice_runs_the_real_webhooks(
    site: Site, member: httpx.AsyncClient
) -> None:
    page = (await member.get("/try")).text
    token = csrf_of(page)
    await member.post("/try/mode", data={"csrf_token": token, "mode": "voice"})
    start = await member.post("/try/start", data={"csrf_token": token, "caller": "403 555 0142"})
    assert start.headers["location"] == "/try?sent=1"
    page = (await member.get("/try")).text
    assert 'class="turn assistant' in page  # the receptionist answered
    assert 'id="speech"' in page and "autofocus" in (await member.get("/try?sent=1")).text
    await member.post(
        "/try/say", data={"csrf_token": token, "speech": "My furnace stopped working"}
    )
    await member.post("/try/say", data={"csrf_token": token, "speech": "My name is Alex Moreau"})
    page = (await member.get("/try")).text
    assert "furnace" in page  # the captured job, shown as it fills in
    assert "Webhook exchanges" in page and "/twilio/voice/gather" in page
    await member.post("/try/press", data={"csrf_token": token, "digits": "1"})
    hung = await member.post("/try/hangup", data={"csrf_token": token})
    assert hung.status_code == 303
    page = (await member.get("/try")).text
    assert "call ended" in page and "Call again" in page
    async with tenant_session(site.runtime.maker, site.world.org_id) as session:
        calls = (await session.execute(select(Call).order_by(Call.created_at.desc()))).scalars()
        latest = next(iter(calls))
    assert latest.status == "completed" and latest.duration_seconds
    caller = site.runtime.pii.open(
        latest.from_enc,
        org_id=latest.organization_id,
        table="calls",
        row_id=latest.id,
        column="from_enc",
    )
    assert caller == "+14035550142"
    assert "+14035550142" not in (await member.get("/calls")).text  # members: masked


async def test_try_a_call_text_mode(site: Site, admin: httpx.AsyncClient) -> None:
    token = csrf_of((await admin.get("/try")).text)
    await admin.post("/try/mode", data={"csrf_token": token, "mode": "sms"})
    await admin.post("/try/start", data={"csrf_token": token, "caller": "+14035550143"})
    await admin.post("/try/say", data={"csrf_token": token, "speech": "Can you fix a leaking tap?"})
    await admin.post("/try/say", data={"csrf_token": token, "speech": "I'm Casey Nguyen"})
    page = (await admin.get("/try")).text
    assert "Texts with +15875550100" in page
    assert "Casey Nguyen" in page  # captured name, read back through the conversation service
    assert re.search(r'href="/texts/[0-9a-f-]{36}"', page)
    await admin.post("/try/mode", data={"csrf_token": token, "mode": "voice"})


async def test_api_keys_are_shown_once_and_revocable(site: Site, admin: httpx.AsyncClient) -> None:
    token = csrf_of((await admin.get("/settings/api-keys")).text)
    created = await admin.post(
        "/settings/api-keys", data={"csrf_token": token, "name": "CRM sync", "role": "member"}
    )
    assert created.status_code == 200
    key = re.search(r'id="new-key" class="key" readonly value="(tl_[^"]+)"', created.text)
    assert key
    transport = httpx.ASGITransport(app=site.app, client=("198.51.100.251", 1))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as api:
        bearer = {"Authorization": f"Bearer {key.group(1)}"}
        assert (await api.get("/api/v1/leads", headers=bearer)).status_code == 200
        listing = (await admin.get("/settings/api-keys")).text
        assert key.group(1) not in listing  # shown once
        key_id = re.search(
            r'CRM sync</td>.*?action="/settings/api-keys/([0-9a-f-]{36})/revoke"', listing, re.S
        )
        assert key_id
        revoked = await admin.post(
            f"/settings/api-keys/{key_id.group(1)}/revoke", data={"csrf_token": token}
        )
        assert revoked.status_code == 303
        assert (await api.get("/api/v1/leads", headers=bearer)).status_code == 401


async def test_admins_add_team_members_who_can_sign_in(
    site: Site, admin: httpx.AsyncClient
) -> None:
    token = csrf_of((await admin.get("/settings/team")).text)
    response = await admin.post(
        "/settings/team",
        data={
            "csrf_token": token,
            "email": "dispatcher@demoplumbing.example.com",
            "password": "a long temporary password",
            "role": "moderator",
        },
    )
    assert response.status_code == 303
    assert "dispatcher@demoplumbing.example.com" in (await admin.get("/settings/team")).text
    client = await signed_in(
        site, "dispatcher@demoplumbing.example.com", "a long temporary password", "198.51.100.252"
    )
    assert (await client.get("/knowledge")).status_code == 200
    await client.aclose()


async def test_each_user_reads_the_dashboard_in_their_language(site: Site) -> None:
    client = await signed_in(site, site.world.member_email, PASSWORD, "198.51.100.253")
    token = csrf_of((await client.get("/")).text)
    switched = await client.post(
        "/account/locale", data={"csrf_token": token, "locale": "fr", "next": "/leads"}
    )
    assert switched.headers["location"] == "/leads"
    page = (await client.get("/leads")).text
    assert '<html lang="fr-CA">' in page
    assert "Clients potentiels" in page and "Passer au contenu" in page and "Texto" in page
    assert "Aperçu" in page
    await client.post("/account/locale", data={"csrf_token": token, "locale": "en"})
    assert '<html lang="en">' in (await client.get("/")).text
    await client.aclose()
    anonymous = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=site.app, client=("198.51.100.254", 1)), base_url=BASE
    )
    login = await anonymous.get("/login", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    assert "Se connecter" in login.text and '<html lang="fr-CA">' in login.text
    await anonymous.aclose()


async def test_knowledge_upload_then_ask(
    site: Site, admin: httpx.AsyncClient, member: httpx.AsyncClient
) -> None:
    token = csrf_of((await admin.get("/knowledge")).text)
    uploaded = await admin.post(
        "/knowledge/upload",
        data={"csrf_token": token},
        files={
            "files": (
                "warranty.md",
                b"# Warranty\n\nEvery repair we make is guaranteed for two full years, parts and labour.\n",
                "text/markdown",
            )
        },
    )
    assert uploaded.status_code == 303
    page = (await admin.get(uploaded.headers["location"])).text
    assert "1 file(s) added" in page and "Warranty" in page
    answer = (await member.get("/knowledge?q=How+long+are+repairs+guaranteed%3F")).text
    assert "two full years" in answer
    assert 'action="/knowledge/upload"' not in (await member.get("/knowledge")).text
    denied = await member.post(
        "/knowledge/upload",
        data={"csrf_token": csrf_of((await member.get("/knowledge")).text)},
        files={"files": ("x.md", b"# X\n\nText.\n", "text/markdown")},
    )
    assert denied.status_code == 403


async def test_the_consent_ledger_exports_as_csv(admin: httpx.AsyncClient) -> None:
    response = await admin.get("/compliance/consent.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0].startswith("recorded_at,number,channel,purpose")
    assert any(OPTED_OUT in line and ",no," in line for line in lines[1:])


async def test_live_activity_counts_what_arrived_since_the_page(
    site: Site, admin: httpx.AsyncClient
) -> None:
    page = (await admin.get("/")).text
    stamp = re.search(r'data-stamp="([^"]+)"', page)
    assert stamp
    quiet = (await admin.get("/live/activity", params={"after": stamp.group(1)})).json()
    assert quiet["calls"] == 0 and quiet["leads"] == 0
    from tradeline.simulator.player import TwilioPlayer

    transport = httpx.ASGITransport(app=site.app, client=("127.0.0.1", 2))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as raw:
        player = TwilioPlayer(BASE, "test-auth-token", raw)
        await player.text("+14035550188", site.world.number, "I need a quote for a new boiler")
    news = (await admin.get("/live/activity", params={"after": stamp.group(1)})).json()
    assert news["leads"] == 1 and "1 new lead" in news["message"]


async def test_operator_pages_show_alerts_and_health(
    site: Site, operator: httpx.AsyncClient
) -> None:
    async with site.runtime.maker() as session, session.begin():
        session.add(SecurityAlert(kind="test_alert", severity="critical", detail="canary alert"))
    page = (await operator.get("/admin/security")).text
    assert "canary alert" in page and "Critical" in page
    health = (await operator.get("/admin/health")).text
    assert "Waiting or running" in health and "Rate-limit refusals" in health


def test_the_icons_are_drawn_by_our_generator() -> None:
    from tests.dashboard.icons import ICONS, files

    for name, data in files().items():
        assert (ICONS / name).read_bytes() == data, f"{name}: run python -m tests.dashboard.icons"


async def test_manifest_and_service_worker(site: Site) -> None:
    transport = httpx.ASGITransport(app=site.app, client=("198.51.100.249", 1))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        manifest = (await client.get("/manifest.webmanifest")).json()
        assert manifest["scope"] == "/" and manifest["display"] == "standalone"
        for icon in manifest["icons"]:
            assert (await client.get(icon["src"])).status_code == 200
        worker = await client.get("/sw.js")
        assert worker.headers["content-type"].startswith("text/javascript")
        assert "__VERSION__" not in worker.text and '"/offline"' in worker.text
        # The worker caches only the public shell, never a signed-in page.
        assert re.search(r'const SHELL = \["/offline", "/static/', worker.text)
        assert (await client.get("/offline")).status_code == 200


def test_static_files_exist() -> None:
    static = Path(__file__).resolve().parents[2] / "src" / "tradeline" / "dashboard" / "static"
    for name in ("app.css", "app.js", "sw.js", "icons/icon.svg", "icons/icon-192.png"):
        assert (static / name).is_file()


async def test_lead_status_changes_and_notes(
    site: Site, admin: httpx.AsyncClient, member: httpx.AsyncClient
) -> None:
    listing = (await admin.get("/leads?channel=voice")).text
    lead = re.search(
        r'href="/leads/([0-9a-f-]{36})">[^<]*</a></td>\s*<td[^>]*>' + CALLER_NAME, listing
    )
    assert lead
    url = f"/leads/{lead.group(1)}"
    page = (await admin.get(url)).text
    assert 'value="contacted"' in page and 'value="won"' not in page  # only allowed moves
    token = csrf_of(page)
    moved = await admin.post(f"{url}/status", data={"csrf_token": token, "status": "contacted"})
    assert moved.status_code == 303
    page = (await admin.get(moved.headers["location"])).text
    assert "Status saved." in page and 'value="contacted" checked' in page
    refused = await admin.post(f"{url}/status", data={"csrf_token": token, "status": "new"})
    assert refused.status_code == 422 and "cannot become new" in refused.text
    noted = await admin.post(f"{url}/notes", data={"csrf_token": token, "body": "Left a voicemail"})
    assert noted.status_code == 303
    page = (await admin.get(url)).text
    assert "Left a voicemail" in page and site.world.admin_email in page
    masked = (await member.get(url)).text
    assert "Left a voicemail" not in masked and "[redacted]" in masked
    assert f'action="{url}/status"' not in masked
    denied = await member.post(
        f"{url}/status", data={"csrf_token": csrf_of(masked), "status": "lost"}
    )
    assert denied.status_code == 403


async def test_do_not_contact_list(admin: httpx.AsyncClient, member: httpx.AsyncClient) -> None:
    token = csrf_of((await member.get("/compliance")).text)
    added = await member.post(
        "/compliance/suppressions",
        data={"csrf_token": token, "phone": "(403) 555-0166", "reason": "asked on the phone"},
    )
    assert added.status_code == 303
    masked = (await member.get("/compliance")).text
    assert "***-***-0166" in masked and "+14035550166" not in masked
    assert "asked on the phone" not in masked
    whole = (await admin.get("/compliance")).text
    assert "+14035550166" in whole and "asked on the phone" in whole
    denied = await member.post(
        "/compliance/suppressions/remove", data={"csrf_token": token, "phone": "+14035550166"}
    )
    assert denied.status_code == 403
    removed = await admin.post(
        "/compliance/suppressions/remove",
        data={"csrf_token": csrf_of(whole), "phone": "+14035550166"},
    )
    assert removed.status_code == 303
    assert (
        "+14035550166</td>"
        not in (await admin.get("/compliance")).text.split("dnc-h")[1].split("optout-h")[0]
    )


async def test_a_voicemail_recording_plays_on_the_call_for_admins_only(
    site: Site, admin: httpx.AsyncClient, member: httpx.AsyncClient
) -> None:
    settings = (await admin.get("/settings")).text
    fields = form_fields(settings, "/settings")
    token = csrf_of(settings)
    try:
        assert (await admin.post("/settings", data=fields | {"mode": "menu"})).status_code == 303
        await admin.post("/try/mode", data={"csrf_token": token, "mode": "voice"})
        await admin.post("/try/start", data={"csrf_token": token, "caller": "+14035550144"})
        await admin.post("/try/press", data={"csrf_token": token, "digits": "9"})  # voicemail
        page = (await admin.get("/try")).text
        assert "&lt;Record " in page  # the voicemail prompt's TwiML
        call = re.search(r'href="/calls/(CA[0-9a-f]{32})"', page)
        assert call
        detail = (await admin.get(f"/calls/{call.group(1)}")).text
        assert "<audio controls" in detail and "/Recordings/RE" in detail
        assert "Voicemail left" in detail
        hidden = (await member.get(f"/calls/{call.group(1)}")).text
        assert "<audio" not in hidden and "only admins can play it" in hidden
    finally:
        await admin.post("/settings", data=fields)
