"""Jobs that reach the owner: emergency alerts by SMS and email."""

from __future__ import annotations

import uuid

from procrastinate import JobContext

from tradeline.conversation import repository as conversations
from tradeline.conversation.service import open_state
from tradeline.db import tenant_session
from tradeline.integrations.providers import email_sender, sms_sender
from tradeline.notification.ports import Email
from tradeline.organization import service as organizations
from tradeline.worker.app import DEFAULT_RETRY, app, job_runtime


@app.task(name="notification.alert_emergency", retry=DEFAULT_RETRY, pass_context=True)
async def alert_emergency(
    context: JobContext, *, org_id: str, conversation_id: str | None, reason: str
) -> None:
    runtime = job_runtime(context)
    org = uuid.UUID(org_id)
    async with tenant_session(runtime.maker, org) as session:
        profile = await organizations.get_profile(session, org)
        details = ""
        if conversation_id:
            conv = await conversations.get_conversation(session, org, uuid.UUID(conversation_id))
            if conv is not None:
                state = open_state(runtime, conv)
                number = state.effective_callback or "unknown number"
                details = f" Caller: {state.caller_name or 'name not given yet'}, {number}. {state.job_summary or ''}".rstrip()
        text = f"URGENT ({reason}) for {profile.name}.{details}"[:600]
        if profile.notify.sms:
            await sms_sender(runtime).send_sms(
                session,
                org_id=org,
                to=profile.notify.sms,
                from_=profile.phone_numbers[0],
                body=text,
                status_callback=None,
            )
        if profile.notify.email:
            await email_sender(runtime).send_email(
                session,
                org_id=org,
                email=Email(
                    to=str(profile.notify.email),
                    subject=f"Emergency call — {profile.name}",
                    text=text,
                ),
            )


@app.task(name="notification.new_lead_email", retry=DEFAULT_RETRY, pass_context=True)
async def new_lead_email(context: JobContext, *, org_id: str, lead_id: str) -> None:
    from tradeline.models import Lead

    runtime = job_runtime(context)
    org = uuid.UUID(org_id)
    async with tenant_session(runtime.maker, org) as session:
        profile = await organizations.get_profile(session, org)
        lead = await session.get(Lead, uuid.UUID(lead_id))
        if lead is None or not profile.notify.email:
            return

        def field(column: str) -> str:
            return (
                runtime.pii.open(
                    getattr(lead, column), org_id=org, table="leads", row_id=lead.id, column=column
                )
                or "—"
            )

        text = (
            f"New {lead.channel} lead for {profile.name}\n"
            f"Name: {field('caller_name_enc')}\nNumber: {field('callback_number_enc')}\nEmail: {field('email_enc')}\n"
            f"Job: {field('job_summary_enc')}\nUrgent: {'yes' if lead.emergency else 'no'}\nLead id: {lead.id}\n"
        )
        await email_sender(runtime).send_email(
            session,
            org_id=org,
            email=Email(
                to=str(profile.notify.email), subject=f"New lead — {profile.name}", text=text
            ),
        )
