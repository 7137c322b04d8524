"""The HTTP side of a delivery: one POST, classified as delivered, retry later, or give up.

Retry policy: 5xx answers, timeouts and connection failures are retried with exponential
backoff; 408 and 429 too (the receiver asked us to come back). Every other answer is final:
2xx is delivered, and 3xx or 4xx will not change by trying again (redirects are not followed,
so a receiver cannot bounce our signed request somewhere else).

The transport is injectable (`httpx.MockTransport` in tests, or any `httpx.AsyncBaseTransport`).
In production, destinations that resolve to loopback, private, link-local or otherwise non-public
addresses are refused, so a subscription cannot be used to reach our own network.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol
from urllib.parse import urlsplit

from tradeline.config import Settings

if TYPE_CHECKING:  # httpx is imported when a request is made: workers start without it
    import httpx

TIMEOUT_S, CONNECT_TIMEOUT_S = 10.0, 5.0
USER_AGENT = "TradeLine-Webhooks/1.0"
RETRYABLE_STATUS = frozenset({408, 429})

DeliveryMode = Literal["live", "sandbox"]


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    retryable: bool
    status_code: int | None = None
    error: str | None = None


class Poster(Protocol):
    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome: ...


def classify(status_code: int) -> Outcome:
    if 200 <= status_code < 300:
        return Outcome(delivered=True, retryable=False, status_code=status_code)
    retryable = status_code >= 500 or status_code in RETRYABLE_STATUS
    return Outcome(
        delivered=False,
        retryable=retryable,
        status_code=status_code,
        error=f"HTTP {status_code}",
    )


def delivery_mode(settings: Settings) -> DeliveryMode:
    """`TRADELINE_WEBHOOK_DELIVERY=live|sandbox`; unset → live in production, otherwise the
    sandbox outbox (the offline default: nothing leaves the machine unless asked to)."""
    if settings.webhook_delivery is not None:
        return settings.webhook_delivery
    return "live" if settings.is_production else "sandbox"


class DestinationRefused(Exception):
    """The URL points somewhere a webhook must not go."""


async def check_destination(url: str) -> None:
    """Refuse non-public destinations (resolved now; the connection resolves again, so this is
    a guard against configuration mistakes and casual probing, not DNS rebinding)."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise DestinationRefused("no host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port)
    except OSError as exc:
        raise DestinationRefused(f"cannot resolve {host}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise DestinationRefused(f"{host} resolves to a non-public address")


class HttpPoster:
    """POSTs with httpx; `transport` replaces the network (tests, proxies)."""

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout_s: float = TIMEOUT_S,
        public_only: bool = False,
    ) -> None:
        self.transport = transport
        self.timeout_s = timeout_s
        self.public_only = public_only

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        import httpx

        if self.public_only:
            try:
                await check_destination(url)
            except DestinationRefused as exc:
                return Outcome(delivered=False, retryable=False, error=f"refused: {exc}")
        try:
            timeout = httpx.Timeout(self.timeout_s, connect=min(CONNECT_TIMEOUT_S, self.timeout_s))
            async with httpx.AsyncClient(
                transport=self.transport, timeout=timeout, follow_redirects=False
            ) as client:
                response = await client.post(
                    url, content=body, headers={"User-Agent": USER_AGENT, **headers}
                )
        except httpx.TimeoutException as exc:
            return Outcome(delivered=False, retryable=True, error=f"timeout ({type(exc).__name__})")
        except httpx.TransportError as exc:
            return Outcome(
                delivered=False, retryable=True, error=f"connection failed ({type(exc).__name__})"
            )
        # Only the status is kept: a receiver's response body may echo what we sent.
        return classify(response.status_code)
