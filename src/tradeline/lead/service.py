"""Leads as the API shows them: decrypted for admins (audited), masked for other roles."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.auth.schemas import Principal, Role
from tradeline.conversation.schemas import ConversationState
from tradeline.exceptions import NotFound, Unprocessable
from tradeline.kit.crypto import mask_email, mask_name, mask_phone, mask_text
from tradeline.kit.phone import InvalidPhoneNumber, to_e164
from tradeline.lead import repository
from tradeline.lead.policy import check_transition
from tradeline.lead.schemas import LeadOut, LeadPage, NoteOut, NotePage
from tradeline.models import AuditLog, Contact, Lead, Organization
from tradeline.models.lead_extra import LeadNote
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


def system_principal(org_id: uuid.UUID, actor: str = "system") -> Principal:
    """Our own processing (notifications, webhooks): sees PII, acts as `system`."""
    return Principal(organization_id=org_id, role=Role.ADMIN, actor_type="system", actor_id=actor)


async def system_view(
    session: AsyncSession, pii: Pii, org_id: uuid.UUID, lead_id: uuid.UUID
) -> LeadOut | None:
    """The lead as the contract shapes it, decrypted, for our own processing (not a reveal to a
    person: callers that hand it to someone outside audit that themselves)."""
    lead = await repository.get(session, org_id, lead_id)
    org = await session.get(Organization, org_id)
    if lead is None or org is None:
        return None
    return present(lead, pii, system_principal(org_id), ZoneInfo(org.timezone))


class Keyed(Protocol):
    """Any row listed newest first on (created_at, id)."""

    @property
    def created_at(self) -> datetime: ...

    @property
    def id(self) -> uuid.UUID: ...


def encode_cursor(row: Keyed) -> str:
    raw = f"{row.created_at.isoformat()}|{row.id}".encode()
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
    since: datetime | None = None,
    until: datetime | None = None,
) -> LeadPage:
    org = await session.get(Organization, principal.organization_id)
    if org is None:
        raise NotFound("business not found")
    for name, bound in (("since", since), ("until", until)):
        if bound is not None and bound.tzinfo is None:
            raise Unprocessable(f"{name}: give a time zone offset (e.g. 2026-11-01T00:00:00Z)")
    if since is not None and until is not None and since >= until:
        raise Unprocessable("since: must be before until")
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
        since=since,
        until=until,
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
    events: bool = True,
) -> Lead:
    """Insert a lead with every identifying field sealed and the numbers blind-indexed.

    With `events`, subscribed webhooks get `lead.created` (delivered after commit; the payload
    is rendered from the committed row, so fields set later in the transaction are in it).
    """
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
    if events:
        from tradeline.integrations.webhooks.service import emit

        await emit(session, org_id, "lead.created", lead.id)
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


async def change_status(
    session: AsyncSession, pii: Pii, principal: Principal, lead_id: uuid.UUID, status: str
) -> LeadOut:
    """Move a lead along new → contacted → booked → won / lost (see `lead.policy`); audited,
    and announced to webhooks as `lead.updated`. Asking for the current status changes nothing."""
    org_id = principal.organization_id
    lead = await repository.get(session, org_id, lead_id, for_update=True)
    if lead is None:
        raise NotFound("lead not found")
    if lead.status != status:
        await set_status(
            session,
            lead,
            status,
            actor_type=principal.actor_type,
            actor_id=principal.actor_id,
            reason="api",
        )
    return await get_lead(session, pii, principal, lead_id)


async def set_status(
    session: AsyncSession,
    lead: Lead,
    status: str,
    *,
    actor_type: str,
    actor_id: str | None,
    reason: str,
) -> None:
    """The one place a lead's status changes: checked, audited, announced."""
    from tradeline.integrations.webhooks.service import emit

    previous = lead.status
    check_transition(previous, status)
    lead.status = status
    lead.updated_at = datetime.now(UTC)
    session.add(
        AuditLog(
            organization_id=lead.organization_id,
            actor_type=actor_type,
            actor_id=actor_id,
            action="lead.status_changed",
            target_type="lead",
            target_id=str(lead.id),
            reason=reason[:200],
            data={"from": previous, "to": status},
        )
    )
    await session.flush()
    await emit(
        session,
        lead.organization_id,
        "lead.updated",
        lead.id,
        meta={"changes": {"status": {"from": previous, "to": status}}},
    )


def _present_note(note: LeadNote, pii: Pii, sees_pii: bool) -> NoteOut:
    body = (
        pii.open(
            note.body_enc,
            org_id=note.organization_id,
            table="lead_notes",
            row_id=note.id,
            column="body_enc",
        )
        or ""
    )
    return NoteOut(
        id=note.id,
        lead_id=note.lead_id,
        created_at=note.created_at,
        author_type=note.author_type,
        author_id=note.author_id,
        body=body if sees_pii else mask_text(body),
    )


async def add_note(
    session: AsyncSession, pii: Pii, principal: Principal, lead_id: uuid.UUID, body: str
) -> NoteOut:
    """A sealed note on a lead, with an audit row (the text itself stays out of the log)."""
    org_id = principal.organization_id
    if await repository.get(session, org_id, lead_id) is None:
        raise NotFound("lead not found")
    note = LeadNote(
        id=uuid.uuid4(),
        organization_id=org_id,
        lead_id=lead_id,
        author_type=principal.actor_type,
        author_id=principal.actor_id,
    )
    note.body_enc = (
        pii.seal(body, org_id=org_id, table="lead_notes", row_id=note.id, column="body_enc") or b""
    )
    session.add(note)
    session.add(
        AuditLog(
            organization_id=org_id,
            actor_type=principal.actor_type,
            actor_id=principal.actor_id,
            action="lead.note_added",
            target_type="lead",
            target_id=str(lead_id),
            data={"note_id": str(note.id), "length": len(body)},
        )
    )
    await session.flush()
    # The author gets their own words back: not a reveal, nothing to mask or audit.
    return NoteOut(
        id=note.id,
        lead_id=lead_id,
        created_at=note.created_at,
        author_type=note.author_type,
        author_id=note.author_id,
        body=body,
    )


async def list_notes(
    session: AsyncSession,
    pii: Pii,
    principal: Principal,
    lead_id: uuid.UUID,
    *,
    limit: int,
    cursor: str | None,
) -> NotePage:
    """Newest first; decrypted (and audited) for admins, redacted for other roles."""
    org_id = principal.organization_id
    if await repository.get(session, org_id, lead_id) is None:
        raise NotFound("lead not found")
    rows = await repository.notes_page(
        session,
        org_id,
        lead_id,
        limit=limit + 1,
        before=decode_cursor(cursor) if cursor else None,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    if principal.sees_pii:
        await audit_reveal(
            session,
            org_id=org_id,
            actor_type=principal.actor_type,
            actor_id=principal.actor_id,
            target_type="lead_note",
            target_ids=[str(r.id) for r in rows],
            reason="api: read lead notes",
        )
    return NotePage(
        items=[_present_note(r, pii, principal.sees_pii) for r in rows],
        next_cursor=encode_cursor(rows[-1]) if more and rows else None,
    )


def new_contact(
    pii: Pii,
    org_id: uuid.UUID,
    *,
    name: str | None,
    phone: str | None,
    email: str | None,
    address: str | None = None,
) -> Contact:
    """A contact with its PII sealed and its phone and email blind-indexed (not yet added)."""
    contact = Contact(id=uuid.uuid4(), organization_id=org_id)
    for column, value in (
        ("name_enc", name),
        ("phone_enc", phone),
        ("email_enc", email),
        ("address_enc", address),
    ):
        setattr(
            contact,
            column,
            pii.seal(value, org_id=org_id, table="contacts", row_id=contact.id, column=column),
        )
    contact.phone_bidx = pii.phone_index(org_id, phone) if phone else None
    contact.email_bidx = pii.email_index(org_id, email) if email else None
    return contact


async def link_contact(
    session: AsyncSession,
    pii: Pii,
    org_id: uuid.UUID,
    *,
    name: str | None,
    phone: str | None,
    email: str | None,
) -> Contact:
    """The person behind a new lead: an existing contact with this phone or email, else a new
    one. Keeps one history per person and lets imports dedupe by email."""
    existing = await repository.contact_by_index(
        session,
        org_id,
        phone_index=pii.phone_index(org_id, phone) if phone else None,
        email_index=pii.email_index(org_id, email) if email else None,
    )
    if existing is not None:
        changed = False
        if existing.email_bidx is None and email:
            existing.email_enc = pii.seal(
                email, org_id=org_id, table="contacts", row_id=existing.id, column="email_enc"
            )
            existing.email_bidx = pii.email_index(org_id, email)
            changed = True
        if existing.phone_bidx is None and phone:
            existing.phone_enc = pii.seal(
                phone, org_id=org_id, table="contacts", row_id=existing.id, column="phone_enc"
            )
            existing.phone_bidx = pii.phone_index(org_id, phone)
            changed = True
        if changed:
            existing.updated_at = datetime.now(UTC)
            await session.flush()
        return existing
    contact = new_contact(pii, org_id, name=name, phone=phone, email=email)
    session.add(contact)
    await session.flush()
    return contact
