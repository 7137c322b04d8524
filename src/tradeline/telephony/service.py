"""Voice calls: the front door, the AI loop, emergencies, transfers and voicemail — always TwiML."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.conversation import service as conversations
from tradeline.conversation.answers import KnowledgeLookup
from tradeline.conversation.prompts import question
from tradeline.conversation.schemas import ActionKind, TurnResult
from tradeline.kit.phone import InvalidPhoneNumber, to_e164
from tradeline.logging import get_logger
from tradeline.models import Call
from tradeline.organization.policy import is_open
from tradeline.organization.schemas import BusinessProfileSpec
from tradeline.runtime import Runtime
from tradeline.telephony import lifecycle, recordings, repository, twiml

log = get_logger(__name__)
LOW_CONFIDENCE = 0.35

GATHER = "/twilio/voice/gather"
DIAL_RESULT = "/twilio/voice/dial-result"
VOICEMAIL = "/twilio/voice/voicemail"
RECORDING = "/twilio/voice/recording"
TRANSCRIPTION = "/twilio/voice/transcription"
CONSENT = "/twilio/voice/consent"
MENU = "/twilio/voice/menu"

TEXT = {
    "en": {
        "unknown": "Sorry, this number is not in service. Goodbye.",
        "consent": "This call may be recorded for quality. Press 1 or say yes to allow recording, or stay on the line to continue without it.",
        "low_confidence": "Sorry, I didn't quite catch that. Could you say it again?",
        "keypad_or_voicemail": "I'm having trouble hearing you. Press 0 to reach someone, or stay on the line to leave a voicemail.",
        "voicemail": "Please leave your name, number and a short message after the tone, then press pound.",
        "voicemail_thanks": "Thank you, we've got your message and will call you back. Goodbye.",
        "menu": "For sales, press 1. For support, press 2. To leave a voicemail, press 9. To hear this again, press star.",
        "busy": "Nobody could take your call right now.",
        "transfer_closed": "Our team is away right now, so I'll take the details and have someone call you back.",
        "after_hours": "Our office is closed right now, but I can take your details and have someone call you back.",
        "menu_closed": "Our office is closed right now.",
    },
    "fr": {
        "unknown": "Désolé, ce numéro n'est pas en service. Au revoir.",
        "consent": "Cet appel peut être enregistré. Appuyez sur 1 ou dites oui pour accepter, ou restez en ligne pour continuer sans enregistrement.",
        "low_confidence": "Désolé, je n'ai pas bien compris. Pouvez-vous répéter?",
        "keypad_or_voicemail": "J'ai du mal à vous entendre. Appuyez sur 0 pour parler à quelqu'un, ou restez en ligne pour laisser un message.",
        "voicemail": "Laissez votre nom, votre numéro et un court message après le bip, puis appuyez sur le dièse.",
        "voicemail_thanks": "Merci, nous avons votre message et vous rappellerons. Au revoir.",
        "menu": "Pour les ventes, appuyez sur 1. Pour le soutien, appuyez sur 2. Pour laisser un message, appuyez sur 9. Pour réécouter, appuyez sur étoile.",
        "busy": "Personne n'a pu prendre votre appel pour le moment.",
        "transfer_closed": "Notre équipe est absente pour le moment; je vais prendre vos coordonnées.",
        "after_hours": "Nos bureaux sont fermés en ce moment, mais je peux prendre vos coordonnées pour qu'on vous rappelle.",
        "menu_closed": "Nos bureaux sont fermés en ce moment.",
    },
}


def _url(path: str, **query: str) -> str:
    return f"{path}?{urlencode(query)}" if query else path


def hints(profile: BusinessProfileSpec) -> list[str]:
    return [*profile.services, *profile.service_area, *profile.emergency_keywords, profile.name][
        :50
    ]


def callbacks(org_id: uuid.UUID) -> str:
    """The recording status callback URL of this business's calls."""
    return twiml.recording_status_url(org_id=org_id)


def open_now(profile: BusinessProfileSpec) -> bool:
    """Business hours and holidays, in the business's own time zone."""
    return is_open(profile, datetime.now(UTC))


async def get_call(session: AsyncSession, org_id: uuid.UUID, call_sid: str) -> Call | None:
    return await repository.get_call(session, org_id, call_sid)


async def start_call(
    session: AsyncSession,
    runtime: Runtime,
    *,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    params: Mapping[str, str],
) -> str:
    call_sid = params.get("CallSid", "")
    caller = _caller(params, profile)
    lang = profile.languages[0]
    if profile.receptionist.mode != "menu" and not profile.recording.enabled:
        # The AI answers at once. The call's conversation (keyed by CallSid) says whether
        # Twilio is retrying a call we already took: no separate lookup of the call first.
        thread = await _open_thread(session, runtime, call_sid, org_id, profile, caller)
        call = None if thread.is_new else await get_call(session, org_id, call_sid)
        new = call is None
        call = call or _new_call(runtime, org_id, params, caller)
        call.conversation_id = thread.conversation.id
        return await ai_opening(
            session,
            runtime,
            call,
            org_id=org_id,
            profile=profile,
            caller=caller,
            new_call=new,
            thread=thread,
        )
    call = await get_call(session, org_id, call_sid)
    if call is None:
        call = _new_call(runtime, org_id, params, caller)
        await repository.add_call(session, call)
    if profile.receptionist.mode == "menu":
        return menu_twiml(profile, lang)
    return twiml.gather(
        TEXT[lang]["consent"],
        action=CONSENT,
        lang=lang,
        country=profile.country,
        no_input_action=_url(CONSENT, noinput="1"),
        num_digits=1,
    )


def _new_call(
    runtime: Runtime, org_id: uuid.UUID, params: Mapping[str, str], caller: str | None
) -> Call:
    call = Call(
        id=uuid.uuid4(),
        organization_id=org_id,
        call_sid=params.get("CallSid", ""),
        to_number=params.get("To", ""),
        status=params.get("CallStatus", "ringing"),
        direction=params.get("Direction", "inbound"),
    )
    if caller:
        call.from_enc = runtime.pii.seal(
            caller, org_id=org_id, table="calls", row_id=call.id, column="from_enc"
        )
        call.from_bidx = runtime.pii.phone_index(org_id, caller)
    return call


def _caller(params: Mapping[str, str], profile: BusinessProfileSpec) -> str | None:
    try:
        return to_e164(params.get("From", ""), profile.country)
    except InvalidPhoneNumber:
        return None  # withheld caller ID ("anonymous", "+266696687")


async def _thread(
    session: AsyncSession,
    runtime: Runtime,
    call: Call,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    caller: str | None,
) -> conversations.Thread:
    thread = await _open_thread(session, runtime, call.call_sid, org_id, profile, caller)
    call.conversation_id = thread.conversation.id
    return thread


async def _open_thread(
    session: AsyncSession,
    runtime: Runtime,
    call_sid: str,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    caller: str | None,
) -> conversations.Thread:
    """The call's conversation; the caller's contact is looked up only when the call starts
    (every later turn of the call already has it)."""
    now = datetime.now(UTC)
    thread = await conversations.continuing_thread(
        session, runtime, org_id=org_id, channel="voice", thread_key=call_sid, now=now
    )
    if thread is not None:
        return thread
    return await conversations.start_thread(
        session,
        runtime,
        org_id=org_id,
        profile=profile,
        channel="voice",
        thread_key=call_sid,
        caller_number=caller,
        now=now,
        contact=await conversations.find_or_create_contact(session, runtime, org_id, caller),
    )


async def ai_opening(
    session: AsyncSession,
    runtime: Runtime,
    call: Call,
    *,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    caller: str | None,
    start_recording: bool = False,
    new_call: bool = False,
    thread: conversations.Thread | None = None,
) -> str:
    if thread is None:
        thread = await _thread(session, runtime, call, org_id, profile, caller)
    if new_call:
        # Written once, with its conversation already set (one INSERT, no UPDATE after it).
        session.add(call)
    thread.state.consent_recording = bool(call.recorded) if profile.recording.enabled else None
    text = conversations.opening_line(thread, profile, "voice")
    if not open_now(profile):
        # After hours the receptionist says so and takes the message; emergencies still go
        # to on_call, day or night.
        text = after_hours_opening(text, thread.state.language)
    await conversations.record_turn(session, runtime, thread.conversation, "assistant", text)
    await conversations.save_state(session, runtime, thread)
    return _gather(
        text, thread, profile, start_recording=callbacks(org_id) if start_recording else None
    )


def after_hours_opening(opening: str, lang: str) -> str:
    """The greeting, then the closed notice, then the first question."""
    ask = question(lang, "job")
    notice = TEXT[lang]["after_hours"]
    if opening.endswith(ask):
        return f"{opening[: -len(ask)].rstrip()} {notice} {ask}"
    return f"{opening} {notice}"


def _gather(
    text: str,
    thread: conversations.Thread,
    profile: BusinessProfileSpec,
    *,
    start_recording: str | None = None,
) -> str:
    return twiml.gather(
        text,
        action=GATHER,
        lang=thread.state.language,
        country=profile.country,
        hints=hints(profile),
        no_input_action=_url(GATHER, noinput="1"),
        start_recording=start_recording,
    )


async def consent(
    session: AsyncSession,
    runtime: Runtime,
    *,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    params: Mapping[str, str],
    no_input: bool,
) -> str:
    """DTMF 1 or a spoken yes → recording; silence, error or anything else → none (fail-safe)."""
    from tradeline.consent import service as consent_ledger

    call = await get_call(session, org_id, params.get("CallSid", ""))
    if call is None:
        return twiml.say_and_hangup(TEXT[profile.languages[0]]["unknown"])
    speech = (params.get("SpeechResult") or "").strip().lower()
    granted = not no_input and (
        params.get("Digits") == "1" or speech.startswith(("yes", "yeah", "sure", "oui", "ok"))
    )
    # A repeated consent request (Twilio retry) must not start a second recording.
    first = await repository.add_event(
        session, call, "consent", {"granted": granted}, sequence=0, dedupe_key="consent"
    )
    if not first:
        granted = call.recorded
    call.recorded = granted
    caller = _caller(params, profile)
    if caller and first:
        await consent_ledger.record(
            session,
            runtime,
            org_id,
            caller,
            channel="voice",
            purpose="recording",
            basis="express",
            granted=granted,
            source="voice_keypad" if params.get("Digits") else "voice_speech",
            wording=TEXT[profile.languages[0]]["consent"],
            evidence=call.call_sid,
        )
    return await ai_opening(
        session,
        runtime,
        call,
        org_id=org_id,
        profile=profile,
        caller=caller,
        start_recording=granted and first,
    )


async def speech_turn(
    session: AsyncSession,
    runtime: Runtime,
    *,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    params: Mapping[str, str],
    no_input: bool,
    lookup: KnowledgeLookup | None,
) -> str:
    call = await get_call(session, org_id, params.get("CallSid", ""))
    caller = _caller(params, profile)
    if call is None:  # a Gather for a call we never saw start: begin it now
        return await start_call(session, runtime, org_id=org_id, profile=profile, params=params)
    thread = await _thread(session, runtime, call, org_id, profile, caller)
    lang = thread.state.language
    digits = params.get("Digits", "")
    speech = params.get("SpeechResult", "").strip()
    confidence = float(params.get("Confidence") or 1.0) if speech else 1.0
    if digits == "0":
        return await transfer(session, runtime, call, thread, profile)
    if no_input or (not speech and not digits):
        misses = int(thread.conversation.meta.get("misses", 0)) + 1
        thread.conversation.meta = {**thread.conversation.meta, "misses": misses}
        if misses >= 2:
            return twiml.gather(
                TEXT[lang]["keypad_or_voicemail"],
                action=GATHER,
                lang=lang,
                country=profile.country,
                no_input_action=VOICEMAIL,
                input_kinds="dtmf speech",
                num_digits=1,
            )
        question = thread.state.last_question or "job"
        from tradeline.conversation.engine import _question_for

        return _gather(
            f"{TEXT[lang]['low_confidence']} {_question_for(question, thread.state)}",
            thread,
            profile,
        )
    if speech and confidence < LOW_CONFIDENCE and not thread.conversation.meta.get("asked_again"):
        thread.conversation.meta = {**thread.conversation.meta, "asked_again": True}
        return _gather(TEXT[lang]["low_confidence"], thread, profile)
    thread.conversation.meta = {**thread.conversation.meta, "asked_again": False, "misses": 0}
    result = await conversations.take_turn(
        session,
        runtime,
        thread,
        profile=profile,
        text=speech or digits,
        channel="voice",
        lookup=lookup,
    )
    return await _act(session, runtime, call, thread, profile, result)


async def _act(
    session: AsyncSession,
    runtime: Runtime,
    call: Call,
    thread: conversations.Thread,
    profile: BusinessProfileSpec,
    result: TurnResult,
) -> str:
    lang = result.state.language
    if result.has(ActionKind.ESCALATE):
        await repository.add_event(session, call, "emergency_dial")
        if profile.routing.on_call:
            return twiml.dial(
                result.reply,
                profile.routing.on_call,
                action=_url(DIAL_RESULT, reason="emergency"),
                lang=lang,
                country=profile.country,
                caller_id=call.to_number or None,
            )
        from tradeline.notification.service import alert_owner_emergency

        await alert_owner_emergency(
            session,
            runtime,
            call.organization_id,
            profile,
            conversation_id=thread.conversation.id,
            reason=result.state.emergency_reason,
        )
        resumed = await conversations.take_resume(
            session, runtime, thread, profile=profile, channel="voice"
        )
        return _gather(resumed.reply, thread, profile)
    if result.has(ActionKind.TRANSFER):
        return await transfer(session, runtime, call, thread, profile, said=result.reply)
    if result.has(ActionKind.END):
        from tradeline.conversation.prompts import phrase

        return twiml.say_and_hangup(
            f"{result.reply} {phrase(lang, 'goodbye')}", lang=lang, country=profile.country
        )
    return _gather(result.reply, thread, profile)


async def transfer(
    session: AsyncSession,
    runtime: Runtime,
    call: Call,
    thread: conversations.Thread,
    profile: BusinessProfileSpec,
    said: str | None = None,
) -> str:
    lang = thread.state.language
    target = profile.routing.support or profile.routing.sales
    if target and open_now(profile):
        await repository.add_event(session, call, "transfer")
        from tradeline.conversation.prompts import phrase

        # No <Dial record>: a consented call is recorded whole from consent on (<Start>).
        return twiml.dial(
            said or phrase(lang, "transfer"),
            target,
            action=_url(DIAL_RESULT, reason="transfer"),
            lang=lang,
            country=profile.country,
            caller_id=call.to_number or None,
        )
    from tradeline.conversation.engine import _question_for, next_slot

    slot = next_slot(thread.state) or "job"
    return _gather(
        f"{TEXT[lang]['transfer_closed']} {_question_for(slot, thread.state)}", thread, profile
    )


async def dial_result(
    session: AsyncSession,
    runtime: Runtime,
    *,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    params: Mapping[str, str],
    reason: str,
) -> str:
    """After a <Dial>: nobody answered an emergency → alert by text and take the details;
    a transfer nobody took → voicemail."""
    call = await get_call(session, org_id, params.get("CallSid", ""))
    if call is None:
        return twiml.say_and_hangup(TEXT[profile.languages[0]]["unknown"])
    status, _ = await lifecycle.dial_finished(session, call, params)
    thread = await _thread(session, runtime, call, org_id, profile, _caller(params, profile))
    lang = thread.state.language
    if reason == "emergency":
        if status != "completed":
            from tradeline.notification.service import alert_owner_emergency

            await alert_owner_emergency(
                session,
                runtime,
                org_id,
                profile,
                conversation_id=thread.conversation.id,
                reason=thread.state.emergency_reason,
            )
        resumed = await conversations.take_resume(
            session, runtime, thread, profile=profile, channel="voice"
        )
        if resumed.has(ActionKind.END):
            from tradeline.conversation.prompts import phrase

            return twiml.say_and_hangup(
                f"{resumed.reply} {phrase(lang, 'goodbye')}", lang=lang, country=profile.country
            )
        return _gather(resumed.reply, thread, profile)
    if status == "completed":
        return twiml.say_and_hangup(
            "Goodbye." if lang == "en" else "Au revoir.", lang=lang, country=profile.country
        )
    return await voicemail(session, org_id, call, profile, lang, prefix=TEXT[lang]["busy"])


async def voicemail(
    session: AsyncSession,
    org_id: uuid.UUID,
    call: Call | None,
    profile: BusinessProfileSpec,
    lang: str,
    prefix: str | None = None,
) -> str:
    """The voicemail box, noted on the timeline: the follow-up waits for the message."""
    if call is not None:
        await repository.add_event(session, call, "voicemail_prompt")
    return voicemail_twiml(org_id, profile, lang, prefix=prefix)


async def voicemail_entry(
    session: AsyncSession,
    *,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    params: Mapping[str, str],
) -> str:
    """`/twilio/voice/voicemail`: reached by Redirect when the caller could not be heard."""
    call = await get_call(session, org_id, params.get("CallSid", ""))
    return await voicemail(session, org_id, call, profile, profile.languages[0])


def voicemail_twiml(
    org_id: uuid.UUID, profile: BusinessProfileSpec, lang: str, prefix: str | None = None
) -> str:
    text = f"{prefix} {TEXT[lang]['voicemail']}" if prefix else TEXT[lang]["voicemail"]
    return twiml.record_voicemail(
        text,
        action=RECORDING,
        transcribe_callback=_url(TRANSCRIPTION, org=str(org_id)),
        recording_callback=callbacks(org_id),
        lang=lang,
        country=profile.country,
    )


async def recording_done(
    session: AsyncSession,
    runtime: Runtime,
    *,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    params: Mapping[str, str],
) -> str:
    call = await repository.get_call(session, org_id, params.get("CallSid", ""), lock=True)
    lang = profile.languages[0]
    if call is not None and params.get("RecordingUrl"):
        call.recording_url = params["RecordingUrl"][:500]
        sid = params.get("RecordingSid", "")
        await repository.add_event(
            session,
            call,
            "voicemail",
            {"duration": params.get("RecordingDuration"), "recording_sid": sid},
            dedupe_key=f"voicemail:{sid}"[:100] if sid else None,
        )
        await recordings.store(
            session, org_id=org_id, call=call, params=params, source="voicemail", status="completed"
        )
        # The caller may hang up on the recording: the call can be over before this lands.
        await lifecycle.follow_up_if_ended(session, call)
    return twiml.say_and_hangup(TEXT[lang]["voicemail_thanks"], lang=lang, country=profile.country)


async def transcription(
    session: AsyncSession, runtime: Runtime, *, org_id: uuid.UUID, params: Mapping[str, str]
) -> None:
    call = await get_call(session, org_id, params.get("CallSid", ""))
    text = params.get("TranscriptionText")
    if call is not None and text:
        call.voicemail_transcript_enc = runtime.pii.seal(
            text, org_id=org_id, table="calls", row_id=call.id, column="voicemail_transcript_enc"
        )
        await session.flush()


def menu_twiml(profile: BusinessProfileSpec, lang: str, *, retry: int = 0) -> str:
    greeting = profile.receptionist.greeting or profile.name
    say = f"{greeting}. {TEXT[lang]['menu']}" if retry == 0 else TEXT[lang]["menu"]
    return twiml.gather(
        say,
        action=_url(MENU, retry=str(retry)),
        lang=lang,
        country=profile.country,
        input_kinds="dtmf",
        num_digits=1,
        no_input_action=_url(MENU, retry=str(retry), noinput="1"),
    )


async def menu_choice(
    session: AsyncSession,
    runtime: Runtime,
    *,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    params: Mapping[str, str],
    retry: int,
    no_input: bool,
) -> str:
    lang = profile.languages[0]
    digit = "" if no_input else params.get("Digits", "")
    call = await get_call(session, org_id, params.get("CallSid", ""))
    caller_id = call.to_number if call else None
    if digit == "*":
        return menu_twiml(profile, lang, retry=retry)
    if digit in ("1", "2"):
        target = profile.routing.sales if digit == "1" else profile.routing.support
        if not open_now(profile):
            # Nobody is at the sales or support phone after hours: straight to the message.
            return await voicemail(
                session, org_id, call, profile, lang, prefix=TEXT[lang]["menu_closed"]
            )
        if target:
            if call is not None:
                await repository.add_event(session, call, "transfer", {"menu": digit})
            return twiml.dial(
                None,
                target,
                action=_url(DIAL_RESULT, reason="menu"),
                lang=lang,
                country=profile.country,
                caller_id=caller_id,
            )
        return await voicemail(session, org_id, call, profile, lang)
    if digit == "9":
        return await voicemail(session, org_id, call, profile, lang)
    if retry < 1:
        return menu_twiml(profile, lang, retry=retry + 1)
    return await voicemail(session, org_id, call, profile, lang)
