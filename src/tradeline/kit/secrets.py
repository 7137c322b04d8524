"""Passwords (argon2id), random tokens and token digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """argon2id with the library's current recommended parameters."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# A valid hash to verify against when the user does not exist, so a login for an unknown email
# costs the same time as one with a wrong password (no user enumeration by timing).
DUMMY_HASH = _hasher.hash("tradeline-timing-equaliser")


def new_token(prefix: str = "", nbytes: int = 32) -> str:
    """A URL-safe random token of `nbytes` bytes of entropy (≥128 bits per ASVS 5.0)."""
    return prefix + secrets.token_urlsafe(nbytes)


def digest(token: str) -> str:
    """SHA-256 hex of a high-entropy token; such tokens need no slow hash."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
