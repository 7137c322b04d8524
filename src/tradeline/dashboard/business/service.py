"""What the owner's screens show: figures, calls, text threads, leads — decrypted for admins
(every reveal audited), masked for other roles, exactly as the API does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.analytics import service as analytics
from tradeline.consent import service as consent
from tradeline.consent.policy import LedgerEntry
from tradeline.conversation import repository as conversations_repository
from tradeline.conversation.schemas import ConversationState
from tradeline.conversation.service import open_state
from tradeline.dashboard import repository
from tradeline.dashboard.web import Page
from tradeline.kit.crypto import mask_email, mask_name, mask_phone, mask_text
from tradeline.lead.schemas import LeadOut
from tradeline.lead.service import present
from tradeline.models import Call, Conversation, Lead, Message
from tradeline.privacy.service import audit_reveal
from tradeline.runtime import Runtime
from tradeline.telephony import repository as telephony
from tradeline.telephony.recordings import link as recording_link


def _now() -> datetime:
    return datetime.now(UTC)


async def reveal(
    page: Page, session: AsyncSession, target: str, ids: list[str], reason: str
) -> None:
    """Admins see PII in clear; each such page view leaves an audit entry."""
    if page.principal.sees_pii and ids:
        await audit_reveal(
            session,
            org_id=page.org_id,
            actor_type="user",
            actor_id=page.principal.actor_id,
            target_type=target,
            target_ids=ids,
            reason=f"dashboard: {reason}",
        )


def phone_for(page: Page, value: str | None) -> str | None:
    return value if page.principal.sees_pii else mask_phone(value)


# --- overview -----------------------------------------------------------------------------------

METRICS = (
    ("answered", "Calls answered"),
    ("missed", "Calls missed"),
    ("emergencies", "Emergencies"),
    ("leads", "Leads"),
    ("booked", "Bookings"),
    ("texts", "Text messages"),
)


@dataclass
class Overview:
    windows: list[tuple[str, dict[str, int]]]  # (label, metric → total)
    days: list[repository.DayCounts]  # oldest first, every day of the chart
    peak: int
    summary: dict[str, Any]
    latest_leads: list[LeadOut]
    latest_calls: list[dict[str, Any]]
    stamp: str  # when this page was built: the live poll asks for what came after


async def overview(
    page: Page, session: AsyncSession, runtime: Runtime, chart_days: int
) -> Overview:
    zone = page.zone
    today = _now().astimezone(zone).date()
    start_30 = datetime.combine(today - timedelta(days=29), time(), zone)
    counts = await repository.daily_counts(session, page.org_id, page.org.timezone, start_30)
    days = [
        counts.get(today - timedelta(days=n), repository.DayCounts(day=today - timedelta(days=n)))
        for n in range(29, -1, -1)
    ]

    def total(span: int) -> dict[str, int]:
        chosen = days[-span:]
        return {key: sum(getattr(d, key) for d in chosen) for key, _ in METRICS}

    windows = [
        (page.t("Today"), total(1)),
        (page.t("Last 7 days"), total(7)),
        (page.t("Last 30 days"), total(30)),
    ]
    chart = days[-chart_days:]
    peak = max([1, *(max(d.answered + d.missed, d.leads, d.texts) for d in chart)])
    summary = await analytics.summary(session, page.org_id, since=start_30)
    stamp = _now()
    leads = await repository.recent_leads(session, page.org_id, since=None, limit=5)
    calls = await repository.recent_calls(session, page.org_id, since=None, limit=5)
    await reveal(page, session, "lead", [str(r.id) for r in leads], "overview")
    await reveal(page, session, "call", [c.call_sid for c in calls], "overview")
    return Overview(
        windows=windows,
        days=chart,
        peak=peak,
        summary=summary,
        latest_leads=[present(r, runtime.pii, page.principal, zone) for r in leads],
        latest_calls=[call_row(page, runtime, c) for c in calls],
        stamp=stamp.isoformat(),
    )


# --- calls --------------------------------------------------------------------------------------


def call_caller(runtime: Runtime, call: Call) -> str | None:
    return runtime.pii.open(
        call.from_enc, org_id=call.organization_id, table="calls", row_id=call.id, column="from_enc"
    )


def call_row(page: Page, runtime: Runtime, call: Call, emergency: bool = False) -> dict[str, Any]:
    return {
        "sid": call.call_sid,
        "created_at": call.created_at,
        "caller": phone_for(page, call_caller(runtime, call)),
        "status": call.status,
        "missed": call.status in repository.MISSED_STATUSES,
        "duration": call.duration_seconds,
        "voicemail": call.recording_url is not None,
        "recorded": call.recorded,
        "emergency": emergency,
    }


@dataclass(frozen=True)
class CallFilters:
    status: str | None = None  # answered | missed
    since: date | None = None
    until: date | None = None
    phone: str | None = None
    voicemail: bool = False
    page: int = 1

    def query(self, **changes: object) -> str:
        from urllib.parse import urlencode

        values = {
            "status": self.status,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "phone": self.phone,
            "voicemail": "1" if self.voicemail else None,
            "page": str(self.page),
        }
        values.update({k: None if v is None else str(v) for k, v in changes.items()})
        return urlencode({k: v for k, v in values.items() if v})


PAGE_SIZE = 25


async def list_calls(
    page: Page,
    session: AsyncSession,
    runtime: Runtime,
    filters: CallFilters,
    caller_index: bytes | None,
) -> tuple[list[dict[str, Any]], bool]:
    zone = page.zone
    rows = await repository.calls_page(
        session,
        page.org_id,
        status=filters.status,
        since=datetime.combine(filters.since, time(), zone) if filters.since else None,
        until=(
            datetime.combine(filters.until + timedelta(days=1), time(), zone)
            if filters.until
            else None
        ),
        caller_bidx=caller_index,
        voicemail=filters.voicemail,
        limit=PAGE_SIZE + 1,
        offset=(filters.page - 1) * PAGE_SIZE,
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    urgent = await repository.emergency_conversations(
        session, page.org_id, [r.conversation_id for r in rows if r.conversation_id]
    )
    await reveal(page, session, "call", [r.call_sid for r in rows], "calls")
    return [call_row(page, runtime, r, r.conversation_id in urgent) for r in rows], more


@dataclass
class Turn:
    role: str
    text: str
    at: datetime


@dataclass
class TimelineEntry:
    at: datetime
    kind: str
    text: str


@dataclass
class Captured:
    fields: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    state: ConversationState | None = None


async def turns(
    page: Page, session: AsyncSession, runtime: Runtime, conv: Conversation
) -> list[Turn]:
    out: list[Turn] = []
    for row in await conversations_repository.turns_of(session, page.org_id, conv.id):
        text = (
            runtime.pii.open(
                row.text_enc,
                org_id=row.organization_id,
                table="conversation_turns",
                row_id=row.id,
                column="text_enc",
            )
            or ""
        )
        if row.role == "caller" and not page.principal.sees_pii:
            text = mask_text(text)
        out.append(Turn(role=row.role, text=text, at=row.created_at))
    return out


def captured(page: Page, state: ConversationState) -> Captured:
    """The slots the receptionist filled, in the order an owner reads them."""
    sees = page.principal.sees_pii
    t = page.t
    values: list[tuple[str, str | None]] = [
        (t("Name"), state.caller_name if sees else mask_name(state.caller_name)),
        (
            t("Callback number"),
            phone_for(page, state.effective_callback),
        ),
        (t("Email"), state.email if sees else mask_email(state.email)),
        (t("What they need"), state.job_summary),
        (t("Address"), state.address if sees else mask_text(state.address)),
        (
            t("Preferred time"),
            state.preferred_start.astimezone(page.zone).strftime("%Y-%m-%d %H:%M")
            if state.preferred_start
            else None,
        ),
        (t("Emergency"), t("Yes") if state.emergency else None),
        (t("Intent"), t(state.intent) if state.intent != "other" else None),
        (t("Language"), {"en": "English", "fr": "Français"}.get(state.language)),
    ]
    return Captured(fields=[(k, v) for k, v in values if v], state=state)


def consent_label(page: Page, value: bool | None) -> str:
    if value is None:
        return page.t("Not asked")
    return page.t("Given") if value else page.t("Refused")


@dataclass
class CallDetail:
    call: dict[str, Any]
    timeline: list[TimelineEntry]
    transcript: list[Turn]
    captured: Captured
    recordings: list[dict[str, Any]]  # playable links for admins; who can hear is the policy
    has_recording: bool
    voicemail_text: str | None
    consent: list[tuple[str, str]]
    ledger: list[LedgerEntry]
    lead_id: uuid.UUID | None


EVENT_LABELS = {
    "emergency_dial": "Emergency: dialled the on-call number",
    "transfer": "Transferred to a person",
    "voicemail": "Voicemail left",
    "voicemail_prompt": "Offered to take a voicemail",
    "dial_completed": "The person answered",
    "dial_no-answer": "Nobody answered the transfer",
    "dial_busy": "The transfer was busy",
    "dial_failed": "The transfer failed",
    "text_back": "Texted the caller back",
    "menu": "Menu choice",
    "ended": "Call wrapped up",
    "post_call": "Follow-up queued for the owner",
    "consent_yes": "Recording consent given",
    "consent_no": "Recording consent refused",
    "recording_completed": "Recording saved",
    "recording_deleted": "Recording deleted",
}
TIMELINE_TEXT = 90  # a turn's words on the timeline; the transcript has them whole


def _event_label(page: Page, kind: str, data: dict[str, Any]) -> str:
    if kind == "status":
        return page.t("Status: {status}", status=page.t(str(data.get("status", ""))))
    if kind == "consent":
        kind = "consent_yes" if data.get("granted") else "consent_no"
    label = EVENT_LABELS.get(kind)
    return page.t(label) if label else kind.replace("_", " ")


async def call_detail(
    page: Page, session: AsyncSession, runtime: Runtime, call: Call
) -> CallDetail:
    t = page.t
    caller = call_caller(runtime, call)
    timeline = [TimelineEntry(call.created_at, "start", t("Call started"))]
    for event in await telephony.events_of(session, call):
        label = _event_label(page, event.kind, event.data or {})
        timeline.append(TimelineEntry(event.created_at, event.kind, label))
    transcript: list[Turn] = []
    state = ConversationState()
    lead: Lead | None = None
    conv = (
        await repository.conversation(session, page.org_id, call.conversation_id)
        if call.conversation_id
        else None
    )
    if conv is not None:
        transcript = await turns(page, session, runtime, conv)
        state = open_state(runtime, conv)
        lead = await repository.lead_for_conversation(session, page.org_id, conv.id)
        for turn in transcript:
            who = t("Caller") if turn.role == "caller" else t("Receptionist")
            said = turn.text if len(turn.text) <= TIMELINE_TEXT else turn.text[:TIMELINE_TEXT] + "…"
            timeline.append(TimelineEntry(turn.at, f"turn-{turn.role}", f"{who}: {said}"))
    if call.ended_at:
        timeline.append(TimelineEntry(call.ended_at, "end", t("Call ended")))
    timeline.sort(key=lambda e: e.at)
    voicemail = runtime.pii.open(
        call.voicemail_transcript_enc,
        org_id=call.organization_id,
        table="calls",
        row_id=call.id,
        column="voicemail_transcript_enc",
    )
    ledger = await consent.entries_for(session, runtime, page.org_id, caller) if caller else []
    held = [r for r in await telephony.recordings_of(session, call) if r.deleted_at is None]
    recordings = [
        {
            "link": recording_link(r),
            "source": r.source,
            "duration": r.duration_seconds,
            "status": r.status,
        }
        for r in held
    ]
    if not recordings and call.recording_url:  # a voicemail stored before recordings had rows
        recordings = [
            {"link": call.recording_url, "source": "voicemail", "duration": None, "status": ""}
        ]
    await reveal(page, session, "call", [call.call_sid], "call detail")
    return CallDetail(
        call=call_row(page, runtime, call, state.emergency),
        timeline=timeline,
        transcript=transcript,
        captured=captured(page, state),
        recordings=[r for r in recordings if r["link"]] if page.principal.sees_pii else [],
        has_recording=bool(recordings),
        voicemail_text=voicemail if page.principal.sees_pii else mask_text(voicemail),
        consent=[
            (t("Recording"), t("Recorded") if call.recorded else t("Not recorded")),
            (t("Recording consent"), consent_label(page, state.consent_recording)),
            (t("Text messages"), consent_label(page, state.consent_sms)),
        ],
        ledger=sorted(ledger, key=lambda e: e.recorded_at, reverse=True),
        lead_id=lead.id if lead else None,
    )


# --- text threads -------------------------------------------------------------------------------


async def list_threads(
    page: Page, session: AsyncSession, runtime: Runtime, number: int
) -> tuple[list[dict[str, Any]], bool]:
    rows = await repository.sms_threads(
        session, page.org_id, limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    out = []
    for row in rows:
        customer = (
            runtime.pii.open(
                row.customer_enc,
                org_id=page.org_id,
                table="messages",
                row_id=row.customer_message_id,
                column="customer_enc",
            )
            if row.customer_enc is not None and row.customer_message_id is not None
            else None
        )
        state = open_state(runtime, row.conversation)
        out.append(
            {
                "id": row.conversation.id,
                "customer": phone_for(page, customer),
                "turns": row.turns,
                "last": row.conversation.last_activity_at or row.conversation.created_at,
                "status": row.conversation.status,
                "emergency": state.emergency,
                "job": state.job_summary,
            }
        )
    await reveal(page, session, "conversation", [str(r.conversation.id) for r in rows], "texts")
    return out, more


@dataclass
class ThreadDetail:
    id: uuid.UUID
    customer: str | None
    transcript: list[Turn]
    captured: Captured
    messages: list[dict[str, Any]]
    lead_id: uuid.UUID | None
    opted_out: bool


def _message_customer(runtime: Runtime, message: Message) -> str | None:
    return runtime.pii.open(
        message.customer_enc,
        org_id=message.organization_id,
        table="messages",
        row_id=message.id,
        column="customer_enc",
    )


async def thread_detail(
    page: Page, session: AsyncSession, runtime: Runtime, conv: Conversation
) -> ThreadDetail:
    messages = await repository.messages_of(session, page.org_id, conv.id)
    customer = _message_customer(runtime, messages[0]) if messages else None
    state = open_state(runtime, conv)
    lead = await repository.lead_for_conversation(session, page.org_id, conv.id)
    opted_out = (
        await consent.is_sms_opted_out(session, runtime, page.org_id, customer)
        if customer
        else False
    )
    await reveal(page, session, "conversation", [str(conv.id)], "text thread")
    return ThreadDetail(
        id=conv.id,
        customer=phone_for(page, customer),
        transcript=await turns(page, session, runtime, conv),
        captured=captured(page, state),
        messages=[
            {
                "at": m.created_at,
                "direction": m.direction,
                "status": m.status,
                "error": m.error_code,
            }
            for m in messages
        ],
        lead_id=lead.id if lead else None,
        opted_out=opted_out,
    )
