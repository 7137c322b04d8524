"""The local conversation engine: one caller utterance in, one short reply and actions out.

Deterministic and offline. It serves every channel (SMS, voice speech turns, the softphone); the
channel layers turn its actions into TwiML or messages. State is a value: the caller of `turn`
persists the returned state before acknowledging anything.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from tradeline.conversation import prompts
from tradeline.conversation.answers import KnowledgeLookup, Reply, answer, is_question
from tradeline.conversation.engine.cues import (
    _AFFIRM,
    _BOOKING_WORDS,
    _CLOSING,
    _COME_REQUEST,
    _CONTACT_FIX,
    _CONTENT_WORD,
    _DAY_NAMED,
    _DEFERRING,
    _DENY,
    _FAMILY,
    _FLEXIBLE,
    _FOR_SOMEONE,
    _GAS_HAZARD,
    _GENERIC_URGENCY,
    _INJECTION,
    _NO_EMAIL,
    _NO_NAME,
    _NUMBER_OK,
    _PERSON,
    _REQUEST_ONLY,
    _SENTENCE_SPLIT,
    _SLOT_WORDS,
    _SPAM,
    _THANKS_BYE,
    _WEEK_ONLY,
    _WRONG_NUMBER,
)
from tradeline.conversation.extract.address import extract_address
from tradeline.conversation.extract.email import extract_email
from tradeline.conversation.extract.emergency import detect_emergency
from tradeline.conversation.extract.intent import classify_intent
from tradeline.conversation.extract.language import detect_language
from tradeline.conversation.extract.name import NameResult, correct_name, extract_name
from tradeline.conversation.extract.phone import extract_phone
from tradeline.conversation.extract.when import WhenResult, extract_when
from tradeline.conversation.schemas import Action, ActionKind, ConversationState, TurnResult
from tradeline.conversation.summary import summarize
from tradeline.organization.schemas import BusinessProfileSpec, parse_span

LEAD_INTENTS = frozenset({"service_request", "quote", "existing_job"})
MAX_ASKS = 2


@dataclass(frozen=True)
class TurnContext:
    profile: BusinessProfileSpec
    now_local: datetime
    channel: str  # "sms" | "voice"
    lookup: KnowledgeLookup | None = None
    hours: dict[str, tuple[time, time]] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()

    @classmethod
    def build(
        cls,
        profile: BusinessProfileSpec,
        now_local: datetime,
        channel: str,
        lookup: KnowledgeLookup | None,
    ) -> TurnContext:
        hours = {}
        for day, span in profile.hours.items():
            parsed = parse_span(span)
            if parsed is not None:
                hours[day] = parsed
        return cls(profile, now_local, channel, lookup, hours, frozenset(profile.holidays))


def greeting(state: ConversationState, ctx: TurnContext) -> str:
    """The first words: the business's greeting and the automated-assistant disclosure."""
    lang = state.language
    base = ctx.profile.receptionist.greeting or (
        f"Thanks for calling {ctx.profile.name}"
        if lang == "en"
        else f"Merci d'avoir appelé {ctx.profile.name}"
    )
    key = "greeting" if ctx.channel == "voice" else "greeting_sms"
    return (
        f"{prompts.phrase(lang, key, greeting=base.rstrip('.!'))} {prompts.question(lang, 'job')}"
    )


def _first_name(name: str) -> str:
    return name.split()[0]


def _lead_mode(state: ConversationState) -> bool:
    return (
        state.intent in LEAD_INTENTS
        or state.emergency
        or state.job_summary is not None
        or any(
            v is not None
            for v in (state.caller_name, state.email, state.address, state.preferred_start)
        )
        or (state.callback_number is not None and state.callback_number != state.caller_number)
    )


def next_slot(state: ConversationState) -> str | None:
    if state.emergency:
        order = ["name", "callback", "address"]
    elif state.intent == "existing_job":
        order = ["job", "name", "callback"]
    else:
        order = ["job", "name", "callback", "address", "when", "email"]
    # First everything not yet asked; then, once, what the caller skipped past (they may
    # have answered something else first — "Friday at 2" after we asked for the address).
    for round_ in range(MAX_ASKS):
        for slot in order:
            # Email is optional; a known caller ID is a fine default callback: ask those once.
            limit = (
                1 if slot == "email" or (slot == "callback" and state.caller_number) else MAX_ASKS
            )
            asked = state.asked.get(slot, 0)
            if not state.has(slot) and asked == round_ and asked < limit:
                return slot
    return None


def _extends(old: str, new: str) -> bool:
    """'Priya' then 'Priya Raman': a fuller form of the stored name replaces it."""
    before, after = old.casefold().split(), new.casefold().split()
    return len(after) > len(before) and set(before) <= set(after)


def _question_for(slot: str, state: ConversationState) -> str:
    lang = state.language
    if slot == "callback":
        number = state.callback_number or state.caller_number
        if number:
            return prompts.question(lang, "callback", number=prompts.speak_number(number, lang))
        return prompts.question(lang, "callback_none")
    return prompts.question(lang, slot)


def _cold_season(now: datetime) -> bool:
    return now.month in (10, 11, 12, 1, 2, 3, 4)


_GOODBYE_END = re.compile(r"\s*(?:Goodbye|Au revoir)!\s*$")


async def turn(state: ConversationState, text: str, ctx: TurnContext) -> TurnResult:
    """Apply one caller utterance to the state and decide the reply."""
    result = await _turn(state, text, ctx)
    if ctx.channel == "voice" and any(a.kind == ActionKind.END for a in result.actions):
        # The voice layer says goodbye as it hangs up: saying it here too would repeat it.
        result = result.model_copy(update={"reply": _GOODBYE_END.sub("", result.reply)})
    return result


async def _turn(state: ConversationState, text: str, ctx: TurnContext) -> TurnResult:
    state = state.model_copy(deep=True)
    state.turns += 1
    text = text.strip()[:2000]
    actions: list[Action] = []
    if not text:
        slot = state.last_question or next_slot(state) or "job"
        return TurnResult(
            reply=f"{prompts.phrase(state.language, 'repeat')} {_question_for(slot, state)}",
            actions=[],
            state=state,
        )

    words = re.findall(r"[^\W\d_]+", text)
    if not state.language_locked:
        detected = detect_language(text, state.language)
        if detected != state.language and len(words) >= 2:
            state.language = detected
        if len(words) >= 3:
            state.language_locked = True
    lang = state.language
    expecting = state.last_question
    parts: list[str] = []

    if _INJECTION.search(text):
        parts.append(prompts.phrase(lang, "refuse"))
        if not _lead_mode(state):
            parts.append(_question_for("job", state))
            state.last_question = "job"
            return TurnResult(reply=_two_sentences(parts), actions=actions, state=state)
        return _finish_reply(state, parts, actions, lang)

    if not _lead_mode(state):
        elsewhere = _not_for_us(text, ctx, lang)
        if elsewhere == "spam":
            # Nothing in it is a request or a number to call back: a short reply, no lead.
            state.intent, state.finished, state.last_question = "spam", True, None
            return TurnResult(
                reply=prompts.phrase(lang, "spam"),
                actions=[Action(kind=ActionKind.END)],
                state=state,
            )
        if elsewhere == "someone":
            state.last_question = None
            return TurnResult(
                reply=prompts.phrase(lang, "not_for_us", name=ctx.profile.name),
                actions=actions,
                state=state,
            )

    # --- what the caller told us -------------------------------------------------------------
    emergency = detect_emergency(
        text,
        keywords=ctx.profile.emergency_keywords,
        lang=lang,
        cold_season=_cold_season(ctx.now_local),
    )
    phone = extract_phone(
        text, region=ctx.profile.country, caller_number=state.caller_number, lang=lang
    )
    email = extract_email(text)
    # "sorry typo, its 902-555-0178" corrects the number; it is no answer to "your name?".
    fixes_contact = (phone is not None or email is not None) and bool(_CONTACT_FIX.search(text))
    name = extract_name(text, expecting_name=expecting == "name" and not fixes_contact, lang=lang)
    if state.caller_name and (fixed := correct_name(text, state.caller_name)):
        # "Whitehead not Whitmore" after "Dan Whitmore": only the wrong word is replaced.
        name = NameResult(full=fixed, corrected=True)
    when = extract_when(
        text,
        now_local=ctx.now_local,
        lang=lang,
        hours=ctx.hours or None,
        holidays=set(ctx.holidays) or None,
    )
    address = extract_address(text)
    intent = classify_intent(text, lang)
    sentences = [x for x in _SENTENCE_SPLIT.split(text) if x.strip()]
    # "can u guys come look this thursday after 3" asks for a visit, not about the business.
    booking = [x for x in sentences if is_question(x) and _books_a_visit(x, when is not None)]
    asked = [x for x in sentences if is_question(x) and x not in booking]
    told = [x for x in sentences if not is_question(x) or x in booking]
    question = bool(asked) and not _REQUEST_ONLY.search(text)
    if question and (intent in ("question", "other") or (not told and not emergency.is_emergency)):
        # "Is a quote free?" asks about the business; it is not yet a request.
        intent = "question"
    elif not question and intent == "question":
        intent = "other"
    affirm = bool(_AFFIRM.match(text))
    deny = bool(_DENY.match(text))
    if _WRONG_NUMBER.search(text) and not question:
        # "Sorry, wrong number": apologise and let them go; nothing said here is a job.
        if state.intent in LEAD_INTENTS and not (state.caller_name or state.address):
            state.intent, state.job_summary = "other", None
        state.finished = True
        state.last_question = None
        return TurnResult(
            reply=prompts.phrase(lang, "wrong_number"),
            actions=[Action(kind=ActionKind.END)],
            state=state,
        )
    if _NO_NAME.search(text) and "name" not in state.declined:
        state.declined.append("name")
    if (
        name is None
        and len(words) <= 4
        and not emergency.is_emergency
        and not (phone or email or address)
    ):
        # A bare "Sean O'Brien" right after "how can we help?" is a name, not a job; so is a bare
        # "heather sampson" after "im heather", whatever we last asked.
        bare = extract_name(text, expecting_name=True, lang=lang)
        fuller = (
            bare is not None
            and bool(state.caller_name)
            and _extends(state.caller_name or "", bare.full)
        )
        if fuller or (expecting in (None, "job", "anything_else") and intent not in LEAD_INTENTS):
            name = bare

    captured_name = False
    if name is not None and (
        state.caller_name is None
        or name.corrected
        or expecting == "name"
        or _extends(state.caller_name, name.full)
    ):
        captured_name = state.caller_name != name.full
        state.caller_name = name.full
    if phone is not None:
        state.callback_number = phone.e164
        state.callback_confirmed = True
    elif expecting == "callback" and (affirm or _NUMBER_OK.search(text)) and state.caller_number:
        state.callback_number = state.callback_number or state.caller_number
        state.callback_confirmed = True
    if email is not None:
        state.email = email
    elif (
        expecting == "email" and (_NO_EMAIL.search(text) or deny) and "email" not in state.declined
    ):
        state.declined.append("email")
    when_note: str | None = None
    if when is not None:
        if when.in_past:
            when_note = prompts.phrase(lang, "past_time")
        else:
            when = _first_open_day_of_week(when, text, ctx)
            state.preferred_start, state.preferred_end = when.start, when.end
            if when.outside_hours and when.alternative is not None:
                when_note = prompts.phrase(
                    lang, "outside_hours", alternative=prompts.speak_time(when.alternative, lang)
                )
    elif expecting == "when" and (_FLEXIBLE.search(text) or deny) and "when" not in state.declined:
        state.declined.append("when")
    if address is not None:
        state.address = address
    newly_urgent = False
    generic_only = emergency.reason is not None and emergency.reason.lower() in _GENERIC_URGENCY
    if emergency.is_emergency and question and generic_only:
        # "Do you do emergency calls at night?" asks about the service; it is not one.
        emergency = type(emergency)(is_emergency=False, reason=None)
    if emergency.is_emergency and not state.emergency:
        state.emergency, state.emergency_reason, newly_urgent = True, emergency.reason, True
    if intent == "spam" and state.intent in ("other", "question"):
        state.intent = "spam"
    elif intent in LEAD_INTENTS and state.intent not in LEAD_INTENTS:
        state.intent = intent
    elif state.emergency and state.intent not in LEAD_INTENTS:
        state.intent = "service_request"
    elif question and state.intent == "other":
        state.intent = "question"

    slot_answer = any(x is not None for x in (phone, email, when, address)) or (
        name is not None and expecting == "name"
    )
    closing = (
        (
            (bool(_CLOSING.match(text)) and len(words) <= 10)
            or (bool(_DEFERRING.match(text)) and len(words) <= 18)
        )
        and not question
        and not emergency.is_emergency
        and not (slot_answer or captured_name)
        and not (expecting == "callback" and affirm)
    )
    # Questions are answered before the job is noted: a service the business does not offer
    # ("do you open safes?") is a "no", not a lead.
    known: Reply | None = None
    if question and not emergency.is_emergency and not _PERSON.search(text):
        known = await answer(" ".join(asked), ctx.profile, lang, ctx.lookup)
    elif (
        not question
        and not emergency.is_emergency
        and intent not in LEAD_INTENTS
        and _names_a_service(text)
    ):
        # "Locked my keys in my car, can u come open it?" is a request; if the knowledge base
        # says we don't do that, say so rather than taking the job.
        checked = await answer(text, ctx.profile, lang, ctx.lookup)
        known = checked if checked.declined else None
    declined = known is not None and known.declined
    describes_job = False
    if (
        (told or emergency.is_emergency)
        and not (expecting == "callback" and affirm)
        and not declined
        and not closing
    ):
        # A request phrased around a question ("How much to install an EV charger? I have a
        # 200A panel.") is described by both; a pure question stays out of the summary.
        source = text if intent in LEAD_INTENTS or emergency.is_emergency else " ".join(told)
        summary = summarize(source, known_name=state.caller_name, known_address=address)
        if summary is not None:
            open_to_job = state.job_summary is None or expecting in (None, "job", "anything_else")
            meaningful = [w for w in _CONTENT_WORD.findall(summary) if w.lower() not in _SLOT_WORDS]
            substantive = len(meaningful) >= 2 and not (slot_answer and len(meaningful) < 3)
            describes_job = (
                intent in LEAD_INTENTS or emergency.is_emergency or (open_to_job and substantive)
            )
            generic = not [
                w
                for w in _CONTENT_WORD.findall(summary)
                if w.lower() not in _BOOKING_WORDS | _SLOT_WORDS
            ]
            if describes_job and generic and state.topic:
                summary = state.topic  # "I'd like to book that" after asking about furnace tune-ups
            if describes_job and state.job_summary is None:
                state.job_summary = summary
            elif describes_job and expecting == "job" and summary not in (state.job_summary or ""):
                state.job_summary = f"{state.job_summary}; {summary}"[:300]
    if describes_job and state.intent in ("other", "question"):
        state.intent = "service_request"

    # --- what we say ---------------------------------------------------------------------------
    if state.intent == "spam" and not _lead_mode_without_spam(state):
        state.finished = True
        return TurnResult(
            reply=prompts.phrase(lang, "spam"), actions=[Action(kind=ActionKind.END)], state=state
        )

    if closing and (_lead_mode(state) or expecting == "anything_else" or state.turns > 1):
        return _close(state, actions, lang)

    answered = False
    if newly_urgent:
        hazard = "gas" if _GAS_HAZARD.search(f"{state.emergency_reason or ''} {text}") else None
        if ctx.channel == "voice" and (
            state.effective_callback or state.asked.get("callback", 0) > 0
        ):
            parts.append(prompts.phrase(lang, "gas_voice" if hazard else "emergency_voice"))
            actions.append(Action(kind=ActionKind.ESCALATE, detail=state.emergency_reason))
            state.emergency_escalated = True
            state.last_question = None
            return TurnResult(reply=" ".join(parts), actions=actions, state=state)
        if ctx.channel != "voice":
            actions.append(Action(kind=ActionKind.ESCALATE, detail=state.emergency_reason))
            state.emergency_escalated = True
        parts.append(prompts.phrase(lang, "gas" if hazard else "emergency"))
    elif state.emergency and not state.emergency_escalated and ctx.channel == "voice":
        # The one quick question (a number to call back) has been asked: dial now.
        actions.append(Action(kind=ActionKind.ESCALATE, detail=state.emergency_reason))
        state.emergency_escalated = True
        state.last_question = None
        return TurnResult(
            reply=prompts.phrase(lang, "emergency_voice"), actions=actions, state=state
        )
    elif _PERSON.search(text):
        actions.append(Action(kind=ActionKind.TRANSFER))
        state.last_question = None
        return TurnResult(reply=prompts.phrase(lang, "transfer"), actions=actions, state=state)
    elif known is not None:
        reply, confident = known.text, known.confident
        if question:
            state.topic = summarize(" ".join(asked)) or state.topic
        parts.append(reply)
        answered = True
        if not confident:
            actions.append(Action(kind=ActionKind.KNOWLEDGE_GAP, detail=" ".join(asked)[:500]))
            state.unanswered_questions += 1
    elif captured_name and state.caller_name:
        parts.append(prompts.phrase(lang, "ack_name", first=_first_name(state.caller_name)))
    if when_note and not state.emergency:
        # On-call comes day or night: business hours are no reason to wait.
        parts.append(when_note)

    if (
        state.finished
        and not parts
        and any(x is not None for x in (name, phone, email, when, address))
    ):
        parts.append(prompts.phrase(lang, "added"))
    if not _lead_mode(state):
        if answered:
            parts.append(prompts.question(lang, "anything_else"))
            state.last_question = "anything_else"
        elif expecting == "anything_else" and (deny or _THANKS_BYE.match(text)):
            state.finished = True
            actions.append(Action(kind=ActionKind.END))
            return TurnResult(reply=prompts.phrase(lang, "goodbye"), actions=actions, state=state)
        elif state.turns == 1 and ctx.channel == "sms" and not parts:
            parts.append(greeting(state, ctx))
            state.asked["job"] = state.asked.get("job", 0) + 1
            state.last_question = "job"
        else:
            parts.append(_question_for("job", state))
            state.asked["job"] = state.asked.get("job", 0) + 1
            state.last_question = "job"
        return _finish_reply(state, parts, actions, lang, answered=answered)
    return _finish_reply(state, parts, actions, lang, answered=answered)


def _not_for_us(text: str, ctx: TurnContext, lang: str) -> str | None:
    """ "spam" for prize/loan/listing spam, "someone" for a message meant for someone else ("is this
    jenna? practice got moved to 7 tonight", "hi mom, running late"), else None."""
    if _SPAM.search(text) or classify_intent(text, lang) == "spam":
        return "spam"
    emergency = detect_emergency(text, keywords=ctx.profile.emergency_keywords, lang=lang)
    if emergency.is_emergency or extract_address(text) is not None:
        return None
    if _FAMILY.search(text):
        return "someone"
    match = _FOR_SOMEONE.search(text)
    if match is None or classify_intent(text, lang) in LEAD_INTENTS:
        return None
    who = match.group("who")
    ours = {w.casefold() for w in re.findall(r"[^\W\d_]+", ctx.profile.name)}
    if who.casefold() in ours or extract_name(who, expecting_name=True, lang=lang) is None:
        return None
    return "someone"


def _books_a_visit(sentence: str, timed: bool) -> bool:
    """A request for a visit, with a day or time given or a question mark: a booking."""
    return bool(_COME_REQUEST.search(sentence)) and (timed or sentence.rstrip().endswith("?"))


def _first_open_day_of_week(when: WhenResult, text: str, ctx: TurnContext) -> WhenResult:
    """ "Sometime next week" names a week, not a day: the business's first open day of that week
    rather than the same weekday as today (which may be a Sunday). `extract_when` returns a day
    seven days on with no note of its precision, so the engine re-reads the phrase."""
    if not _WEEK_ONLY.search(text) or _DAY_NAMED.search(text) or not ctx.hours:
        return when
    start = when.start
    monday = start.date() - timedelta(days=start.weekday())
    for offset in range(7):
        day = monday + timedelta(days=offset)
        span = ctx.hours.get(_DAY_KEYS[day.weekday()])
        if span is None or day in ctx.holidays or day <= ctx.now_local.date():
            continue
        opens = start.replace(
            year=day.year, month=day.month, day=day.day, hour=span[0].hour, minute=span[0].minute
        )
        closes = opens.replace(hour=span[1].hour, minute=span[1].minute)
        return dataclasses.replace(
            when, start=opens, end=closes, outside_hours=False, alternative=None
        )
    return when


_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


_SERVICE_WORDS_TEXT = (
    "can could would will you your guy guys someone somebody anyone come send stop swing drop by "
    "here make get fix look help call out over today tonight week next monday tuesday wednesday "
    "thursday friday saturday sunday lundi mardi mercredi jeudi vendredi samedi dimanche"
)
_SERVICE_WORDS = frozenset(_BOOKING_WORDS | _SLOT_WORDS) | frozenset(_SERVICE_WORDS_TEXT.split())


def _names_a_service(text: str) -> bool:
    """A request that names what it wants done ("open my car"), not just when ("can someone
    come tomorrow morning?"): only those are worth checking against what the business does."""
    if not re.search(r"\?\s*$", text):
        return False
    content = [w for w in _CONTENT_WORD.findall(text) if w.lower() not in _SERVICE_WORDS]
    return len(content) >= 2


def _close(state: ConversationState, actions: list[Action], lang: str) -> TurnResult:
    """The caller is done: read back the callback number when there is a request, else goodbye."""
    state.finished = True
    state.last_question = None
    actions.append(Action(kind=ActionKind.END))
    number = state.effective_callback
    if _lead_mode(state) and number:
        key = "wrap_up_urgent" if state.emergency else "wrap_up"
        name = f", {_first_name(state.caller_name)}" if state.caller_name else ""
        reply = prompts.phrase(lang, key, name=name, number=prompts.speak_number(number, lang))
    else:
        reply = prompts.phrase(lang, "goodbye")
    return TurnResult(reply=reply, actions=actions, state=state)


def _lead_mode_without_spam(state: ConversationState) -> bool:
    return state.emergency or (state.job_summary is not None and state.intent != "spam")


def _finish_reply(
    state: ConversationState,
    parts: list[str],
    actions: list[Action],
    lang: str,
    *,
    answered: bool = False,
) -> TurnResult:
    if state.last_question == "anything_else" and parts and not _lead_mode(state):
        return TurnResult(
            reply=_two_sentences(parts), actions=actions, state=state, answered_question=answered
        )
    slot = next_slot(state)
    if slot is None:
        if not state.finished:
            number = state.effective_callback
            name = f", {_first_name(state.caller_name)}" if state.caller_name else ""
            key = "wrap_up_urgent" if state.emergency else "wrap_up"
            spoken = prompts.speak_number(number, lang) if number else "—"
            wrap = prompts.phrase(lang, key, name=name, number=spoken)
            # The wrap-up thanks the caller by name: an acknowledgement before it would repeat it.
            acks = {
                prompts.phrase(lang, "ack_name", first=_first_name(state.caller_name))
                if state.caller_name
                else "",
                prompts.phrase(lang, "ack"),
            }
            kept = [p for p in parts if p and p not in acks][:1]
            parts = [*kept, wrap]
            state.finished = True
            state.last_question = None
            actions.append(Action(kind=ActionKind.END))
        else:
            parts = parts or [prompts.question(lang, "anything_else")]
        return TurnResult(
            reply=_two_sentences(parts), actions=actions, state=state, answered_question=answered
        )
    state.asked[slot] = state.asked.get(slot, 0) + 1
    state.last_question = slot  # type: ignore[assignment]
    parts.append(_question_for(slot, state))
    return TurnResult(
        reply=_two_sentences(parts), actions=actions, state=state, answered_question=answered
    )


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý0-9])")


def _join_curt(part: str) -> str:
    """'No. We only service gas furnaces.' → 'No, we only service gas furnaces.' so that the
    two-sentence limit keeps the substance, not just the 'No.'"""
    pieces = _SENTENCE.split(part)
    if len(pieces) > 1 and len(pieces[0].split()) <= 3:
        head = pieces[0].rstrip(".!")
        rest = pieces[1][0].lower() + pieces[1][1:] if pieces[1][:2] != "I " else pieces[1]
        return " ".join([f"{head}, {rest}", *pieces[2:]])
    return part


def _two_sentences(parts: list[str]) -> str:
    """At most two sentences (they are spoken): the most important statement and the question."""
    parts = [_join_curt(p.strip()) for p in parts if p and p.strip()]
    if len(parts) > 2:
        parts = [parts[0], parts[-1]]
    sentences = [s for p in parts for s in _SENTENCE.split(p)]
    if len(sentences) <= 2:
        return " ".join(parts)
    if len(parts) == 2:
        last = _SENTENCE.split(parts[1])
        return " ".join([_SENTENCE.split(parts[0])[0], last[-1]])
    return " ".join(sentences[:2])


def resume_after_escalation(state: ConversationState, ctx: TurnContext) -> TurnResult:
    """Voice: the on-call person did not answer; take the remaining details."""
    state = state.model_copy(deep=True)
    # After a <Dial> nobody answered the caller heard "I'm connecting you"; a promise of a call
    # back is made only when no on-call number was dialled.
    key = "emergency_no_answer" if ctx.profile.routing.on_call else "emergency_followup"
    parts = [prompts.phrase(state.language, key)]
    return _finish_reply(state, parts, [], state.language)
