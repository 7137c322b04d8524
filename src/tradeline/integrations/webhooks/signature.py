"""Signing outbound webhooks, and the check a receiver makes (docs/examples/README.md).

Every delivery carries `TradeLine-Signature: t=<unix seconds>,v1=<hex>` where `<hex>` is
HMAC-SHA256, keyed with the subscription's secret (the whole `whsec_…` string, as UTF-8), of the
bytes `<t>` + `.` + `<raw request body>`. A receiver needs the shared secret and nothing else: it
recomputes the HMAC over the body exactly as received, compares in constant time, and refuses
a timestamp outside its tolerance (five minutes here), which stops replays of a captured request.
Several `v1=` entries may appear (e.g. while a secret is being rotated); one match is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

HEADER = "TradeLine-Signature"
SCHEME = "v1"
TOLERANCE_S = 300
SECRET_PREFIX = "whsec_"  # noqa: S105 - a marker for generated secrets, not a secret


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def compute(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value for `body`, signed now (or at `timestamp`)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return f"t={stamp},{SCHEME}={compute(secret, stamp, body)}"


def verify(
    secret: str,
    header: str | None,
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_S,
) -> bool:
    """True when `header` signs `body` with `secret` within `tolerance` seconds of `now`."""
    if not header:
        return False
    stamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            stamp = int(value)
        elif key == SCHEME and value:
            candidates.append(value)
    if stamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - stamp) > tolerance:
        return False
    expected = compute(secret, stamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
