"""The dashboard in a real browser: Playwright driving Debian's /usr/bin/chromium against a real
uvicorn server seeded through the product's own webhooks and services.

Locally these skip with a reason when Chromium (or axe-core from `npm ci`) is missing; in CI
(TRADELINE_TEST_STRICT=1) they fail instead. Screenshots go to tests/dashboard/artifacts/.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import threading
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.conftest import PgCluster, skip_or_fail
from tests.dashboard.conftest import clone_database
from tests.dashboard.live_server import LiveServer, start
from tests.dashboard.world import CALLER, CALLER_NAME, OPTED_OUT
from tradeline.organization.demo import DEMO_NUMBER
from tradeline.simulator.player import TwilioPlayer

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("dashboard-browser")]

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).parent / "artifacts"
DOCS_SHOTS = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
T = TypeVar("T")


def run_async(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on a loop of its own, in a thread (these tests are synchronous)."""
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = asyncio.run(work())
        except BaseException as exc:
            out["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]  # type: ignore[no-any-return]


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        skip_or_fail(
            "Debian's Chromium is missing at /usr/bin/chromium "
            "(make install-dev installs it as root; otherwise: apt-get install chromium)"
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def live(
    chromium: Path, pg_cluster: PgCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    name, target = clone_database(pg_cluster)
    server = start(tmp_path_factory.mktemp("browser") / "var", target)
    try:
        yield server
    finally:
        server.stop()
        pg_cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium), args=["--no-sandbox", "--headless=new"]
        )
        yield launched
        launched.close()


def session_cookie(live: LiveServer, email: str, password: str) -> str:
    """Sign in over HTTP (the browser sign-in itself is tested below) and return the cookie."""
    with httpx.Client(base_url=live.url) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token
        response = client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token.group(1)}
        )
        assert response.status_code == 303, response.text
        return response.cookies["tl_session"]


@pytest.fixture(scope="module")
def cookies(live: LiveServer) -> dict[str, str]:
    w = live.world
    return {
        "admin": session_cookie(live, w.admin_email, w.admin_password),
        "member": session_cookie(live, w.member_email, w.password),
        "operator": session_cookie(live, w.operator_email, w.password),
    }


@dataclass
class Tab:
    page: Page
    errors: list[str] = field(default_factory=list)

    def goto(self, url: str) -> None:
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status < 400, (url, response and response.status)


def new_tab(context: BrowserContext) -> Tab:
    page = context.new_page()
    tab = Tab(page)
    page.on("console", lambda msg: tab.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    return tab


def signed_in(browser: Browser, live: LiveServer, cookie: str, **options: Any) -> BrowserContext:
    context = browser.new_context(base_url=live.url, **options)
    context.add_cookies(
        [{"name": "tl_session", "value": cookie, "url": live.url, "httpOnly": True}]
    )
    return context


def axe_violations(page: Page) -> list[dict[str, Any]]:
    if not AXE.exists():
        skip_or_fail("axe-core is missing: run `npm ci` at the repo root (make install-dev)")
    # Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') still holds.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def shoot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- tests --------------------------------------------------------------------------------------


def test_sign_in_with_the_contract_form_lands_on_the_dashboard(
    browser: Browser, live: LiveServer
) -> None:
    context = browser.new_context(base_url=live.url)
    tab = new_tab(context)
    tab.goto("/")  # not signed in: sent to the sign-in form
    assert "/login" in tab.page.url
    tab.page.fill("input[name=email]", live.world.admin_email)
    tab.page.fill("input[name=password]", live.world.admin_password)
    tab.page.click("form[action='/login'] button[type=submit]")
    tab.page.wait_for_url(live.url + "/")
    assert tab.page.locator("h1").inner_text() == "Overview"
    assert "Demo Plumbing" in tab.page.locator(".business").inner_text()
    assert tab.errors == []
    context.close()


def _screens(live: LiveServer) -> list[tuple[str, str, str]]:
    """(artifact name, path, text the seeded data puts on that screen)."""
    return [
        ("overview", "/", CALLER_NAME),
        ("overview-30-days", "/?days=30", "Last 30 days"),
        ("calls", "/calls", CALLER),
        ("call-detail", f"/calls/{live.world.call_sid}", CALLER_NAME),
        ("texts", "/texts", "+1403555017"),
        ("leads", "/leads", CALLER_NAME),
        (
            "appointments",
            f"/appointments?week={live.world.booked_at.astimezone(ZoneInfo('America/Edmonton')).date()}",
            "Priya Sharma",
        ),
        ("knowledge", "/knowledge?q=How+much+does+drain+cleaning+cost%3F", "$189"),
        ("settings", "/settings", "Opening hours"),
        ("team", "/settings/team", live.world.member_email),
        ("api-keys", "/settings/api-keys", "admin (created with the business)"),
        ("compliance", "/compliance", OPTED_OUT),
        ("outbox", "/outbox", "New lead: basement flooding"),
        ("try-a-call", "/try", "Try a call"),
        ("admin", "/admin", DEMO_NUMBER),
        ("admin-security", "/admin/security", "Security alerts"),
        ("admin-audit", "/admin/audit", "pii.reveal"),
        ("admin-health", "/admin/health", "Job queue"),
    ]


def test_every_screen_loads_accessible_with_its_seeded_content(
    browser: Browser, live: LiveServer, cookies: dict[str, str]
) -> None:
    problems: dict[str, Any] = {}
    for viewport, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        context = signed_in(browser, live, cookies["operator"], viewport=viewport)
        tab = new_tab(context)
        screens = _screens(live)
        if viewport is PHONE:  # the owner's screens on a phone; operators work at a desk
            screens = [s for s in screens if not s[0].startswith(("admin", "overview-30"))]
        for name, path, expected in screens:
            tab.errors.clear()
            tab.goto(path)
            body = tab.page.locator("main").inner_text()
            if expected not in body:
                problems[f"{name}{suffix}: missing"] = expected
            violations = axe_violations(tab.page)
            if violations:
                problems[f"{name}{suffix}: axe"] = violations
            if tab.errors:
                problems[f"{name}{suffix}: console"] = list(tab.errors)
            shoot(tab.page, name + suffix)
        # Detail screens reached by following links, as a user would.
        for name, listing, link in (
            ("text-detail", "/texts", "table.list a"),
            ("lead-detail", "/leads", "table.list a"),
        ):
            tab.errors.clear()
            tab.goto(listing)
            tab.page.locator(link).first.click()
            tab.page.wait_for_load_state("load")
            violations = axe_violations(tab.page)
            if violations:
                problems[f"{name}{suffix}: axe"] = violations
            if tab.errors:
                problems[f"{name}{suffix}: console"] = list(tab.errors)
            shoot(tab.page, name + suffix)
        context.close()
    assert problems == {}, json.dumps(problems, indent=2, default=str)
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    for name in ("overview", "call-detail", "overview-phone"):
        shutil.copyfile(ARTIFACTS / f"{name}.png", DOCS_SHOTS / f"{name}.png")


def test_a_lead_texted_in_appears_live_and_on_the_leads_screen(
    browser: Browser, live: LiveServer, cookies: dict[str, str]
) -> None:
    context = signed_in(browser, live, cookies["admin"])
    context.add_init_script("window.TL_POLL_MS = 500;")
    overview = new_tab(context)
    overview.goto("/")

    async def text_in() -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            player = TwilioPlayer(live.url, "test-auth-token", client)
            number = "+14035550190"
            await player.text(number, DEMO_NUMBER, "Hi, my toilet is overflowing, I need a plumber")
            await player.text(number, DEMO_NUMBER, "My name is Riley Brooks")

    run_async(text_in)
    status = overview.page.locator(".live-status")
    status.wait_for(state="visible", timeout=10_000)
    assert "new lead" in status.inner_text()
    leads = new_tab(context)
    leads.goto("/leads")
    row = leads.page.locator("table.list tbody tr", has_text="Riley Brooks")
    assert row.count() == 1
    assert "+14035550190" in row.inner_text()
    assert overview.errors == [] and leads.errors == []
    context.close()


def test_editing_the_greeting_changes_the_next_call_in_try_a_call(
    browser: Browser, live: LiveServer, cookies: dict[str, str]
) -> None:
    context = signed_in(browser, live, cookies["admin"])
    tab = new_tab(context)
    tab.goto("/settings")
    greeting = "Hello, you have reached the browser test line"
    tab.page.fill("#greeting", greeting)
    tab.page.click("form.profile button[type=submit]")
    tab.page.wait_for_url(re.compile(r"/settings\?saved=1"))
    assert tab.page.locator("#greeting").input_value() == greeting
    tab.goto("/try")
    tab.page.locator("form[action='/try/start'] button[type=submit]").click()
    tab.page.wait_for_load_state("load")
    log = tab.page.locator("#log")
    assert greeting in log.inner_text()
    tab.page.fill("#speech", "My kitchen sink is clogged")
    tab.page.locator("form[action='/try/say'] button[type=submit]").click()
    tab.page.wait_for_load_state("load")
    captured = tab.page.locator("section[aria-labelledby=captured-h]").inner_text()
    assert "kitchen sink" in captured.lower()
    shoot(tab.page, "try-a-call-in-progress")
    shutil.copyfile(ARTIFACTS / "try-a-call-in-progress.png", DOCS_SHOTS / "try-a-call.png")
    tab.page.locator("form[action='/try/hangup'] button").click()
    tab.page.wait_for_load_state("load")
    assert "call ended" in tab.page.locator("#log").inner_text()
    assert tab.errors == []
    context.close()


def test_members_see_masked_numbers_and_admins_see_them_whole(
    browser: Browser, live: LiveServer, cookies: dict[str, str]
) -> None:
    seen: dict[str, str] = {}
    for role in ("admin", "member"):
        context = signed_in(browser, live, cookies[role])
        tab = new_tab(context)
        tab.goto("/leads")
        seen[role] = tab.page.locator("main").inner_text()
        tab.goto(f"/calls/{live.world.call_sid}")
        seen[role] += tab.page.locator("main").inner_text()
        context.close()
    assert CALLER in seen["admin"] and CALLER_NAME in seen["admin"]
    assert CALLER not in seen["member"] and CALLER_NAME not in seen["member"]
    assert "***-***-0177" in seen["member"] and "J*** E***" in seen["member"]


def test_the_main_flows_work_with_the_keyboard_alone(browser: Browser, live: LiveServer) -> None:
    context = browser.new_context(base_url=live.url)
    tab = new_tab(context)
    page = tab.page
    tab.goto("/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"

    def tab_to(selector: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({json.dumps(selector)})"):
                style = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
                assert style != "none", f"no visible focus on {selector}"
                return
        raise AssertionError(f"could not reach {selector} with Tab")

    tab_to("#email")
    page.keyboard.type(live.world.operator_email)
    page.keyboard.press("Tab")
    page.keyboard.type(live.world.password)
    page.keyboard.press("Enter")
    page.wait_for_url(live.url + "/")

    tab_to("a[href='/leads']")
    page.keyboard.press("Enter")
    page.wait_for_url(live.url + "/leads")
    tab_to("#f-status")
    page.keyboard.press("End")  # last status in the list
    tab_to("form.filters button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/leads\?status="))

    tab_to("a[href='/try']")
    page.keyboard.press("Enter")
    page.wait_for_url(live.url + "/try")
    tab_to("form[action='/try/start'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/try\?sent=1"))
    assert page.evaluate("document.activeElement.id") == "speech"  # ready for the next words
    page.keyboard.type("There is water coming through my ceiling")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/try\?sent=1"))
    assert "ceiling" in page.locator("#log").inner_text()

    tab_to("a[href='/settings']")
    page.keyboard.press("Enter")
    page.wait_for_url(live.url + "/settings")
    tab_to("#industry")
    page.keyboard.press("Control+a")
    page.keyboard.type("plumbing and heating")
    tab_to("form.profile button[type=submit]", limit=200)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/settings\?saved=1"))
    assert page.locator("#industry").input_value() == "plumbing and heating"
    assert tab.errors == []
    context.close()


def test_installable_with_an_offline_page(
    browser: Browser, live: LiveServer, cookies: dict[str, str]
) -> None:
    context = signed_in(browser, live, cookies["member"])
    tab = new_tab(context)
    tab.goto("/")
    manifest = json.loads(context.request.get("/manifest.webmanifest").text())
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    scope = tab.page.evaluate("navigator.serviceWorker.ready.then(r => r.active && r.scope)", None)
    assert scope == live.url + "/"
    tab.page.reload(wait_until="load")  # now controlled by the worker
    assert tab.page.evaluate("!!navigator.serviceWorker.controller")
    context.set_offline(True)
    tab.page.goto(live.url + "/leads")
    assert "You are offline" in tab.page.locator("h1").inner_text()
    context.set_offline(False)
    assert [e for e in tab.errors if "ERR_INTERNET_DISCONNECTED" not in e] == []
    context.close()


def test_canadian_french_for_a_user_who_chooses_it(
    browser: Browser, live: LiveServer, cookies: dict[str, str]
) -> None:
    context = signed_in(browser, live, cookies["member"])
    tab = new_tab(context)
    tab.goto("/leads")
    tab.page.get_by_role("button", name="Français (Canada)").click()
    tab.page.wait_for_url(live.url + "/leads")
    assert tab.page.evaluate("document.documentElement.lang") == "fr-CA"
    assert tab.page.locator("h1").inner_text() == "Clients potentiels"
    problems = {}
    for path in ("/", "/leads", "/try", "/settings"):
        tab.goto(path)
        violations = axe_violations(tab.page)
        if violations:
            problems[path] = violations
        shoot(tab.page, "fr" + (path.replace("/", "-") if path != "/" else "-overview"))
    tab.page.get_by_role("button", name="English").click()
    tab.page.wait_for_load_state("load")
    assert tab.page.evaluate("document.documentElement.lang") == "en"
    assert problems == {} and tab.errors == []
    context.close()


def test_everything_works_without_javascript(browser: Browser, live: LiveServer) -> None:
    context = browser.new_context(base_url=live.url, java_script_enabled=False)
    tab = new_tab(context)
    page = tab.page
    tab.goto("/login")
    page.fill("#email", live.world.operator_email)
    page.fill("#password", live.world.password)
    page.click("form[action='/login'] button")
    page.wait_for_url(live.url + "/")
    tab.goto("/try")
    page.click("form[action='/try/start'] button")
    page.wait_for_url(re.compile(r"/try\?sent=1"))
    page.fill("#speech", "My dishwasher is leaking")
    page.click("form[action='/try/say'] button")
    page.wait_for_url(re.compile(r"/try\?sent=1"))
    assert "dishwasher" in page.locator("#log").inner_text()
    assert page.locator("#log li.assistant").count() >= 2  # greeting, then the next question
    page.click("form[action='/try/hangup'] button")
    tab.goto("/knowledge")
    page.fill("#q", "Do you serve Cochrane?")
    page.click("form[action='/knowledge'] button")
    assert "/knowledge?q=" in page.url
    tab.goto("/leads")
    page.select_option("#f-channel", "sms")
    page.click("form.filters button[type=submit]")
    assert "channel=sms" in page.url and "Sam Rivera" in page.locator("main").inner_text()
    context.close()
