"""TwiML builders for the voice flow (the official SDK's VoiceResponse)."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from twilio.twiml.voice_response import Gather, VoiceResponse

__all__ = ["RECORDING_STATUS", "Gather", "VoiceResponse", "recording_status_url"]

# Where Twilio reports each recording (stored, linked for the owner, purged after retention).
RECORDING_STATUS = "/twilio/voice/recording-status"
RECORDING_EVENTS = "completed absent"


def recording_status_url(*, org_id: uuid.UUID | None = None, to: str | None = None) -> str:
    """Recording status callbacks carry no `To`: the business rides in the URL, which Twilio
    signs, so it cannot be altered. The org id when known; the called number otherwise (the
    database-free fallback)."""
    if org_id is not None:
        return f"{RECORDING_STATUS}?{urlencode({'org': str(org_id)})}"
    return f"{RECORDING_STATUS}?{urlencode({'to': to or ''})}"


LANG_CODES = {
    ("en", "CA"): "en-CA",
    ("fr", "CA"): "fr-CA",
    ("en", "US"): "en-US",
    ("fr", "US"): "fr-FR",
}


def language_code(lang: str, country: str) -> str:
    return LANG_CODES.get((lang, country), "fr-CA" if lang == "fr" else "en-US")


def gather(
    say: str,
    *,
    action: str,
    lang: str,
    country: str,
    hints: list[str] | None = None,
    no_input_action: str,
    input_kinds: str = "speech dtmf",
    num_digits: int | None = None,
    timeout: int = 5,
    start_recording: str | None = None,
) -> str:
    """Say inside a Gather that accepts speech (and keys); a Redirect after it is the no-input path.

    `start_recording` (its status callback URL) first starts recording the whole call: the
    caller has just consented."""
    code = language_code(lang, country)
    response = VoiceResponse()
    if start_recording:
        response.start().recording(
            recording_status_callback=start_recording,
            recording_status_callback_method="POST",
            recording_status_callback_event=RECORDING_EVENTS,
            track="both",
        )
    options: dict[str, object] = {
        "input": input_kinds,
        "action": action,
        "method": "POST",
        "language": code,
        "timeout": timeout,
        "action_on_empty_result": False,
    }
    if "speech" in input_kinds:
        options["speech_timeout"] = "auto"
        if hints:
            options["hints"] = ", ".join(h for h in hints if h)[:1000]
    if num_digits:
        options["num_digits"] = num_digits
    g = Gather(**options)
    g.say(say, language=code)
    response.append(g)
    response.redirect(no_input_action, method="POST")
    return str(response)


def say_and_hangup(text: str, *, lang: str = "en", country: str = "US") -> str:
    response = VoiceResponse()
    response.say(text, language=language_code(lang, country))
    response.hangup()
    return str(response)


def reject() -> str:
    response = VoiceResponse()
    response.reject()
    return str(response)


def dial(
    say: str | None,
    number: str,
    *,
    action: str,
    lang: str,
    country: str,
    caller_id: str | None,
    record_callback: str | None = None,
    timeout: int = 20,
) -> str:
    """Say (optional), then ring `number`; `record_callback` records the bridged call."""
    response = VoiceResponse()
    if say:
        response.say(say, language=language_code(lang, country))
    options: dict[str, object] = {"action": action, "method": "POST", "timeout": timeout}
    if caller_id:
        options["caller_id"] = caller_id
    if record_callback:
        options["record"] = "record-from-answer-dual"
        options["recording_status_callback"] = record_callback
        options["recording_status_callback_event"] = RECORDING_EVENTS
    response.dial(number, **options)
    return str(response)


def record_voicemail(
    say: str,
    *,
    action: str,
    transcribe_callback: str | None,
    recording_callback: str,
    lang: str,
    country: str,
) -> str:
    response = VoiceResponse()
    response.say(say, language=language_code(lang, country))
    options: dict[str, object] = {
        "max_length": 180,
        "finish_on_key": "#",
        "action": action,
        "method": "POST",
        "play_beep": True,
        "recording_status_callback": recording_callback,
        "recording_status_callback_event": RECORDING_EVENTS,
    }
    if transcribe_callback:
        options["transcribe"] = True
        options["transcribe_callback"] = transcribe_callback
    response.record(**options)
    response.say(
        "We did not receive a message. Goodbye."
        if lang == "en"
        else "Nous n'avons reçu aucun message. Au revoir.",
        language=language_code(lang, country),
    )
    response.hangup()
    return str(response)


def fallback(to: str | None = None) -> str:
    """No database needed: an apology and a voicemail box (used when everything else failed).
    `to`, the called number, lets the recording's callback find the business later."""
    response = VoiceResponse()
    response.say(
        "Sorry, we're having trouble right now. Please leave a message after the tone and we'll call you back."
    )
    response.record(
        max_length=180,
        finish_on_key="#",
        action="/twilio/voice/fallback-recording",
        method="POST",
        recording_status_callback=recording_status_url(to=to),
        recording_status_callback_event=RECORDING_EVENTS,
    )
    response.hangup()
    return str(response)
