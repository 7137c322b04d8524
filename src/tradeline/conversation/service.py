"""Conversations as the channels use them: load or start, take a turn, persist everything
(state, turns, contact, lead) in the caller's transaction before anything is acknowledged."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.conversation import repository
from tradeline.conversation.answers import KnowledgeAnswer, KnowledgeLookup, fold
from tradeline.conversation.engine import TurnContext, greeting, resume_after_escalation, turn
from tradeline.conversation.schemas import ConversationState, TurnResult
from tradeline.lead.service import create_lead, score_lead, seal_lead_fields
from tradeline.models import Contact, Conversation, ConversationTurn, Lead
from tradeline.organization.schemas import BusinessProfileSpec
from tradeline.runtime import Runtime

QUIET_PERIOD = timedelta(hours=24)
LEAD_INTENTS = frozenset({"service_request", "quote", "existing_job"})


@dataclass
class Thread:
    conversation: Conversation
    state: ConversationState
    is_new: bool


def _seal_state(runtime: Runtime, conv: Conversation, state: ConversationState) -> None:
    conv.state_enc = runtime.pii.seal(
        state.model_dump_json(),
        org_id=conv.organization_id,
        table="conversations",
        row_id=conv.id,
        column="state_enc",
    )


def open_state(runtime: Runtime, conv: Conversation) -> ConversationState:
    raw = runtime.pii.open(
        conv.state_enc,
        org_id=conv.organization_id,
        table="conversations",
        row_id=conv.id,
        column="state_enc",
    )
    return ConversationState.model_validate_json(raw) if raw else ConversationState()


async def continuing_thread(
    session: AsyncSession,
    runtime: Runtime,
    *,
    org_id: uuid.UUID,
    channel: str,
    thread_key: str,
    now: datetime,
) -> Thread | None:
    """The open thread for this key: a call's for the whole call, a text thread's until the
    quiet period has passed."""
    with session.no_autoflush:  # the lookup needs nothing pending (a new contact, say)
        conv = await repository.latest_conversation(session, org_id, channel, thread_key)
    if conv is not None and (
        channel == "voice" or (conv.last_activity_at and now - conv.last_activity_at < QUIET_PERIOD)
    ):
        return Thread(conv, open_state(runtime, conv), is_new=False)
    return None


async def start_thread(
    session: AsyncSession,
    runtime: Runtime,
    *,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    channel: str,
    thread_key: str,
    caller_number: str | None,
    now: datetime,
    contact: Contact | None,
) -> Thread:
    state = ConversationState(language=profile.languages[0], caller_number=caller_number)
    conv = Conversation(
        id=uuid.uuid4(),
        organization_id=org_id,
        channel=channel,
        thread_key=thread_key,
        contact_id=contact.id if contact else None,
        last_activity_at=now,
        meta={},
    )
    _seal_state(runtime, conv, state)
    await repository.add(session, conv)
    return Thread(conv, state, is_new=True)


async def load_or_start(
    session: AsyncSession,
    runtime: Runtime,
    *,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    channel: str,
    thread_key: str,
    caller_number: str | None,
    now: datetime,
    contact: Contact | None,
) -> Thread:
    """The open thread for this key, or a new one after the quiet period (history is kept on
    the contact and its leads)."""
    thread = await continuing_thread(
        session, runtime, org_id=org_id, channel=channel, thread_key=thread_key, now=now
    )
    return thread or await start_thread(
        session,
        runtime,
        org_id=org_id,
        profile=profile,
        channel=channel,
        thread_key=thread_key,
        caller_number=caller_number,
        now=now,
        contact=contact,
    )


async def find_or_create_contact(
    session: AsyncSession, runtime: Runtime, org_id: uuid.UUID, phone: str | None
) -> Contact | None:
    if phone is None:
        return None
    index = runtime.pii.phone_index(org_id, phone)
    contact = await repository.contact_by_phone(session, org_id, index)
    if contact is not None:
        return contact
    contact = Contact(id=uuid.uuid4(), organization_id=org_id, phone_bidx=index)
    contact.phone_enc = runtime.pii.seal(
        phone, org_id=org_id, table="contacts", row_id=contact.id, column="phone_enc"
    )
    await repository.add(session, contact)
    return contact


async def record_turn(
    session: AsyncSession,
    runtime: Runtime,
    conv: Conversation,
    role: str,
    text: str,
    meta: dict[str, object] | None = None,
) -> None:
    row = ConversationTurn(
        id=uuid.uuid4(),
        organization_id=conv.organization_id,
        conversation_id=conv.id,
        role=role,
        meta=meta or {},
    )
    sealed = runtime.pii.seal(
        text,
        org_id=conv.organization_id,
        table="conversation_turns",
        row_id=row.id,
        column="text_enc",
    )
    row.text_enc = sealed or b""
    await repository.add(session, row)


def profile_faq_lookup(profile: BusinessProfileSpec) -> KnowledgeLookup:
    """Offline fallback when no knowledge base answers: the profile's own FAQ, matched by words."""

    async def lookup(question: str, lang: str) -> KnowledgeAnswer | None:
        asked = set(_content_words(question))
        best: tuple[float, str] | None = None
        for entry in profile.faq:
            words = set(_content_words(entry.q))
            if not words or not asked:
                continue
            overlap = len(asked & words) / len(asked | words)
            if best is None or overlap > best[0]:
                best = (overlap, entry.a)
        if best is None or best[0] < 0.34:
            return None
        return KnowledgeAnswer(answer=best[1], confidence=min(0.95, 0.55 + best[0]))

    return lookup


_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "do",
        "does",
        "you",
        "your",
        "we",
        "our",
        "is",
        "are",
        "can",
        "i",
        "to",
        "of",
        "for",
        "in",
        "on",
        "at",
        "it",
        "my",
        "me",
        "and",
        "or",
        "what",
        "how",
        "le",
        "la",
        "les",
        "de",
        "des",
        "du",
        "un",
        "une",
        "vous",
        "nous",
        "est",
        "sont",
        "je",
        "tu",
        "il",
        "elle",
        "et",
        "ou",
        "que",
        "qui",
        "quoi",
        "comment",
    ]
)


def _content_words(text: str) -> list[str]:
    import re

    words = [
        w
        for w in re.findall(r"[a-z0-9àâçéèêëîïôûùüÿœ'-]+", fold(text))
        if w not in _STOP and len(w) > 2
    ]
    # Crude plural folding is enough to match "estimate" with "estimates".
    return [w[:-1] if len(w) > 4 and w.endswith("s") else w for w in words]


async def take_turn(
    session: AsyncSession,
    runtime: Runtime,
    thread: Thread,
    *,
    profile: BusinessProfileSpec,
    text: str,
    channel: str,
    lookup: KnowledgeLookup | None,
    now: datetime | None = None,
) -> TurnResult:
    now = now or datetime.now(UTC)
    ctx = TurnContext.build(profile, now.astimezone(ZoneInfo(profile.timezone)), channel, lookup)
    if runtime.chat_model is not None:
        from tradeline.conversation.llm import llm_turn

        result = await llm_turn(thread.state, text, ctx, runtime.chat_model)
    else:
        result = await turn(thread.state, text, ctx)
    await _persist(
        session,
        runtime,
        thread,
        result,
        caller_text=text,
        channel=channel,
        profile=profile,
        now=now,
    )
    return result


async def take_resume(
    session: AsyncSession,
    runtime: Runtime,
    thread: Thread,
    *,
    profile: BusinessProfileSpec,
    channel: str,
) -> TurnResult:
    now = datetime.now(UTC)
    ctx = TurnContext.build(profile, now.astimezone(ZoneInfo(profile.timezone)), channel, None)
    result = resume_after_escalation(thread.state, ctx)
    await _persist(
        session,
        runtime,
        thread,
        result,
        caller_text=None,
        channel=channel,
        profile=profile,
        now=now,
    )
    return result


def opening_line(thread: Thread, profile: BusinessProfileSpec, channel: str) -> str:
    ctx = TurnContext.build(
        profile, datetime.now(UTC).astimezone(ZoneInfo(profile.timezone)), channel, None
    )
    thread.state.last_question = "job"
    thread.state.asked["job"] = 1
    return greeting(thread.state, ctx)


async def save_state(session: AsyncSession, runtime: Runtime, thread: Thread) -> None:
    _seal_state(runtime, thread.conversation, thread.state)
    await session.flush()


async def _persist(
    session: AsyncSession,
    runtime: Runtime,
    thread: Thread,
    result: TurnResult,
    *,
    caller_text: str | None,
    channel: str,
    profile: BusinessProfileSpec,
    now: datetime,
) -> None:
    conv = thread.conversation
    if caller_text is not None:
        await record_turn(session, runtime, conv, "caller", caller_text)
    await record_turn(
        session,
        runtime,
        conv,
        "assistant",
        result.reply,
        {"actions": [a.kind.value for a in result.actions]},
    )
    thread.state = result.state
    await upsert_lead(session, runtime, conv, result.state, channel=channel)
    _seal_state(runtime, conv, result.state)
    conv.last_activity_at = now
    conv.meta = {**conv.meta, "turns": result.state.turns, "emergency": result.state.emergency}
    await session.flush()


def wants_lead(state: ConversationState) -> bool:
    """A lead exists once the conversation shows an intent to get service or a quote, or
    captures contact details; pure questions and opt-outs update the contact only."""
    if state.intent == "spam":
        return False
    return (
        state.intent in LEAD_INTENTS
        or state.emergency
        or state.caller_name is not None
        or state.email is not None
        or (state.callback_number is not None and state.callback_number != state.caller_number)
    )


async def upsert_lead(
    session: AsyncSession,
    runtime: Runtime,
    conv: Conversation,
    state: ConversationState,
    *,
    channel: str,
) -> Lead | None:
    if not wants_lead(state):
        return None
    values = {
        "caller_number": state.caller_number,
        "caller_name": state.caller_name,
        "callback_number": state.effective_callback,
        "email": state.email,
        "job_summary": state.job_summary,
        "address": state.address,
    }
    intent = (
        state.intent
        if state.intent in LEAD_INTENTS
        else ("service_request" if state.emergency else "other")
    )
    lead: Lead | None = None
    if state.lead_id:
        lead = await session.get(Lead, uuid.UUID(state.lead_id))
    if lead is None:
        lead = await create_lead(
            session,
            runtime.pii,
            conv.organization_id,
            channel=channel,
            contact_id=conv.contact_id,
            conversation_id=conv.id,
            intent=intent,
            **values,  # type: ignore[arg-type]
        )
        state.lead_id = str(lead.id)
    else:
        seal_lead_fields(lead, runtime.pii, **values)
    lead.intent = intent
    lead.emergency = state.emergency
    lead.preferred_datetime = state.preferred_start
    lead.preferred_window_end = state.preferred_end
    lead.consent_sms = state.consent_sms
    lead.consent_recording = state.consent_recording
    lead.score = score_lead(state)
    lead.updated_at = datetime.now(UTC)
    await session.flush()
    return lead


def describe(state: ConversationState) -> str:
    """Captured fields as JSON (for the API's conversation view)."""
    return json.dumps(state.model_dump(mode="json"))


async def build_lookup(
    session: AsyncSession, runtime: Runtime, org_id: uuid.UUID, profile: BusinessProfileSpec
) -> KnowledgeLookup:
    """The knowledge base (FAQ included; it records its own knowledge gaps), with the profile's
    FAQ as a fallback for a question the documents cannot answer."""
    from tradeline.knowledge.answer import answer

    fallback = profile_faq_lookup(profile)

    async def lookup(question: str, lang: str) -> KnowledgeAnswer | None:
        found = await answer(session, runtime, org_id, question, lang=lang)
        if found.answer is None or found.confidence < 0.6:
            return await fallback(question, lang) or KnowledgeAnswer(found.answer, found.confidence)
        return KnowledgeAnswer(
            found.answer,
            found.confidence,
            tuple(str(c) for c in found.citations),
            heading=found.heading,
        )

    return lookup
