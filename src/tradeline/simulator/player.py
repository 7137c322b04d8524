"""Plays Twilio's side against our own webhooks, signed like Twilio (CONTRACTS §2 and §6).

Used by `tradeline call`, the dashboard's "Try a call" and the conversation evaluation: it runs
TwiML verbs in order, resolves every URL against the URL of the request that returned it, and
signs the resolved URL with the auth token.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx
from defusedxml import ElementTree  # the softphone may talk to any server

from tradeline.integrations.twilio.signature import sign

ACCOUNT_SID = "AC" + "0" * 32


def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


@dataclass
class Exchange:
    url: str
    params: dict[str, str]
    status: int
    twiml: str


@dataclass
class CallSession:
    """One simulated call: what the caller heard, and where their next words go."""

    caller: str
    business: str
    call_sid: str = field(default_factory=lambda: _sid("CA"))
    heard: list[str] = field(default_factory=list)
    pending_gather: str | None = None  # action URL of the <Gather> waiting for input
    no_input_url: str | None = None
    ended: bool = False
    exchanges: list[Exchange] = field(default_factory=list)
    dial_outcome: str = "no-answer"
    sequence: itertools.count[int] = field(default_factory=lambda: itertools.count())


class TwilioPlayer:
    def __init__(self, base_url: str, auth_token: str, client: httpx.AsyncClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = auth_token
        self.client = client

    async def post(self, url: str, params: dict[str, str]) -> tuple[int, str]:
        absolute = urljoin(self.base_url + "/", url)
        headers = {"X-Twilio-Signature": sign(self.token, absolute, params)}
        response = await self.client.post(absolute, data=params, headers=headers)
        return response.status_code, response.text

    # --- SMS --------------------------------------------------------------------------------

    async def text(self, caller: str, business: str, body: str) -> str:
        """Send one SMS; returns the reply text ('' when the reply is an empty <Response/>)."""
        params = {
            "MessageSid": _sid("SM"),
            "SmsSid": "",
            "AccountSid": ACCOUNT_SID,
            "From": caller,
            "To": business,
            "Body": body,
            "NumMedia": "0",
        }
        params["SmsSid"] = params["MessageSid"]
        status, body_xml = await self.post("/twilio/sms", params)
        if status != 200:
            raise RuntimeError(f"/twilio/sms answered {status}: {body_xml[:200]}")
        root = ElementTree.fromstring(body_xml)
        return " ".join((m.text or "").strip() for m in root.iter("Message")).strip()

    # --- voice ------------------------------------------------------------------------------

    def _base(self, call: CallSession) -> dict[str, str]:
        return {
            "CallSid": call.call_sid,
            "AccountSid": ACCOUNT_SID,
            "From": call.caller,
            "To": call.business,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }

    async def start_call(
        self, caller: str, business: str, *, dial_outcome: str = "no-answer"
    ) -> CallSession:
        call = CallSession(caller=caller, business=business, dial_outcome=dial_outcome)
        params = self._base(call) | {"CallStatus": "ringing"}
        await self._request(call, self.base_url + "/twilio/voice", params)
        return call

    async def say(self, call: CallSession, speech: str, *, confidence: float = 0.92) -> list[str]:
        """The caller speaks into the pending <Gather>; returns what they heard next."""
        return await self._answer(call, {"SpeechResult": speech, "Confidence": f"{confidence:.2f}"})

    async def press(self, call: CallSession, digits: str) -> list[str]:
        return await self._answer(call, {"Digits": digits})

    async def silence(self, call: CallSession) -> list[str]:
        if call.ended or call.no_input_url is None:
            return []
        start = len(call.heard)
        url, call.pending_gather, call.no_input_url = call.no_input_url, None, None
        await self._request(call, url, self._base(call))
        return call.heard[start:]

    async def hang_up(self, call: CallSession, duration: int = 42) -> None:
        call.ended = True
        params = self._base(call) | {
            "CallStatus": "completed",
            "CallDuration": str(duration),
            "SequenceNumber": str(next(call.sequence)),
        }
        await self.post("/twilio/voice/status", params)

    async def _answer(self, call: CallSession, extra: dict[str, str]) -> list[str]:
        if call.ended or call.pending_gather is None:
            return []
        start = len(call.heard)
        url, call.pending_gather, call.no_input_url = call.pending_gather, None, None
        await self._request(call, url, self._base(call) | extra)
        return call.heard[start:]

    async def _request(self, call: CallSession, url: str, params: dict[str, str]) -> None:
        for _ in range(20):  # Redirect / Dial chains are short; a loop would be a server bug
            status, body = await self.post(url, params)
            call.exchanges.append(Exchange(url, params, status, body))
            if status != 200:
                call.ended = True
                return
            follow = self._run(call, url, body)
            if follow is None:
                return
            url, extra = follow
            params = self._base(call) | extra
        call.ended = True

    def _run(self, call: CallSession, url: str, body: str) -> tuple[str, dict[str, str]] | None:
        """Run the verbs; returns the next request to make, or None to wait for the caller."""
        root = ElementTree.fromstring(body)
        verbs = list(root)
        for index, verb in enumerate(verbs):
            tag = verb.tag
            if tag == "Say":
                call.heard.append((verb.text or "").strip())
            elif tag == "Gather":
                call.heard.extend((s.text or "").strip() for s in verb.iter("Say"))
                call.pending_gather = urljoin(url, verb.get("action") or url)
                rest = verbs[index + 1 :]
                redirect = next((v for v in rest if v.tag == "Redirect"), None)
                call.no_input_url = (
                    urljoin(url, (redirect.text or "").strip()) if redirect is not None else None
                )
                return None
            elif tag == "Dial":
                action = verb.get("action")
                if action:
                    return urljoin(url, action), {
                        "DialCallStatus": call.dial_outcome,
                        "DialCallDuration": "0",
                    }
            elif tag == "Record":
                action = verb.get("action") or url
                return urljoin(url, action), {
                    "RecordingUrl": "https://api.twilio.com/recordings/RE" + secrets.token_hex(16),
                    "RecordingDuration": "7",
                    "RecordingSid": _sid("RE"),
                }
            elif tag == "Redirect":
                return urljoin(url, (verb.text or "").strip()), {}
            elif tag in ("Hangup", "Reject"):
                call.ended = True
                return None
        call.ended = True
        return None
