"""The terminal softphone drives the real webhooks."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx

from tests.factories import make_org
from tradeline.runtime import Runtime
from tradeline.simulator.console import run_console


async def test_console_call_then_text(client: httpx.AsyncClient, runtime: Runtime) -> None:
    org = await make_org(runtime, "Console Heating")
    lines: Iterator[str] = iter(
        [
            "/show",
            "my furnace is making a loud banging noise",
            "/sms",
            "what are your hours on monday?",
            "/quit",
        ]
    )
    out = io.StringIO()
    await run_console(
        "http://testserver",
        "test-auth-token",
        "+14035550150",
        org.phone_numbers[0],
        read=lambda _prompt: next(lines),
        client=client,
        out=out,
    )
    text = out.getvalue()
    assert "automated assistant" in text
    assert "--> POST http://testserver/twilio/voice/gather" in text and "<Gather" in text
    assert "sms> " in text and "8:00 am to 5:00 pm" in text
