"""Rate limiting over the `limits` library's asyncio API, shared across processes via Redis.

One :class:`RateLimiter` per process. Counters live in process memory when no storage URL is
configured (single-process dev and tests) or in Redis when a ``redis://`` / ``rediss://`` URL is
given, so every worker process and every host enforces one shared limit per identity.

Strategy: **moving window**. A fixed window lets a client spend its whole quota at the end of one
window and again at the start of the next (up to 2x the limit in a few seconds), which is exactly
the burst a limiter on webhooks and login endpoints is meant to stop. The moving window has no
boundary to game. Its cost is one list of at most ``limit`` timestamps per identity and one Lua
script per hit, atomic in Redis, so concurrent processes cannot overshoot the limit. The
timestamps come from each caller's clock, so hosts sharing one Redis must keep NTP time.

When the store fails, the caller picks the policy per call (:class:`FailMode`): fail open where
availability matters more than the limit (inbound calls must ring), fail closed where the limit
is the protection (login and API key guessing). Either way the failure is reported through the
``on_store_error`` callback so the application can log it and raise an alert.

This module is domain-free: it knows nothing of tenants, only opaque identity strings.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast
from urllib.parse import quote, urlsplit

import redis.asyncio
from limits import RateLimitItem, WindowStats, parse
from limits import storage as sync_storage
from limits import strategies as sync_strategies
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

__all__ = ["Decision", "FailMode", "RateLimiter", "StoreErrorCallback", "client_ip"]

logger = logging.getLogger(__name__)

StoreErrorCallback = Callable[[str, Exception], Awaitable[None]]
"""Awaited as ``callback(rule_description, exc)`` whenever the store fails during a hit."""

_REDIS_SCHEMES = frozenset({"redis", "rediss"})
_MEMORY_SCHEMES = frozenset({"memory"})

# The limits namespace, after the key prefix: "<prefix>:rl/<scope>/<id…>/<amount>/<n>/<unit>".
_NAMESPACE = "rl"

# Identity parts come from callers' input (phone numbers, forwarded IPs, API key ids); an
# attacker must not be able to grow Redis keys without bound, so long parts are hashed.
_MAX_PART_LEN = 200

# Characters that would turn "SCAN MATCH <prefix>:*" (used by cleanup and operators) into a
# wider pattern than intended, plus whitespace and the separators we rely on.
_FORBIDDEN_PREFIX_CHARS = frozenset("*?[]\\/: \t\r\n")


class FailMode(StrEnum):
    """What a hit returns when the store cannot be reached."""

    OPEN = "open"
    """Allow the request: availability beats enforcement (e.g. inbound voice webhooks)."""
    CLOSED = "closed"
    """Deny the request: the limit is the protection (e.g. login, API key attempts)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one :meth:`RateLimiter.hit`."""

    allowed: bool
    retry_after: int
    """Seconds until a retry can succeed; >= 1 when not allowed, 0 when allowed."""
    store_error: bool
    """True when the store failed and ``allowed`` reflects the fail mode, not a counter."""


# How often expired in-memory windows are swept. Only memory hygiene: a window's timestamps are
# checked against the clock on every hit, so a late sweep never lets a request through.
_SWEEP_INTERVAL = 1.0


class _SweptMemoryStorage(sync_storage.MemoryStorage):
    """limits' synchronous in-memory storage, swept once a second instead of 10 ms after each hit.

    The sweep walks every live key under its lock. With distinct callers (every inbound call is
    another number) that is thousands of keys, and limits schedules it 10 ms after any hit: in
    the voice front-door bench the sweep thread took 14 % of the process's CPU samples. limits
    offers no setting for the interval, so this overrides its (name-mangled) scheduler; the
    version is pinned in the lock and tests/kit/test_ratelimit.py fails if the override stops
    taking effect.
    """

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - limits' private name
        if not self.timer.is_alive():
            sweep = getattr(self, "_MemoryStorage__expire_events")  # noqa: B009 - private name
            self.timer = threading.Timer(_SWEEP_INTERVAL, sweep)
            self.timer.daemon = True
            self.timer.start()


class _InProcessWindow:
    """The moving window over limits' synchronous in-memory storage, awaited like the Redis one.

    Not limits' asyncio ``MemoryStorage``: after every hit it schedules a sweep that walks every
    live key with one ``asyncio.to_thread`` hop each, so with distinct callers each hit cost
    O(callers in the last minute) thread hops — measured 2.5 ms of CPU per hit at ~1,500 live
    keys. The synchronous storage is plain dict and list work under a lock (microseconds, fine on
    the event loop).
    """

    def __init__(self) -> None:
        self.storage = _SweptMemoryStorage()
        self._strategy = sync_strategies.MovingWindowRateLimiter(self.storage)

    async def hit(self, item: RateLimitItem, *identity: str) -> bool:
        return self._strategy.hit(item, *identity)

    async def get_window_stats(self, item: RateLimitItem, *identity: str) -> WindowStats:
        return self._strategy.get_window_stats(item, *identity)

    def close(self) -> None:
        self.storage.timer.cancel()


class RateLimiter:
    """Moving-window rate limiter over memory (no URL) or Redis (``redis://`` URL) storage.

    :param storage_url: ``None`` / ``""`` / ``memory://`` for in-process counters, or a
        ``redis://`` / ``rediss://`` URL (``async+`` prefixed forms are accepted too).
    :param key_prefix: prefixed to every Redis key (``<prefix>:rl/...``) so several deployments
        or test runs can share one database and be cleaned up by prefix, never by FLUSHDB.
    :param on_store_error: awaited with ``(rule_description, exc)`` when the store fails.
    :param socket_timeout: Redis connect and read timeout in seconds. Kept short because a hit
        sits in the request path of webhooks that the telephony provider times out.
    :param max_connections: Redis connections per limiter (per process); a burst beyond it
        queues for a free connection.
    :param pool_timeout: how long a hit may queue for a connection before it counts as a store
        error. Longer than ``socket_timeout`` because queueing is local congestion (a flood
        from one client), not a dead store, and must not deny everyone else; it also bounds
        the stall when Redis hangs: at most ``pool_timeout + socket_timeout`` per hit.
    :param fail_closed_retry_after: ``retry_after`` reported when a store failure denies a hit.
    """

    def __init__(
        self,
        storage_url: str | None,
        *,
        key_prefix: str = "tradeline",
        on_store_error: StoreErrorCallback | None = None,
        socket_timeout: float = 0.5,
        max_connections: int = 32,
        pool_timeout: float = 2.0,
        fail_closed_retry_after: int = 30,
    ) -> None:
        if not key_prefix or _FORBIDDEN_PREFIX_CHARS.intersection(key_prefix):
            raise ValueError(f"invalid rate limit key prefix {key_prefix!r}")
        if fail_closed_retry_after < 1:
            raise ValueError("fail_closed_retry_after must be >= 1")
        self._on_store_error = on_store_error
        self._fail_closed_retry_after = fail_closed_retry_after
        self._rules: dict[str, RateLimitItem] = {}
        self._pool: redis.asyncio.BlockingConnectionPool | None = None
        self._storage: RedisStorage | None = None
        self._strategy: MovingWindowRateLimiter | _InProcessWindow
        # limits names its async schemes "async+redis://"; operators write "redis://".
        bare = (storage_url or "memory://").removeprefix("async+")
        scheme = urlsplit(bare).scheme.lower()
        if scheme in _MEMORY_SCHEMES:
            self._strategy = _InProcessWindow()
        else:
            self._storage = self._redis_storage(
                bare, scheme, key_prefix, socket_timeout, max_connections, pool_timeout
            )
            self._strategy = MovingWindowRateLimiter(self._storage)

    def _redis_storage(
        self,
        bare: str,
        scheme: str,
        key_prefix: str,
        socket_timeout: float,
        max_connections: int,
        pool_timeout: float,
    ) -> RedisStorage:
        if scheme not in _REDIS_SCHEMES:
            raise ValueError(f"unsupported rate limit storage scheme {scheme!r}")
        # redis-py's own pool opens a new connection per concurrent command without bound, so a
        # flood of 1000 concurrent webhooks in one process became 1000 simultaneous connects and
        # most of them hit the socket timeout, i.e. store errors for innocent callers too. A
        # blocking pool caps the connections and queues the burst instead; a hit holds its
        # connection for one round trip, so the queue drains fast.
        pool = redis.asyncio.BlockingConnectionPool.from_url(
            bare,
            max_connections=max_connections,
            timeout=pool_timeout,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            # redis-py retries connection errors 3 times with up to 10 s of jittered backoff by
            # default, nested with connect retries: a dead store would stall every request for
            # seconds. Fail fast instead; the fail mode is the fallback. A stale pooled
            # connection (Redis restarted) is still replaced, the pool checks it before reuse.
            retry=Retry(NoBackoff(), 0),
        )
        self._pool = pool
        # implementation="redispy": limits defaults to coredis, which is not a dependency of
        # ours. limits documents `connection_pool` as an option but types options as scalars.
        return RedisStorage(
            bare,
            implementation="redispy",
            key_prefix=key_prefix,
            connection_pool=cast(Any, pool),
        )

    def _rule(self, rule: str) -> RateLimitItem:
        """Parse ``rule`` once; rules come from configuration, so the cache stays small."""
        item = self._rules.get(rule)
        if item is None:
            parsed = parse(rule)
            # Rebuild with our namespace so keys read "<prefix>:rl/..." rather than "LIMITER/".
            item = type(parsed)(parsed.amount, parsed.multiples, namespace=_NAMESPACE)
            self._rules[rule] = item
        return item

    async def hit(self, rule: str, *identity: str, fail: FailMode) -> Decision:
        """Consume one unit of ``rule`` for ``identity`` and say whether the request may proceed.

        :param rule: a limits rate string such as ``"600/minute"`` or ``"5 per 10 minutes"``.
        :param identity: scope first, then the subject, e.g. ``("api_key", key_id)`` or
            ``("ip", "1.2.3.4")``. The scope keeps counters of different kinds apart even when
            the subject strings coincide; the rule itself is part of the key too.
        :param fail: what to return if the store fails.
        :raises ValueError: for an unparsable rule or an empty identity (programming errors,
            deliberately not masked by the fail mode).
        """
        item = self._rule(rule)
        if not identity:
            raise ValueError("a rate limit identity needs at least a scope")
        parts = [_key_part(p) for p in identity]
        try:
            allowed = await self._strategy.hit(item, *parts)
        except Exception as exc:  # any store failure, whatever the backend raises
            return await self._store_failed(item, identity, fail, exc)
        if allowed:
            return Decision(allowed=True, retry_after=0, store_error=False)
        try:
            stats = await self._strategy.get_window_stats(item, *parts)
        except Exception as exc:
            # The denial itself came from the store, so it stands whatever the fail mode;
            # without the window stats the full window is the only safe retry hint.
            await self._report(item, identity, exc)
            return Decision(allowed=False, retry_after=item.get_expiry(), store_error=True)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        return Decision(allowed=False, retry_after=retry_after, store_error=False)

    async def _store_failed(
        self, item: RateLimitItem, identity: tuple[str, ...], fail: FailMode, exc: Exception
    ) -> Decision:
        await self._report(item, identity, exc)
        if fail is FailMode.OPEN:
            return Decision(allowed=True, retry_after=0, store_error=True)
        return Decision(allowed=False, retry_after=self._fail_closed_retry_after, store_error=True)

    async def _report(self, item: RateLimitItem, identity: tuple[str, ...], exc: Exception) -> None:
        if self._on_store_error is None:
            return
        # The description names the rule and scope only: the subject may be a phone number or
        # key id that does not belong in an alert.
        description = f"{item.amount} per {item.multiples} {item.GRANULARITY.name} ({identity[0]})"
        try:
            await self._on_store_error(description, exc)
        except Exception:
            # A broken alert hook must not turn a degraded store into failed requests.
            logger.exception("rate limit on_store_error callback failed")

    async def check_health(self) -> bool:
        """Return True when the store answers (Redis ``PING``); memory is always healthy."""
        if self._storage is None:
            return True
        try:
            return await self._storage.check()
        except Exception:
            return False

    async def close(self) -> None:
        """Release the Redis connection pool, or the memory storage's expiry timer."""
        if self._pool is not None:
            # The client was handed our pool, so it does not close it; we own it.
            await self._pool.aclose()
        if isinstance(self._strategy, _InProcessWindow):
            self._strategy.close()


def _key_part(part: str) -> str:
    """Encode one identity part so it can never forge a key separator or balloon a key.

    Percent-encoding leaves no ``/`` (limits' separator) inside a part, so ``("a/b",)`` and
    ``("a", "b")`` map to different keys. Over-long parts are replaced by a digest marked with
    ``:``, a character the encoding never emits, so a digest cannot collide with a raw part.
    """
    if len(part) > _MAX_PART_LEN:
        return "h:" + hashlib.sha256(part.encode()).hexdigest()
    return quote(part, safe="")


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.lru_cache(maxsize=32)
def _trusted_networks(trusted: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    # Parsed once per distinct configuration; a bad entry is a config error and raises.
    return tuple(ipaddress.ip_network(t.strip(), strict=False) for t in trusted)


def _parse_ip(value: str) -> IPAddress | None:
    """Parse an address as proxies write it: bare, ``v4:port``, ``[v6]`` or ``[v6]:port``."""
    text = value.strip().strip('"')
    if text.startswith("["):
        end = text.find("]")
        if end == -1:
            return None
        text = text[1:end]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    # "::ffff:1.2.3.4" is how dual-stack sockets report IPv4 peers; compare it as IPv4.
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def _is_trusted(addr: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(addr in net for net in networks)


def _forwarded_for(headers: Mapping[str, str]) -> str | None:
    value = headers.get("x-forwarded-for")
    if value is not None:
        return value
    # Plain dicts are case-sensitive; Starlette's Headers are not and returned above.
    for name, val in headers.items():
        if name.lower() == "x-forwarded-for":
            return val
    return None


def client_ip(
    peer: str | None, headers: Mapping[str, str], trusted_proxies: Collection[str]
) -> str:
    """Return the address to rate limit for a request.

    ``X-Forwarded-For`` is honoured only when the direct ``peer`` is a trusted proxy (exact IP
    or CIDR in ``trusted_proxies``); otherwise anyone could pick their own bucket by sending the
    header. The list is walked right to left, since each trusted proxy appends the address it
    saw, and the first address that is not itself a trusted proxy is the client; everything to
    its left was written by that client and is not believed. Unparsable entries are skipped.
    If every entry is trusted, the left-most one is returned.

    Returns ``"unknown"`` when there is no peer (e.g. an in-process test client), so such
    requests share one bucket rather than being exempt.
    """
    if peer is None:
        return "unknown"
    peer_addr = _parse_ip(peer)
    networks = _trusted_networks(tuple(trusted_proxies))
    if peer_addr is None or not _is_trusted(peer_addr, networks):
        return peer
    header = _forwarded_for(headers)
    if not header:
        return peer
    leftmost: IPAddress | None = None
    for entry in reversed(header.split(",")):
        addr = _parse_ip(entry)
        if addr is None:
            continue
        if not _is_trusted(addr, networks):
            return str(addr)
        leftmost = addr
    return str(leftmost) if leftmost is not None else peer
