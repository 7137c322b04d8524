"""Tests for tradeline.kit.ratelimit.

Redis-backed tests need ``TRADELINE_TEST_REDIS_URL`` (e.g. ``redis://127.0.0.1:6379/15``) and
are skipped without it. Each test writes under a random key prefix and deletes only keys with
that prefix afterwards: the database may be shared, so it is never flushed.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
import textwrap
import time
from collections.abc import AsyncIterator, Callable

import limits
import pytest
import redis.asyncio
from limits import RateLimitItem

import tradeline.kit.ratelimit as ratelimit_module
from tradeline.kit.ratelimit import Decision, FailMode, RateLimiter, client_ip

DEAD_REDIS_URL = "redis://127.0.0.1:1/0"  # port 1: nothing listens, connect is refused

MakeLimiter = Callable[..., RateLimiter]


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
async def redis_prefix(redis_url: str) -> AsyncIterator[str]:
    """A key prefix unique to this test; its keys (and only those) are deleted afterwards."""
    prefix = f"tltest-{secrets.token_hex(8)}"
    yield prefix
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=500)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
async def make_limiter() -> AsyncIterator[MakeLimiter]:
    """Build limiters that are closed at teardown, so no Redis pool outlives its test."""
    made: list[RateLimiter] = []

    def make(url: str | None, **kwargs: object) -> RateLimiter:
        limiter = RateLimiter(url, **kwargs)  # type: ignore[arg-type]
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        await limiter.close()


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest, make_limiter: MakeLimiter) -> RateLimiter:
    """The same behaviour must hold for both storages."""
    if request.param == "memory":
        return make_limiter(None)
    url: str = request.getfixturevalue("redis_url")
    prefix: str = request.getfixturevalue("redis_prefix")
    return make_limiter(url, key_prefix=prefix)


async def _hits(limiter: RateLimiter, n: int, rule: str, *identity: str) -> list[Decision]:
    return [await limiter.hit(rule, *identity, fail=FailMode.CLOSED) for _ in range(n)]


# --- behaviour on both storages ---------------------------------------------------------------


async def test_allows_limit_then_denies_with_retry_after(backend: RateLimiter) -> None:
    decisions = await _hits(backend, 7, "5/minute", "ip", "203.0.113.7")

    assert [d.allowed for d in decisions] == [True] * 5 + [False] * 2
    assert all(not d.store_error for d in decisions)
    assert all(d.retry_after == 0 for d in decisions[:5])
    # The oldest hit leaves the 60 s moving window at most 60 s from now.
    assert all(1 <= d.retry_after <= 60 for d in decisions[5:])


async def test_identities_are_independent(backend: RateLimiter) -> None:
    first = await _hits(backend, 4, "3/minute", "ip", "198.51.100.1")
    second = await _hits(backend, 3, "3/minute", "ip", "198.51.100.2")

    assert [d.allowed for d in first] == [True, True, True, False]
    assert all(d.allowed for d in second)


async def test_rules_and_scopes_are_independent(backend: RateLimiter) -> None:
    subject = "+15875550100"
    assert all(d.allowed for d in await _hits(backend, 2, "2/minute", "voice", subject))
    assert not (await backend.hit("2/minute", "voice", subject, fail=FailMode.CLOSED)).allowed

    # Same subject string, other scope: its own counter.
    assert all(d.allowed for d in await _hits(backend, 2, "2/minute", "sms", subject))
    # Same scope and subject, other rule: its own counter.
    assert all(d.allowed for d in await _hits(backend, 3, "3/minute", "voice", subject))


async def test_identity_parts_cannot_forge_separators(backend: RateLimiter) -> None:
    """("ip", "a/b") must not share a counter with ("ip", "a", "b")."""
    assert (await backend.hit("1/minute", "ip", "a/b", fail=FailMode.CLOSED)).allowed
    assert (await backend.hit("1/minute", "ip", "a", "b", fail=FailMode.CLOSED)).allowed
    long_subject = "x" * 5000
    assert (await backend.hit("1/minute", "ip", long_subject, fail=FailMode.CLOSED)).allowed
    assert not (await backend.hit("1/minute", "ip", long_subject, fail=FailMode.CLOSED)).allowed


async def test_flood_from_one_org_leaves_another_at_full_acceptance(backend: RateLimiter) -> None:
    rule = "20/minute"

    async def org_a() -> list[Decision]:
        return list(
            await asyncio.gather(
                *(backend.hit(rule, "api_key", "org-a", fail=FailMode.CLOSED) for _ in range(300))
            )
        )

    async def org_b() -> list[Decision]:
        out = []
        for _ in range(20):  # a well-behaved client, interleaved with A's flood
            out.append(await backend.hit(rule, "api_key", "org-b", fail=FailMode.CLOSED))
            await asyncio.sleep(0)
        return out

    flood, normal = await asyncio.gather(org_a(), org_b())

    assert sum(d.allowed for d in flood) == 20
    assert all(d.allowed for d in normal)
    assert not any(d.store_error for d in flood + normal)


async def test_health(backend: RateLimiter) -> None:
    assert await backend.check_health()


# --- memory-only details ----------------------------------------------------------------------


async def test_rules_are_parsed_once(
    make_limiter: MakeLimiter, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def counting_parse(rule: str) -> RateLimitItem:
        calls.append(rule)
        return limits.parse(rule)

    monkeypatch.setattr(ratelimit_module, "parse", counting_parse)
    limiter = make_limiter(None)
    for _ in range(5):
        await limiter.hit("10/minute", "ip", "192.0.2.1", fail=FailMode.OPEN)
        await limiter.hit("600/minute", "api_key", "k1", fail=FailMode.OPEN)

    assert calls == ["10/minute", "600/minute"]


async def test_programming_errors_are_not_masked(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(None)
    with pytest.raises(ValueError, match="parse"):
        await limiter.hit("lots", "ip", "192.0.2.1", fail=FailMode.OPEN)
    with pytest.raises(ValueError, match="scope"):
        await limiter.hit("1/minute", fail=FailMode.OPEN)


@pytest.mark.parametrize("prefix", ["", "a*", "with space", "a:b"])
def test_rejects_unsafe_key_prefix(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        RateLimiter(None, key_prefix=prefix)


def test_rejects_unknown_storage_scheme() -> None:
    with pytest.raises(ValueError, match="scheme"):
        RateLimiter("memcached://127.0.0.1:11211")


async def test_memory_windows_are_swept_on_our_interval_and_still_enforced(
    make_limiter: MakeLimiter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep runs on our schedule, not limits' 10 ms after every hit (a guard on the
    override of limits' private scheduler), removes expired windows, and never loosens one."""
    monkeypatch.setattr(ratelimit_module, "_SWEEP_INTERVAL", 0.05)
    limiter = make_limiter(None)
    assert isinstance(limiter._strategy, ratelimit_module._InProcessWindow)
    storage = limiter._strategy.storage
    await asyncio.sleep(0.05)  # limits' own first sweep, started by its constructor, is over
    assert (await limiter.hit("2/second", "caller", "+15875550001", fail=FailMode.CLOSED)).allowed
    assert storage.timer.interval == 0.05 and storage.timer.daemon
    await _hits(limiter, 1, "2/second", "caller", "+15875550001")
    assert not (
        await limiter.hit("2/second", "caller", "+15875550001", fail=FailMode.CLOSED)
    ).allowed
    for n in range(50):  # many distinct callers, as the voice front door sees them
        await limiter.hit("1/second", "caller", f"+1587555{n:04d}", fail=FailMode.CLOSED)
    assert len(storage.events) == 51
    await asyncio.sleep(1.2)
    await limiter.hit("1/second", "caller", "+15875559999", fail=FailMode.CLOSED)
    await asyncio.sleep(0.2)
    live = {key for key, events in storage.events.items() if events}
    assert len(live) == 1 and next(iter(live)).endswith("%2B15875559999/1/1/second")
    assert (await limiter.hit("2/second", "caller", "+15875550001", fail=FailMode.CLOSED)).allowed


# --- Redis-only ----------------------------------------------------------------------------


async def test_redis_keys_carry_the_prefix(
    redis_url: str, redis_prefix: str, make_limiter: MakeLimiter
) -> None:
    limiter = make_limiter(redis_url, key_prefix=redis_prefix)
    await limiter.hit("5/minute", "ip", "192.0.2.9", fail=FailMode.CLOSED)

    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{redis_prefix}:*")]
    finally:
        await client.aclose()
    assert keys == [f"{redis_prefix}:rl/ip/192.0.2.9/5/1/minute".encode()]


async def test_burst_queues_for_connections_instead_of_failing(
    redis_url: str, redis_prefix: str, make_limiter: MakeLimiter
) -> None:
    """A burst far above the pool size waits for a connection; it is not a store error."""
    # A generous pool wait: the point is queueing instead of failing, not speed on a busy box.
    limiter = make_limiter(redis_url, key_prefix=redis_prefix, max_connections=2, pool_timeout=20.0)
    decisions = await asyncio.gather(
        *(limiter.hit("50/minute", "ip", "192.0.2.10", fail=FailMode.CLOSED) for _ in range(200))
    )
    assert not any(d.store_error for d in decisions)
    assert sum(d.allowed for d in decisions) == 50


_CHILD = textwrap.dedent(
    """
    import asyncio, sys, time
    from tradeline.kit.ratelimit import FailMode, RateLimiter

    async def main(url, prefix, start_at, n):
        limiter = RateLimiter(url, key_prefix=prefix)
        try:
            await limiter.check_health()  # connect before the start line
            await asyncio.sleep(max(0.0, start_at - time.time()))
            decisions = await asyncio.gather(
                *(limiter.hit("30/minute", "org", "shared", fail=FailMode.CLOSED) for _ in range(n))
            )
        finally:
            await limiter.close()
        print(sum(d.allowed for d in decisions), sum(d.store_error for d in decisions))

    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])))
    """
)


@pytest.mark.slow
async def test_two_processes_share_one_limit(redis_url: str, redis_prefix: str) -> None:
    start_at = time.time() + 2.0  # both children fire together, after their imports

    async def child() -> tuple[int, int]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _CHILD,
            redis_url,
            redis_prefix,
            str(start_at),
            "50",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode == 0, err.decode()
        allowed, errors = out.split()
        return int(allowed), int(errors)

    results = await asyncio.gather(child(), child())

    assert sum(errors for _, errors in results) == 0
    assert sum(allowed for allowed, _ in results) == 30


# --- store failures ---------------------------------------------------------------------------


async def test_dead_store_fails_open_or_closed_and_reports(make_limiter: MakeLimiter) -> None:
    reports: list[tuple[str, Exception]] = []

    async def on_store_error(description: str, exc: Exception) -> None:
        reports.append((description, exc))

    limiter = make_limiter(DEAD_REDIS_URL, on_store_error=on_store_error)

    opened = await limiter.hit("5/minute", "voice", "+15875550100", fail=FailMode.OPEN)
    closed = await limiter.hit("5/minute", "ip", "192.0.2.1", fail=FailMode.CLOSED)

    assert opened == Decision(allowed=True, retry_after=0, store_error=True)
    assert closed == Decision(allowed=False, retry_after=30, store_error=True)
    assert [description for description, _ in reports] == [
        "5 per 1 minute (voice)",
        "5 per 1 minute (ip)",
    ]
    assert all(isinstance(exc, Exception) for _, exc in reports)
    # The subject (a phone number here) stays out of the alert text.
    assert all("+1587" not in description for description, _ in reports)
    assert not await limiter.check_health()


async def test_dead_store_without_callback(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(DEAD_REDIS_URL, fail_closed_retry_after=7)
    decision = await limiter.hit("5/minute", "ip", "192.0.2.1", fail=FailMode.CLOSED)
    assert decision == Decision(allowed=False, retry_after=7, store_error=True)


async def test_failing_callback_does_not_break_the_hit(
    make_limiter: MakeLimiter, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(description: str, exc: Exception) -> None:
        raise RuntimeError("alerting is down too")

    limiter = make_limiter(DEAD_REDIS_URL, on_store_error=broken)
    with caplog.at_level(logging.ERROR, logger=ratelimit_module.__name__):
        decision = await limiter.hit("5/minute", "ip", "192.0.2.1", fail=FailMode.OPEN)

    assert decision.allowed
    assert decision.store_error
    assert "on_store_error callback failed" in caplog.text


async def test_hung_store_is_bounded_by_the_socket_timeout(make_limiter: MakeLimiter) -> None:
    """A store that accepts connections but never answers must not stall the caller."""

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # swallow commands until the client hangs up
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        limiter = make_limiter(f"redis://127.0.0.1:{port}/0", socket_timeout=0.2)
        started = time.perf_counter()
        decision = await limiter.hit("5/minute", "ip", "192.0.2.1", fail=FailMode.OPEN)
        elapsed = time.perf_counter() - started
        await limiter.close()
    finally:
        server.close()
        await server.wait_closed()

    assert decision == Decision(allowed=True, retry_after=0, store_error=True)
    assert elapsed < 1.0


# --- client_ip --------------------------------------------------------------------------------

XFF = "X-Forwarded-For"


@pytest.mark.parametrize(
    ("peer", "headers", "trusted", "expected"),
    [
        # Untrusted peer: the header is the client's own claim and is ignored.
        ("203.0.113.5", {XFF: "1.1.1.1"}, ["10.0.0.1"], "203.0.113.5"),
        ("203.0.113.5", {XFF: "1.1.1.1"}, [], "203.0.113.5"),
        # Trusted peer, no header.
        ("10.0.0.1", {}, ["10.0.0.1"], "10.0.0.1"),
        # Trusted peer: the right-most entry is what our proxy saw.
        ("10.0.0.1", {XFF: "1.1.1.1, 198.51.100.4"}, ["10.0.0.1"], "198.51.100.4"),
        # Chain of trusted proxies: skip them right to left.
        (
            "10.0.0.1",
            {XFF: "1.1.1.1, 198.51.100.4, 10.0.0.2"},
            ["10.0.0.1", "10.0.0.2"],
            "198.51.100.4",
        ),
        # CIDR trust for the peer and hops.
        ("10.1.2.3", {XFF: "6.6.6.6, 198.51.100.4, 10.9.9.9"}, ["10.0.0.0/8"], "198.51.100.4"),
        ("172.16.0.9", {XFF: "198.51.100.4"}, ["10.0.0.0/8"], "172.16.0.9"),
        # Invalid entries are ignored.
        ("10.0.0.1", {XFF: "198.51.100.4, garbage, unknown"}, ["10.0.0.1"], "198.51.100.4"),
        ("10.0.0.1", {XFF: "garbage"}, ["10.0.0.1"], "10.0.0.1"),
        # Ports, brackets and IPv6.
        ("10.0.0.1", {XFF: "198.51.100.4:5555"}, ["10.0.0.1"], "198.51.100.4"),
        ("10.0.0.1", {XFF: "[2001:db8::1]:443"}, ["10.0.0.1"], "2001:db8::1"),
        ("2001:db8:ffff::1", {XFF: "2001:db8::7"}, ["2001:db8:ffff::/48"], "2001:db8::7"),
        # IPv4-mapped peer matches an IPv4 trust entry.
        ("::ffff:10.0.0.1", {XFF: "198.51.100.4"}, ["10.0.0.1"], "198.51.100.4"),
        # Every hop trusted: the left-most is the best we know.
        ("10.0.0.1", {XFF: "10.0.0.3, 10.0.0.2"}, ["10.0.0.0/8"], "10.0.0.3"),
        # Header name case does not matter for plain dicts.
        ("10.0.0.1", {"x-forwarded-for": "198.51.100.4"}, ["10.0.0.1"], "198.51.100.4"),
        # Non-IP peers (test clients, unix sockets) are never trusted.
        ("testclient", {XFF: "198.51.100.4"}, ["10.0.0.0/8"], "testclient"),
        (None, {XFF: "198.51.100.4"}, ["10.0.0.0/8"], "unknown"),
    ],
)
def test_client_ip(
    peer: str | None, headers: dict[str, str], trusted: list[str], expected: str
) -> None:
    assert client_ip(peer, headers, trusted) == expected


def test_client_ip_rejects_bad_trust_config() -> None:
    with pytest.raises(ValueError, match="does not appear to be"):
        client_ip("10.0.0.1", {}, ["not-a-network"])
