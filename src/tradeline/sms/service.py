"""Inbound texts: inbox dedupe, opt-out law, then the conversation engine; the reply as TwiML."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from twilio.twiml.messaging_response import MessagingResponse

from tradeline.consent import service as consent
from tradeline.conversation import service as conversations
from tradeline.conversation.answers import KnowledgeLookup
from tradeline.conversation.extract.emergency import detect_emergency
from tradeline.conversation.extract.keywords import classify_keyword
from tradeline.conversation.extract.language import detect_language
from tradeline.conversation.schemas import ActionKind, TurnResult
from tradeline.kit.phone import InvalidPhoneNumber, to_e164
from tradeline.logging import get_logger
from tradeline.models import ExternalEvent, Message
from tradeline.organization.schemas import BusinessProfileSpec
from tradeline.runtime import Runtime

log = get_logger(__name__)
INBOX_SOURCE = "twilio.sms"

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
    row = (
        await session.execute(
            select(ExternalEvent).where(
                ExternalEvent.organization_id == org_id,
                ExternalEvent.source == INBOX_SOURCE,
                ExternalEvent.external_id == message_sid,
            )
        )
    ).scalar_one_or_none()
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
    session.add(inbox)
    await session.flush()

    body = (params.get("Body") or "").strip()
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
    keyword = classify_keyword(body)
    lang = detect_language(body, profile.languages[0])
    if keyword and _FRENCH_KEYWORD.search(body):
        lang = "fr"
    opted_out = await consent.is_sms_opted_out(session, runtime, org_id, sender)
    contact = await conversations.find_or_create_contact(session, runtime, org_id, sender)
    await _store_message(
        session, runtime, org_id, profile, sender, body, "inbound", message_sid, "received"
    )

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
            wording="STOP keyword",
            evidence=message_sid,
        )
        if runtime.settings.twilio_managed_opt_out:
            return None, None
        return STOP_CONFIRMATION[lang].format(name=profile.name), None
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
            wording="START keyword",
            evidence=message_sid,
        )
        if runtime.settings.twilio_managed_opt_out:
            return None, None
        return START_CONFIRMATION[lang].format(name=profile.name), None
    if keyword == "help":
        if runtime.settings.twilio_managed_opt_out:
            return None, None
        email = (
            f" or email {profile.notify.email}"
            if profile.notify.email and lang == "en"
            else (f" ou écrivez à {profile.notify.email}" if profile.notify.email else "")
        )
        number = params.get("To", profile.phone_numbers[0])
        return HELP_TEXT[lang].format(name=profile.name, number=number, email=email), None
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
    thread = await conversations.load_or_start(
        session,
        runtime,
        org_id=org_id,
        profile=profile,
        channel="sms",
        thread_key=runtime.pii.phone_index(org_id, sender).hex(),
        caller_number=sender,
        now=now,
        contact=contact,
    )
    result = await conversations.take_turn(
        session, runtime, thread, profile=profile, text=body, channel="sms", lookup=lookup, now=now
    )
    reply = result.reply
    await _store_message(
        session,
        runtime,
        org_id,
        profile,
        sender,
        reply,
        "outbound",
        None,
        "sent",
        thread.conversation.id,
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
    if result.has(ActionKind.KNOWLEDGE_GAP):
        await conversations.record_knowledge_gap(session, runtime, org_id, result)
    return reply, result


async def _store_message(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
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
        business_number=profile.phone_numbers[0],
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
    session.add(row)
    await session.flush()
    return row


# Later statuses never go back to earlier ones (callbacks arrive out of order).
_STATUS_RANK = {
    "accepted": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "receiving": 3,
    "received": 4,
    "delivered": 5,
    "undelivered": 5,
    "failed": 5,
    "read": 6,
}


async def record_status(session: AsyncSession, params: Mapping[str, str]) -> None:
    """Message status callback: deduped on (MessageSid, MessageStatus), monotonic state."""
    from sqlalchemy.dialects.postgresql import insert

    from tradeline.models import MessageEvent
    from tradeline.organization.service import resolve_tenant_by_number

    sid, status = params.get("MessageSid", ""), params.get("MessageStatus", "")
    org_id = await resolve_tenant_by_number(session, params.get("From", ""))
    if org_id is None or not sid or not status:
        return
    message = (
        await session.execute(select(Message).where(Message.message_sid == sid))
    ).scalar_one_or_none()
    if message is None:
        return
    await session.execute(
        insert(MessageEvent)
        .values(
            id=uuid.uuid4(),
            organization_id=org_id,
            message_id=message.id,
            status=status,
            error_code=params.get("ErrorCode"),
        )
        .on_conflict_do_nothing(constraint="uq_message_events_status")
    )
    if _STATUS_RANK.get(status, 0) >= _STATUS_RANK.get(message.status, 0):
        message.status = status
        message.error_code = params.get("ErrorCode") or message.error_code
    await session.flush()
