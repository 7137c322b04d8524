"""Plays Twilio's side against our own webhooks, signed like Twilio (CONTRACTS §2 and §6).

Used by `tradeline call`, the dashboard's "Try a call", the conversation evaluation and the
voice tests. It runs TwiML verbs in order — Say, Play, Pause, Gather (with its nested Say, Play
and Pause), Record, Dial, Redirect, Hangup, Reject, and Start/Recording — resolves every URL
against the URL of the request that returned it, signs the resolved URL with the auth token
through the twilio SDK's RequestValidator, and sends the callbacks Twilio would: the call status
callback at hang-up (with SequenceNumber) and a recording status callback for every recording a
<Record>, a recorded <Dial> or a <Start><Recording> made. Every request and the TwiML or body
that answered it is kept in `CallSession.exchanges`, to show on request.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpx
from defusedxml import ElementTree  # the softphone may talk to any server

from tradeline.integrations.twilio.signature import sign

ACCOUNT_SID = "AC" + "0" * 32
RECORDINGS_BASE = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/"
# Seconds a simulated recording lasts, and a simulated answered <Dial>.
RECORDING_SECONDS = 7
DIAL_SECONDS = 65

Element = Any  # defusedxml hands back xml.etree elements; their type is not exported there


def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


@dataclass
class Exchange:
    """One webhook: where it went, what was posted, and what came back."""

    url: str
    params: dict[str, str]
    status: int
    twiml: str
    kind: str = "webhook"  # webhook | status | recording-status


@dataclass
class PendingRecording:
    callback: str | None  # resolved recordingStatusCallback URL, None when none was asked for
    source: str  # Twilio's RecordingSource
    sid: str = field(default_factory=lambda: _sid("RE"))

    @property
    def url(self) -> str:
        return RECORDINGS_BASE + self.sid


@dataclass
class CallSession:
    """One simulated call: what the caller heard, and where their next words go."""

    caller: str
    business: str
    call_sid: str = field(default_factory=lambda: _sid("CA"))
    heard: list[str] = field(default_factory=list)
    played: list[str] = field(default_factory=list)  # <Play> URLs and DTMF digits, in order
    paused: float = 0.0  # seconds of <Pause>
    pending_gather: str | None = None  # action URL of the <Gather> waiting for input
    no_input_url: str | None = None  # where silence goes (the <Redirect> after the Gather)
    ended: bool = False
    rejected: bool = False
    exchanges: list[Exchange] = field(default_factory=list)
    dial_outcome: str = "no-answer"
    sequence: itertools.count[int] = field(default_factory=lambda: itertools.count())
    errors: list[str] = field(default_factory=list)  # TwiML the player could not run
    status_sent: bool = False
    # Recordings running until hang-up (<Start><Recording>), and finished ones whose status
    # callback is still to be sent.
    call_recordings: list[PendingRecording] = field(default_factory=list)
    finished_recordings: list[PendingRecording] = field(default_factory=list)
    _after_gather: tuple[str, list[Element]] | None = None
    _empty_gather_action: bool = False

    def twiml_documents(self) -> list[str]:
        """Every TwiML document the server answered with (for validation and display)."""
        return [e.twiml for e in self.exchanges if e.status == 200 and e.twiml.strip()]


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

    def _base(self, call: CallSession, status: str = "in-progress") -> dict[str, str]:
        return {
            "CallSid": call.call_sid,
            "AccountSid": ACCOUNT_SID,
            "From": call.caller,
            "To": call.business,
            "CallStatus": status,
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }

    async def start_call(
        self, caller: str, business: str, *, dial_outcome: str = "no-answer"
    ) -> CallSession:
        call = CallSession(caller=caller, business=business, dial_outcome=dial_outcome)
        params = self._base(call, "ringing")
        await self._request(call, self.base_url + "/twilio/voice", params)
        return call

    async def say(self, call: CallSession, speech: str, *, confidence: float = 0.92) -> list[str]:
        """The caller speaks into the pending <Gather>; returns what they heard next."""
        return await self._answer(call, {"SpeechResult": speech, "Confidence": f"{confidence:.2f}"})

    async def press(self, call: CallSession, digits: str) -> list[str]:
        return await self._answer(call, {"Digits": digits})

    async def silence(self, call: CallSession) -> list[str]:
        """The <Gather> times out: Twilio goes on with the verbs after it (or, with
        actionOnEmptyResult, posts an empty result to the action)."""
        if call.ended or call.pending_gather is None:
            return []
        start = len(call.heard)
        action, after = call.pending_gather, call._after_gather
        call.pending_gather, call.no_input_url, call._after_gather = None, None, None
        if call._empty_gather_action:
            await self._request(call, action, self._base(call))
        elif after is not None:
            url, rest = after
            follow = self._run_verbs(call, url, rest)
            if follow is not None:
                await self._request(call, follow[0], self._base(call) | follow[1])
            await self._flush_recordings(call)
        return call.heard[start:]

    async def status(
        self,
        call: CallSession,
        status: str,
        *,
        sequence: int | None = None,
        duration: int | None = None,
    ) -> int:
        """Send one call status callback (any status, any sequence: tests replay and reorder)."""
        params = self._base(call, status)
        if sequence is not None:
            params["SequenceNumber"] = str(sequence)
        if duration is not None:
            params["CallDuration"] = str(duration)
        code, body = await self.post("/twilio/voice/status", params)
        call.exchanges.append(Exchange("/twilio/voice/status", params, code, body, "status"))
        return code

    async def hang_up(
        self, call: CallSession, duration: int = 42, status: str = "completed"
    ) -> None:
        """The call ends (the caller hung up, or the server's document ended): Twilio's final
        status callback, then the recordings still running are finished and reported."""
        call.ended = True
        call.pending_gather = call.no_input_url = None
        if call.status_sent:
            return
        call.status_sent = True
        await self.status(call, status, sequence=next(call.sequence), duration=duration)
        call.finished_recordings.extend(call.call_recordings)
        call.call_recordings.clear()
        await self._flush_recordings(call, duration=duration)

    async def _answer(self, call: CallSession, extra: dict[str, str]) -> list[str]:
        if call.ended or call.pending_gather is None:
            return []
        start = len(call.heard)
        url = call.pending_gather
        call.pending_gather, call.no_input_url, call._after_gather = None, None, None
        await self._request(call, url, self._base(call) | extra)
        return call.heard[start:]

    async def _request(self, call: CallSession, url: str, params: dict[str, str]) -> None:
        for _ in range(20):  # Redirect / Dial chains are short; a loop would be a server bug
            status, body = await self.post(url, params)
            call.exchanges.append(Exchange(url, params, status, body))
            if status != 200:
                call.ended = True
                call.errors.append(f"{url} answered HTTP {status}")
                break
            follow = self._run(call, url, body)
            if follow is None:
                break
            url, extra = follow
            params = self._base(call) | extra
        else:
            call.ended = True
            call.errors.append("more than 20 webhooks without waiting for the caller")
        await self._flush_recordings(call)

    async def _flush_recordings(self, call: CallSession, *, duration: int | None = None) -> None:
        """Recording status callbacks of finished recordings (after the action, as Twilio
        reports a recording once its file is ready)."""
        while call.finished_recordings:
            recording = call.finished_recordings.pop(0)
            if recording.callback is None:
                continue
            params = {
                "AccountSid": ACCOUNT_SID,
                "CallSid": call.call_sid,
                "RecordingSid": recording.sid,
                "RecordingUrl": recording.url,
                "RecordingStatus": "completed",
                "RecordingDuration": str(duration or RECORDING_SECONDS),
                "RecordingChannels": "1" if recording.source == "RecordVerb" else "2",
                "RecordingSource": recording.source,
            }
            code, body = await self.post(recording.callback, params)
            call.exchanges.append(
                Exchange(recording.callback, params, code, body, "recording-status")
            )

    def _run(self, call: CallSession, url: str, body: str) -> tuple[str, dict[str, str]] | None:
        """Run a document; returns the next request to make, or None to wait or stop."""
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError as exc:
            call.errors.append(f"{url}: not XML ({exc})")
            call.ended = True
            return None
        if root.tag != "Response":
            call.errors.append(f"{url}: root element <{root.tag}>, not <Response>")
            call.ended = True
            return None
        return self._run_verbs(call, url, list(root))

    def _run_verbs(
        self, call: CallSession, url: str, verbs: list[Element]
    ) -> tuple[str, dict[str, str]] | None:
        for index, verb in enumerate(verbs):
            tag = verb.tag
            if tag == "Say":
                call.heard.append((verb.text or "").strip())
            elif tag == "Play":
                call.played.append((verb.text or verb.get("digits") or "").strip())
            elif tag == "Pause":
                call.paused += float(verb.get("length") or 1)
            elif tag == "Gather":
                self._gather(call, url, verb, verbs[index + 1 :])
                return None
            elif tag == "Record":
                return self._record(call, url, verb)
            elif tag == "Dial":
                follow = self._dial(call, url, verb)
                if follow is not None:
                    return follow
            elif tag == "Redirect":
                return urljoin(url, (verb.text or "").strip()), {}
            elif tag == "Start":
                self._start(call, url, verb)
            elif tag in ("Hangup", "Reject"):
                call.rejected = tag == "Reject"
                call.ended = True
                return None
            else:
                call.errors.append(f"{url}: the softphone does not run <{tag}>")
                call.ended = True
                return None
        call.ended = True
        return None

    def _gather(self, call: CallSession, url: str, verb: Element, rest: list[Element]) -> None:
        for child in verb:
            if child.tag == "Say":
                call.heard.append((child.text or "").strip())
            elif child.tag == "Play":
                call.played.append((child.text or child.get("digits") or "").strip())
            elif child.tag == "Pause":
                call.paused += float(child.get("length") or 1)
        call.pending_gather = urljoin(url, verb.get("action") or url)
        call._empty_gather_action = (verb.get("actionOnEmptyResult") or "").lower() == "true"
        call._after_gather = (url, rest)
        redirect = next((v for v in rest if v.tag == "Redirect"), None)
        call.no_input_url = (
            urljoin(url, (redirect.text or "").strip()) if redirect is not None else None
        )

    def _record(self, call: CallSession, url: str, verb: Element) -> tuple[str, dict[str, str]]:
        callback = verb.get("recordingStatusCallback")
        recording = PendingRecording(urljoin(url, callback) if callback else None, "RecordVerb")
        call.finished_recordings.append(recording)
        return urljoin(url, verb.get("action") or url), {
            "RecordingUrl": recording.url,
            "RecordingDuration": str(RECORDING_SECONDS),
            "RecordingSid": recording.sid,
            "Digits": "#",
        }

    def _dial(
        self, call: CallSession, url: str, verb: Element
    ) -> tuple[str, dict[str, str]] | None:
        answered = call.dial_outcome == "completed"
        if answered and (verb.get("record") or "do-not-record") != "do-not-record":
            callback = verb.get("recordingStatusCallback")
            call.finished_recordings.append(
                PendingRecording(urljoin(url, callback) if callback else None, "DialVerb")
            )
        action = verb.get("action")
        if not action:
            return None  # no action: Twilio goes on with the verbs after the <Dial>
        return urljoin(url, action), {
            "DialCallStatus": call.dial_outcome,
            "DialCallSid": _sid("CA"),
            "DialCallDuration": str(DIAL_SECONDS if answered else 0),
        }

    def _start(self, call: CallSession, url: str, verb: Element) -> None:
        for child in verb:
            if child.tag == "Recording":
                callback = child.get("recordingStatusCallback")
                call.call_recordings.append(
                    PendingRecording(
                        urljoin(url, callback) if callback else None, "StartCallRecordingTwiML"
                    )
                )
            else:  # <Stream>, <Siprec>, <Transcription>: side channels the softphone skips
                continue
