"""Settings: the whole business profile as one form, the team, API keys, and the user's language."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response

from tradeline.api import DbSession
from tradeline.auth import service as auth_service
from tradeline.auth.schemas import Role
from tradeline.dashboard import repository
from tradeline.dashboard.i18n import LANGUAGE_NAMES
from tradeline.dashboard.settings import service
from tradeline.dashboard.web import (
    DashboardRoute,
    FormPageDep,
    Page,
    PageDep,
    back,
    render,
    safe_next,
)
from tradeline.exceptions import Conflict, Unprocessable
from tradeline.organization import service as organizations
from tradeline.organization.schemas import DAYS

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)

DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}


def _profile_page(
    page: Page,
    values: dict[str, Any],
    *,
    error: str | None = None,
    saved: bool = False,
    status: int = 200,
) -> Response:
    return render(
        page,
        "settings.html",
        {
            "v": values,
            "days": [(d, DAY_NAMES[d]) for d in DAYS],
            "error": error,
            "error_field": service.field_for(error) if error else None,
            "saved": saved,
            "tab": "profile",
        },
        status=status,
    )


@router.get("/settings")
async def settings_page(
    page: PageDep, session: DbSession, saved: Annotated[str | None, Query(max_length=5)] = None
) -> Response:
    spec = await organizations.get_profile(session, page.org_id)
    return _profile_page(page, service.form_values(spec), saved=saved == "1")


@router.post("/settings")
async def settings_save(page: FormPageDep, session: DbSession) -> Response:
    page.require_admin()
    form = await page.request.form()
    posted = {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        spec = organizations.parse_profile(service.profile_data(posted))
        # A savepoint: a refused change (a number owned by another business) leaves nothing
        # half-written, and the page can still answer normally with the form again.
        async with session.begin_nested():
            await organizations.replace_profile(session, page.org_id, spec, page.principal.actor_id)
    except (Unprocessable, Conflict) as exc:
        return _profile_page(
            page, service.posted_values(posted), error=exc.detail, status=exc.status_code
        )
    return back("/settings", saved="1")


# --- team ---------------------------------------------------------------------------------------


@router.get("/settings/team")
async def team_page(
    page: PageDep, session: DbSession, added: Annotated[str | None, Query(max_length=5)] = None
) -> Response:
    members = await repository.team(session, page.org_id)
    return render(
        page,
        "team.html",
        {"members": members, "roles": [r.value for r in Role], "added": added, "tab": "team"},
    )


@router.post("/settings/team")
async def team_add(
    page: FormPageDep,
    session: DbSession,
    email: Annotated[str, Form(min_length=3, max_length=320)],
    password: Annotated[str, Form(min_length=12, max_length=1024)],
    role: Annotated[Literal["admin", "moderator", "member"], Form()],
) -> Response:
    page.require_admin()
    await auth_service.create_user(
        session, page.org_id, email=email, password=password, role=Role(role)
    )
    return back("/settings/team", added="1")


# --- API keys -----------------------------------------------------------------------------------


async def _keys_page(
    page: Page, session: DbSession, *, new_key: str | None = None, revoked: str | None = None
) -> Response:
    keys = await repository.api_keys(session, page.org_id)
    return render(
        page,
        "api_keys.html",
        {
            "keys": keys,
            "roles": [r.value for r in Role],
            "new_key": new_key,
            "revoked": revoked,
            "tab": "keys",
        },
    )


@router.get("/settings/api-keys")
async def keys_page(
    page: PageDep, session: DbSession, revoked: Annotated[str | None, Query(max_length=100)] = None
) -> Response:
    page.require_admin()
    return await _keys_page(page, session, revoked=revoked)


@router.post("/settings/api-keys")
async def keys_create(
    page: FormPageDep,
    session: DbSession,
    name: Annotated[str, Form(min_length=1, max_length=100)],
    role: Annotated[Literal["admin", "moderator", "member"], Form()],
) -> Response:
    page.require_admin()
    _, raw = await auth_service.create_api_key(session, page.org_id, name=name, role=Role(role))
    # Shown once, in this response only (never in a URL or a redirect); the page is no-store.
    return await _keys_page(page, session, new_key=raw)


@router.post("/settings/api-keys/{key_id}/revoke")
async def keys_revoke(key_id: uuid.UUID, page: FormPageDep, session: DbSession) -> Response:
    page.require_admin()
    name = await service.revoke_api_key(session, page.org_id, key_id, page.principal.actor_id)
    return back("/settings/api-keys", revoked=name)


# --- the user's own language --------------------------------------------------------------------


@router.post("/account/locale")
async def account_locale(
    page: FormPageDep,
    session: DbSession,
    locale: Annotated[str, Form(max_length=10)],
    next_url: Annotated[str, Form(alias="next", max_length=500)] = "/",
) -> Response:
    if locale not in LANGUAGE_NAMES:
        raise Unprocessable("unknown language")
    await service.set_locale(session, page.user, locale)
    return back(safe_next(next_url))
