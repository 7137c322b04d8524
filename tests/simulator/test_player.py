"""The softphone library against a scripted Twilio-side server: every verb it runs, every URL
resolved against the request that returned it, every request signed (the server checks each one
with the twilio SDK's RequestValidator and answers 403 otherwise), and Twilio's callbacks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from tradeline.simulator.player import TwilioPlayer

TOKEN = "player-token"
CALLER, BUSINESS = "+14035550190", "+15875550100"
REJECTED, ODD = "+14035550191", "+14035550192"  # callers the scripted server treats specially

SCRIPTS = {
    "/twilio/voice": """<Response>
        <Say>Welcome.</Say><Play>https://cdn.example/tone.mp3</Play><Pause length="2"/>
        <Gather action="voice/flow/menu?step=1" input="dtmf speech" numDigits="1">
          <Say>Press 1 for a person, 2 to leave a message.</Say><Pause/><Play digits="ww1"/>
        </Gather>
        <Say>We did not hear you.</Say><Redirect>/twilio/voice/again</Redirect>
      </Response>""",
    "/twilio/voice/again": "<Response><Say>Goodbye.</Say><Hangup/></Response>",
    "/twilio/voice/flow/person": """<Response>
        <Dial timeout="5">+14035550101</Dial><Say>Nobody answered.</Say>
        <Dial action="/twilio/voice/flow/after-dial" record="record-from-answer-dual"
              recordingStatusCallback="/twilio/voice/rec?from=dial">+14035550102</Dial>
      </Response>""",
    "/twilio/voice/flow/after-dial": "<Response><Say>Thanks.</Say></Response>",
    "/twilio/voice/flow/message": """<Response>
        <Say>After the tone.</Say>
        <Record maxLength="60" recordingStatusCallback="../rec?from=record"/>
      </Response>""",
    "/twilio/voice/rec": "<Response/>",
    "/twilio/voice/status": "<Response/>",
    "/twilio/voice/record-again": "<Response><Say>Saved.</Say></Response>",
}


class Server:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.validator = RequestValidator(TOKEN)

    async def handle(self, request: Request) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        signature = request.headers.get("x-twilio-signature", "")
        if not self.validator.validate(str(request.url), form, signature):
            return Response("bad signature", status_code=403)
        path = request.url.path
        self.requests.append((f"{path}?{request.url.query}".rstrip("?"), form))
        if path == "/twilio/voice/flow/menu":
            target = {"1": "person", "2": "message"}.get(form.get("Digits", ""), "")
            body = f"<Response><Redirect>{target}</Redirect></Response>"
        elif path == "/twilio/voice" and form.get("From") == REJECTED:
            body = '<Response><Reject reason="busy"/><Say>never</Say></Response>'
        elif path == "/twilio/voice" and form.get("From") == ODD:
            body = "<Response><Say>hi</Say><Bogus/></Response>"
        elif path == "/twilio/voice/flow/message" and "RecordingUrl" in form:
            body = "<Response><Redirect>/twilio/voice/record-again</Redirect></Response>"
        else:
            body = SCRIPTS[path]
        return Response(body, media_type="text/xml")


@pytest.fixture
async def scripted() -> AsyncIterator[tuple[TwilioPlayer, Server]]:
    server = Server()
    app = Starlette(routes=[Route("/{path:path}", server.handle, methods=["POST"])])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://twilio-side.test"
    ) as client:
        yield TwilioPlayer("http://twilio-side.test", TOKEN, client), server


async def test_say_play_pause_gather_and_the_no_input_path(
    scripted: tuple[TwilioPlayer, Server],
) -> None:
    player, server = scripted
    call = await player.start_call(CALLER, BUSINESS)
    assert call.heard == ["Welcome.", "Press 1 for a person, 2 to leave a message."]
    assert call.played == ["https://cdn.example/tone.mp3", "ww1"] and call.paused == 3.0
    assert call.pending_gather == "http://twilio-side.test/twilio/voice/flow/menu?step=1"
    heard = await player.silence(call)  # timeout: the verbs after the Gather run
    assert heard == ["We did not hear you.", "Goodbye."] and call.ended and not call.errors
    assert [path for path, _ in server.requests] == ["/twilio/voice", "/twilio/voice/again"]


async def test_dial_with_and_without_action_and_a_recorded_bridge(
    scripted: tuple[TwilioPlayer, Server],
) -> None:
    player, server = scripted
    call = await player.start_call(CALLER, BUSINESS, dial_outcome="completed")
    heard = await player.press(call, "1")
    # The first <Dial> has no action: the call goes on with the verbs after it.
    assert heard == ["Nobody answered.", "Thanks."] and call.ended and not call.errors
    paths = [path for path, _ in server.requests]
    assert paths == [
        "/twilio/voice",
        "/twilio/voice/flow/menu?step=1",
        "/twilio/voice/flow/person",
        "/twilio/voice/flow/after-dial",
        "/twilio/voice/rec?from=dial",
    ]
    after_dial = server.requests[3][1]
    assert after_dial["DialCallStatus"] == "completed" and after_dial["DialCallSid"].startswith(
        "CA"
    )
    recording = server.requests[4][1]
    assert (
        recording["RecordingSource"] == "DialVerb" and recording["RecordingStatus"] == "completed"
    )


async def test_record_posts_its_action_then_the_recording_status_callback(
    scripted: tuple[TwilioPlayer, Server],
) -> None:
    player, server = scripted
    call = await player.start_call(CALLER, BUSINESS)
    await player.press(call, "2")
    assert call.heard[-2:] == ["After the tone.", "Saved."]
    paths = [path for path, _ in server.requests]
    # <Record> without action posts back to its own document's URL; the relative callback
    # resolves against it.
    assert paths[-3:] == [
        "/twilio/voice/flow/message",
        "/twilio/voice/record-again",
        "/twilio/voice/rec?from=record",
    ]
    action = server.requests[-3][1]
    callback = server.requests[-1][1]
    assert action["RecordingSid"] == callback["RecordingSid"]
    assert action["RecordingUrl"] == callback["RecordingUrl"]
    assert callback["RecordingSource"] == "RecordVerb"
    kinds = [e.kind for e in call.exchanges]
    assert kinds[-1] == "recording-status" and kinds.count("webhook") == len(kinds) - 1


async def test_hang_up_sends_the_status_callback_once_and_reject_ends_the_call(
    scripted: tuple[TwilioPlayer, Server],
) -> None:
    player, server = scripted
    call = await player.start_call(CALLER, BUSINESS)
    await player.hang_up(call, duration=61)
    await player.hang_up(call, duration=61)
    statuses = [form for path, form in server.requests if path == "/twilio/voice/status"]
    assert len(statuses) == 1
    assert statuses[0]["CallStatus"] == "completed" and statuses[0]["SequenceNumber"] == "0"
    assert statuses[0]["CallDuration"] == "61"

    rejected = await player.start_call(REJECTED, BUSINESS)
    assert rejected.rejected and rejected.ended and "never" not in rejected.heard


async def test_twiml_the_softphone_cannot_run_is_reported(
    scripted: tuple[TwilioPlayer, Server],
) -> None:
    player, _ = scripted
    call = await player.start_call(ODD, BUSINESS)
    assert call.heard == ["hi"] and call.ended
    assert call.errors == [
        "http://twilio-side.test/twilio/voice: the softphone does not run <Bogus>"
    ]
