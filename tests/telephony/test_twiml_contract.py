"""Our TwiML against the twilio SDK's own classes (tests/telephony/twiml_sdk.py). The voice
client fixture also checks every TwiML answer of every test in this package."""

from __future__ import annotations

import uuid

import pytest

from tests.factories import make_org
from tests.telephony.helpers import ALWAYS_OPEN, CALLER, ROUTING
from tests.telephony.twiml_sdk import SCHEMA, assert_valid, problems
from tradeline.runtime import Runtime
from tradeline.simulator.player import TwilioPlayer
from tradeline.telephony import twiml


def test_the_schema_comes_from_the_sdk() -> None:
    assert set(SCHEMA.children["Gather"]) == {"Say", "Play", "Pause"}
    assert "Gather" in SCHEMA.children["Response"] and "Gather" not in SCHEMA.children["Say"]
    say = SCHEMA.children["Gather"]["Say"]
    assert say.body == "message" and set(say.attributes) == {"language", "voice", "loop"}
    record = SCHEMA.children["Response"]["Record"]
    assert record.attributes["recordingStatusCallback"] == "recording_status_callback"
    assert "Recording" in SCHEMA.children["Start"]


@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        ("<Response><Sya>hi</Sya></Response>", "no class renders <Sya>"),
        ("<Response><Say voise='alice'>hi</Say></Response>", "'voise' is not a parameter"),
        ("<Response><Gather><Dial>+1403</Dial></Gather></Response>", "Gather has no method"),
        ("<Response><Say>hi<Gather/></Say></Response>", "Say has no method nesting <Gather>"),
        ("<Response><Hangup>now</Hangup></Response>", "takes no body"),
        ("<Response><Gather num_digits='1'/></Response>", "'num_digits' is not a parameter"),
        ("<Response><Record>hi</Record></Response>", "takes no body"),
        ("<Say>hi</Say>", "root is <Say>"),
        ("<Response>stray<Say>hi</Say></Response>", "text outside any verb"),
        ("<Response><Say>hi", "not XML"),
    ],
)
def test_the_validator_rejects_what_the_sdk_would_not_write(document: str, complaint: str) -> None:
    found = problems(document)
    assert any(complaint in p for p in found), found


def test_every_builder_writes_sdk_twiml() -> None:
    org = uuid.uuid4()
    documents = [
        twiml.gather(
            "Hello?",
            action="/twilio/voice/gather",
            lang="fr",
            country="CA",
            hints=["drain cleaning", "Airdrie"],
            no_input_action="/twilio/voice/gather?noinput=1",
            num_digits=1,
            start_recording=twiml.recording_status_url(org_id=org),
        ),
        twiml.gather(
            "Press 1",
            action="/m",
            lang="en",
            country="US",
            no_input_action="/n",
            input_kinds="dtmf",
        ),
        twiml.say_and_hangup("Goodbye", lang="fr", country="CA"),
        twiml.reject(),
        twiml.dial(
            "Connecting",
            "+14035550101",
            action="/d",
            lang="en",
            country="CA",
            caller_id="+15875550100",
            record_callback=twiml.recording_status_url(org_id=org),
        ),
        twiml.dial(None, "+14035550101", action="/d", lang="en", country="CA", caller_id=None),
        twiml.record_voicemail(
            "Leave a message",
            action="/r",
            transcribe_callback="/t",
            recording_callback="/rs",
            lang="fr",
            country="CA",
        ),
        twiml.fallback("+15875550100"),
        twiml.fallback(None),
        str(twiml.VoiceResponse()),
    ]
    for document in documents:
        assert_valid(document)


async def test_all_twiml_of_a_varied_set_of_calls_is_valid(
    player: TwilioPlayer, runtime: Runtime, voice_documents: list[tuple[str, str]]
) -> None:
    ai = await make_org(runtime, hours=ALWAYS_OPEN, routing=ROUTING, recording={"enabled": True})
    menu = await make_org(
        runtime, receptionist={"mode": "menu"}, hours=ALWAYS_OPEN, routing=ROUTING
    )
    call = await player.start_call(CALLER, ai.phone_numbers[0], dial_outcome="no-answer")
    await player.press(call, "1")
    await player.silence(call)
    await player.silence(call)
    await player.say(call, "a pipe burst in the basement, there's water everywhere")
    await player.say(call, "can I talk to a person")
    await player.hang_up(call)
    for digit in ("1", "2", "9", "*", "4"):
        other = await player.start_call("+14035550177", menu.phone_numbers[0], dial_outcome="busy")
        await player.press(other, digit)
        await player.silence(other)
        await player.hang_up(other)
    seen = {path for path, _ in voice_documents}
    assert {
        "/twilio/voice",
        "/twilio/voice/consent",
        "/twilio/voice/gather",
        "/twilio/voice/menu",
        "/twilio/voice/dial-result",
        "/twilio/voice/recording",
        "/twilio/voice/recording-status",
        "/twilio/voice/status",
    } <= seen
    for _, document in voice_documents:  # checked here as well as by the fixture
        assert_valid(document)
