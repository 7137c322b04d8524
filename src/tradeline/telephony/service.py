"""Voice calls: the front door, the AI loop, emergencies, transfers and voicemail — always TwiML."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.conversation import service as conversations
from tradeline.conversation.answers import KnowledgeLookup
from tradeline.conversation.schemas import ActionKind, TurnResult
from tradeline.kit.phone import InvalidPhoneNumber, to_e164
from tradeline.logging import get_logger
from tradeline.models import Call, CallEvent
from tradeline.organization.policy import is_open
from tradeline.organization.schemas import BusinessProfileSpec
from tradeline.runtime import Runtime
from tradeline.telephony import twiml

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
    },
}


def _url(path: str, **query: str) -> str:
    return f"{path}?{urlencode(query)}" if query else path


def hints(profile: BusinessProfileSpec) -> list[str]:
    return [*profile.services, *profile.service_area, *profile.emergency_keywords, profile.name][
        :50
    ]


async def get_call(session: AsyncSession, call_sid: str) -> Call | None:
    return (
        await session.execute(select(Call).where(Call.call_sid == call_sid))
    ).scalar_one_or_none()


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
    call = await get_call(session, call_sid)
    if call is None:
        call = Call(
            id=uuid.uuid4(),
            organization_id=org_id,
            call_sid=call_sid,
            to_number=params.get("To", ""),
            status=params.get("CallStatus", "ringing"),
            direction=params.get("Direction", "inbound"),
        )
        if caller:
            call.from_enc = runtime.pii.seal(
                caller, org_id=org_id, table="calls", row_id=call.id, column="from_enc"
            )
            call.from_bidx = runtime.pii.phone_index(org_id, caller)
        session.add(call)
        await session.flush()
    lang = profile.languages[0]
    if profile.receptionist.mode == "menu":
        return menu_twiml(profile, lang)
    if profile.recording.enabled:
        return twiml.gather(
            TEXT[lang]["consent"],
            action=CONSENT,
            lang=lang,
            country=profile.country,
            no_input_action=_url(CONSENT, noinput="1"),
            num_digits=1,
        )
    return await ai_opening(session, runtime, call, org_id=org_id, profile=profile, caller=caller)


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
    contact = await conversations.find_or_create_contact(session, runtime, org_id, caller)
    thread = await conversations.load_or_start(
        session,
        runtime,
        org_id=org_id,
        profile=profile,
        channel="voice",
        thread_key=call.call_sid,
        caller_number=caller,
        now=datetime.now(UTC),
        contact=contact,
    )
    call.conversation_id = thread.conversation.id
    return thread


async def ai_opening(
    session: AsyncSession,
    runtime: Runtime,
    call: Call,
    *,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    caller: str | None,
) -> str:
    thread = await _thread(session, runtime, call, org_id, profile, caller)
    thread.state.consent_recording = bool(call.recorded) if profile.recording.enabled else None
    text = conversations.opening_line(thread, profile, "voice")
    if not is_open(profile, datetime.now(UTC)):
        text = text  # after hours the AI takes the message; emergencies still reach on_call
    await conversations.record_turn(session, runtime, thread.conversation, "assistant", text)
    await conversations.save_state(session, runtime, thread)
    return _gather(text, thread, profile)


def _gather(text: str, thread: conversations.Thread, profile: BusinessProfileSpec) -> str:
    return twiml.gather(
        text,
        action=GATHER,
        lang=thread.state.language,
        country=profile.country,
        hints=hints(profile),
        no_input_action=_url(GATHER, noinput="1"),
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

    call = await get_call(session, params.get("CallSid", ""))
    if call is None:
        return twiml.say_and_hangup(TEXT[profile.languages[0]]["unknown"])
    speech = (params.get("SpeechResult") or "").strip().lower()
    granted = not no_input and (
        params.get("Digits") == "1" or speech.startswith(("yes", "yeah", "sure", "oui", "ok"))
    )
    call.recorded = granted
    caller = _caller(params, profile)
    if caller:
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
    return await ai_opening(session, runtime, call, org_id=org_id, profile=profile, caller=caller)


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
    call = await get_call(session, params.get("CallSid", ""))
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
    if result.has(ActionKind.KNOWLEDGE_GAP):
        await conversations.record_knowledge_gap(session, runtime, call.organization_id, result)
    if result.has(ActionKind.ESCALATE):
        await _event(session, call, "emergency_dial")
        if profile.routing.on_call:
            return twiml.dial(
                result.reply,
                profile.routing.on_call,
                action=_url(DIAL_RESULT, reason="emergency"),
                lang=lang,
                country=profile.country,
                caller_id=call.to_number or None,
                record=call.recorded,
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
    if target and is_open(profile, datetime.now(UTC)):
        await _event(session, call, "transfer")
        from tradeline.conversation.prompts import phrase

        return twiml.dial(
            said or phrase(lang, "transfer"),
            target,
            action=_url(DIAL_RESULT, reason="transfer"),
            lang=lang,
            country=profile.country,
            caller_id=call.to_number or None,
            record=call.recorded,
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
    call = await get_call(session, params.get("CallSid", ""))
    status = params.get("DialCallStatus", "failed")
    if call is None:
        return twiml.say_and_hangup(TEXT[profile.languages[0]]["unknown"])
    await _event(session, call, f"dial_{status}")
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
    return voicemail_twiml(profile, lang, prefix=TEXT[lang]["busy"])


def voicemail_twiml(profile: BusinessProfileSpec, lang: str, prefix: str | None = None) -> str:
    text = f"{prefix} {TEXT[lang]['voicemail']}" if prefix else TEXT[lang]["voicemail"]
    return twiml.record_voicemail(
        text,
        action=RECORDING,
        transcribe_callback=TRANSCRIPTION,
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
    call = await get_call(session, params.get("CallSid", ""))
    lang = profile.languages[0]
    if call is not None and params.get("RecordingUrl"):
        call.recording_url = params["RecordingUrl"][:500]
        await _event(session, call, "voicemail", {"duration": params.get("RecordingDuration")})
    return twiml.say_and_hangup(TEXT[lang]["voicemail_thanks"], lang=lang, country=profile.country)


async def transcription(
    session: AsyncSession, runtime: Runtime, *, org_id: uuid.UUID, params: Mapping[str, str]
) -> None:
    call = await get_call(session, params.get("CallSid", ""))
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
    profile: BusinessProfileSpec,
    params: Mapping[str, str],
    retry: int,
    no_input: bool,
) -> str:
    lang = profile.languages[0]
    digit = "" if no_input else params.get("Digits", "")
    call = await get_call(session, params.get("CallSid", ""))
    record = bool(call and call.recorded)
    caller_id = call.to_number if call else None
    if digit == "*":
        return menu_twiml(profile, lang, retry=retry)
    if digit in ("1", "2"):
        target = profile.routing.sales if digit == "1" else profile.routing.support
        if target:
            return twiml.dial(
                None,
                target,
                action=_url(DIAL_RESULT, reason="menu"),
                lang=lang,
                country=profile.country,
                caller_id=caller_id,
                record=record,
            )
        return voicemail_twiml(profile, lang)
    if digit == "9":
        return voicemail_twiml(profile, lang)
    if retry < 1:
        return menu_twiml(profile, lang, retry=retry + 1)
    return voicemail_twiml(profile, lang)


async def status_callback(
    session: AsyncSession, runtime: Runtime, *, org_id: uuid.UUID, params: Mapping[str, str]
) -> None:
    """Deduped on (CallSid, SequenceNumber); late events never move a final call backwards."""
    call = await get_call(session, params.get("CallSid", ""))
    if call is None:
        return
    sequence = int(params.get("SequenceNumber") or 0)
    status = params.get("CallStatus", "")
    from sqlalchemy.dialects.postgresql import insert

    inserted = await session.execute(
        insert(CallEvent)
        .values(
            id=uuid.uuid4(),
            organization_id=org_id,
            call_id=call.id,
            kind="status",
            sequence=sequence,
            data={"status": status},
        )
        .on_conflict_do_nothing(constraint="uq_call_events_seq")
        .returning(CallEvent.id)
    )
    if inserted.first() is None or sequence < call.last_sequence:
        return
    call.last_sequence = sequence
    call.status = status
    if params.get("CallDuration"):
        call.duration_seconds = int(params["CallDuration"])
    if status in ("completed", "busy", "failed", "no-answer", "canceled"):
        call.ended_at = datetime.now(UTC)
    await session.flush()


async def _event(
    session: AsyncSession, call: Call, kind: str, data: dict[str, object] | None = None
) -> None:
    count = (
        await session.execute(
            select(CallEvent.id).where(CallEvent.call_id == call.id, CallEvent.kind == kind)
        )
    ).all()
    session.add(
        CallEvent(
            organization_id=call.organization_id,
            call_id=call.id,
            kind=kind,
            sequence=len(count),
            data=data or {},
        )
    )
    await session.flush()
