"""TwiML builders for the voice flow (the official SDK's VoiceResponse)."""

from __future__ import annotations

from twilio.twiml.voice_response import Gather, VoiceResponse

__all__ = ["Gather", "VoiceResponse"]

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
) -> str:
    """Say inside a Gather that accepts speech (and keys); a Redirect after it is the no-input path."""
    code = language_code(lang, country)
    response = VoiceResponse()
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
    record: bool = False,
    timeout: int = 20,
) -> str:
    response = VoiceResponse()
    if say:
        response.say(say, language=language_code(lang, country))
    options: dict[str, object] = {"action": action, "method": "POST", "timeout": timeout}
    if caller_id:
        options["caller_id"] = caller_id
    if record:
        options["record"] = "record-from-answer-dual"
    response.dial(number, **options)
    return str(response)


def record_voicemail(
    say: str, *, action: str, transcribe_callback: str | None, lang: str, country: str
) -> str:
    response = VoiceResponse()
    response.say(say, language=language_code(lang, country))
    options: dict[str, object] = {
        "max_length": 180,
        "finish_on_key": "#",
        "action": action,
        "method": "POST",
        "play_beep": True,
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


def fallback() -> str:
    """No database needed: an apology and a voicemail box (used when everything else failed)."""
    response = VoiceResponse()
    response.say(
        "Sorry, we're having trouble right now. Please leave a message after the tone and we'll call you back."
    )
    response.record(
        max_length=180, finish_on_key="#", action="/twilio/voice/fallback-recording", method="POST"
    )
    response.hangup()
    return str(response)
