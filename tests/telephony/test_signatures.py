"""Signatures on every Twilio entry: forgeries write nothing; proxies are believed only when
trusted; the canonical public URL (with its query) is what Twilio signed."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import itertools
import secrets
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx

from tests.factories import make_org
from tests.telephony.helpers import CALLER, TOKEN, call_form, row_counts, sql
from tradeline.db import DatabaseTarget
from tradeline.integrations.twilio.signature import sign
from tradeline.runtime import Runtime
from tradeline.simulator.player import ACCOUNT_SID, TwilioPlayer

BASE = "http://testserver"


@asynccontextmanager
async def app_client(
    runtime: Runtime, peer: str = "203.0.113.7", **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app whose settings differ (public URL, trusted proxies), same database."""
    from tradeline.app import create_app

    variant = dataclasses.replace(
        runtime, settings=runtime.settings.model_copy(update=settings), owns_target=False
    )
    app = create_app(variant.settings, runtime=variant)
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


def _entries(org_id: uuid.UUID, call_sid: str) -> list[tuple[str, dict[str, str]]]:
    """Every voice and SMS entry, each with a plausible body: with a valid signature, each of
    these would write something (a call, a turn, a status, a recording, a message)."""
    recording = {
        "RecordingSid": "RE" + secrets.token_hex(16),
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Recordings/RE1",
        "RecordingDuration": "9",
    }
    sms = {"MessageSid": "SM" + secrets.token_hex(16), "AccountSid": ACCOUNT_SID, "Body": "hi"}
    return [
        ("/twilio/voice", {}),
        ("/twilio/voice/gather", {"SpeechResult": "my sink is leaking", "Confidence": "0.9"}),
        ("/twilio/voice/gather?noinput=1", {}),
        ("/twilio/voice/consent", {"Digits": "1"}),
        ("/twilio/voice/menu?retry=0", {"Digits": "9"}),
        ("/twilio/voice/dial-result?reason=emergency", {"DialCallStatus": "no-answer"}),
        ("/twilio/voice/voicemail", {}),
        ("/twilio/voice/recording", recording),
        ("/twilio/voice/fallback-recording", recording),
        (f"/twilio/voice/transcription?org={org_id}", {"TranscriptionText": "call me back"}),
        ("/twilio/voice/status", {"CallStatus": "completed", "CallDuration": "61"}),
        (
            f"/twilio/voice/recording-status?org={org_id}",
            {"CallSid": call_sid, "RecordingStatus": "completed", **recording},
        ),
        ("/twilio/sms", sms),
        ("/twilio/sms/fallback", sms),
        ("/twilio/sms/status", {"MessageSid": sms["MessageSid"], "MessageStatus": "delivered"}),
    ]


Forgery = Callable[[str, dict[str, str]], tuple[dict[str, str], dict[str, str]]]


def _signed(path: str, form: dict[str, str], *, url: str | None = None, token: str = TOKEN) -> str:
    return sign(token, url or BASE + path, form)


def _forgeries() -> dict[str, Forgery]:
    """Each returns (posted form, headers) for a request that must be refused."""

    def bad_signature(path: str, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        junk = base64.b64encode(secrets.token_bytes(20)).decode()
        return form, {"X-Twilio-Signature": junk}

    def changed_parameter(path: str, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        signature = _signed(path, form)
        key = next(k for k in ("SpeechResult", "Body", "Digits", "CallStatus", "From") if k in form)
        return form | {key: form[key] + "x"}, {"X-Twilio-Signature": signature}

    def added_parameter(path: str, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        return form | {"Digits": "0", "Extra": "1"}, {"X-Twilio-Signature": _signed(path, form)}

    def removed_parameter(path: str, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        signature = _signed(path, form)
        return {k: v for k, v in form.items() if k != "AccountSid"}, {
            "X-Twilio-Signature": signature
        }

    def other_path(path: str, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        other = "/twilio/voice/status" if path != "/twilio/voice/status" else "/twilio/voice"
        return form, {"X-Twilio-Signature": _signed(path, form, url=BASE + other)}

    def other_host(path: str, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        return form, {"X-Twilio-Signature": _signed(path, form, url="https://evil.example" + path)}

    def other_query(path: str, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        base, _, query = path.partition("?")
        signed_for = base + ("?retry=1" if not query else "")
        return form, {"X-Twilio-Signature": _signed(path, form, url=BASE + signed_for)}

    def other_token(path: str, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        return form, {"X-Twilio-Signature": _signed(path, form, token="another-account-token")}

    def missing_header(path: str, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        return form, {}

    def empty_header(path: str, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        return form, {"X-Twilio-Signature": ""}

    return {
        f.__name__: f
        for f in (
            bad_signature,
            changed_parameter,
            added_parameter,
            removed_parameter,
            other_path,
            other_host,
            other_query,
            other_token,
            missing_header,
            empty_header,
        )
    }


async def test_a_thousand_forged_or_altered_requests_write_nothing(
    client: httpx.AsyncClient, player: TwilioPlayer, runtime: Runtime, fresh_db: DatabaseTarget
) -> None:
    org = await make_org(runtime, "Forgery Plumbing")
    number = org.phone_numbers[0]
    live = await player.start_call(CALLER, number)  # a real call the forgeries aim at
    await player.say(live, "my sink is leaking")
    before = row_counts(fresh_db)
    assert before["calls"] == 1 and before["conversation_turns"] >= 3
    forgeries = _forgeries()
    plan = list(itertools.product(range(8), forgeries))
    requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
    for round_, name in plan:
        for path, extra in _entries(org.org_id, live.call_sid):
            sid = live.call_sid if round_ % 2 else "CA" + secrets.token_hex(16)
            form = call_form(
                number, caller=f"+1403555{round_:02d}{len(requests) % 100:02d}", sid=sid
            )
            form |= extra
            if path.startswith("/twilio/sms"):
                form.pop("CallSid")
            requests.append((path, *forgeries[name](path, form)))
    requests = requests[:1000]
    assert len(requests) == 1000

    statuses: list[int] = []
    for start in range(0, len(requests), 50):
        batch = requests[start : start + 50]
        responses = await asyncio.gather(
            *(client.post(path, data=form, headers=headers) for path, form, headers in batch)
        )
        statuses.extend(r.status_code for r in responses)
    assert statuses == [403] * 1000
    assert row_counts(fresh_db) == before
    assert await sql(runtime, org.org_id, "SELECT status FROM calls") == [("ringing",)]
    assert not (runtime.settings.resolved_data_dir / "spool").exists()

    # The same requests correctly signed are accepted: the forgeries failed on the signature.
    path, extra = _entries(org.org_id, live.call_sid)[10]  # the status callback
    form = call_form(number, sid=live.call_sid) | extra
    accepted = await client.post(
        path, data=form, headers={"X-Twilio-Signature": _signed(path, form)}
    )
    assert accepted.status_code == 200
    assert await sql(runtime, org.org_id, "SELECT status FROM calls") == [("completed",)]


async def test_public_url_with_query_is_the_url_that_counts(runtime: Runtime) -> None:
    org = await make_org(runtime)
    public = "https://rx.example.com"
    path = "/twilio/voice/gather?noinput=1"
    form = call_form(org.phone_numbers[0])
    async with app_client(runtime, public_url=public) as client:
        canonical = await client.post(
            path, data=form, headers={"X-Twilio-Signature": sign(TOKEN, public + path, form)}
        )
        with_port = await client.post(
            path,
            data=form,
            headers={"X-Twilio-Signature": sign(TOKEN, "https://rx.example.com:443" + path, form)},
        )
        local = await client.post(
            path, data=form, headers={"X-Twilio-Signature": sign(TOKEN, BASE + path, form)}
        )
        no_query = await client.post(
            path,
            data=form,
            headers={"X-Twilio-Signature": sign(TOKEN, public + "/twilio/voice/gather", form)},
        )
    assert [canonical.status_code, with_port.status_code] == [200, 200]
    assert [local.status_code, no_query.status_code] == [403, 403]
    # A path prefix in the public URL (the proxy strips it before the app sees the request).
    async with app_client(runtime, public_url="https://rx.example.com/tl/") as client:
        prefixed = await client.post(
            path,
            data=form,
            headers={"X-Twilio-Signature": sign(TOKEN, "https://rx.example.com/tl" + path, form)},
        )
    assert prefixed.status_code == 200


async def test_forwarded_headers_are_believed_only_from_trusted_proxies(
    runtime: Runtime, fresh_db: DatabaseTarget
) -> None:
    org = await make_org(runtime)
    path = "/twilio/voice"
    public = "https://rx.example.com" + path
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "rx.example.com"}

    def form() -> dict[str, str]:
        return call_form(org.phone_numbers[0], caller=f"+1403555{secrets.randbelow(10_000):04d}")

    settings = {"public_url": None, "trusted_proxies": ["10.0.0.0/8"]}
    async with app_client(runtime, peer="10.0.0.5", **settings) as behind_proxy:
        body = form()
        trusted = await behind_proxy.post(
            path, data=body, headers={"X-Twilio-Signature": sign(TOKEN, public, body)} | forwarded
        )
        body = form()
        local_signed = await behind_proxy.post(
            path,
            data=body,
            headers={"X-Twilio-Signature": sign(TOKEN, BASE + path, body)} | forwarded,
        )
        # Two proxies in the chain, each appending: the outermost trusted one's view counts.
        body = form()
        chained = await behind_proxy.post(
            path,
            data=body,
            headers={
                "X-Twilio-Signature": sign(TOKEN, public, body),
                "X-Forwarded-For": "198.51.100.20, 10.0.0.9",
                "X-Forwarded-Proto": "https, http",
                "X-Forwarded-Host": "rx.example.com, internal-lb",
            },
        )
        # A malformed forwarded host is ignored, not used to build a URL.
        body = form()
        odd_host = await behind_proxy.post(
            path,
            data=body,
            headers={
                "X-Twilio-Signature": sign(TOKEN, "https://evil.example/x" + path, body),
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "evil.example/x",
            },
        )
    assert [trusted.status_code, chained.status_code] == [200, 200]
    assert [local_signed.status_code, odd_host.status_code] == [403, 403]

    before = row_counts(fresh_db)
    async with app_client(runtime, peer="203.0.113.99", **settings) as direct:
        body = form()
        spoofed = await direct.post(
            path, data=body, headers={"X-Twilio-Signature": sign(TOKEN, public, body)} | forwarded
        )
        assert spoofed.status_code == 403
        assert row_counts(fresh_db) == before
        # From an untrusted peer the headers are simply ignored: its own URL still works.
        body = form()
        honest = await direct.post(
            path,
            data=body,
            headers={"X-Twilio-Signature": sign(TOKEN, BASE + path, body)} | forwarded,
        )
    assert honest.status_code == 200
