"""Twilio webhook signatures, checked with the SDK's own RequestValidator."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from twilio.request_validator import RequestValidator


def signed_url(request: Request, public_url: str | None) -> str:
    """The URL Twilio signed: the configured public base + the raw path and query (byte-exact),
    or, without one, the URL the request arrived on."""
    query: str = request.scope.get("query_string", b"").decode("latin-1")
    path: str = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
    if public_url:
        return str(public_url).rstrip("/") + path + (f"?{query}" if query else "")
    return str(request.url)


def is_valid(token: str, url: str, params: Mapping[str, str], signature: str | None) -> bool:
    if not signature:
        return False
    return bool(RequestValidator(token).validate(url, dict(params), signature))


def sign(token: str, url: str, params: Mapping[str, str]) -> str:
    """What Twilio would send: used by the softphone and the evaluation player."""
    return str(RequestValidator(token).compute_signature(url, dict(params)))
