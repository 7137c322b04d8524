"""Texts in and out.

Inbound: inbox dedupe, opt-out law, then the conversation engine; the reply as TwiML.
Outbound: `send_sms` writes a `pending` message in the caller's transaction and defers a job
that sends it after commit (`tradeline.sms.tasks`), never unless the consent policy allows.
Status callbacks: deduplicated on (MessageSid, MessageStatus), monotonic.
Missed calls: `missed_call_text_back`, once per call.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from twilio.twiml.messaging_response import MessagingResponse

from tradeline.consent import service as consent
from tradeline.conversation import repository as conversation_repository
from tradeline.conversation import service as conversations
from tradeline.conversation.answers import KnowledgeLookup
from tradeline.conversation.extract.emergency import detect_emergency
from tradeline.conversation.extract.keywords import classify_keyword
from tradeline.conversation.extract.language import detect_language
from tradeline.conversation.schemas import ActionKind, ConversationState, TurnResult
from tradeline.exceptions import Unprocessable
from tradeline.kit.phone import InvalidPhoneNumber, to_e164
from tradeline.logging import get_logger
from tradeline.models import Call, ExternalEvent, Message
from tradeline.models.messaging import OutboundSms
from tradeline.organization import service as organizations
from tradeline.organization.schemas import BusinessProfileSpec
from tradeline.runtime import Runtime
from tradeline.sms import repository
from tradeline.sms.policy import segments
from tradeline.sms.tasks import deliver
from tradeline.worker.app import enqueue

log = get_logger(__name__)
INBOX_SOURCE = "twilio.sms"
MAX_BODY = 1600  # Twilio's limit for one message (it splits into segments itself)

STOP_CONFIRMATION = {
    "en": "You're unsubscribed from {name} texts and won't receive more. Reply START to resubscribe.",
    "fr": "Vous êtes désabonné des textos de {name} et n'en recevrez plus. Répondez START pour vous réabonner.",
}
START_CONFIRMATION = {
    "en": "You're resubscribed to texts from {name}. Reply STOP to unsubscribe, HELP for help.",
    "fr": "Vous êtes réabonné aux textos de {name}. Répondez STOP pour vous désabonner, AIDE pour de l'aide.",
}
HELP_TEXT = {
    "en": "{name}: call or text us at {number}{email}. Reply STOP to unsubscribe.",
    "fr": "{name} : appelez-nous ou textez-nous au {number}{email}. Répondez STOP pour vous désabonner.",
}
TEXT_BACK = {
    "en": "Hi, this is {name}. Sorry we missed your call! Reply here and we'll help by text. What can we do for you? Reply STOP to opt out.",
    "fr": "Bonjour, ici {name}. Désolés d'avoir manqué votre appel! Répondez ici et nous vous aiderons par texto. Que pouvons-nous faire pour vous? Répondez STOP pour vous désabonner.",
}
TEXT_BACK_WITH_JOB = {
    "en": "Hi{first}, this is {name}. Sorry we missed your call about {job}. Reply here to carry on by text and we'll take care of it. Reply STOP to opt out.",
    "fr": "Bonjour{first}, ici {name}. Désolés d'avoir manqué votre appel au sujet de : {job}. Répondez ici pour continuer par texto. Répondez STOP pour vous désabonner.",
}


# "Yes" re-subscribes a number that opted out; for everyone else it is just an answer.
_EXPLICIT_START = re.compile(r"^\W*(?:start|unstop)\W*$", re.IGNORECASE)
_FRENCH_KEYWORD = re.compile(
    r"\b(?:arr[êe]t(?:ez)?|d[ée]sabonner|d[ée]sinscrire|aide|r[ée]abonner|recommencer|m'[ée]crivez)\b",
    re.IGNORECASE,
)


def twiml(reply: str | None) -> str:
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return str(response)


async def replay(
    session: AsyncSession, runtime: Runtime, org_id: uuid.UUID, message_sid: str
) -> str | None:
    """A repeated MessageSid gets the reply stored for it, and nothing changes."""
    row = await repository.inbox_event(session, org_id, message_sid)
    if row is None:
        return None
    stored = runtime.pii.open(
        row.response_enc,
        org_id=org_id,
        table="external_events",
        row_id=row.id,
        column="response_enc",
    )
    return stored if stored is not None else twiml(None)


# --- inbound -------------------------------------------------------------------------------


async def handle_inbound(
    session: AsyncSession,
    runtime: Runtime,
    *,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    params: Mapping[str, str],
    lookup: KnowledgeLookup | None,
) -> tuple[str, TurnResult | None]:
    """Returns (TwiML, the engine's turn if the engine ran)."""
    message_sid = params.get("MessageSid") or params.get("SmsSid") or ""
    inbox = ExternalEvent(
        id=uuid.uuid4(), organization_id=org_id, source=INBOX_SOURCE, external_id=message_sid
    )
    inbox.payload_enc = runtime.pii.vault.encrypt(
        json.dumps(dict(params)),
        org_id=org_id,
        table="external_events",
        row_id=inbox.id,
        column="payload_enc",
    )
    await repository.add(session, inbox)
    body = (params.get("Body") or "").strip()
    repository.add_usage(session, org_id, "sms_in", segments(body), message_sid[:64] or None)

    try:
        sender = to_e164(params.get("From", ""), profile.country)
    except InvalidPhoneNumber:
        sender = None
    result: TurnResult | None = None
    reply: str | None = None
    if sender is None or sender in profile.blocklist:
        log.info(
            "sms_ignored", reason="blocklist" if sender else "no sender", message_sid=message_sid
        )
    else:
        reply, result = await _respond(
            session, runtime, org_id, profile, sender, body, params, lookup
        )
    response = twiml(reply)
    inbox.response_enc = runtime.pii.vault.encrypt(
        response, org_id=org_id, table="external_events", row_id=inbox.id, column="response_enc"
    )
    inbox.processed_at = datetime.now(UTC)
    await session.flush()
    return response, result


def _business_number(params: Mapping[str, str], profile: BusinessProfileSpec) -> str:
    """The number the customer texted (an opt-out there covers all the business's numbers)."""
    to = params.get("To", "")
    return to if to in profile.phone_numbers else profile.phone_numbers[0]


async def _respond(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    sender: str,
    body: str,
    params: Mapping[str, str],
    lookup: KnowledgeLookup | None,
) -> tuple[str | None, TurnResult | None]:
    message_sid = params.get("MessageSid", "")
    business = _business_number(params, profile)
    keyword = classify_keyword(body)
    lang = detect_language(body, profile.languages[0])
    if keyword and _FRENCH_KEYWORD.search(body):
        lang = "fr"
    opted_out = await consent.is_sms_opted_out(session, runtime, org_id, sender)
    contact = await conversations.find_or_create_contact(session, runtime, org_id, sender)
    await _store_message(
        session, runtime, org_id, business, sender, body, "inbound", message_sid, "received"
    )
    managed = runtime.settings.twilio_managed_opt_out

    if keyword == "stop":
        if opted_out:
            return None, None  # a repeated STOP gets nothing
        await consent.record(
            session,
            runtime,
            org_id,
            sender,
            channel="sms",
            purpose="all",
            basis="express",
            granted=False,
            source="sms_keyword",
            wording="STOP keyword (the message is kept, sealed, under its MessageSid)",
            evidence=message_sid,
        )
        if managed:
            return None, None  # Twilio Advanced Opt-Out confirms it itself
        return await _reply(
            session,
            runtime,
            org_id,
            business,
            sender,
            STOP_CONFIRMATION[lang].format(name=profile.name),
        ), None
    if keyword == "start" and (opted_out or _EXPLICIT_START.match(body)):
        await consent.record(
            session,
            runtime,
            org_id,
            sender,
            channel="sms",
            purpose="all",
            basis="express",
            granted=True,
            source="sms_keyword",
            wording="START keyword (the message is kept, sealed, under its MessageSid)",
            evidence=message_sid,
        )
        if managed:
            return None, None
        return await _reply(
            session,
            runtime,
            org_id,
            business,
            sender,
            START_CONFIRMATION[lang].format(name=profile.name),
        ), None
    if keyword == "help":
        if managed:
            return None, None
        email = (
            f" or email {profile.notify.email}"
            if profile.notify.email and lang == "en"
            else (f" ou écrivez à {profile.notify.email}" if profile.notify.email else "")
        )
        text = HELP_TEXT[lang].format(name=profile.name, number=business, email=email)
        return await _reply(session, runtime, org_id, business, sender, text), None
    if opted_out:
        emergency = detect_emergency(
            body, keywords=profile.emergency_keywords, lang=lang, cold_season=True
        )
        if emergency.is_emergency:
            from tradeline.notification.service import alert_owner_emergency

            await alert_owner_emergency(
                session, runtime, org_id, profile, conversation_id=None, reason=emergency.reason
            )
        return None, None

    now = datetime.now(UTC)
    await consent.note_inquiry(
        session,
        runtime,
        org_id,
        sender,
        channel="sms",
        source="sms_inbound",
        evidence=message_sid,
        now=now,
    )
    thread = await conversations.load_or_start(
        session,
        runtime,
        org_id=org_id,
        profile=profile,
        channel="sms",
        thread_key=thread_key(runtime, org_id, sender),
        caller_number=sender,
        now=now,
        contact=contact,
    )
    result = await conversations.take_turn(
        session, runtime, thread, profile=profile, text=body, channel="sms", lookup=lookup, now=now
    )
    reply = await _reply(
        session, runtime, org_id, business, sender, result.reply, thread.conversation.id
    )
    if result.has(ActionKind.ESCALATE):
        from tradeline.notification.service import alert_owner_emergency

        await alert_owner_emergency(
            session,
            runtime,
            org_id,
            profile,
            conversation_id=thread.conversation.id,
            reason=result.state.emergency_reason,
        )
    return reply, result


def thread_key(runtime: Runtime, org_id: uuid.UUID, number: str) -> str:
    """SMS threads key on the blind index of the customer's number."""
    return runtime.pii.phone_index(org_id, number).hex()


async def _reply(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    business: str,
    customer: str,
    text: str,
    conversation_id: uuid.UUID | None = None,
) -> str:
    """A TwiML reply: Twilio sends it, so it is stored as sent and counted as usage."""
    row = await _store_message(
        session,
        runtime,
        org_id,
        business,
        customer,
        text,
        "outbound",
        None,
        "sent",
        conversation_id,
    )
    repository.add_usage(session, org_id, "sms_out", segments(text), str(row.id))
    return text


async def _store_message(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    business: str,
    customer: str,
    body: str,
    direction: str,
    message_sid: str | None,
    status: str,
    conversation_id: uuid.UUID | None = None,
) -> Message:
    row = Message(
        id=uuid.uuid4(),
        organization_id=org_id,
        message_sid=message_sid or None,
        direction=direction,
        business_number=business,
        status=status,
        conversation_id=conversation_id,
        customer_bidx=runtime.pii.phone_index(org_id, customer),
    )
    row.customer_enc = runtime.pii.seal(
        customer, org_id=org_id, table="messages", row_id=row.id, column="customer_enc"
    )
    row.body_enc = runtime.pii.seal(
        body, org_id=org_id, table="messages", row_id=row.id, column="body_enc"
    )
    await repository.add(session, row)
    return row


# --- outbound ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboundResult:
    message_id: uuid.UUID
    status: str  # the message's status now: pending (a job will send it) or refused
    reason: str  # the consent decision's reason (the basis, or why not)
    created: bool  # False when `dedupe_key` was used before: the earlier message is returned


async def send_sms(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    to: str,
    body: str,
    purpose: str,
    reason: str,
    *,
    from_: str | None = None,
    conversation_id: uuid.UUID | None = None,
    dedupe_key: str | None = None,
    profile: BusinessProfileSpec | None = None,
) -> OutboundResult:
    """Queue one outbound text, sent by a job after the caller's transaction commits.

    `purpose` is `transactional` or `marketing`; `reason` says why we write (e.g. `reminder`,
    `missed_call`; no personal data). The consent policy is checked now (a refusal is recorded
    on the message, status `refused`, and nothing is queued) and again by the job right before
    it sends. `dedupe_key` makes the call idempotent for the business. `from_` must be one of
    the business's numbers (default: its first).
    """
    if purpose not in ("transactional", "marketing"):
        raise Unprocessable("purpose: transactional or marketing")
    body = body.strip()
    if not body or len(body) > MAX_BODY:
        raise Unprocessable(f"body: 1 to {MAX_BODY} characters")
    profile = profile or await organizations.get_profile(session, org_id)
    try:
        number = to_e164(to, profile.country)
    except InvalidPhoneNumber as exc:
        raise Unprocessable(f"to: {exc}") from exc
    sender = from_ or profile.phone_numbers[0]
    if sender not in profile.phone_numbers:
        raise Unprocessable("from_: not one of the business's numbers")
    if dedupe_key is not None:
        earlier = await repository.outbound_by_key(session, org_id, dedupe_key[:120])
        if earlier is not None:
            return await _existing(session, earlier)

    if number in profile.blocklist:
        allowed, why = False, "blocklisted"
    else:
        decision = await consent.decide(
            session, runtime, org_id, number, channel="sms", purpose=purpose, zone=profile.timezone
        )
        allowed, why = decision.allowed, decision.reason
    message = await _store_message(
        session,
        runtime,
        org_id,
        sender,
        number,
        body,
        "outbound",
        None,
        "pending" if allowed else "refused",
        conversation_id,
    )
    outbound = OutboundSms(
        id=uuid.uuid4(),
        organization_id=org_id,
        message_id=message.id,
        purpose=purpose,
        reason=reason[:40],
        dedupe_key=dedupe_key[:120] if dedupe_key else None,
        stage="pending" if allowed else "refused",
        decision=why,
    )
    if not await repository.claim_outbound(session, outbound):
        # The same key won a race in another transaction (committed meanwhile).
        await session.delete(message)
        await session.flush()
        earlier = await repository.outbound_by_key(session, org_id, dedupe_key or "")
        if earlier is None:
            raise RuntimeError("dedupe conflict without a row")
        return await _existing(session, earlier)
    if allowed:
        await enqueue(session, deliver, org_id=str(org_id), message_id=str(message.id))
    else:
        log.info("sms_refused", reason=why, purpose=purpose, message_id=str(message.id))
    return OutboundResult(message.id, message.status, why, created=True)


async def _existing(session: AsyncSession, outbound: OutboundSms) -> OutboundResult:
    message = await session.get(Message, outbound.message_id)
    status = message.status if message is not None else outbound.stage
    return OutboundResult(outbound.message_id, status, outbound.decision or "", created=False)


# --- status callbacks ----------------------------------------------------------------------


async def record_status(
    session: AsyncSession, params: Mapping[str, str], *, org_id: uuid.UUID | None = None
) -> bool:
    """Message status callback: deduplicated on (MessageSid, MessageStatus), monotonic.

    A callback for a SID we have not recorded yet (it beat the send job's commit) is held and
    applied when the SID is recorded. Returns True when this (SID, status) was new. `org_id`:
    the business, when the caller has already resolved it and set it on the transaction
    (otherwise it is resolved from the From/To number).
    """
    sid, status = params.get("MessageSid", ""), params.get("MessageStatus", "")
    if not sid or not status:
        return False
    if org_id is None:
        # Our number sent it: From names the business (To, for a callback on an inbound text).
        org_id = await organizations.resolve_tenant_by_number(session, params.get("From", ""))
    if org_id is None:
        org_id = await organizations.resolve_tenant_by_number(session, params.get("To", ""))
    if org_id is None:
        return False
    return await record_statuses(session, org_id, [params]) == 1


async def record_statuses(
    session: AsyncSession, org_id: uuid.UUID, callbacks: Sequence[Mapping[str, str]]
) -> int:
    """A batch of status callbacks of one business, already set on the transaction (the bulk
    form of `record_status`, same statement). Returns how many (SID, status) pairs were new."""
    items = [
        (c.get("MessageSid", ""), c.get("MessageStatus", ""), c.get("ErrorCode") or None)
        for c in callbacks
    ]
    items = [(sid, status, error) for sid, status, error in items if sid and status]
    if not items:
        return 0
    await repository.lock_sids(session, (sid for sid, _, _ in items))
    outcome = await repository.claim_status_callbacks(session, org_id, items)
    if outcome.new > outcome.matched:
        log.info("sms_status_held", count=outcome.new - outcome.matched)
    return outcome.new


# --- missed-call text-back -----------------------------------------------------------------


async def missed_call_text_back(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    *,
    caller: str,
    call_sid: str,
    conversation_id: uuid.UUID | None,
) -> bool:
    """After a call that ended unanswered or in voicemail: one text offering to continue by SMS.

    Call it in the voice status callback's transaction; the text is sent by a job after commit.
    Consent: transactional, implied by the inquiry (the call itself, recorded in the ledger);
    never to an opted-out, suppressed or blocklisted number. The SMS thread continues the call's
    conversation (its captured details and lead), so the caller's next text updates the same
    lead. Idempotent on `call_sid`: True only the one time a text is queued.
    """
    try:
        number = to_e164(caller, profile.country)
    except InvalidPhoneNumber:
        return False  # withheld caller ID
    if number in profile.blocklist or not call_sid:
        return False
    key = f"missed_call:{call_sid}"[:120]
    if await repository.outbound_by_key(session, org_id, key) is not None:
        return False
    if not await consent.is_sms_opted_out(session, runtime, org_id, number):
        await consent.note_inquiry(
            session, runtime, org_id, number, channel="sms", source="missed_call", evidence=call_sid
        )
    decision = await consent.decide(
        session,
        runtime,
        org_id,
        number,
        channel="sms",
        purpose="transactional",
        zone=profile.timezone,
    )
    sender = await _called_number(session, call_sid, profile)
    if not decision.allowed:
        # Recorded once (the key), with the reason; nothing is sent.
        await send_sms(
            session, runtime, org_id, number, TEXT_BACK["en"].format(name=profile.name),
            "transactional", "missed_call", from_=sender, dedupe_key=key, profile=profile,
        )  # fmt: skip
        return False
    thread, state = await _continue_by_text(
        session, runtime, org_id, profile, number, call_sid, conversation_id
    )
    body = _text_back_body(profile, state)
    result = await send_sms(
        session,
        runtime,
        org_id,
        number,
        body,
        "transactional",
        "missed_call",
        from_=sender,
        conversation_id=thread.conversation.id,
        dedupe_key=key,
        profile=profile,
    )
    if not result.created or result.status != "pending":
        return False
    await conversations.record_turn(
        session, runtime, thread.conversation, "assistant", body, {"kind": "missed_call_text_back"}
    )
    await conversations.save_state(session, runtime, thread)
    return True


async def _called_number(session: AsyncSession, call_sid: str, profile: BusinessProfileSpec) -> str:
    """Text back from the number the customer called."""
    from sqlalchemy import select

    to_number = await session.scalar(select(Call.to_number).where(Call.call_sid == call_sid))
    return to_number if to_number in profile.phone_numbers else profile.phone_numbers[0]


_CARRIED = (
    "language",
    "language_locked",
    "caller_name",
    "callback_number",
    "callback_confirmed",
    "email",
    "job_summary",
    "address",
    "preferred_start",
    "preferred_end",
    "emergency",
    "emergency_reason",
    "emergency_escalated",
    "consent_sms",
    "lead_id",
    "topic",
)


async def _continue_by_text(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    number: str,
    call_sid: str,
    conversation_id: uuid.UUID | None,
) -> tuple[conversations.Thread, ConversationState]:
    """The caller's SMS thread, carrying what the call captured (lead included)."""
    contact = await conversations.find_or_create_contact(session, runtime, org_id, number)
    now = datetime.now(UTC)
    thread = await conversations.load_or_start(
        session,
        runtime,
        org_id=org_id,
        profile=profile,
        channel="sms",
        thread_key=thread_key(runtime, org_id, number),
        caller_number=number,
        now=now,
        contact=contact,
    )
    state = thread.state
    call_conv = (
        await conversation_repository.get_conversation(session, org_id, conversation_id)
        if conversation_id
        else None
    )
    if call_conv is not None:
        heard = conversations.open_state(runtime, call_conv)
        for name in _CARRIED:
            mine, theirs = getattr(state, name), getattr(heard, name)
            if theirs is not None and (mine is None or (thread.is_new and mine != theirs)):
                setattr(state, name, theirs)
        if heard.intent != "other" and state.intent == "other":
            state.intent = heard.intent
        state.declined = sorted(set(state.declined) | set(heard.declined))
        state.confirmed = sorted(set(state.confirmed) | set(heard.confirmed))
    state.caller_number = number
    state.finished = False
    state.turns = max(state.turns, 1)  # the text-back is the greeting: no second one
    if state.job_summary is None:
        state.last_question = "job"
        state.asked["job"] = state.asked.get("job", 0) + 1
    conv = thread.conversation
    conv.meta = {
        **conv.meta,
        "continues": str(conversation_id) if conversation_id else None,
        "call_sid": call_sid,
        "started_by": "missed_call_text_back",
    }
    conv.last_activity_at = now
    return thread, state


def _text_back_body(profile: BusinessProfileSpec, state: ConversationState) -> str:
    lang = state.language if state.language in TEXT_BACK else profile.languages[0]
    if state.job_summary:
        job = state.job_summary.strip().rstrip(".")
        job = job if len(job) <= 60 else job[:57].rstrip() + "..."
        first = f" {state.caller_name.split()[0]}" if state.caller_name else ""
        return TEXT_BACK_WITH_JOB[lang].format(first=first, name=profile.name, job=job)
    return TEXT_BACK[lang].format(name=profile.name)
