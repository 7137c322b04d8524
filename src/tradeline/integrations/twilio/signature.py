"""Twilio webhook signatures, checked with the SDK's own RequestValidator.

The signature covers the URL Twilio requested, byte for byte, plus every posted parameter. Behind
a TLS-terminating proxy the app sees another URL (``http://10.0.0.4:8000/...``) than the one
Twilio signed (``https://rx.example.com/...``), so the signed URL is rebuilt, in this order:

1. ``TRADELINE_PUBLIC_URL`` — the canonical external base (scheme, host, optional port and path
   prefix), followed by the raw path and raw query string of the request;
2. without it, ``X-Forwarded-Proto`` / ``X-Forwarded-Host`` — believed only when the direct peer
   is one of ``TRADELINE_TRUSTED_PROXIES`` (the trust walk of ``kit.ratelimit.client_ip``); from
   anyone else those headers are ignored, so a forged request cannot pick the URL it is checked
   against;
3. otherwise the URL the request arrived on.

The raw path and query are used as received (never re-encoded or re-sorted), since frameworks
that normalise them break signatures. Port variants (``:443`` present or not) are the SDK's
business: `RequestValidator.validate` tries both.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Mapping
from functools import lru_cache
from urllib.parse import urlsplit

from starlette.requests import Request
from twilio.request_validator import RequestValidator

__all__ = ["is_valid", "public_base", "sign", "signed_url"]

# A host as a proxy may forward it: a DNS name or IPv4 address, or a bracketed IPv6 address,
# with an optional port. Anything else (spaces, paths, userinfo, several hosts) is refused.
_HOST = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$"
)
_SCHEMES = frozenset({"http", "https"})
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def public_base(public_url: str) -> str:
    """``scheme://host[:port][/prefix]`` of the configured public URL, without a trailing slash.

    A query or fragment on the configured value is not part of the base (requests carry their
    own query string, which is appended as received).
    """
    parts = urlsplit(str(public_url).strip())
    if parts.scheme.lower() not in _SCHEMES or not parts.netloc:
        raise ValueError(
            f"TRADELINE_PUBLIC_URL must be an absolute http(s) URL, got {public_url!r}"
        )
    return f"{parts.scheme.lower()}://{parts.netloc}{parts.path.rstrip('/')}"


def _address(text: str) -> IPAddress | None:
    """An address as proxies write it: bare, ``v4:port``, ``[v6]`` or ``[v6]:port``."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


@lru_cache(maxsize=32)
def _networks(trusted: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(t.strip(), strict=False) for t in trusted)


def _trusted(text: str, networks: tuple[IPNetwork, ...]) -> bool:
    addr = _address(text)
    return addr is not None and any(addr in net for net in networks)


def _trusted_hops(request: Request, trusted_proxies: Collection[str]) -> int:
    """How many proxies in front of us are trusted: 0 unless the direct peer is one.

    The same walk as `kit.ratelimit.client_ip`: the peer must be trusted, then each trusted
    address at the right end of X-Forwarded-For is one more trusted proxy in the chain.
    """
    peer = request.client.host if request.client else None
    networks = _networks(tuple(trusted_proxies))
    if peer is None or not networks or not _trusted(peer, networks):
        return 0
    hops = 1
    for entry in reversed((request.headers.get("x-forwarded-for") or "").split(",")):
        if not _trusted(entry, networks):
            break
        hops += 1
    return hops


def _forwarded(value: str | None, hops: int) -> str | None:
    """The value written by the outermost trusted proxy: each proxy appends its own."""
    if not value:
        return None
    values = [v.strip() for v in value.split(",") if v.strip()]
    if not values:
        return None
    return values[-min(hops, len(values))]


def signed_url(
    request: Request, public_url: str | None, trusted_proxies: Collection[str] | None = None
) -> str:
    """The URL Twilio signed for this request (see the module docstring for the order)."""
    query: str = request.scope.get("query_string", b"").decode("latin-1")
    path: str = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
    tail = path + (f"?{query}" if query else "")
    if public_url:
        return public_base(public_url) + tail
    if trusted_proxies is None:
        # Callers that predate the parameter: the app's own settings, when there is an app.
        runtime = getattr(request.app.state, "runtime", None) if "app" in request.scope else None
        trusted_proxies = tuple(getattr(getattr(runtime, "settings", None), "trusted_proxies", ()))
    scheme = request.url.scheme
    host = request.headers.get("host") or request.url.netloc
    hops = _trusted_hops(request, trusted_proxies)
    if hops:
        proto = (_forwarded(request.headers.get("x-forwarded-proto"), hops) or "").lower()
        if proto in _SCHEMES:
            scheme = proto
        forwarded_host = _forwarded(request.headers.get("x-forwarded-host"), hops)
        if forwarded_host and _HOST.match(forwarded_host):
            host = forwarded_host
    return f"{scheme}://{host}{tail}"


def is_valid(token: str, url: str, params: Mapping[str, str], signature: str | None) -> bool:
    if not signature:
        return False
    return bool(RequestValidator(token).validate(url, dict(params), signature))


def sign(token: str, url: str, params: Mapping[str, str]) -> str:
    """What Twilio would send: used by the softphone and the evaluation player."""
    return str(RequestValidator(token).compute_signature(url, dict(params)))
