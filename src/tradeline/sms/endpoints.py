"""Twilio Messaging webhooks (CONTRACTS §2): POST /twilio/sms (and /fallback), /twilio/sms/status."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.exc import IntegrityError

from tradeline.api import InvalidSignature, runtime_of, twilio_params
from tradeline.conversation.service import build_lookup
from tradeline.logging import get_logger
from tradeline.organization import service as organizations
from tradeline.sms import service

router = APIRouter(tags=["twilio"])
log = get_logger(__name__)
XML = "application/xml"


def _forbidden() -> Response:
    return PlainTextResponse("invalid signature", status_code=403)


@router.post("/twilio/sms")
@router.post("/twilio/sms/fallback")
async def inbound_sms(request: Request) -> Response:
    try:
        params = await twilio_params(request)
    except InvalidSignature:
        log.warning("twilio_signature_invalid", path=request.url.path)
        return _forbidden()
    runtime = runtime_of(request)
    message_sid = params.get("MessageSid", "")
    for attempt in range(2):
        try:
            async with runtime.maker() as session, session.begin():
                tenant = await organizations.enter_by_number(session, params.get("To", ""))
                if tenant is None:
                    log.warning("sms_unknown_number", message_sid=message_sid)
                    return Response(service.twiml(None), media_type=XML)
                org_id, profile = tenant
                stored = await service.replay(session, runtime, org_id, message_sid)
                if stored is not None:
                    return Response(stored, media_type=XML)
                lookup = await build_lookup(session, runtime, org_id, profile)
                twiml, _ = await service.handle_inbound(
                    session, runtime, org_id=org_id, profile=profile, params=params, lookup=lookup
                )
            return Response(twiml, media_type=XML)
        except IntegrityError:
            # The same MessageSid raced us in another request: the winner's reply is replayed.
            if attempt == 1:
                raise
    raise RuntimeError("unreachable")


@router.post("/twilio/sms/status")
async def sms_status(request: Request) -> Response:
    try:
        params = await twilio_params(request)
    except InvalidSignature:
        return _forbidden()
    runtime = runtime_of(request)
    async with runtime.maker() as session, session.begin():
        await service.record_status(session, params)
    return Response(service.twiml(None), media_type=XML)
