"""Sign-in (with CSRF and optional TOTP) and the overview screen.

Forms are protected against CSRF two ways: before sign-in by a double-submit cookie (the form's
hidden token must equal the `tl_csrf` cookie), after sign-in by the token stored with the session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from tradeline.api import SESSION_COOKIE, DbSession, RuntimeDep, enforce_limit, request_ip
from tradeline.auth import service as auth_service
from tradeline.exceptions import Forbidden, Unauthorized
from tradeline.kit.ratelimit import FailMode
from tradeline.kit.secrets import new_token, same
from tradeline.lead import repository as lead_repository
from tradeline.lead.service import present
from tradeline.models import Organization
from tradeline.ops.service import raise_alert

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
STATIC_DIR = Path(__file__).parent / "static"
CSRF_COOKIE = "tl_csrf"


def _cookie_args(request: Request) -> dict[str, Any]:
    secure = request.url.scheme == "https" or bool(
        (request.app.state.runtime.settings.public_url or "").startswith("https://")
    )
    return {"httponly": True, "samesite": "lax", "secure": secure, "path": "/"}


def _login_page(
    request: Request, *, error: str | None = None, email: str = "", status: int = 200
) -> Response:
    token = request.cookies.get(CSRF_COOKIE) or new_token()
    response = templates.TemplateResponse(
        request,
        "login.html",
        {"csrf_token": token, "error": error, "email": email},
        status_code=status,
    )
    response.set_cookie(CSRF_COOKIE, token, max_age=3600, **_cookie_args(request))
    return response


def _check_login_csrf(request: Request, token: str) -> None:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not token or not same(cookie, token):
        raise Forbidden("the form expired; reload the page and try again")


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
async def login(
    request: Request,
    session: DbSession,
    runtime: RuntimeDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    _check_login_csrf(request, csrf_token)
    ip = request_ip(request)
    # Login fails closed when the limiter's store is down: guessing passwords must stay slow.
    await enforce_limit(request, "10/minute", "login_ip", ip, fail=FailMode.CLOSED)
    await enforce_limit(
        request, "20/hour", "login_email", email.strip().lower(), fail=FailMode.CLOSED
    )
    result = await auth_service.login(session, email, password, ip=ip)
    if isinstance(result, auth_service.FailedLogin):
        if result.alert:
            await raise_alert(
                runtime.maker,
                "repeated_login_failures",
                f"{result.user.failed_logins if result.user else 0} failed sign-ins in a row",
                data={"user_id": str(result.user.id) if result.user else None, "ip": ip},
            )
        # 401 with the form again; the failed-attempt counter is committed with this response.
        return _login_page(
            request, error="Email or password is incorrect.", email=email, status=401
        )
    target = "/login/mfa" if result.mfa_required else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, result.token, **_cookie_args(request))
    return response


@router.get("/login/mfa", response_class=HTMLResponse)
async def mfa_form(request: Request, session: DbSession) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    loaded = await auth_service.load_session(session, token) if token else None
    if loaded is None or not loaded[0].mfa_pending:
        return RedirectResponse("/login", status_code=303)
    return templates.TemplateResponse(request, "mfa.html", {"csrf_token": loaded[0].csrf_token})


@router.post("/login/mfa")
async def mfa_verify(
    request: Request,
    session: DbSession,
    runtime: RuntimeDep,
    code: Annotated[str, Form(max_length=64)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    loaded = await auth_service.load_session(session, token) if token else None
    if loaded is None:
        return RedirectResponse("/login", status_code=303)
    if not same(loaded[0].csrf_token, csrf_token):
        raise Forbidden("the form expired; reload the page and try again")
    await enforce_limit(request, "10/minute", "mfa", str(loaded[0].id), fail=FailMode.CLOSED)
    try:
        await auth_service.verify_second_factor(session, runtime.pii, token, code)
    except Unauthorized:
        return templates.TemplateResponse(
            request,
            "mfa.html",
            {"csrf_token": loaded[0].csrf_token, "error": "That code did not work."},
            status_code=401,
        )
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
async def logout(
    request: Request, session: DbSession, csrf_token: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    loaded = await auth_service.load_session(session, token) if token else None
    if loaded is not None:
        if not same(loaded[0].csrf_token, csrf_token):
            raise Forbidden("the form expired; reload the page and try again")
        await auth_service.logout(session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
async def overview(request: Request, session: DbSession, runtime: RuntimeDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return RedirectResponse("/login", status_code=303)
    try:
        principal = await auth_service.session_principal(session, token)
    except Unauthorized:
        return RedirectResponse("/login", status_code=303)
    loaded = await auth_service.load_session(session, token)
    org = await session.get(Organization, principal.organization_id)
    if loaded is None or org is None:
        return RedirectResponse("/login", status_code=303)
    rows = await lead_repository.page(
        session, org.id, limit=20, before=None, phone_index=None, status=None, channel=None
    )
    zone = ZoneInfo(org.timezone)
    leads = [present(r, runtime.pii, principal, zone) for r in rows]
    if principal.sees_pii and rows:
        from tradeline.privacy.service import audit_reveal

        await audit_reveal(
            session,
            org_id=org.id,
            actor_type="user",
            actor_id=principal.actor_id,
            target_type="lead",
            target_ids=[str(r.id) for r in rows],
            reason="dashboard: overview",
        )
    return templates.TemplateResponse(
        request,
        "overview.html",
        {
            "business": org.name,
            "leads": leads,
            "signed_in": True,
            "csrf_token": loaded[0].csrf_token,
        },
    )
