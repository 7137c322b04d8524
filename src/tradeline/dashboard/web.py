"""What every dashboard page shares: the signed-in context, CSRF, rendering and error pages.

Pages are plain HTML forms (they work without JavaScript). A page's dependency `PageDep` resolves
the session cookie to the user, their business and role; `FormPageDep` also checks the form's
`csrf_token` against the one stored with the session. Routers built with `DashboardRoute` turn
"not signed in" into a redirect to /login and expected failures into an HTML error page in the
user's language (the API's JSON errors are for machines).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from tradeline.api import SESSION_COOKIE, DbSession, RuntimeDep
from tradeline.auth import service as auth_service
from tradeline.auth.schemas import Principal, Role
from tradeline.dashboard.i18n import (
    LANGUAGE_NAMES,
    Locale,
    Translator,
    from_accept_language,
    html_lang,
    normalise,
)
from tradeline.exceptions import Forbidden, TooManyRequests, TradeLineError, Unauthorized
from tradeline.kit.secrets import same
from tradeline.models import Organization, User
from tradeline.runtime import Runtime

TEMPLATE_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATE_DIR))

# Pages hold PII: never cached by shared caches, never framed, no third-party anything.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self' https:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'self'; form-action 'self'; object-src 'none'"
    ),
}


class LoginRequired(Exception):
    """No (complete) dashboard session: the route answers with a redirect to /login."""


@dataclass(frozen=True)
class Page:
    """The signed-in user looking at one business."""

    request: Request
    principal: Principal
    user: User
    org: Organization
    csrf_token: str
    locale: Locale

    @property
    def org_id(self) -> uuid.UUID:
        return self.principal.organization_id

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.org.timezone)

    @property
    def is_admin(self) -> bool:
        return self.principal.role is Role.ADMIN

    @property
    def can_edit(self) -> bool:
        """Admins and moderators change content (knowledge base, lead status)."""
        return self.principal.role in (Role.ADMIN, Role.MODERATOR)

    def t(self, text: str, /, **values: object) -> str:
        return Translator(self.locale)(text, **values)

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden(self.t("Only admins can do this."))

    def require_editor(self) -> None:
        if not self.can_edit:
            raise Forbidden(self.t("Only admins and moderators can do this."))


async def _page(request: Request, session: DbSession, runtime: RuntimeDep) -> Page:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired
    try:
        principal = await auth_service.session_principal(session, token)
    except Unauthorized as exc:
        raise LoginRequired from exc
    loaded = await auth_service.load_session(session, token)
    org = await session.get(Organization, principal.organization_id)
    if loaded is None or org is None:
        raise LoginRequired
    row, user = loaded
    locale = normalise(user.locale)
    request.state.locale = locale
    return Page(
        request=request,
        principal=principal,
        user=user,
        org=org,
        csrf_token=row.csrf_token,
        locale=locale,
    )


PageDep = Annotated[Page, Depends(_page)]


async def _form_page(request: Request, page: PageDep) -> Page:
    """A signed-in page receiving a form: the session's CSRF token must come with it."""
    form = await request.form()  # parsed once; FastAPI's Form() parameters reuse it
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not sent or not same(page.csrf_token, sent):
        raise Forbidden(page.t("This form has expired. Reload the page and try again."))
    return page


FormPageDep = Annotated[Page, Depends(_form_page)]


async def _operator_page(page: PageDep) -> Page:
    if not page.principal.is_operator:
        raise Forbidden(page.t("This area is for platform operators."))
    return page


OperatorPageDep = Annotated[Page, Depends(_operator_page)]


async def _operator_form_page(page: FormPageDep) -> Page:
    if not page.principal.is_operator:
        raise Forbidden(page.t("This area is for platform operators."))
    return page


OperatorFormPageDep = Annotated[Page, Depends(_operator_form_page)]


def request_locale(request: Request) -> Locale:
    stored = getattr(request.state, "locale", None)
    if stored in ("en", "fr"):
        return normalise(stored)
    chosen = request.query_params.get("lang")
    if chosen in ("en", "fr"):
        return normalise(chosen)
    return from_accept_language(request.headers.get("accept-language"))


# --- rendering ----------------------------------------------------------------------------------


def local_time(value: datetime | None, zone: ZoneInfo | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    return (value.astimezone(zone) if zone else value).strftime(fmt)


NAV: tuple[tuple[str, str, str], ...] = (
    # (path, label, who): who ∈ all | admin | operator
    ("/", "Overview", "all"),
    ("/calls", "Calls", "all"),
    ("/texts", "Texts", "all"),
    ("/leads", "Leads", "all"),
    ("/appointments", "Appointments", "all"),
    ("/knowledge", "Knowledge base", "all"),
    ("/try", "Try a call", "all"),
    ("/settings", "Settings", "all"),
    ("/compliance", "Compliance", "all"),
    ("/outbox", "Outbox", "admin"),
    ("/admin", "Operators", "operator"),
)


def _nav(page: Page | None, path: str) -> list[dict[str, Any]]:
    if page is None:
        return []
    items = []
    for href, label, who in NAV:
        if who == "admin" and not page.is_admin:
            continue
        if who == "operator" and not page.principal.is_operator:
            continue
        current = path == href if href == "/" else path == href or path.startswith(href + "/")
        items.append({"href": href, "label": page.t(label), "current": current})
    return items


def render(
    target: Page | Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A full page: the base layout gets the user's language, navigation and CSRF token."""
    page = target if isinstance(target, Page) else None
    request = target.request if isinstance(target, Page) else target
    locale = page.locale if page else request_locale(request)
    translator = Translator(locale)
    zone = page.zone if page else None
    values: dict[str, Any] = {
        "page": page,
        "_": translator,
        "locale": locale,
        "lang": html_lang(locale),
        "languages": LANGUAGE_NAMES,
        "signed_in": page is not None,
        "csrf_token": page.csrf_token if page else "",
        "nav": _nav(page, request.url.path),
        "business": page.org.name if page else None,
        "when": lambda value, fmt="%Y-%m-%d %H:%M": local_time(value, zone, fmt),
        "day": lambda value: value.isoformat() if isinstance(value, date) else "—",
        "quote": lambda value: quote(str(value), safe=""),
    }
    values.update(context or {})
    response = templates.TemplateResponse(request, name, values, status_code=status)
    for key, value in {**SECURITY_HEADERS, **(headers or {})}.items():
        response.headers[key] = value
    return response


ERROR_TITLES = {
    400: "Something is wrong with that request",
    403: "Not allowed",
    404: "Not found",
    409: "That conflicts with what is already there",
    413: "That is too large",
    422: "Please check what you entered",
    429: "Too many attempts",
}


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    translator = Translator(request_locale(request))
    title = ERROR_TITLES.get(status, "Something went wrong")
    return render(
        request,
        "error.html",
        {"title": translator(title), "message": message},
        status=status,
    )


def to_login(request: Request) -> RedirectResponse:
    target = request.url.path
    suffix = f"?next={quote(target, safe='/')}" if target not in ("/", "/login") else ""
    return RedirectResponse(f"/login{suffix}", status_code=303)


def back(url: str, **flash: str) -> RedirectResponse:
    """Post/redirect/get: after a form, back to a page (303, so a reload never re-posts)."""
    if flash:
        joiner = "&" if "?" in url else "?"
        url += joiner + "&".join(f"{k}={quote(v, safe='')}" for k, v in flash.items())
    return RedirectResponse(url, status_code=303)


class DashboardRoute(APIRoute):
    """Browser routes: redirect to sign-in, and expected failures as HTML pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except LoginRequired:
                return to_login(request)
            except TooManyRequests as exc:
                response = error_page(request, exc.status_code, exc.detail)
                response.headers["Retry-After"] = str(exc.retry_after)
                return response
            except TradeLineError as exc:
                if exc.status_code >= 500:
                    raise
                return error_page(request, exc.status_code, exc.detail)
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {}
                where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query"))
                return error_page(request, 422, f"{where}: {first.get('msg', 'invalid')}")

        return handler


def safe_next(value: str | None) -> str:
    """Only a local path may follow sign-in (no open redirect to another site)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def runtime_of_page(page: Page) -> Runtime:
    runtime: Runtime = page.request.app.state.runtime
    return runtime
