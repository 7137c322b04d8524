"""The public web lead form: validated, rate limited, idempotent, honeypot-guarded."""

from __future__ import annotations

import uuid

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.consent import service as consent
from tradeline.db import set_org
from tradeline.exceptions import Forbidden, NotFound, Unprocessable
from tradeline.kit.phone import InvalidPhoneNumber, to_e164
from tradeline.lead.schemas import WebLeadIn, WebLeadOut
from tradeline.lead.service import create_lead, link_contact
from tradeline.models import AuditLog, Organization
from tradeline.organization.service import get_profile
from tradeline.runtime import Runtime

INQUIRY_WORDING = "Submitted the contact form to request a reply about their inquiry."


async def open_org(session: AsyncSession, org_id: uuid.UUID) -> Organization:
    await set_org(session, org_id)
    org = await session.get(Organization, org_id)
    if org is None or not org.is_active:
        raise NotFound("unknown business")
    return org


def check_origin(origin: str | None, allowed: list[str]) -> None:
    """Browsers send Origin on cross-site posts: only the business's own sites may submit."""
    if origin is not None and origin not in allowed:
        raise Forbidden("this site may not submit leads for this business")


async def submit(
    session: AsyncSession, runtime: Runtime, form: WebLeadIn, *, origin: str | None
) -> WebLeadOut:
    org = await open_org(session, form.org_id)
    profile = await get_profile(session, org.id)
    check_origin(origin, list(profile.web.allowed_origins))
    try:
        email = validate_email(form.email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Unprocessable(f"email: {exc}") from exc
    phone = None
    if form.phone:
        try:
            phone = to_e164(form.phone, org.country)
        except InvalidPhoneNumber as exc:
            raise Unprocessable(f"phone: {exc}") from exc
    summary = " — ".join(part for part in (form.company, form.message) if part) or None
    contact = await link_contact(
        session, runtime.pii, org.id, name=form.name, phone=phone, email=email
    )
    lead = await create_lead(
        session,
        runtime.pii,
        org.id,
        channel="web",
        caller_number=phone,
        callback_number=phone,
        caller_name=form.name,
        email=email,
        job_summary=summary,
        intent="service_request" if form.message else "other",
        contact_id=contact.id,
    )
    lead.score = 40 + (20 if phone else 0) + (20 if form.message else 0)
    if phone:
        await consent.record(
            session,
            runtime,
            org.id,
            phone,
            channel="sms",
            purpose="transactional",
            basis="implied_inquiry",
            granted=True,
            source="web_form",
            wording=INQUIRY_WORDING,
            evidence=str(lead.id),
        )
    session.add(
        AuditLog(
            organization_id=org.id,
            actor_type="web",
            action="lead.submitted",
            target_type="lead",
            target_id=str(lead.id),
        )
    )
    from tradeline.notification.service import notify_new_lead

    await notify_new_lead(session, runtime, org.id, profile, lead.id)
    return WebLeadOut(success=True, id=lead.id)
