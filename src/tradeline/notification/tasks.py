"""Jobs that reach the owner: emergency alerts (SMS + email card) and new-lead cards."""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from procrastinate import JobContext
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.conversation import repository as conversations
from tradeline.conversation.service import open_state
from tradeline.db import tenant_session
from tradeline.integrations.providers import email_sender, sms_sender
from tradeline.lead import repository as leads
from tradeline.lead.schemas import LeadOut
from tradeline.lead.service import system_view
from tradeline.models import Call
from tradeline.notification import repository
from tradeline.notification.cards import base_url, call_url, lead_card, lead_url, render_email
from tradeline.organization import service as organizations
from tradeline.runtime import Runtime
from tradeline.worker.app import DEFAULT_RETRY, app, job_runtime


def _links(
    runtime: Runtime, lead: LeadOut | None, call: Call | None, conversation_id: uuid.UUID | None
) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    if call is not None:
        links.append(("Transcript", call_url(runtime.settings, call.call_sid)))
    elif conversation_id is not None:
        links.append(
            ("Conversation", f"{base_url(runtime.settings)}/api/v1/conversations/{conversation_id}")
        )
    if lead is not None:
        links.append(("Lead", lead_url(runtime.settings, lead.id)))
    return links


async def _lead_of_conversation(
    session: AsyncSession, runtime: Runtime, org: uuid.UUID, conversation_id: uuid.UUID
) -> LeadOut | None:
    lead = await leads.by_conversation(session, org, conversation_id)
    return await system_view(session, runtime.pii, org, lead.id) if lead else None


@app.task(name="notification.alert_emergency", retry=DEFAULT_RETRY, pass_context=True)
async def alert_emergency(
    context: JobContext, *, org_id: str, conversation_id: str | None, reason: str
) -> None:
    runtime = job_runtime(context)
    org = uuid.UUID(org_id)
    async with tenant_session(runtime.maker, org) as session:
        profile = await organizations.get_profile(session, org)
        details = ""
        lead: LeadOut | None = None
        call: Call | None = None
        conv_id = uuid.UUID(conversation_id) if conversation_id else None
        if conv_id is not None:
            conv = await conversations.get_conversation(session, org, conv_id)
            if conv is not None:
                state = open_state(runtime, conv)
                number = state.effective_callback or "unknown number"
                details = f" Caller: {state.caller_name or 'name not given yet'}, {number}. {state.job_summary or ''}".rstrip()
            lead = await _lead_of_conversation(session, runtime, org, conv_id)
            call = await repository.call_for_conversation(session, org, conv_id)
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
            card = lead_card(
                "emergency",
                business=profile.name,
                lead=lead.model_dump(mode="json") if lead else None,
                zone=ZoneInfo(profile.timezone),
                reason=reason,
                links=_links(runtime, lead, call, conv_id),
            )
            await email_sender(runtime).send_email(
                session, org_id=org, email=render_email(card, str(profile.notify.email))
            )


@app.task(name="notification.new_lead_email", retry=DEFAULT_RETRY, pass_context=True)
async def new_lead_email(context: JobContext, *, org_id: str, lead_id: str) -> bool:
    """The owner's lead card; sent once per lead (a re-run after success does nothing)."""
    runtime = job_runtime(context)
    org, lead_uuid = uuid.UUID(org_id), uuid.UUID(lead_id)
    async with tenant_session(runtime.maker, org) as session:
        profile = await organizations.get_profile(session, org)
        lead = await system_view(session, runtime.pii, org, lead_uuid)
        if lead is None or not profile.notify.email:
            return False
        if await repository.lead_card_sent(session, org, lead_uuid):
            return False
        row = await leads.get(session, org, lead_uuid)
        conv_id = row.conversation_id if row else None
        call = await repository.call_for_conversation(session, org, conv_id) if conv_id else None
        card = lead_card(
            "new_lead",
            business=profile.name,
            lead=lead.model_dump(mode="json"),
            zone=ZoneInfo(profile.timezone),
            links=_links(runtime, lead, call, conv_id),
        )
        await email_sender(runtime).send_email(
            session, org_id=org, email=render_email(card, str(profile.notify.email))
        )
        repository.mark_lead_card_sent(session, org, lead_uuid)
        return True
