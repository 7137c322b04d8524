""" "Try a call" pages: plain forms (post, then redirect back), so the softphone works without
JavaScript; app.js adds speech input and read-aloud where the browser offers them."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response

from tradeline.api import DbSession, RuntimeDep, enforce_limit
from tradeline.dashboard.softphone import service, store
from tradeline.dashboard.softphone.store import SoftphoneState
from tradeline.dashboard.web import (
    DashboardRoute,
    FormPageDep,
    LoginRequired,
    Page,
    PageDep,
    back,
    render,
)
from tradeline.exceptions import Unprocessable
from tradeline.kit.phone import InvalidPhoneNumber, to_e164
from tradeline.organization import service as organizations

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)

# Each click drives real webhooks: the same budget a busy human could use, no more.
ACTION_LIMIT = "60/minute"


def _session_id(page: Page) -> uuid.UUID:
    """The dashboard session the softphone state belongs to (always set for a signed-in page)."""
    if page.principal.session_id is None:
        raise LoginRequired
    return page.principal.session_id


async def _state(page: Page, session: DbSession, runtime: RuntimeDep) -> SoftphoneState:
    found = await store.load(session, runtime, page.org_id, _session_id(page))
    if found is not None:
        return found
    profile = await organizations.get_profile(session, page.org_id)
    return SoftphoneState(caller=service.default_caller(page), business=profile.phone_numbers[0])


async def _begin(page: Page, session: DbSession, runtime: RuntimeDep) -> SoftphoneState:
    await enforce_limit(page.request, ACTION_LIMIT, "softphone", page.principal.actor_id)
    await store.lock(session, page.org_id, _session_id(page))
    return await _state(page, session, runtime)


async def _save(page: Page, session: DbSession, runtime: RuntimeDep, state: SoftphoneState) -> None:
    await store.save(session, runtime, page.org_id, _session_id(page), state)


@router.get("/try")
async def try_page(
    page: PageDep,
    session: DbSession,
    runtime: RuntimeDep,
    sent: Annotated[str | None, Query(max_length=5)] = None,
) -> Response:
    state = await _state(page, session, runtime)
    fields, link = await service.what_was_captured(page, session, state)
    profile = await organizations.get_profile(session, page.org_id)
    return render(
        page,
        "try.html",
        {
            "s": state,
            "captured": fields,
            "link": link,
            "numbers": profile.phone_numbers,
            "sent": sent == "1",
        },
    )


@router.post("/try/mode")
async def try_mode(
    page: FormPageDep,
    session: DbSession,
    runtime: RuntimeDep,
    mode: Annotated[Literal["voice", "sms"], Form()],
) -> Response:
    state = await _begin(page, session, runtime)
    state.mode = mode
    await _save(page, session, runtime, state)
    return back("/try")


@router.post("/try/start")
async def try_start(
    page: FormPageDep,
    session: DbSession,
    runtime: RuntimeDep,
    caller: Annotated[str, Form(max_length=40)] = "",
    business: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    state = await _begin(page, session, runtime)
    profile = await organizations.get_profile(session, page.org_id)
    if caller.strip():
        try:
            state.caller = to_e164(caller.strip(), page.org.country)
        except InvalidPhoneNumber as exc:
            raise Unprocessable(page.t("That is not a phone number.")) from exc
    # Only this business's own numbers can be called from its dashboard.
    state.business = business if business in profile.phone_numbers else profile.phone_numbers[0]
    if state.mode == "voice":
        if state.in_call:
            await service.act(page, state, "hangup")
        state.lines = []
        state.exchanges = []
        await service.start_call(page, state)
    await _save(page, session, runtime, state)
    return back("/try", sent="1")


@router.post("/try/say")
async def try_say(
    page: FormPageDep,
    session: DbSession,
    runtime: RuntimeDep,
    speech: Annotated[str, Form(min_length=1, max_length=1000)],
) -> Response:
    state = await _begin(page, session, runtime)
    if state.mode == "sms":
        await service.text(page, state, speech.strip())
    elif state.in_call:
        await service.act(page, state, "say", speech.strip())
    else:
        raise Unprocessable(page.t("Start a call first."))
    await _save(page, session, runtime, state)
    return back("/try", sent="1")


@router.post("/try/press")
async def try_press(
    page: FormPageDep,
    session: DbSession,
    runtime: RuntimeDep,
    digits: Annotated[str, Form(min_length=1, max_length=20, pattern=r"^[0-9*#]+$")],
) -> Response:
    state = await _begin(page, session, runtime)
    await service.act(page, state, "press", digits)
    await _save(page, session, runtime, state)
    return back("/try", sent="1")


@router.post("/try/silence")
async def try_silence(page: FormPageDep, session: DbSession, runtime: RuntimeDep) -> Response:
    state = await _begin(page, session, runtime)
    await service.act(page, state, "silence")
    await _save(page, session, runtime, state)
    return back("/try", sent="1")


@router.post("/try/dial")
async def try_dial(
    page: FormPageDep,
    session: DbSession,
    runtime: RuntimeDep,
    outcome: Annotated[Literal["completed", "no-answer", "busy"], Form()],
) -> Response:
    state = await _begin(page, session, runtime)
    state.dial_outcome = outcome
    await _save(page, session, runtime, state)
    return back("/try")


@router.post("/try/hangup")
async def try_hangup(page: FormPageDep, session: DbSession, runtime: RuntimeDep) -> Response:
    state = await _begin(page, session, runtime)
    await service.act(page, state, "hangup")
    await _save(page, session, runtime, state)
    return back("/try")


@router.post("/try/reset")
async def try_reset(page: FormPageDep, session: DbSession, runtime: RuntimeDep) -> Response:
    state = await _begin(page, session, runtime)
    if state.in_call:
        await service.act(page, state, "hangup")
    state.lines = []
    state.exchanges = []
    state.call_sid = None
    await _save(page, session, runtime, state)
    return back("/try")
