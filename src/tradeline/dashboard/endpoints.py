"""Sign-in (with CSRF and optional TOTP), and the dashboard's screens assembled into one router.

Forms are protected against CSRF two ways: before sign-in by a double-submit cookie (the form's
hidden token must equal the `tl_csrf` cookie), after sign-in by the token stored with the session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from tradeline.api import SESSION_COOKIE, DbSession, RuntimeDep, enforce_limit, request_ip
from tradeline.auth import service as auth_service
from tradeline.dashboard.admin.endpoints import router as admin_router
from tradeline.dashboard.business.endpoints import router as business_router
from tradeline.dashboard.compliance.endpoints import router as compliance_router
from tradeline.dashboard.i18n import Translator
from tradeline.dashboard.knowledge.endpoints import router as knowledge_router
from tradeline.dashboard.pwa.endpoints import router as pwa_router
from tradeline.dashboard.settings.endpoints import router as settings_router
from tradeline.dashboard.softphone.endpoints import router as softphone_router
from tradeline.dashboard.web import DashboardRoute, render, request_locale, safe_next
from tradeline.exceptions import Forbidden, Unauthorized
from tradeline.kit.ratelimit import FailMode
from tradeline.kit.secrets import new_token, same
from tradeline.ops.service import raise_alert

router = APIRouter(include_in_schema=False, route_class=DashboardRoute)
STATIC_DIR = Path(__file__).parent / "static"
CSRF_COOKIE = "tl_csrf"


def _cookie_args(request: Request) -> dict[str, Any]:
    secure = request.url.scheme == "https" or bool(
        (request.app.state.runtime.settings.public_url or "").startswith("https://")
    )
    return {"httponly": True, "samesite": "lax", "secure": secure, "path": "/"}


def _login_page(
    request: Request,
    *,
    error: str | None = None,
    email: str = "",
    status: int = 200,
    next_url: str = "/",
) -> Response:
    token = request.cookies.get(CSRF_COOKIE) or new_token()
    response = render(
        request,
        "login.html",
        {"login_csrf": token, "error": error, "email": email, "next_url": safe_next(next_url)},
        status=status,
    )
    response.set_cookie(CSRF_COOKIE, token, max_age=3600, **_cookie_args(request))
    return response


def _check_login_csrf(request: Request, token: str) -> None:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not token or not same(cookie, token):
        raise Forbidden("the form expired; reload the page and try again")


@router.get("/login")
async def login_form(
    request: Request, next_url: Annotated[str, Query(alias="next", max_length=500)] = "/"
) -> Response:
    return _login_page(request, next_url=next_url)


@router.post("/login")
async def login(
    request: Request,
    session: DbSession,
    runtime: RuntimeDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next_url: Annotated[str, Form(alias="next", max_length=500)] = "/",
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
            request,
            error=Translator(request_locale(request))("Email or password is incorrect."),
            email=email,
            status=401,
            next_url=next_url,
        )
    target = safe_next(next_url)
    if result.mfa_required:
        target = "/login/mfa" + (f"?next={target}" if target != "/" else "")
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, result.token, **_cookie_args(request))
    return response


@router.get("/login/mfa")
async def mfa_form(
    request: Request,
    session: DbSession,
    next_url: Annotated[str, Query(alias="next", max_length=500)] = "/",
) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    loaded = await auth_service.load_session(session, token) if token else None
    if loaded is None or not loaded[0].mfa_pending:
        return RedirectResponse("/login", status_code=303)
    return render(
        request, "mfa.html", {"login_csrf": loaded[0].csrf_token, "next_url": safe_next(next_url)}
    )


@router.post("/login/mfa")
async def mfa_verify(
    request: Request,
    session: DbSession,
    runtime: RuntimeDep,
    code: Annotated[str, Form(max_length=64)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next_url: Annotated[str, Form(alias="next", max_length=500)] = "/",
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
        return render(
            request,
            "mfa.html",
            {
                "login_csrf": loaded[0].csrf_token,
                "error": Translator(request_locale(request))("That code did not work."),
                "next_url": safe_next(next_url),
            },
            status=401,
        )
    return RedirectResponse(safe_next(next_url), status_code=303)


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


for _screens in (
    business_router,
    knowledge_router,
    settings_router,
    compliance_router,
    softphone_router,
    admin_router,
    pwa_router,
):
    router.include_router(_screens)
