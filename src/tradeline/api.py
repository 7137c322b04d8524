"""Routers and the request-scoped dependencies every endpoint shares."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.auth import service as auth_service
from tradeline.auth.schemas import Principal
from tradeline.exceptions import Forbidden, TooManyRequests, Unauthorized
from tradeline.kit.metrics import RATE_LIMITED
from tradeline.kit.ratelimit import FailMode, client_ip
from tradeline.kit.secrets import same
from tradeline.runtime import Runtime

SESSION_COOKIE = "tl_session"


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def _unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed before the response leaves (scope="function"),
    so nothing is acknowledged that was not persisted and nothing is half-written."""
    async with runtime_of(request).maker() as session, session.begin():
        yield session


DbSession = Annotated[AsyncSession, Depends(_unit_of_work, scope="function")]
RuntimeDep = Annotated[Runtime, Depends(runtime_of)]


def request_ip(request: Request) -> str:
    peer = request.client.host if request.client else None
    return client_ip(peer, request.headers, runtime_of(request).settings.trusted_proxies)


async def enforce_limit(
    request: Request, rule: str, *identity: str, fail: FailMode = FailMode.OPEN
) -> None:
    decision = await runtime_of(request).limiter.hit(rule, *identity, fail=fail)
    if not decision.allowed:
        RATE_LIMITED.labels(identity[0] if identity else "global").inc()
        raise TooManyRequests(f"rate limit {rule} exceeded", retry_after=decision.retry_after)


async def limit_public(request: Request) -> None:
    """Unauthenticated routes: 60/min per IP (CONTRACTS §3)."""
    await enforce_limit(request, "60/minute", "ip", request_ip(request))


async def api_principal(request: Request, session: DbSession) -> Principal:
    """Bearer API key, or a signed-in dashboard session; scopes the transaction to its business."""
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() == "bearer" and credential:
        principal = await auth_service.authenticate_api_key(session, credential.strip())
        await enforce_limit(request, "600/minute", "api_key", principal.actor_id)
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        principal = await auth_service.session_principal(session, cookie)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            # Cookie-authenticated writes need the session's CSRF token in a header.
            loaded = await auth_service.load_session(session, cookie)
            sent = request.headers.get("x-csrf-token", "")
            if loaded is None or not sent or not same(loaded[0].csrf_token, sent):
                raise Forbidden("missing or wrong X-CSRF-Token")
        await enforce_limit(request, "600/minute", "session", principal.actor_id)
        return principal
    raise Unauthorized("missing credentials: send Authorization: Bearer <api key>")


CurrentPrincipal = Annotated[Principal, Depends(api_principal)]


def build_router() -> APIRouter:
    from tradeline.analytics.endpoints import router as analytics_router
    from tradeline.appointment.endpoints import router as appointment_router
    from tradeline.consent.endpoints import router as consent_router
    from tradeline.conversation.endpoints import router as conversation_router
    from tradeline.dashboard.endpoints import router as dashboard_router
    from tradeline.integrations.webhooks.endpoints import router as webhook_router
    from tradeline.knowledge.endpoints import router as knowledge_router
    from tradeline.lead.endpoints import router as lead_router
    from tradeline.ops.endpoints import router as ops_router
    from tradeline.organization.endpoints import router as organization_router
    from tradeline.sms.endpoints import router as sms_router
    from tradeline.telephony.api import router as calls_router
    from tradeline.telephony.endpoints import router as voice_router

    root = APIRouter()
    root.include_router(ops_router)
    # Twilio's webhooks first: routes are matched in order, and these carry the traffic.
    root.include_router(voice_router)
    root.include_router(sms_router)
    v1 = APIRouter(prefix="/api/v1")
    v1.include_router(organization_router)
    v1.include_router(lead_router)
    v1.include_router(knowledge_router)
    v1.include_router(appointment_router)
    v1.include_router(webhook_router)
    v1.include_router(consent_router)
    v1.include_router(conversation_router)
    v1.include_router(calls_router)
    v1.include_router(analytics_router)
    root.include_router(v1)
    root.include_router(dashboard_router)
    return root


class InvalidSignature(Exception):
    """Raised before anything is written; the endpoint answers 403."""


async def twilio_params(request: Request) -> dict[str, str]:
    """The form Twilio posted, after checking X-Twilio-Signature against the public URL."""
    from tradeline.config import twilio_auth_token
    from tradeline.integrations.twilio.signature import is_valid, signed_url

    runtime = runtime_of(request)
    form = await request.form()
    params = {key: value for key, value in form.items() if isinstance(value, str)}
    url = signed_url(request, runtime.settings.public_url)
    if not is_valid(
        twilio_auth_token(runtime.settings), url, params, request.headers.get("x-twilio-signature")
    ):
        raise InvalidSignature(url)
    import structlog

    sids = {k: params[k] for k in ("CallSid", "MessageSid") if k in params}
    structlog.contextvars.bind_contextvars(**sids)
    return params
