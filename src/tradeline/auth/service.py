"""Authentication: API keys, users, dashboard sessions with CSRF, and TOTP MFA."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.auth import repository
from tradeline.auth.schemas import Principal, Role
from tradeline.db import set_org
from tradeline.exceptions import Conflict, Unauthorized
from tradeline.kit.secrets import (
    DUMMY_HASH,
    digest,
    hash_password,
    new_token,
    verify_password,
)
from tradeline.models import ApiKey, Membership, User, UserSession
from tradeline.privacy.service import NO_ORG, Pii

API_KEY_PREFIX = "tl_"
SESSION_LIFETIME = timedelta(hours=12)
MFA_PENDING_LIFETIME = timedelta(minutes=10)
ALERT_AFTER_FAILURES = 5
RECOVERY_CODES = 10


def _now() -> datetime:
    return datetime.now(UTC)


async def create_api_key(
    session: AsyncSession, org_id: uuid.UUID, *, name: str, role: Role
) -> tuple[ApiKey, str]:
    """Returns the row and the raw key; the raw key is shown once and never stored."""
    raw = new_token(API_KEY_PREFIX)
    key = ApiKey(
        organization_id=org_id, name=name, prefix=raw[:10], key_hash=digest(raw), role=role.value
    )
    await repository.add(session, key)
    return key, raw


async def authenticate_api_key(session: AsyncSession, raw: str) -> Principal:
    """Resolve a bearer key to its business and role, then scope the transaction to it."""
    if not raw.startswith(API_KEY_PREFIX):
        raise Unauthorized("invalid API key")
    key = await repository.api_key_by_hash(session, digest(raw))
    if key is None or key.revoked_at is not None:
        raise Unauthorized("invalid API key")
    await set_org(session, key.organization_id)
    return Principal(
        organization_id=key.organization_id,
        role=Role(key.role),
        actor_type="api_key",
        actor_id=str(key.id),
    )


async def create_user(
    session: AsyncSession,
    org_id: uuid.UUID,
    *,
    email: str,
    password: str,
    role: Role,
    operator: bool = False,
) -> User:
    email = email.strip().lower()
    if await repository.user_by_email(session, email) is not None:
        raise Conflict(f"a user with email {email} already exists")
    user = User(email=email, password_hash=hash_password(password), is_operator=operator)
    await repository.add(session, user)
    await repository.add(
        session, Membership(organization_id=org_id, user_id=user.id, role=role.value)
    )
    return user


@dataclass(frozen=True)
class LoginResult:
    token: str
    csrf_token: str
    mfa_required: bool
    user: User


@dataclass(frozen=True)
class FailedLogin:
    user: User | None
    alert: bool  # repeated failures on one account: the caller raises a security alert


async def login(
    session: AsyncSession, email: str, password: str, *, ip: str | None
) -> LoginResult | FailedLogin:
    user = await repository.user_by_email(session, email.strip().lower())
    if user is None:
        verify_password(DUMMY_HASH, password)  # same cost as a wrong password
        return FailedLogin(user=None, alert=False)
    if not user.is_active or not verify_password(user.password_hash, password):
        user.failed_logins += 1
        await session.flush()
        return FailedLogin(user=user, alert=user.failed_logins % ALERT_AFTER_FAILURES == 0)
    memberships = await repository.memberships_of(session, user.id)
    user.failed_logins = 0
    user.last_login_at = _now()
    token, csrf = new_token(), new_token()
    lifetime = MFA_PENDING_LIFETIME if user.totp_enabled else SESSION_LIFETIME
    await repository.add(
        session,
        UserSession(
            user_id=user.id,
            token_hash=digest(token),
            csrf_token=csrf,
            active_org_id=memberships[0].organization_id if memberships else None,
            mfa_pending=user.totp_enabled,
            expires_at=_now() + lifetime,
            ip=ip,
        ),
    )
    return LoginResult(token=token, csrf_token=csrf, mfa_required=user.totp_enabled, user=user)


async def load_session(session: AsyncSession, token: str) -> tuple[UserSession, User] | None:
    row = await repository.session_by_hash(session, digest(token))
    if row is None or row.expires_at <= _now():
        return None
    user = await session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return row, user


async def session_principal(session: AsyncSession, token: str) -> Principal:
    """A fully signed-in dashboard session as a principal scoped to its business."""
    loaded = await load_session(session, token)
    if loaded is None or loaded[0].mfa_pending or loaded[0].active_org_id is None:
        raise Unauthorized("not signed in")
    row, user = loaded
    org_id = row.active_org_id
    memberships = await repository.memberships_of(session, user.id)
    role = next((m.role for m in memberships if m.organization_id == org_id), None)
    if role is None or org_id is None:
        raise Unauthorized("no access to this business")
    await set_org(session, org_id)
    return Principal(
        organization_id=org_id,
        role=Role(role),
        actor_type="user",
        actor_id=str(user.id),
        is_operator=user.is_operator,
        session_id=row.id,
    )


async def logout(session: AsyncSession, token: str) -> None:
    row = await repository.session_by_hash(session, digest(token))
    if row is not None:
        await repository.delete_session(session, row.id)


# --- TOTP (RFC 6238) -----------------------------------------------------------------------


def _seal_secret(pii: Pii, user: User, secret: str) -> bytes:
    return pii.vault.encrypt(
        secret, org_id=NO_ORG, table="users", row_id=user.id, column="totp_secret_enc"
    )


def _open_secret(pii: Pii, user: User) -> str | None:
    return pii.open(
        user.totp_secret_enc, org_id=NO_ORG, table="users", row_id=user.id, column="totp_secret_enc"
    )


async def begin_totp_enrolment(session: AsyncSession, pii: Pii, user: User) -> str:
    """Store a new (not yet active) secret; returns the otpauth:// URI for the QR code."""
    secret = pyotp.random_base32()
    user.totp_secret_enc = _seal_secret(pii, user, secret)
    user.totp_enabled = False
    await session.flush()
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="TradeLine")


async def confirm_totp_enrolment(
    session: AsyncSession, pii: Pii, user: User, code: str
) -> list[str]:
    """Activate MFA once the user proves the authenticator works; returns recovery codes once."""
    secret = _open_secret(pii, user)
    if secret is None or not pyotp.TOTP(secret).verify(code.strip(), valid_window=1):
        raise Unauthorized("the code does not match; check the authenticator's clock")
    codes = [new_token(nbytes=8) for _ in range(RECOVERY_CODES)]
    user.recovery_code_hashes = [hash_password(c) for c in codes]
    user.totp_enabled = True
    await session.flush()
    return codes


async def verify_second_factor(
    session: AsyncSession, pii: Pii, token: str, code: str
) -> UserSession:
    """Complete an MFA-pending login with a TOTP code or a one-time recovery code."""
    loaded = await load_session(session, token)
    if loaded is None or not loaded[0].mfa_pending:
        raise Unauthorized("no sign-in waiting for a second factor")
    row, user = loaded
    code = code.strip()
    secret = _open_secret(pii, user)
    ok = secret is not None and pyotp.TOTP(secret).verify(code, valid_window=1)
    if not ok:
        for stored in user.recovery_code_hashes:
            if verify_password(stored, code):
                # One use only: a recovery code that worked is gone.
                user.recovery_code_hashes = [h for h in user.recovery_code_hashes if h != stored]
                ok = True
                break
    if not ok:
        user.failed_logins += 1
        await session.flush()
        raise Unauthorized("invalid code")
    row.mfa_pending = False
    row.expires_at = _now() + SESSION_LIFETIME
    user.failed_logins = 0
    await session.flush()
    return row
