"""Recordings past retention are deleted at the provider (sandbox outbox offline) and here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.factories import make_org
from tests.telephony.helpers import ALWAYS_OPEN, CALLER, call_form, outbox, signed_post, sql
from tradeline.db import tenant_session
from tradeline.integrations.twilio.rest import TwilioRest
from tradeline.runtime import Runtime
from tradeline.telephony import policy
from tradeline.telephony.recordings import purge_expired
from tradeline.telephony.tasks import purge_recordings
from tradeline.worker.app import app


async def _recording(
    client: httpx.AsyncClient, org_id: uuid.UUID, form: dict[str, str], sid: str
) -> None:
    params = {
        "AccountSid": form["AccountSid"],
        "CallSid": form["CallSid"],
        "RecordingSid": sid,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Recordings/{sid}",
        "RecordingStatus": "completed",
        "RecordingDuration": "30",
        "RecordingSource": "RecordVerb",
    }
    response = await signed_post(client, f"/twilio/voice/recording-status?org={org_id}", params)
    assert response.status_code == 200


async def test_purge_deletes_only_recordings_past_retention(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime, hours=ALWAYS_OPEN)
    other = await make_org(runtime, hours=ALWAYS_OPEN)
    forms = [call_form(org.phone_numbers[0]), call_form(other.phone_numbers[0], caller=CALLER)]
    for form in forms:
        assert (await signed_post(client, "/twilio/voice", form)).status_code == 200
    old, fresh, theirs = "RE" + "a" * 32, "RE" + "b" * 32, "RE" + "c" * 32
    await _recording(client, org.org_id, forms[0], old)
    await _recording(client, org.org_id, forms[0], fresh)
    await _recording(client, other.org_id, forms[1], theirs)
    async with tenant_session(runtime.maker, org.org_id) as session:
        from sqlalchemy import text

        await session.execute(
            text(
                "UPDATE call_recordings SET completed_at = now() - interval '91 days' "
                "WHERE recording_sid = :sid"
            ),
            {"sid": old},
        )
    assert await purge_expired(runtime) == 1
    rows = await sql(
        runtime,
        org.org_id,
        "SELECT recording_sid, status, url IS NULL, deleted_at IS NOT NULL FROM call_recordings "
        "ORDER BY recording_sid",
    )
    assert rows == [(old, "deleted", True, True), (fresh, "completed", False, False)]
    deletions = await outbox(runtime, org.org_id, "recording_delete")
    assert [d.payload for d in deletions] == [{"action": "delete_recording", "sid": old}]
    assert await sql(runtime, other.org_id, "SELECT status FROM call_recordings") == [
        ("completed",)
    ]
    events = await sql(
        runtime, org.org_id, "SELECT kind FROM call_events WHERE kind LIKE '%deleted'"
    )
    assert events == [("recording_deleted",)]
    # A second run has nothing left to do; 91 days on, everything goes.
    assert await purge_expired(runtime) == 0
    later = datetime.now(UTC) + timedelta(days=policy.DEFAULT_RETENTION_DAYS + 1)
    assert await purge_expired(runtime, now=later) == 2


def test_the_purge_runs_daily_as_a_periodic_job() -> None:
    periodic = {p.task.name: p.cron for p in app.periodic_registry.periodic_tasks.values()}
    assert periodic.get(purge_recordings.name) == "43 3 * * *"


async def test_rest_port_deletes_through_the_twilio_sdk(runtime: Runtime) -> None:
    """The SDK's own request, against a loopback fake of Twilio's API."""
    import asyncio

    seen: list[tuple[str, str]] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = (await reader.readuntil(b"\r\n\r\n")).decode()
        method, path, _ = request.split("\r\n", 1)[0].split(" ")
        seen.append((method, path))
        status = "204 No Content" if "REgone" not in path else "404 Not Found"
        body = b"" if status.startswith("204") else b'{"code": 20404, "status": 404}'
        writer.write(
            f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n"
            "Content-Type: application/json\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        rest = TwilioRest("AC" + "1" * 32, "token", base_url=f"http://127.0.0.1:{port}")
        org = await make_org(runtime)
        async with tenant_session(runtime.maker, org.org_id) as session:
            assert await rest.delete_recording(session, org_id=org.org_id, sid="RE123")
            assert await rest.delete_recording(session, org_id=org.org_id, sid="REgone")
    finally:
        server.close()
        await server.wait_closed()
    assert seen == [
        ("DELETE", f"/2010-04-01/Accounts/AC{'1' * 32}/Recordings/RE123.json"),
        ("DELETE", f"/2010-04-01/Accounts/AC{'1' * 32}/Recordings/REgone.json"),
    ]


async def test_rest_port_gives_up_on_a_stalled_twilio(runtime: Runtime) -> None:
    """A connection that never answers ends in the timeout (the purge retries next run), not
    in a job that hangs for ever."""
    import asyncio
    import time

    answered = asyncio.Event()  # never set: Twilio stalls

    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        try:
            await asyncio.wait_for(answered.wait(), 30)
        except TimeoutError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(stall, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        rest = TwilioRest(
            "AC" + "1" * 32, "token", base_url=f"http://127.0.0.1:{port}", timeout=0.5
        )
        org = await make_org(runtime)
        started = time.monotonic()
        async with tenant_session(runtime.maker, org.org_id) as session:
            assert not await rest.delete_recording(session, org_id=org.org_id, sid="RE123")
        assert time.monotonic() - started < 10
    finally:
        answered.set()
        server.close()
        await server.wait_closed()
