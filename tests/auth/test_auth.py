"""Passwords, dashboard sessions with CSRF, TOTP MFA with recovery codes, API keys."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import httpx
import pyotp
from sqlalchemy import select, update

from tests.factories import make_org
from tradeline.auth.schemas import Role
from tradeline.auth.service import begin_totp_enrolment, confirm_totp_enrolment, create_user
from tradeline.db import tenant_session
from tradeline.models import ApiKey, SecurityAlert, User
from tradeline.runtime import Runtime

PASSWORD = "correct horse battery"


async def _user(runtime: Runtime, org_id: uuid.UUID, email: str, role: Role = Role.ADMIN) -> None:
    async with tenant_session(runtime.maker, org_id) as session:
        await create_user(session, org_id, email=email, password=PASSWORD, role=role)


async def _csrf(client: httpx.AsyncClient) -> str:
    page = await client.get("/login")
    assert page.status_code == 200
    assert 'name="email"' in page.text and 'name="password"' in page.text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


async def _login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    token = await _csrf(client)
    return await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )


async def test_login_sets_a_safe_cookie_and_lands_on_the_dashboard(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime, "Cookie Plumbing")
    await _user(runtime, org.org_id, "owner@cookie.test")
    response = await _login(client, "Owner@Cookie.test")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("tl_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    home = await client.get("/")
    assert home.status_code == 200 and "Cookie Plumbing" in home.text
    # The session works on the API too, and writes need the CSRF header.
    assert (await client.get("/api/v1/profile")).status_code == 200
    put = await client.put("/api/v1/profile", json={"name": "x"})
    assert put.status_code == 403


async def test_login_form_without_csrf_token_is_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    await _user(runtime, org.org_id, "csrf@x.test")
    await _csrf(client)
    response = await client.post(
        "/login", data={"email": "csrf@x.test", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403
    assert "tl_session" not in response.headers.get("set-cookie", "")


async def test_repeated_failures_raise_a_security_alert(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    await _user(runtime, org.org_id, "victim@x.test")
    for _ in range(5):
        response = await _login(client, "victim@x.test", "wrong password!")
        assert response.status_code == 401
    async with runtime.maker() as session:
        alerts = (await session.execute(select(SecurityAlert))).scalars().all()
        user = (
            await session.execute(select(User).where(User.email == "victim@x.test"))
        ).scalar_one()
    assert [a.kind for a in alerts] == ["repeated_login_failures"]
    assert user.failed_logins == 5
    assert (await client.get("/")).status_code == 303  # not signed in


async def test_login_is_rate_limited(client: httpx.AsyncClient, runtime: Runtime) -> None:
    statuses = [
        (await _login(client, "nobody@x.test", "nope nope nope")).status_code for _ in range(12)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]


async def test_totp_enrolment_verification_and_recovery_codes(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    await _user(runtime, org.org_id, "mfa@x.test")
    async with tenant_session(runtime.maker, None) as session:
        user = (await session.execute(select(User).where(User.email == "mfa@x.test"))).scalar_one()
        uri = await begin_totp_enrolment(session, runtime.pii, user)
        secret = pyotp.parse_uri(uri).secret
        codes = await confirm_totp_enrolment(session, runtime.pii, user, pyotp.TOTP(secret).now())
        assert user.totp_secret_enc is not None and secret.encode() not in user.totp_secret_enc
    assert len(codes) == 10 and len(set(codes)) == 10

    response = await _login(client, "mfa@x.test")
    assert response.headers["location"] == "/login/mfa"
    assert (await client.get("/")).status_code == 303  # half signed in is not signed in
    form = await client.get("/login/mfa")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf
    bad = await client.post("/login/mfa", data={"code": "000000", "csrf_token": csrf.group(1)})
    assert bad.status_code == 401
    good = await client.post(
        "/login/mfa", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf.group(1)}
    )
    assert good.status_code == 303 and good.headers["location"] == "/"
    assert (await client.get("/")).status_code == 200

    # A recovery code works once.
    for attempt, expected in ((1, 303), (2, 401)):
        client.cookies.clear()
        await _login(client, "mfa@x.test")
        form = await client.get("/login/mfa")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert csrf
        result = await client.post(
            "/login/mfa", data={"code": codes[0], "csrf_token": csrf.group(1)}
        )
        assert result.status_code == expected, attempt


async def test_revoked_or_unknown_api_keys_are_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org = await make_org(runtime)
    headers = {"Authorization": f"Bearer {org.api_key}"}
    assert (await client.get("/api/v1/leads", headers=headers)).status_code == 200
    bogus = await client.get("/api/v1/leads", headers={"Authorization": "Bearer tl_nope"})
    assert bogus.status_code == 401 and bogus.json()["error"] == "Unauthorized"
    async with tenant_session(runtime.maker, org.org_id) as session:
        await session.execute(update(ApiKey).values(revoked_at=datetime.now(UTC)))
    assert (await client.get("/api/v1/leads", headers=headers)).status_code == 401


async def test_member_keys_see_masked_pii(client: httpx.AsyncClient, runtime: Runtime) -> None:
    from tradeline.auth.service import create_api_key
    from tradeline.lead.service import create_lead

    org = await make_org(runtime)
    async with tenant_session(runtime.maker, org.org_id) as session:
        _, member_key = await create_api_key(session, org.org_id, name="m", role=Role.MEMBER)
        await create_lead(
            session,
            runtime.pii,
            org.org_id,
            channel="sms",
            caller_number="+14035550199",
            caller_name="Jordan Lee",
            email="jordan@example.com",
        )
    admin = (
        await client.get("/api/v1/leads", headers={"Authorization": f"Bearer {org.api_key}"})
    ).json()
    member = (
        await client.get("/api/v1/leads", headers={"Authorization": f"Bearer {member_key}"})
    ).json()
    assert admin["items"][0]["caller_number"] == "+14035550199"
    assert admin["items"][0]["email"] == "jordan@example.com"
    assert member["items"][0]["caller_number"] == "***-***-0199"
    assert member["items"][0]["email"] == "j***@example.com"
    assert "Jordan" not in str(member)
