"""Jobs: invites after a booking changes, and the text reminder 24 h before.

Reminders: a periodic scan (every 5 minutes) finds due reminders across businesses (ids only)
and handles each in its own business's transaction: the appointment row is locked (SKIP LOCKED)
and re-checked, so two workers never both text. A reminder is a transactional text; it goes out
through `tradeline.sms.service.send_sms` (the consent ledger decides: no opt-out, no
do-not-contact entry, a basis — booking notes an inquiry) and only when the caller did not
refuse texts during the call. Every outcome is written on the appointment and in the audit log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo

from procrastinate import JobContext
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.appointment import repository
from tradeline.appointment.invite import invitations
from tradeline.appointment.service import lead_number, present
from tradeline.db import tenant_session
from tradeline.integrations.providers import email_sender
from tradeline.lead import repository as leads
from tradeline.lead.service import system_principal, system_view
from tradeline.logging import get_logger
from tradeline.models import AuditLog
from tradeline.models.appointment import Appointment
from tradeline.organization.schemas import BusinessProfileSpec
from tradeline.organization.service import get_profile
from tradeline.runtime import Runtime
from tradeline.worker.app import DEFAULT_QUEUE, DEFAULT_RETRY, app, job_runtime

log = get_logger(__name__)

SCAN_BATCH: Final = 200

_FR_DAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
_FR_MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)


@app.task(name="appointment.send_invites", retry=DEFAULT_RETRY, pass_context=True)
async def send_invites(
    context: JobContext, *, org_id: str, appointment_id: str, sequence: int
) -> int:
    """Email the invite (ICS attached) to the caller and the owner; returns how many.

    `sequence` is the change this job announces: when a later change has superseded it before
    the job ran, that change's own job speaks for both, and this one sends nothing.
    """
    runtime = job_runtime(context)
    org = uuid.UUID(org_id)
    async with tenant_session(runtime.maker, org) as session:
        appointment = await repository.get(session, org, uuid.UUID(appointment_id))
        if appointment is None or appointment.ics_sequence != sequence:
            return 0
        profile = await get_profile(session, org)
        zone = ZoneInfo(profile.timezone)
        lead = await system_view(session, runtime.pii, org, appointment.lead_id)
        view = present(appointment, runtime.pii, system_principal(org), zone)
        emails = invitations(
            profile, view, lead, sequence=appointment.ics_sequence, settings=runtime.settings
        )
        sender = email_sender(runtime)
        for email in emails:
            await sender.send_email(session, org_id=org, email=email)
        return len(emails)


def reminder_text(profile: BusinessProfileSpec, appointment: Appointment) -> str:
    zone = ZoneInfo(profile.timezone)
    start = appointment.starts_at.astimezone(zone)
    service = appointment.service
    if profile.languages[0] == "fr":
        when = f"{_FR_DAYS[start.weekday()]} {start.day} {_FR_MONTHS[start.month - 1]} à {start:%H} h {start:%M}"
        what = f"votre rendez-vous ({service})" if service else "votre rendez-vous"
        return (
            f"Rappel de {profile.name} : {what} est le {when}. "
            f"Pour changer, appelez le {profile.phone_numbers[0]}. Répondez STOP pour vous désabonner."
        )
    what = f"your {service} appointment" if service else "your appointment"
    return (
        f"Reminder from {profile.name}: {what} is on {start:%a %d %b} at {start:%H:%M}. "
        f"To change it, call {profile.phone_numbers[0]}. Reply STOP to opt out."
    )


async def remind(
    session: AsyncSession,
    runtime: Runtime,
    profile: BusinessProfileSpec,
    appointment: Appointment,
    now: datetime,
) -> str:
    """Decide and (when allowed) queue one reminder; returns the outcome written on the row.

    The text goes through the SMS domain's `send_sms`, which checks the consent ledger (opt-out,
    do-not-contact list, a basis for a transactional text) and sends it after commit; a refusal
    comes back as `skipped_<its reason>`. A caller who refused texts during the call is skipped
    here, since the ledger does not know it.
    """
    from tradeline.sms.service import send_sms

    if appointment.starts_at <= now:
        return "skipped_past"
    lead = await leads.get(session, appointment.organization_id, appointment.lead_id)
    number = lead_number(runtime, lead) if lead is not None else None
    if lead is None or number is None:
        return "skipped_no_number"
    if lead.consent_sms is False:
        return "skipped_no_consent"
    result = await send_sms(
        session,
        runtime,
        appointment.organization_id,
        number,
        reminder_text(profile, appointment),
        "transactional",
        "reminder",
        from_=profile.phone_numbers[0],
        dedupe_key=f"reminder:{appointment.id}:{appointment.ics_sequence}",
        profile=profile,
    )
    if result.status == "refused":
        return f"skipped_{result.reason}"[:24]
    return "queued"


@dataclass
class ReminderRun:
    outcomes: dict[str, int]

    @property
    def queued(self) -> int:
        return self.outcomes.get("queued", 0)


async def send_due_reminders(
    runtime: Runtime, *, now: datetime | None = None, limit: int = SCAN_BATCH
) -> ReminderRun:
    """Handle every reminder due at `now` (default: the current time)."""
    moment = now or datetime.now(UTC)
    async with tenant_session(runtime.maker, None) as session:
        due = await repository.due_reminders(session, moment, limit=limit)
    outcomes: dict[str, int] = {}
    for org_id, appointment_id in due:
        try:
            async with tenant_session(runtime.maker, org_id) as session:
                appointment = await repository.claim_reminder(session, org_id, appointment_id)
                if appointment is None:
                    continue
                profile = await get_profile(session, org_id)
                outcome = await remind(session, runtime, profile, appointment, moment)
                appointment.reminder_status = outcome
                if outcome == "queued":
                    appointment.reminder_sent_at = moment
                session.add(
                    AuditLog(
                        organization_id=org_id,
                        actor_type="system",
                        actor_id="reminders",
                        action="appointment.reminder",
                        target_type="appointment",
                        target_id=str(appointment_id),
                        reason=outcome,
                    )
                )
        except Exception:
            # One business's failure (provider down, bad data) must not hold up the others;
            # its reminder stays scheduled and the next scan tries again.
            log.exception("appointment_reminder_failed", appointment_id=str(appointment_id))
            outcomes["error"] = outcomes.get("error", 0) + 1
            continue
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if outcomes:
        log.info("appointment_reminders", **outcomes)
    return ReminderRun(outcomes)


@app.periodic(cron="*/5 * * * *")
@app.task(
    name="appointment.send_due_reminders",
    queue=DEFAULT_QUEUE,
    queueing_lock="appointment.send_due_reminders",
    retry=DEFAULT_RETRY,
    pass_context=True,
)
async def send_due_reminders_task(context: JobContext, timestamp: int) -> int:
    """Every 5 minutes: text the reminders that fell due (see `send_due_reminders`)."""
    run = await send_due_reminders(job_runtime(context))
    return run.queued
