""" "Try a call": the browser softphone (CONTRACTS §6).

The server plays Twilio's side against its own webhooks with the simulator's `TwilioPlayer`:
each request is signed with the webhook auth token, exactly as Twilio would, and sent through an
in-process ASGI transport to this same application — so the call takes the real path (signature
check, tenant resolution, conversation engine, persistence) and shows up on every other screen.
Between two clicks the call lives in the softphone store (server-side, per dashboard session).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.config import twilio_auth_token
from tradeline.conversation.service import open_state
from tradeline.dashboard import repository
from tradeline.dashboard.business.service import Captured, captured
from tradeline.dashboard.softphone.store import Exchange, SoftphoneState
from tradeline.dashboard.web import Page
from tradeline.simulator.player import CallSession, TwilioPlayer
from tradeline.simulator.player import Exchange as PlayerExchange

MAX_TWIML = 4000


def default_caller(page: Page) -> str:
    """A fictional number (555 exchange) that is stable for one user."""
    digits = int(hashlib.sha256(page.user.id.bytes).hexdigest(), 16) % 10_000
    return f"+1587555{digits:04d}"


def base_url(page: Page) -> str:
    """Where the webhooks are signed for: the public URL when configured (the webhooks check
    signatures against it), else the URL this page was reached on."""
    public = page.request.app.state.runtime.settings.public_url
    return str(public or page.request.base_url).rstrip("/")


@asynccontextmanager
async def player_for(page: Page) -> AsyncIterator[TwilioPlayer]:
    app: FastAPI = page.request.app
    base = base_url(page)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 0))
    async with httpx.AsyncClient(transport=transport, base_url=base, timeout=60) as client:
        yield TwilioPlayer(base, twilio_auth_token(app.state.runtime.settings), client)


def _session_of(state: SoftphoneState) -> CallSession:
    call = CallSession(
        caller=state.caller,
        business=state.business,
        pending_gather=state.pending_gather,
        no_input_url=state.no_input_url,
        ended=state.ended,
        dial_outcome=state.dial_outcome,
        sequence=itertools.count(state.sequence),
    )
    if state.call_sid:
        call.call_sid = state.call_sid
    return call


def _keep(
    state: SoftphoneState, call: CallSession, exchanges_before: int, heard: list[str]
) -> None:
    state.call_sid = call.call_sid
    state.pending_gather = call.pending_gather
    state.no_input_url = call.no_input_url
    state.ended = call.ended
    state.sequence = next(call.sequence)
    state.record([_exchange(e) for e in call.exchanges[exchanges_before:]])
    for text in heard:
        if text:
            state.say("receptionist", text)


def _exchange(item: PlayerExchange) -> Exchange:
    twiml = item.twiml if len(item.twiml) <= MAX_TWIML else item.twiml[:MAX_TWIML] + "…"
    return Exchange(url=item.url, params=dict(item.params), status=item.status, twiml=twiml)


async def _finish_if_ended(player: TwilioPlayer, state: SoftphoneState, call: CallSession) -> None:
    """Twilio sends the final status callback whoever hangs up; so does the softphone."""
    if call.ended and not state.status_sent:
        started = state.started_at or datetime.now(UTC)
        duration = max(1, int((datetime.now(UTC) - started).total_seconds()))
        call.sequence = itertools.count(state.sequence)
        before = len(call.exchanges)
        await player.hang_up(call, duration=duration)
        state.sequence = next(call.sequence)
        state.status_sent = True
        state.record([_exchange(e) for e in call.exchanges[before:]])
        state.say("system", "call ended")


async def start_call(page: Page, state: SoftphoneState) -> None:
    async with player_for(page) as player:
        call = await player.start_call(
            state.caller, state.business, dial_outcome=state.dial_outcome
        )
        state.started_at = datetime.now(UTC)
        state.status_sent = False
        state.say("system", "call started")
        _keep(state, call, 0, call.heard)
        await _finish_if_ended(player, state, call)


async def act(page: Page, state: SoftphoneState, action: str, value: str = "") -> None:
    """One caller action in the current call: say, press, silence or hangup."""
    if not state.in_call:
        return
    async with player_for(page) as player:
        call = _session_of(state)
        before = len(call.exchanges)
        if action == "say":
            state.say("caller", value)
            heard = await player.say(call, value)
        elif action == "press":
            state.say("caller", f"[{value}]")
            heard = await player.press(call, value)
        elif action == "silence":
            state.say("caller", "…")
            heard = await player.silence(call)
        else:  # hangup
            heard = []
            call.ended = True
        _keep(state, call, before, heard)
        await _finish_if_ended(player, state, call)


async def text(page: Page, state: SoftphoneState, body: str) -> None:
    async with player_for(page) as player:
        state.say("caller", body)
        reply = await player.text(state.caller, state.business, body)
        if reply:
            state.say("receptionist", reply)
        else:
            state.say("system", "no reply")


async def what_was_captured(
    page: Page, session: AsyncSession, state: SoftphoneState
) -> tuple[Captured | None, str | None]:
    """The conversation's captured fields (through the conversation service) and where to see it."""
    runtime = page.request.app.state.runtime
    if state.mode == "voice" and state.call_sid:
        call = await repository.call_by_sid(session, page.org_id, state.call_sid)
        if call is None or call.conversation_id is None:
            return None, f"/calls/{state.call_sid}" if call else None
        conv = await repository.conversation(session, page.org_id, call.conversation_id)
        if conv is None:
            return None, None
        return captured(page, open_state(runtime, conv)), f"/calls/{state.call_sid}"
    if state.mode == "sms":
        index = runtime.pii.phone_index(page.org_id, state.caller)
        message = await repository.latest_message_from(session, page.org_id, index)
        if message is None or message.conversation_id is None:
            return None, None
        conv = await repository.conversation(session, page.org_id, message.conversation_id)
        if conv is None:
            return None, None
        return captured(page, open_state(runtime, conv)), f"/texts/{conv.id}"
    return None, None
