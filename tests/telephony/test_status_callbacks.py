"""Status and recording callbacks: repeated and reordered, they settle on one final state; the
call's timeline, its billed minutes, and what happens when the database is away."""

from __future__ import annotations

import random
import uuid
from typing import Any

import httpx
import pytest

from tests.factories import make_org
from tests.telephony.helpers import ALWAYS_OPEN, CALLER, call_form, jobs, signed_post, sql
from tradeline.runtime import Runtime
from tradeline.simulator.player import TwilioPlayer
from tradeline.telephony import policy


async def _call(
    client: httpx.AsyncClient, runtime: Runtime, **profile: Any
) -> tuple[uuid.UUID, dict[str, str]]:
    org = await make_org(runtime, hours=ALWAYS_OPEN, **profile)
    form = call_form(org.phone_numbers[0])
    assert (await signed_post(client, "/twilio/voice", form)).status_code == 200
    return org.org_id, form


async def test_duplicated_and_shuffled_status_callbacks_settle_on_one_final_state(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org_id, form = await _call(client, runtime)
    events = [(0, "initiated"), (1, "ringing"), (2, "in-progress"), (3, "completed")]
    deliveries = events * 3  # every callback three times…
    random.Random(7).shuffle(deliveries)  # …in any order
    deliveries.insert(0, (3, "completed"))  # the end may even come first
    for seq, status in deliveries:
        extra = {"CallStatus": status, "SequenceNumber": str(seq)}
        if status == "completed":
            extra["CallDuration"] = "125"
        response = await signed_post(client, "/twilio/voice/status", form | extra)
        assert response.status_code == 200
    rows = await sql(runtime, org_id, "SELECT status, duration_seconds, last_sequence FROM calls")
    assert rows == [("completed", 125, 3)]
    timeline = await sql(
        runtime,
        org_id,
        "SELECT sequence, data->>'status' FROM call_events WHERE kind = 'status' ORDER BY sequence",
    )
    assert timeline == [(0, "initiated"), (1, "ringing"), (2, "in-progress"), (3, "completed")]
    # Ended once: one usage event (125 s → 3 minutes, rounded up), one follow-up job.
    assert await sql(runtime, org_id, "SELECT kind, quantity, ref FROM usage_events") == [
        ("voice_minutes_in", 3, form["CallSid"])
    ]
    # The caller never spoke: a missed call, texted back once (the SMS domain's job).
    assert sorted(name for name, _ in await jobs(runtime)) == ["sms.deliver", "telephony.post_call"]
    ended = await sql(runtime, org_id, "SELECT count(*) FROM call_events WHERE kind = 'ended'")
    assert ended == [(1,)]


async def test_without_sequence_numbers_dedupe_is_by_status_and_terminal_is_final(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org_id, form = await _call(client, runtime)
    for status, duration in (
        ("in-progress", None),
        ("no-answer", "0"),
        ("no-answer", "0"),
        ("ringing", None),
        ("completed", "30"),
    ):
        extra = {"CallStatus": status} | ({"CallDuration": duration} if duration else {})
        assert (await signed_post(client, "/twilio/voice/status", form | extra)).status_code == 200
    assert await sql(runtime, org_id, "SELECT status, duration_seconds FROM calls") == [
        ("no-answer", 0)
    ]
    kinds = await sql(
        runtime,
        org_id,
        "SELECT data->>'status' FROM call_events WHERE kind = 'status' ORDER BY created_at",
    )
    assert [k[0] for k in kinds] == ["in-progress", "no-answer", "ringing", "completed"]
    assert await sql(runtime, org_id, "SELECT count(*) FROM usage_events") == [(0,)]


@pytest.mark.parametrize(("seconds", "minutes"), [(0, 0), (1, 1), (60, 1), (61, 2), (3599, 60)])
def test_minutes_are_rounded_up_per_call(seconds: int, minutes: int) -> None:
    assert policy.billable_minutes(seconds) == minutes


def test_status_order_never_goes_back() -> None:
    assert policy.advances("ringing", "in-progress")
    assert not policy.advances("in-progress", "ringing")
    assert not policy.advances("completed", "in-progress")
    assert not policy.advances("busy", "completed")  # the first terminal status stands
    assert policy.advances("in-progress", "completed")


async def test_recording_status_callbacks_are_idempotent_and_monotonic(
    player: TwilioPlayer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime, recording={"enabled": True}, hours=ALWAYS_OPEN)
    call = await player.start_call(CALLER, org.phone_numbers[0])
    await player.press(call, "1")
    recording_url = f"/twilio/voice/recording-status?org={org.org_id}"
    base = {
        "AccountSid": "AC" + "0" * 32,
        "CallSid": call.call_sid,
        "RecordingSid": "RE" + "1" * 32,
    }
    completed = base | {
        "RecordingStatus": "completed",
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Recordings/RE" + "1" * 32,
        "RecordingDuration": "44",
        "RecordingSource": "StartCallRecordingTwiML",
    }
    late = base | {"RecordingStatus": "in-progress", "RecordingSource": "StartCallRecordingTwiML"}
    for params in (completed, completed, late, completed):
        response = await signed_post(client, recording_url, params)
        assert response.status_code == 200
    rows = await sql(
        runtime, org.org_id, "SELECT status, duration_seconds, source, url FROM call_recordings"
    )
    assert rows == [("completed", 44, "call", completed["RecordingUrl"])]
    events = await sql(
        runtime,
        org.org_id,
        "SELECT kind FROM call_events WHERE kind LIKE 'recording_%' ORDER BY created_at",
    )
    assert [e[0] for e in events] == ["recording_completed", "recording_in-progress"]


async def test_callbacks_get_503_and_are_spooled_when_the_database_is_down(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, form = await _call(client, runtime)
    await runtime.engine.dispose()
    from sqlalchemy.ext.asyncio import create_async_engine

    from tradeline.db import make_sessionmaker

    broken = create_async_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    runtime.maker = make_sessionmaker(broken)
    extra = {"CallStatus": "completed", "CallDuration": "12", "SequenceNumber": "4"}
    status = await signed_post(client, "/twilio/voice/status", form | extra)
    assert status.status_code == 503 and status.text.endswith("<Response />")
    spool = (runtime.settings.resolved_data_dir / "spool" / "voice-events.jsonl").read_text()
    assert '"SequenceNumber": "4"' in spool and CALLER not in spool
    await broken.dispose()


async def test_a_message_left_while_the_database_is_down_is_kept_not_asked_again(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, form = await _call(client, runtime)
    await runtime.engine.dispose()
    from sqlalchemy.ext.asyncio import create_async_engine

    from tradeline.db import make_sessionmaker

    broken = create_async_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    runtime.maker = make_sessionmaker(broken)
    # The database-free fallback asks for a message; its <Record> action then lands here.
    fallback = await signed_post(client, "/twilio/voice/gather", form | {"SpeechResult": "hi"})
    assert "<Record" in fallback.text and "recording-status?to=" in fallback.text
    url = "https://api.twilio.com/2010-04-01/Recordings/RE" + "9" * 32
    thanks = await signed_post(
        client,
        "/twilio/voice/fallback-recording",
        form | {"RecordingUrl": url, "RecordingSid": "RE" + "9" * 32, "RecordingDuration": "20"},
    )
    assert thanks.status_code == 200 and "<Record" not in thanks.text and "<Hangup" in thanks.text
    spool = (runtime.settings.resolved_data_dir / "spool" / "voice-events.jsonl").read_text()
    assert url in spool
    await broken.dispose()
