"""The owner's screens: overview, calls, text conversations, leads and appointments."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query
from fastapi.responses import JSONResponse, Response

from tradeline.api import DbSession, RuntimeDep
from tradeline.dashboard import repository, wiring
from tradeline.dashboard.business import service
from tradeline.dashboard.web import (
    DashboardRoute,
    FormPageDep,
    PageDep,
    back,
    local_time,
    render,
)
from tradeline.exceptions import NotFound, Unprocessable
from tradeline.kit.phone import InvalidPhoneNumber, to_e164
from tradeline.lead import repository as lead_repository
from tradeline.lead import service as lead_service
from tradeline.lead.service import present

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)

LEAD_STATUSES = ("new", "contacted", "booked", "won", "lost")
CHANNELS = ("voice", "sms", "web", "import")


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@router.get("/")
async def overview(
    page: PageDep,
    session: DbSession,
    runtime: RuntimeDep,
    days: Annotated[int, Query(ge=1, le=30)] = 7,
) -> Response:
    days = 30 if days > 7 else 7
    data = await service.overview(page, session, runtime, days)
    return render(
        page,
        "overview.html",
        {"data": data, "metrics": service.METRICS, "chart_days": days},
    )


@router.get("/live/activity")
async def live_activity(
    page: PageDep,
    session: DbSession,
    runtime: RuntimeDep,
    after: Annotated[str | None, Query(max_length=64)] = None,
) -> JSONResponse:
    """What arrived since `after` (the overview's stamp): polled by app.js every 15 s while the
    tab is visible. Counts only, no PII: the page reloads its own lists when something is new."""
    since: datetime | None = None
    if after:
        try:
            since = datetime.fromisoformat(after)
        except ValueError:
            since = None
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
    calls = await repository.recent_calls(session, page.org_id, since=since, limit=50)
    leads = await repository.recent_leads(session, page.org_id, since=since, limit=50)
    parts = []
    if leads:
        parts.append(page.t("{n} new lead(s)", n=len(leads)))
    if calls:
        parts.append(page.t("{n} new call(s)", n=len(calls)))
    return JSONResponse(
        {
            "calls": len(calls),
            "leads": len(leads),
            "message": ", ".join(parts),
            "stamp": datetime.now(UTC).isoformat(),
        },
        headers={"Cache-Control": "no-store"},
    )


# --- calls --------------------------------------------------------------------------------------


@router.get("/calls")
async def calls(
    page: PageDep,
    session: DbSession,
    runtime: RuntimeDep,
    status: Annotated[Literal["answered", "missed", ""], Query()] = "",
    since: Annotated[str | None, Query(max_length=10)] = None,
    until: Annotated[str | None, Query(max_length=10)] = None,
    phone: Annotated[str | None, Query(max_length=40)] = None,
    voicemail: Annotated[str | None, Query(max_length=1)] = None,
    number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> Response:
    filters = service.CallFilters(
        status=status or None,
        since=_parse_day(since),
        until=_parse_day(until),
        phone=(phone or "").strip() or None,
        voicemail=voicemail == "1",
        page=number,
    )
    error = None
    index = None
    if filters.phone:
        try:
            index = runtime.pii.phone_index(page.org_id, to_e164(filters.phone, page.org.country))
        except InvalidPhoneNumber:
            error = page.t("That is not a phone number.")
    rows, more = (
        ([], False) if error else await service.list_calls(page, session, runtime, filters, index)
    )
    return render(
        page,
        "calls.html",
        {"rows": rows, "more": more, "filters": filters, "error": error},
    )


@router.get("/calls/{call_sid}")
async def call_detail(
    call_sid: str, page: PageDep, session: DbSession, runtime: RuntimeDep
) -> Response:
    call = await repository.call_by_sid(session, page.org_id, call_sid[:64])
    if call is None:
        raise NotFound(page.t("That call is not in this business."))
    detail = await service.call_detail(page, session, runtime, call)
    return render(page, "call_detail.html", {"d": detail})


# --- text conversations -------------------------------------------------------------------------


@router.get("/texts")
async def texts(
    page: PageDep,
    session: DbSession,
    runtime: RuntimeDep,
    number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> Response:
    rows, more = await service.list_threads(page, session, runtime, number)
    return render(page, "texts.html", {"rows": rows, "more": more, "number": number})


@router.get("/texts/{conversation_id}")
async def text_detail(
    conversation_id: uuid.UUID, page: PageDep, session: DbSession, runtime: RuntimeDep
) -> Response:
    conv = await repository.conversation(session, page.org_id, conversation_id)
    if conv is None or conv.channel != "sms":
        raise NotFound(page.t("That conversation is not in this business."))
    detail = await service.thread_detail(page, session, runtime, conv)
    return render(page, "text_detail.html", {"d": detail})


# --- leads --------------------------------------------------------------------------------------


@router.get("/leads")
async def leads(
    page: PageDep,
    session: DbSession,
    runtime: RuntimeDep,
    status: Annotated[str, Query(max_length=12)] = "",
    channel: Annotated[str, Query(max_length=10)] = "",
    phone: Annotated[str, Query(max_length=40)] = "",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    error = None
    result = None
    try:
        result = await lead_service.list_leads(
            session,
            runtime.pii,
            page.principal,
            limit=25,
            cursor=cursor,
            phone=phone.strip() or None,
            status=status if status in LEAD_STATUSES else None,
            channel=channel if channel in CHANNELS else None,
        )
    except Unprocessable as exc:  # an unparsable phone or cursor: said next to the filter
        error = page.t("That is not a phone number.") if "phone" in exc.detail else exc.detail
    return render(
        page,
        "leads.html",
        {
            "rows": result.items if result else [],
            "next_cursor": result.next_cursor if result else None,
            "filters": {"status": status, "channel": channel, "phone": phone},
            "statuses": LEAD_STATUSES,
            "channels": CHANNELS,
            "error": error,
        },
    )


@router.get("/leads/{lead_id}")
async def lead_detail(
    lead_id: uuid.UUID,
    page: PageDep,
    session: DbSession,
    runtime: RuntimeDep,
    saved: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    lead = await lead_service.get_lead(session, runtime.pii, page.principal, lead_id)
    row = await lead_repository.get(session, page.org_id, lead_id)
    transcript: list[service.Turn] = []
    captured = None
    channel_link = None
    if row is not None and row.conversation_id is not None:
        conv = await repository.conversation(session, page.org_id, row.conversation_id)
        if conv is not None:
            transcript = await service.turns(page, session, runtime, conv)
            from tradeline.conversation.service import open_state

            captured = service.captured(page, open_state(runtime, conv))
            channel_link = (
                f"/texts/{conv.id}" if conv.channel == "sms" else f"/calls/{conv.thread_key}"
            )
    notes = await wiring.lead_notes(session, runtime, page.principal, lead_id)
    authors = {str(user.id): user.email for _, user in await repository.team(session, page.org_id)}
    return render(
        page,
        "lead_detail.html",
        {
            "lead": lead,
            "transcript": transcript,
            "captured": captured,
            "channel_link": channel_link,
            "statuses": wiring.next_statuses(lead.status),
            "notes": notes,
            "authors": authors,
            "saved": saved,
        },
    )


@router.post("/leads/{lead_id}/status")
async def lead_status(
    lead_id: uuid.UUID,
    page: FormPageDep,
    session: DbSession,
    runtime: RuntimeDep,
    status: Annotated[Literal["new", "contacted", "booked", "won", "lost"], Form()],
) -> Response:
    page.require_editor()
    await wiring.change_lead_status(session, runtime, page.principal, lead_id, status)
    return back(f"/leads/{lead_id}", saved="status")


@router.post("/leads/{lead_id}/notes")
async def lead_note(
    lead_id: uuid.UUID,
    page: FormPageDep,
    session: DbSession,
    runtime: RuntimeDep,
    body: Annotated[str, Form(min_length=1, max_length=4000)],
) -> Response:
    page.require_editor()
    await wiring.add_lead_note(session, runtime, page.principal, lead_id, body.strip())
    return back(f"/leads/{lead_id}", saved="note")


# --- appointments -------------------------------------------------------------------------------


@router.get("/appointments")
async def appointments(
    page: PageDep,
    session: DbSession,
    runtime: RuntimeDep,
    week: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    zone = page.zone
    today = datetime.now(UTC).astimezone(zone).date()
    chosen = _parse_day(week) or today
    monday = chosen - timedelta(days=chosen.weekday())
    start = datetime.combine(monday, time(), zone)
    end = start + timedelta(days=7)
    booked = await wiring.appointments_between(session, runtime, page.principal, start, end, zone)
    requested = await repository.leads_requested_between(session, page.org_id, start, end)
    await service.reveal(page, session, "lead", [str(r.id) for r in requested], "week view")
    entries: list[tuple[date, dict[str, Any]]] = [
        (
            appt.starts_at.astimezone(zone).date(),
            {
                "kind": "cancelled" if appt.cancelled else "booked",
                "time": local_time(appt.starts_at, zone, "%H:%M"),
                "end": local_time(appt.ends_at, zone, "%H:%M"),
                "title": appt.title,
                "href": f"/leads/{appt.lead_id}" if appt.lead_id else None,
            },
        )
        for appt in booked
    ]
    entries += [
        (
            lead.preferred_datetime.astimezone(zone).date(),
            {
                "kind": "requested",
                "time": local_time(lead.preferred_datetime, zone, "%H:%M"),
                "end": local_time(lead.preferred_window_end, zone, "%H:%M")
                if lead.preferred_window_end
                else None,
                "title": shown.job_summary or shown.caller_name or page.t("Lead"),
                "href": f"/leads/{lead.id}",
            },
        )
        for lead in requested
        if lead.preferred_datetime is not None
        for shown in [present(lead, runtime.pii, page.principal, zone)]
    ]
    week_days = [monday + timedelta(days=offset) for offset in range(7)]
    days = [
        {
            "date": day,
            "entries": sorted(
                (item for when, item in entries if when == day), key=lambda i: str(i["time"])
            ),
            "today": day == today,
        }
        for day in week_days
    ]
    return render(
        page,
        "appointments.html",
        {
            "days": days,
            "monday": monday,
            "previous": (monday - timedelta(days=7)).isoformat(),
            "next": (monday + timedelta(days=7)).isoformat(),
            "this_week": today - timedelta(days=today.weekday()),
        },
    )
