"""Voice test fixtures: every TwiML answer of a voice webhook in these tests is checked against
the twilio SDK's own TwiML classes (tests/telephony/twiml_sdk.py) when the test ends."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.telephony.twiml_sdk import problems
from tradeline.runtime import Runtime


@pytest.fixture
def voice_documents() -> list[tuple[str, str]]:
    """(path, TwiML) of every voice webhook answer seen by this test's client."""
    return []


@pytest.fixture
async def client(
    runtime: Runtime, voice_documents: list[tuple[str, str]]
) -> AsyncIterator[httpx.AsyncClient]:
    from tradeline.app import create_app

    async def collect(response: httpx.Response) -> None:
        path = response.request.url.path
        if path.startswith("/twilio/voice") and response.status_code in (200, 503):
            await response.aread()
            voice_documents.append((path, response.text))

    app = create_app(runtime.settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5555))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks={"response": [collect]}
    ) as c:
        yield c
    invalid = [(path, doc, problems(doc)) for path, doc in voice_documents if problems(doc)]
    assert not invalid, f"invalid TwiML from the voice webhooks: {invalid[:3]}"
