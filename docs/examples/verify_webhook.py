"""How a receiver checks a TradeLine webhook: the shared secret and the Python standard library.

    python docs/examples/verify_webhook.py docs/examples/webhook-lead.created.http SECRET

Use the same three steps in your own endpoint (any language): take the raw body bytes exactly
as received (before any JSON parsing), recompute HMAC-SHA256(secret, f"{t}.{body}"), compare in
constant time with each `v1=` value, and refuse a `t` more than five minutes from your clock.
"""

from __future__ import annotations

import hashlib
import hmac
import sys
import time
from pathlib import Path

TOLERANCE_S = 300


def verify(secret: str, header: str, body: bytes, *, now: float) -> bool:
    """True when `header` (the TradeLine-Signature value) signs `body` with `secret` and was
    made within five minutes of `now` (pass `time.time()`)."""
    timestamp, signatures = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        return False
    if abs(now - timestamp) > TOLERANCE_S:
        return False  # too old (or from the future): a replayed capture
    expected = hmac.new(
        secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)


def read_http(path: Path) -> tuple[dict[str, str], bytes]:
    """Headers and body of a saved request (the .http example in this folder)."""
    head, _, body = path.read_bytes().partition(b"\n\n")
    headers = {}
    for line in head.decode().splitlines()[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers, body[: int(headers["content-length"])]


if __name__ == "__main__":
    request, secret = Path(sys.argv[1]), sys.argv[2]
    headers, body = read_http(request)
    signature = headers["tradeline-signature"]
    # The saved example is old by now, so it is checked as of the moment it was signed; a live
    # endpoint passes now=time.time() and would (rightly) refuse it.
    signed_at = float(signature.split(",")[0].removeprefix("t="))
    ok = verify(secret, signature, body, now=signed_at)
    fresh = verify(secret, signature, body, now=time.time())
    sys.stdout.write(f"signature valid: {ok}; would be accepted now: {fresh}\n")
    sys.exit(0 if ok else 1)
