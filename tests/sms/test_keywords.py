"""Opt-out law through the signed webhook: the keyword matrix, START, HELP, the empty-reply
cases of CONTRACTS §2, TRADELINE_TWILIO_MANAGED_OPT_OUT."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.factories import make_org
from tests.sms.helpers import post_signed, rows, sms_form
from tradeline.config import Settings
from tradeline.consent import service as consent
from tradeline.db import DatabaseTarget, tenant_session
from tradeline.runtime import Runtime, build_runtime

OPT_OUT = [
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
    "opt out",
    "OPT-OUT",
]
VARIANTS = [
    str.upper,
    str.lower,
    str.title,
    lambda k: f"  {k}  ",
    lambda k: f"{k}!",
    lambda k: f"{k.lower()}.",
]
START = ["START", "start", "UNSTOP", "Yes"]
_numbers = itertools.count(1000)


def fresh_number() -> str:
    return f"+1403555{next(_numbers):04d}"


async def text(
    client: httpx.AsyncClient, to: str, sender: str, body: str, sid: str | None = None
) -> str:
    response = await post_signed(client, "/twilio/sms", sms_form(to, body, sender, sid))
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "application/xml"
    )
    if "<Message>" not in response.text:
        assert response.text.strip().endswith(("<Response />", "<Response/>"))
        return ""
    return response.text.split("<Message>")[1].split("</Message>")[0]


async def opted_out(runtime: Runtime, org_id: object, numbers: list[str]) -> list[bool]:
    async with tenant_session(runtime.maker, org_id) as session:  # type: ignore[arg-type]
        return [await consent.is_sms_opted_out(session, runtime, org_id, n) for n in numbers]  # type: ignore[arg-type]


async def test_every_opt_out_keyword_and_variant_opts_out(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    org = await make_org(runtime, "Keyword Plumbing")
    business = org.phone_numbers[0]
    senders = []
    for keyword, variant in itertools.product(OPT_OUT, VARIANTS):
        sender = fresh_number()
        senders.append(sender)
        reply = await text(client, business, sender, variant(keyword))
        assert "unsubscribed" in reply and "Keyword Plumbing" in reply, (keyword, reply)
    assert await opted_out(runtime, org.org_id, senders) == [True] * len(senders)
    ledger = await rows(
        runtime,
        org.org_id,
        "SELECT DISTINCT channel, purpose, granted, source FROM consent_records",
    )
    assert [tuple(r) for r in ledger] == [("sms", "all", False, "sms_keyword")]


@pytest.mark.parametrize("start", START)
async def test_start_forms_opt_back_in(
    runtime: Runtime, client: httpx.AsyncClient, start: str
) -> None:
    org = await make_org(runtime, "Again Co")
    business, sender = org.phone_numbers[0], fresh_number()
    await text(client, business, sender, "STOP")
    reply = await text(client, business, sender, start)
    assert "resubscribed" in reply and "Again Co" in reply
    assert await opted_out(runtime, org.org_id, [sender]) == [False]
    assert await text(client, business, sender, "I need a plumber for a leak") != ""


async def test_yes_is_only_an_answer_for_a_number_that_never_opted_out(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    org = await make_org(runtime)
    reply = await text(client, org.phone_numbers[0], fresh_number(), "Yes")
    assert reply and "resubscribed" not in reply


async def test_help_names_the_business_even_when_opted_out(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    org = await make_org(runtime, "Helpful Heating", notify={"email": "owner@example.com"})
    business, sender = org.phone_numbers[0], fresh_number()
    for body in ("HELP", "info", "Help?"):
        reply = await text(client, business, sender, body)
        assert "Helpful Heating" in reply and business in reply and "STOP" in reply, body
    await text(client, business, sender, "STOP")
    assert "Helpful Heating" in await text(client, business, sender, "HELP")
    french = await text(client, business, fresh_number(), "AIDE")
    assert "Helpful Heating" in french and "STOP" in french and "appelez" in french


async def test_the_empty_reply_cases(runtime: Runtime, client: httpx.AsyncClient) -> None:
    org = await make_org(runtime, notify={"sms": "+14035550104"}, blocklist=["+14035550666"])
    business, sender = org.phone_numbers[0], fresh_number()
    assert await text(client, business, sender, "STOP") != ""
    assert await text(client, business, sender, "STOP") == ""  # a repeated STOP
    assert await text(client, business, sender, "unsubscribe") == ""
    assert await text(client, business, sender, "Can you come Tuesday?") == ""  # opted out
    assert await text(client, "+15875550999", fresh_number(), "hello") == ""  # unknown To
    assert await text(client, business, "+14035550666", "cheap SEO") == ""  # blocklisted
    jobs = await rows(runtime, None, "SELECT task_name FROM procrastinate_jobs")
    assert jobs == []
    # An opted-out number's emergency still alerts the owner, without an SMS reply.
    assert await text(client, business, sender, "Gas smell in the basement, hurry!") == ""
    jobs = await rows(runtime, None, "SELECT task_name FROM procrastinate_jobs")
    assert [j[0] for j in jobs] == ["notification.alert_emergency"]


async def test_a_repeated_message_sid_replays_the_stored_reply(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    org = await make_org(runtime)
    business, sender, sid = org.phone_numbers[0], fresh_number(), "SM" + "7" * 32
    first = await text(client, business, sender, "STOP", sid)
    again = await text(client, business, sender, "STOP", sid)
    assert first == again and "unsubscribed" in first
    ledger = await rows(runtime, org.org_id, "SELECT count(*) FROM consent_records")
    assert ledger[0][0] == 1


@pytest.fixture
async def managed(
    settings: Settings, fresh_db: DatabaseTarget
) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    from tradeline.app import create_app

    configured = settings.model_copy(update={"twilio_managed_opt_out": True})
    runtime = build_runtime(configured, fresh_db)
    app = create_app(configured, runtime=runtime)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield runtime, client
    await runtime.close()


async def test_managed_opt_out_records_but_never_confirms(
    managed: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = managed
    org = await make_org(runtime)
    business, sender = org.phone_numbers[0], fresh_number()
    assert await text(client, business, sender, "STOP") == ""
    assert await opted_out(runtime, org.org_id, [sender]) == [True]
    assert await text(client, business, sender, "HELP") == ""
    assert await text(client, business, sender, "START") == ""
    assert await opted_out(runtime, org.org_id, [sender]) == [False]
    assert await text(client, business, sender, "My furnace is broken") != ""
