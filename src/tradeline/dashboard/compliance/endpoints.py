"""Compliance: the consent ledger (search, opt-outs, CSV export) and the sandbox outbox.

The ledger stores only a blind index of each number; the contact with the same index names it
(decrypted for admins, audited; masked for everyone else).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response

from tradeline.api import DbSession, RuntimeDep
from tradeline.consent import service as consent
from tradeline.dashboard import repository
from tradeline.dashboard.business.service import phone_for, reveal
from tradeline.dashboard.web import (
    SECURITY_HEADERS,
    DashboardRoute,
    FormPageDep,
    Page,
    PageDep,
    back,
    render,
)
from tradeline.exceptions import Unprocessable
from tradeline.kit.crypto import mask_text
from tradeline.kit.phone import InvalidPhoneNumber, to_e164
from tradeline.models import ConsentRecord, Contact, SandboxOutbox
from tradeline.runtime import Runtime

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)

PROVIDERS = ("sms", "email", "webhook", "call")


def _contact_phone(runtime: Runtime, contact: Contact | None) -> str | None:
    if contact is None:
        return None
    return runtime.pii.open(
        contact.phone_enc,
        org_id=contact.organization_id,
        table="contacts",
        row_id=contact.id,
        column="phone_enc",
    )


async def _rows(
    page: Page, session: DbSession, runtime: Runtime, records: Sequence[ConsentRecord]
) -> list[dict[str, Any]]:
    contacts = await repository.contacts_by_phone_index(
        session, page.org_id, [bytes(r.subject_bidx) for r in records]
    )
    return [
        {
            "at": r.recorded_at,
            "number": phone_for(page, _contact_phone(runtime, contacts.get(bytes(r.subject_bidx)))),
            "channel": r.channel,
            "purpose": r.purpose,
            "basis": r.basis,
            "granted": r.granted,
            "source": r.source,
            "wording": r.wording,
            "evidence": r.evidence,
        }
        for r in records
    ]


@router.get("/compliance")
async def compliance(
    page: PageDep,
    session: DbSession,
    runtime: RuntimeDep,
    phone: Annotated[str, Query(max_length=40)] = "",
    done: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    error = None
    found: list[dict[str, Any]] | None = None
    if phone.strip():
        try:
            number = to_e164(phone.strip(), page.org.country)
        except InvalidPhoneNumber:
            error = page.t("That is not a phone number.")
        else:
            records = await repository.consent_records(
                session, page.org_id, subject_bidx=runtime.pii.phone_index(page.org_id, number)
            )
            found = await _rows(page, session, runtime, records)
    opt_outs = await repository.consent_records(session, page.org_id, granted=False, limit=100)
    outs = await _rows(page, session, runtime, opt_outs)
    suppressed = await consent.list_suppressed(session, runtime, page.org_id, limit=200)
    blocked = [
        {
            "at": row.created_at,
            "number": phone_for(page, number),
            "whole": number if page.is_admin else None,
            "reason": reason if page.principal.sees_pii else mask_text(reason),
            "source": row.source,
        }
        for row, number, reason in suppressed
    ]
    await reveal(page, session, "consent", [str(r.id) for r in opt_outs], "compliance")
    await reveal(page, session, "suppression", [str(r.id) for r, _, _ in suppressed], "compliance")
    return render(
        page,
        "compliance.html",
        {
            "phone": phone,
            "found": found,
            "opt_outs": outs,
            "blocked": blocked,
            "error": error,
            "done": done,
        },
    )


@router.post("/compliance/suppressions")
async def suppression_add(
    page: FormPageDep,
    session: DbSession,
    runtime: RuntimeDep,
    phone: Annotated[str, Form(min_length=3, max_length=40)],
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Anyone on the team may honour a do-not-contact request (as over the API)."""
    number = _number(page, phone)
    await consent.suppress(
        session,
        runtime,
        page.org_id,
        number,
        reason=reason.strip() or None,
        source="dashboard",
        actor=page.principal.actor_id,
        actor_type="user",
    )
    return back("/compliance", done="added")


@router.post("/compliance/suppressions/remove")
async def suppression_remove(
    page: FormPageDep,
    session: DbSession,
    runtime: RuntimeDep,
    phone: Annotated[str, Form(min_length=3, max_length=40)],
) -> Response:
    """Only admins lift an entry: it lets the business write to that number again."""
    page.require_admin()
    await consent.unsuppress(
        session,
        runtime,
        page.org_id,
        _number(page, phone),
        source="dashboard",
        actor=page.principal.actor_id,
        actor_type="user",
    )
    return back("/compliance", done="removed")


def _number(page: Page, phone: str) -> str:
    try:
        return to_e164(phone.strip(), page.org.country)
    except InvalidPhoneNumber as exc:
        raise Unprocessable(page.t("That is not a phone number.")) from exc


@router.get("/compliance/consent.csv")
async def compliance_export(page: PageDep, session: DbSession, runtime: RuntimeDep) -> Response:
    """Every ledger entry as CSV (admins: numbers in full, and the export is audited)."""
    page.require_admin()
    records = await repository.consent_records(session, page.org_id, limit=50_000)
    rows = await _rows(page, session, runtime, records)
    await reveal(page, session, "consent", [f"export:{len(records)}"], "consent CSV export")
    out = io.StringIO()
    fields = [
        "recorded_at",
        "number",
        "channel",
        "purpose",
        "basis",
        "granted",
        "source",
        "wording",
        "evidence",
    ]
    writer = csv.writer(out)
    writer.writerow(fields)
    for row in rows:
        writer.writerow(
            [
                row["at"].isoformat(),
                row["number"] or "",
                row["channel"],
                row["purpose"],
                row["basis"],
                "yes" if row["granted"] else "no",
                row["source"],
                _csv_safe(row["wording"] or ""),
                _csv_safe(row["evidence"] or ""),
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="consent-{page.org.slug}.csv"',
        },
    )


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: neutralise them."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- sandbox outbox -----------------------------------------------------------------------------


@router.get("/outbox")
async def outbox(
    page: PageDep,
    session: DbSession,
    runtime: RuntimeDep,
    provider: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """What would have been sent (SMS, email, webhooks, calls) while running without providers."""
    page.require_admin()
    rows = await repository.outbox(
        session, page.org_id, provider=provider if provider in PROVIDERS else None, limit=100
    )
    items = [_open_outbox(runtime, row) for row in rows]
    await reveal(page, session, "sandbox_outbox", [str(r.id) for r in rows], "outbox")
    return render(
        page,
        "outbox.html",
        {"items": items, "provider": provider, "providers": PROVIDERS},
    )


def _open_outbox(runtime: Runtime, row: SandboxOutbox) -> dict[str, Any]:
    def opened(column: str) -> str | None:
        return runtime.pii.open(
            getattr(row, column),
            org_id=row.organization_id,
            table="sandbox_outbox",
            row_id=row.id,
            column=column,
        )

    raw = opened("payload_enc") or "{}"
    try:
        payload: dict[str, Any] = json.loads(raw)
    except ValueError:
        payload = {"body": raw}
    body = payload.get("body") or payload.get("text") or payload.get("twiml") or ""
    return {
        "at": row.created_at,
        "provider": row.provider,
        "to": opened("recipient_enc"),
        "subject": payload.get("subject"),
        "body": str(body),
        "external_id": row.external_id,
        "extra": {
            k: v
            for k, v in payload.items()
            if k not in ("body", "text", "twiml", "subject", "html")
        },
    }
