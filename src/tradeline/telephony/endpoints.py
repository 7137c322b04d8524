"""Twilio Voice webhooks (CONTRACTS §2). Every answer is TwiML — also on errors: if the database
cannot be reached the caller hears a fallback that needs none, and the event is spooled."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.api import InvalidSignature, runtime_of, twilio_params
from tradeline.conversation.service import build_lookup
from tradeline.db import set_org
from tradeline.exceptions import NotFound
from tradeline.kit.ratelimit import FailMode
from tradeline.logging import get_logger
from tradeline.organization import service as organizations
from tradeline.organization.schemas import BusinessProfileSpec
from tradeline.runtime import Runtime
from tradeline.telephony import lifecycle, service, twiml

router = APIRouter(tags=["twilio"])
log = get_logger(__name__)
XML = "text/xml"
# Only these survive into the spool: SIDs and outcomes, never the caller's number or words.
SPOOLED_KEYS = (
    "CallSid",
    "AccountSid",
    "CallStatus",
    "CallDuration",
    "SequenceNumber",
    "Timestamp",
    "To",
    "RecordingSid",
    "RecordingUrl",
    "RecordingStatus",
    "RecordingDuration",
    "RecordingSource",
    "DialCallStatus",
    "DialCallSid",
    "DialCallDuration",
)

Work = Callable[
    [AsyncSession, Runtime, uuid.UUID, BusinessProfileSpec, dict[str, str]], Awaitable[str]
]


def _xml(body: str) -> Response:
    return Response(body, media_type=XML)


def _spool(runtime: Runtime, path: str, params: dict[str, str]) -> None:
    """Append the event to a file in the data dir, for replay when the database is back."""
    safe = {k: v for k, v in params.items() if k in SPOOLED_KEYS}
    spool = runtime.settings.resolved_data_dir / "spool" / "voice-events.jsonl"
    spool.parent.mkdir(parents=True, exist_ok=True)
    with spool.open("a", encoding="utf-8") as handle:
        handle.write(
            json.dumps({"at": datetime.now(UTC).isoformat(), "path": path, "params": safe}) + "\n"
        )


async def _tenant(
    session: AsyncSession, request: Request, params: dict[str, str]
) -> tuple[uuid.UUID, BusinessProfileSpec] | None:
    """The business: by the called number, or — for callbacks Twilio sends without `To`
    (recording status, transcription) — by the `org` or `to` our TwiML put in the callback URL.
    That URL is covered by the signature, so it names the business as surely as `To` does."""
    if params.get("To") or not request.query_params.get("org"):
        number = params.get("To") or request.query_params.get("to", "")
        return await organizations.enter_by_number(session, number)
    try:
        org_id = uuid.UUID(request.query_params["org"])
    except ValueError:
        return None
    await set_org(session, org_id)
    try:
        return org_id, await organizations.get_profile(session, org_id)
    except NotFound:  # RLS shows no profile for an id that is not a business
        return None


async def _run(
    request: Request,
    work: Work,
    params: dict[str, str] | None = None,
    *,
    callback: bool = False,
    message_taken: bool = False,
) -> Response:
    """Signature, tenant, one transaction, TwiML out — and a fallback whatever goes wrong.

    `callback`: a notification Twilio does not execute (status, recording status). On failure
    it is spooled and answered 503 (an empty <Response/>, still TwiML), so Twilio's retry, where
    configured, delivers it again; the caller is not on this request, so no fallback verbs.

    `message_taken`: the request carries a recorded message (a <Record> action). On failure the
    recording's URL is in the spool, so the caller is thanked — not asked to record it again."""
    if params is None:
        try:
            params = await twilio_params(request)
        except InvalidSignature:
            log.warning("twilio_signature_invalid", path=request.url.path)
            return PlainTextResponse("invalid signature", status_code=403)
    runtime = runtime_of(request)
    try:
        async with runtime.maker() as session, session.begin():
            tenant = await _tenant(session, request, params)
            if tenant is None:
                log.warning("voice_unknown_number")
                return _xml(twiml.say_and_hangup(service.TEXT["en"]["unknown"]))
            org_id, profile = tenant
            body = await work(session, runtime, org_id, profile, params)
        return _xml(body)
    except Exception as exc:  # the caller must always hear something sensible
        log.exception("voice_webhook_failed", error=type(exc).__name__)
        try:
            query = request.url.query
            _spool(runtime, request.url.path + (f"?{query}" if query else ""), params)
        except OSError:
            log.exception("voice_spool_failed")
        if callback:
            return Response(str(twiml.VoiceResponse()), media_type=XML, status_code=503)
        if message_taken and params.get("RecordingUrl"):
            return _xml(twiml.say_and_hangup(service.TEXT["en"]["voicemail_thanks"]))
        return _xml(twiml.fallback(params.get("To")))


@router.post("/twilio/voice")
async def voice_entry(request: Request) -> Response:
    try:
        params = await twilio_params(request)
    except InvalidSignature:
        log.warning("twilio_signature_invalid", path=request.url.path)
        return PlainTextResponse("invalid signature", status_code=403)
    caller = params.get("From", "")
    # Webhook intake fails open: a dead rate-limit store must not drop real callers.
    decision = await runtime_of(request).limiter.hit(
        "10/minute", "voice", caller or "anonymous", fail=FailMode.OPEN
    )
    if not decision.allowed:
        log.warning("voice_rate_limited")
        return _xml(twiml.reject())

    async def work(
        session: AsyncSession,
        rt: Runtime,
        org_id: uuid.UUID,
        profile: BusinessProfileSpec,
        p: dict[str, str],
    ) -> str:
        if caller in profile.blocklist:
            log.info("voice_blocked")
            return twiml.reject()
        return await service.start_call(session, rt, org_id=org_id, profile=profile, params=p)

    return await _run(request, work, params)


@router.post("/twilio/voice/gather")
async def voice_gather(request: Request) -> Response:
    no_input = request.query_params.get("noinput") == "1"

    async def work(
        session: AsyncSession,
        rt: Runtime,
        org_id: uuid.UUID,
        profile: BusinessProfileSpec,
        p: dict[str, str],
    ) -> str:
        lookup = await build_lookup(session, rt, org_id, profile)
        return await service.speech_turn(
            session, rt, org_id=org_id, profile=profile, params=p, no_input=no_input, lookup=lookup
        )

    return await _run(request, work)


@router.post("/twilio/voice/consent")
async def voice_consent(request: Request) -> Response:
    no_input = request.query_params.get("noinput") == "1"

    async def work(
        session: AsyncSession,
        rt: Runtime,
        org_id: uuid.UUID,
        profile: BusinessProfileSpec,
        p: dict[str, str],
    ) -> str:
        return await service.consent(
            session, rt, org_id=org_id, profile=profile, params=p, no_input=no_input
        )

    return await _run(request, work)


@router.post("/twilio/voice/menu")
async def voice_menu(request: Request) -> Response:
    no_input = request.query_params.get("noinput") == "1"
    retry = 1 if request.query_params.get("retry") == "1" else 0

    async def work(
        session: AsyncSession,
        rt: Runtime,
        org_id: uuid.UUID,
        profile: BusinessProfileSpec,
        p: dict[str, str],
    ) -> str:
        return await service.menu_choice(
            session, rt, org_id=org_id, profile=profile, params=p, retry=retry, no_input=no_input
        )

    return await _run(request, work)


@router.post("/twilio/voice/dial-result")
async def voice_dial_result(request: Request) -> Response:
    reason = request.query_params.get("reason", "transfer")

    async def work(
        session: AsyncSession,
        rt: Runtime,
        org_id: uuid.UUID,
        profile: BusinessProfileSpec,
        p: dict[str, str],
    ) -> str:
        return await service.dial_result(
            session, rt, org_id=org_id, profile=profile, params=p, reason=reason
        )

    return await _run(request, work)


@router.post("/twilio/voice/voicemail")
async def voice_voicemail(request: Request) -> Response:
    async def work(
        session: AsyncSession,
        rt: Runtime,
        org_id: uuid.UUID,
        profile: BusinessProfileSpec,
        p: dict[str, str],
    ) -> str:
        return await service.voicemail_entry(session, org_id=org_id, profile=profile, params=p)

    return await _run(request, work)


@router.post("/twilio/voice/recording")
@router.post("/twilio/voice/fallback-recording")
async def voice_recording(request: Request) -> Response:
    async def work(
        session: AsyncSession,
        rt: Runtime,
        org_id: uuid.UUID,
        profile: BusinessProfileSpec,
        p: dict[str, str],
    ) -> str:
        return await service.recording_done(session, rt, org_id=org_id, profile=profile, params=p)

    return await _run(request, work, message_taken=True)


@router.post("/twilio/voice/transcription")
async def voice_transcription(request: Request) -> Response:
    async def work(
        session: AsyncSession,
        rt: Runtime,
        org_id: uuid.UUID,
        profile: BusinessProfileSpec,
        p: dict[str, str],
    ) -> str:
        await service.transcription(session, rt, org_id=org_id, params=p)
        return str(twiml.VoiceResponse())

    return await _run(request, work, callback=True)


@router.post("/twilio/voice/status")
async def voice_status(request: Request) -> Response:
    async def work(
        session: AsyncSession,
        rt: Runtime,
        org_id: uuid.UUID,
        profile: BusinessProfileSpec,
        p: dict[str, str],
    ) -> str:
        await lifecycle.status_callback(session, rt, org_id=org_id, profile=profile, params=p)
        return str(twiml.VoiceResponse())

    return await _run(request, work, callback=True)


@router.post("/twilio/voice/recording-status")
async def voice_recording_status(request: Request) -> Response:
    async def work(
        session: AsyncSession,
        rt: Runtime,
        org_id: uuid.UUID,
        profile: BusinessProfileSpec,
        p: dict[str, str],
    ) -> str:
        await lifecycle.recording_status(session, rt, org_id=org_id, profile=profile, params=p)
        return str(twiml.VoiceResponse())

    return await _run(request, work, callback=True)
