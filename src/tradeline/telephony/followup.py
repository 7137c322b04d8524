"""After the call: the owner's email (lead card, transcript, recording link), the owner's text
for a voicemail, and the caller's confirmation text when they agreed to texts.

Runs as a job (`telephony.post_call`), once per call whatever the retries: the first run claims
a `post_call` marker on the call's timeline in the same transaction as what it sends (the
sandbox outbox is written in that transaction too), so a second run finds it and stops.
"""

from __future__ import annotations

import importlib
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.consent import service as consent
from tradeline.conversation import repository as conversations
from tradeline.conversation.schemas import ConversationState
from tradeline.conversation.service import open_state
from tradeline.integrations.providers import email_sender, sms_sender
from tradeline.logging import get_logger
from tradeline.models import Call, Lead
from tradeline.notification.ports import Email
from tradeline.organization import service as organizations
from tradeline.organization.schemas import BusinessProfileSpec
from tradeline.runtime import Runtime
from tradeline.telephony import recordings, repository

log = get_logger(__name__)
MARKER = "post_call"

CONFIRMATION = {
    "en": "Thanks for calling {name}. We've got your request{job} and will call you back{number}. Reply STOP to opt out.",
    "fr": "Merci d'avoir appelé {name}. Nous avons bien reçu votre demande{job} et vous rappellerons{number}. Répondez STOP pour ne plus recevoir de textos.",
}


@dataclass
class CallReport:
    """Everything the follow-up says about one call, decrypted (never logged, never a job arg)."""

    business: str
    caller: str | None
    when: str
    duration: int | None
    status: str
    name: str | None = None
    callback: str | None = None
    email: str | None = None
    job: str | None = None
    address: str | None = None
    urgent: bool = False
    urgency_reason: str | None = None
    preferred: str | None = None
    transcript: list[tuple[str, str]] = field(default_factory=list)
    voicemail: bool = False
    voicemail_text: str | None = None
    recording_links: list[str] = field(default_factory=list)
    lead_id: uuid.UUID | None = None
    consent_sms: bool = False
    language: str = "en"

    @property
    def who(self) -> str:
        return self.name or self.callback or self.caller or "an unknown caller"


async def send_post_call(
    session: AsyncSession, runtime: Runtime, org_id: uuid.UUID, call_id: uuid.UUID
) -> dict[str, bool]:
    """Send what is due for this call; returns what was sent ({} when already done)."""
    call = await repository.get_call_by_id(session, org_id, call_id)
    if call is None:
        return {}
    if not await repository.add_event(session, call, MARKER, {}, sequence=0, dedupe_key=MARKER):
        return {}  # an earlier run sent it
    profile = await organizations.get_profile(session, org_id)
    report = await build_report(session, runtime, call, profile)
    kinds = await repository.event_kinds(session, call)
    sent = {"owner_email": False, "owner_sms": False, "caller_sms": False}
    if profile.notify.email:
        await email_sender(runtime).send_email(
            session,
            org_id=org_id,
            email=Email(
                to=str(profile.notify.email), subject=subject(report), text=email_text(report)
            ),
        )
        sent["owner_email"] = True
    if report.voicemail and profile.notify.sms:
        await sms_sender(runtime).send_sms(
            session,
            org_id=org_id,
            to=profile.notify.sms,
            from_=call.to_number or profile.phone_numbers[0],
            body=owner_voicemail_text(report),
            status_callback=None,
        )
        sent["owner_sms"] = True
    target = report.callback or report.caller
    if report.consent_sms and target and "text_back" not in kinds:
        # Not after a missed-call text: that one already reached them.
        sent["caller_sms"] = await _confirm_to_caller(
            session, runtime, call, profile, target, caller_confirmation(report)
        )
    # Subscriptions (Slack, Teams, a CRM) hear of the call once, with the same marker.
    from tradeline.notification.service import notify_call_completed

    await notify_call_completed(session, runtime, org_id, call.id, voicemail=report.voicemail)
    await repository.update_event_data(session, call, MARKER, {**sent})
    log.info("post_call_sent", **sent)
    return sent


async def _confirm_to_caller(
    session: AsyncSession,
    runtime: Runtime,
    call: Call,
    profile: BusinessProfileSpec,
    number: str,
    body: str,
) -> bool:
    """The caller agreed to texts: one transactional confirmation, through the SMS domain's
    `send_sms` (consent ledger, opt-outs, delivery job) when it is installed."""
    org_id = call.organization_id
    if await consent.is_sms_opted_out(session, runtime, org_id, number):
        return False
    sender = call.to_number if call.to_number in profile.phone_numbers else None
    sms = importlib.import_module("tradeline.sms.service")
    send_sms = getattr(sms, "send_sms", None)
    if send_sms is None:
        await sms_sender(runtime).send_sms(
            session,
            org_id=org_id,
            to=number,
            from_=sender or profile.phone_numbers[0],
            body=body,
            status_callback=None,
        )
        return True
    # They called us: implied consent by inquiry, recorded as the text-back records it.
    await consent.note_inquiry(
        session, runtime, org_id, number, channel="sms", source="voice_call", evidence=call.call_sid
    )
    result = await send_sms(
        session,
        runtime,
        org_id,
        number,
        body,
        "transactional",
        "call_confirmation",
        from_=sender,
        conversation_id=call.conversation_id,
        dedupe_key=f"call_confirmation:{call.call_sid}",
        profile=profile,
    )
    return bool(result.status == "pending")


async def build_report(
    session: AsyncSession, runtime: Runtime, call: Call, profile: BusinessProfileSpec
) -> CallReport:
    org_id = call.organization_id
    pii = runtime.pii
    zone = ZoneInfo(profile.timezone)
    report = CallReport(
        business=profile.name,
        caller=pii.open(
            call.from_enc, org_id=org_id, table="calls", row_id=call.id, column="from_enc"
        ),
        when=call.created_at.astimezone(zone).strftime("%a %d %b %Y, %H:%M %Z"),
        duration=call.duration_seconds,
        status=call.status,
        language=profile.languages[0],
    )
    if call.conversation_id is not None:
        conv = await conversations.get_conversation(session, org_id, call.conversation_id)
        if conv is not None:
            state = open_state(runtime, conv)
            _fill_from_state(report, state, zone)
            for turn in await conversations.turns_of(session, org_id, conv.id):
                text = pii.open(
                    turn.text_enc,
                    org_id=org_id,
                    table="conversation_turns",
                    row_id=turn.id,
                    column="text_enc",
                )
                report.transcript.append((turn.role, text or ""))
            if state.lead_id:
                lead = await session.get(Lead, uuid.UUID(state.lead_id))
                if lead is not None and lead.organization_id == org_id:
                    report.lead_id = lead.id
                    report.consent_sms = bool(lead.consent_sms)
                    report.urgent = report.urgent or lead.emergency
    kinds = await repository.event_kinds(session, call)
    report.voicemail = "voicemail" in kinds
    report.voicemail_text = pii.open(
        call.voicemail_transcript_enc,
        org_id=org_id,
        table="calls",
        row_id=call.id,
        column="voicemail_transcript_enc",
    )
    for row in await repository.recordings_of(session, call):
        url = recordings.link(row)
        if url and row.status == "completed":
            report.recording_links.append(url)
    if call.recording_url and not report.recording_links:
        report.recording_links.append(call.recording_url)
    return report


def _fill_from_state(report: CallReport, state: ConversationState, zone: ZoneInfo) -> None:
    report.name = state.caller_name
    report.callback = state.effective_callback
    report.email = state.email
    report.job = state.job_summary
    report.address = state.address
    report.urgent = state.emergency
    report.urgency_reason = state.emergency_reason
    report.language = state.language
    if state.preferred_start is not None:
        report.preferred = state.preferred_start.astimezone(zone).strftime("%a %d %b, %H:%M")


def subject(report: CallReport) -> str:
    if report.urgent:
        return f"URGENT call from {report.who} — {report.business}"
    if report.voicemail:
        return f"Voicemail from {report.who} — {report.business}"
    if report.lead_id is not None:
        job = f": {report.job[:60]}" if report.job else ""
        return f"New lead from {report.who}{job} — {report.business}"
    if report.status != "completed" or not report.transcript:
        return f"Missed call from {report.who} — {report.business}"
    return f"Call from {report.who} — {report.business}"


def email_text(report: CallReport) -> str:
    def line(label: str, value: object) -> str:
        return f"{label}: {value if value not in (None, '') else '—'}"

    urgency = "URGENT" + (f" ({report.urgency_reason})" if report.urgency_reason else "")
    minutes = f"{report.duration} s" if report.duration is not None else "—"
    lines = [
        f"{report.business} — call on {report.when} ({minutes}, {report.status})",
        "",
        "LEAD",
        line("Name", report.name),
        line("Number", report.callback or report.caller),
        line("Caller ID", report.caller),
        line("Email", report.email),
        line("Job", report.job),
        line("Address", report.address),
        line("Preferred time", report.preferred),
        line("Urgency", urgency if report.urgent else "normal"),
        "",
    ]
    if report.voicemail:
        lines += ["VOICEMAIL", report.voicemail_text or "(transcription not available yet)", ""]
    lines.append("RECORDING")
    lines += report.recording_links or ["(no recording)"]
    lines += ["", "TRANSCRIPT"]
    speakers = {"caller": "Caller", "assistant": "Receptionist"}
    lines += [f"{speakers.get(role, role.title())}: {text}" for role, text in report.transcript]
    if not report.transcript:
        lines.append("(nothing was said to the receptionist)")
    return "\n".join(lines) + "\n"


def owner_voicemail_text(report: CallReport) -> str:
    said = f' "{report.voicemail_text[:200]}"' if report.voicemail_text else ""
    return f"New voicemail for {report.business} from {report.who}.{said} Details by email."[:600]


def caller_confirmation(report: CallReport) -> str:
    template = CONFIRMATION.get(report.language, CONFIRMATION["en"])
    job = f" ({report.job[:80]})" if report.job else ""
    number = ""
    if report.callback:
        number = f" at {report.callback}" if report.language == "en" else f" au {report.callback}"
    return template.format(name=report.business, job=job, number=number)[:600]
