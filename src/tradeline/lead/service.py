"""Leads as the API shows them: decrypted for admins (audited), masked for other roles."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.auth.schemas import Principal
from tradeline.conversation.schemas import ConversationState
from tradeline.exceptions import NotFound, Unprocessable
from tradeline.kit.crypto import mask_email, mask_name, mask_phone, mask_text
from tradeline.kit.phone import InvalidPhoneNumber, to_e164
from tradeline.lead import repository
from tradeline.lead.schemas import LeadOut, LeadPage
from tradeline.models import Lead, Organization
from tradeline.privacy.service import Pii, audit_reveal


def _local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    # The contract gives preferred times with the business's UTC offset.
    return value.astimezone(zone) if value is not None else None


def present(lead: Lead, pii: Pii, principal: Principal, zone: ZoneInfo) -> LeadOut:
    def field(column: str) -> str | None:
        return pii.open(
            getattr(lead, column),
            org_id=lead.organization_id,
            table="leads",
            row_id=lead.id,
            column=column,
        )

    caller, callback = field("caller_number_enc"), field("callback_number_enc")
    name, email = field("caller_name_enc"), field("email_enc")
    summary, address = field("job_summary_enc"), field("address_enc")
    if not principal.sees_pii:
        caller, callback = mask_phone(caller), mask_phone(callback)
        name, email, address = mask_name(name), mask_email(email), mask_text(address)
    return LeadOut(
        id=lead.id,
        created_at=lead.created_at,
        channel=lead.channel,
        caller_number=caller,
        caller_name=name,
        callback_number=callback,
        email=email,
        job_summary=summary,
        address=address,
        preferred_datetime=_local(lead.preferred_datetime, zone),
        preferred_window_end=_local(lead.preferred_window_end, zone),
        emergency=lead.emergency,
        intent=lead.intent,
        consent_sms=lead.consent_sms,
        consent_recording=lead.consent_recording,
        score=lead.score,
        status=lead.status,
    )


def encode_cursor(lead: Lead) -> str:
    raw = f"{lead.created_at.isoformat()}|{lead.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, lead_id = raw.split("|")
        return datetime.fromisoformat(stamp), uuid.UUID(lead_id)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unprocessable("cursor: not a cursor returned by this API") from exc


async def list_leads(
    session: AsyncSession,
    pii: Pii,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
    phone: str | None,
    status: str | None,
    channel: str | None,
) -> LeadPage:
    org = await session.get(Organization, principal.organization_id)
    if org is None:
        raise NotFound("business not found")
    phone_index = None
    if phone is not None:
        try:
            phone_index = pii.phone_index(org.id, to_e164(phone, org.country))
        except InvalidPhoneNumber as exc:
            raise Unprocessable(f"phone: {exc}") from exc
    rows = await repository.page(
        session,
        org.id,
        limit=limit + 1,
        before=decode_cursor(cursor) if cursor else None,
        phone_index=phone_index,
        status=status,
        channel=channel,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    zone = ZoneInfo(org.timezone)
    items = [present(r, pii, principal, zone) for r in rows]
    if principal.sees_pii:
        await audit_reveal(
            session,
            org_id=org.id,
            actor_type=principal.actor_type,
            actor_id=principal.actor_id,
            target_type="lead",
            target_ids=[str(r.id) for r in rows],
            reason="api: list leads",
        )
    return LeadPage(items=items, next_cursor=encode_cursor(rows[-1]) if more and rows else None)


async def get_lead(
    session: AsyncSession, pii: Pii, principal: Principal, lead_id: uuid.UUID
) -> LeadOut:
    lead = await repository.get(session, principal.organization_id, lead_id)
    org = await session.get(Organization, principal.organization_id)
    if lead is None or org is None:
        raise NotFound("lead not found")
    if principal.sees_pii:
        await audit_reveal(
            session,
            org_id=org.id,
            actor_type=principal.actor_type,
            actor_id=principal.actor_id,
            target_type="lead",
            target_ids=[str(lead.id)],
            reason="api: read lead",
        )
    return present(lead, pii, principal, ZoneInfo(org.timezone))


async def create_lead(
    session: AsyncSession,
    pii: Pii,
    org_id: uuid.UUID,
    *,
    channel: str,
    caller_number: str | None = None,
    caller_name: str | None = None,
    callback_number: str | None = None,
    email: str | None = None,
    job_summary: str | None = None,
    address: str | None = None,
    preferred_datetime: datetime | None = None,
    preferred_window_end: datetime | None = None,
    emergency: bool = False,
    intent: str = "other",
    contact_id: uuid.UUID | None = None,
    conversation_id: uuid.UUID | None = None,
    score: int = 0,
) -> Lead:
    """Insert a lead with every identifying field sealed and the numbers blind-indexed."""
    lead = Lead(
        id=uuid.uuid4(),
        organization_id=org_id,
        channel=channel,
        preferred_datetime=preferred_datetime,
        preferred_window_end=preferred_window_end,
        emergency=emergency,
        intent=intent,
        contact_id=contact_id,
        conversation_id=conversation_id,
        score=score,
    )
    seal_lead_fields(
        lead,
        pii,
        caller_number=caller_number,
        caller_name=caller_name,
        callback_number=callback_number,
        email=email.lower() if email else None,
        job_summary=job_summary,
        address=address,
    )
    session.add(lead)
    await session.flush()
    return lead


def seal_lead_fields(lead: Lead, pii: Pii, **values: str | None) -> None:
    """Set the given PII fields (name → plaintext) on a lead, sealed; keeps indexes in step."""
    for name, value in values.items():
        column = f"{name}_enc"
        setattr(
            lead,
            column,
            pii.seal(
                value, org_id=lead.organization_id, table="leads", row_id=lead.id, column=column
            ),
        )
        if name == "caller_number":
            lead.caller_bidx = pii.phone_index(lead.organization_id, value) if value else None
        if name == "callback_number":
            lead.callback_bidx = pii.phone_index(lead.organization_id, value) if value else None


def score_lead(state: ConversationState) -> int:
    """0–100 from completeness, intent and urgency: a callback-ready emergency scores highest."""
    score = 20 if state.caller_name else 0
    score += 20 if state.callback_number or state.caller_number else 0
    score += 20 if state.job_summary else 0
    score += 10 if state.address else 0
    score += 10 if state.preferred_start else 0
    score += 5 if state.email else 0
    score += {"service_request": 10, "quote": 8, "existing_job": 5}.get(state.intent, 0)
    score += 15 if state.emergency else 0
    return min(100, score)
