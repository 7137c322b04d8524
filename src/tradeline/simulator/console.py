"""`tradeline call`: an interactive softphone in the terminal (CONTRACTS §6)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TextIO

import httpx

from tradeline.simulator.player import CallSession, TwilioPlayer

HELP = (
    "type what the caller says; commands: /press DIGITS, /silence, /dial answered|no-answer|busy, "
    "/sms (switch to text messages), /voice, /show (toggle webhook exchanges), /hangup, /quit"
)


async def run_console(
    base_url: str,
    token: str,
    caller: str,
    business: str,
    *,
    read: Callable[[str], str] = input,
    client: httpx.AsyncClient | None = None,
    out: TextIO = sys.stdout,
) -> None:
    own = client is None
    http = client or httpx.AsyncClient(timeout=30)
    try:
        await _loop(TwilioPlayer(base_url, token, http), caller, business, read, out)
    finally:
        if own:
            await http.aclose()


async def _loop(
    player: TwilioPlayer, caller: str, business: str, read: Callable[[str], str], out: TextIO
) -> None:
    show = False
    mode = "voice"
    call: CallSession = await player.start_call(caller, business)
    out.write(f"calling {business} from {caller} — {HELP}\n")
    _print_heard(call.heard, out)
    while True:
        try:
            line = await asyncio.to_thread(read, "you> ")
        except EOFError:
            break
        line = line.strip()
        if line in ("/quit", "/exit"):
            break
        if line == "/show":
            show = not show
            continue
        if line in ("/sms", "/voice"):
            mode = line[1:]
            out.write(f"[{mode} mode]\n")
            continue
        if mode == "sms":
            reply = await player.text(caller, business, line)
            out.write(f"sms> {reply or '(no reply)'}\n")
            continue
        if call is None or call.ended:
            call = await player.start_call(caller, business)
            _print_heard(call.heard, out)
            continue
        before = len(call.exchanges)
        if line.startswith("/press "):
            heard = await player.press(call, line.split(maxsplit=1)[1])
        elif line == "/silence":
            heard = await player.silence(call)
        elif line.startswith("/dial "):
            call.dial_outcome = {"answered": "completed"}.get(line.split()[1], line.split()[1])
            continue
        elif line == "/hangup":
            await player.hang_up(call)
            out.write("[call ended]\n")
            continue
        else:
            heard = await player.say(call, line)
        if show:
            for exchange in call.exchanges[before:]:
                out.write(
                    f"--> POST {exchange.url} {exchange.params}\n<-- {exchange.status} {exchange.twiml}\n"
                )
        _print_heard(heard, out)
        if call.ended:
            out.write("[call ended]\n")


def _print_heard(heard: list[str], out: TextIO) -> None:
    for text in heard:
        if text:
            out.write(f"receptionist> {text}\n")
