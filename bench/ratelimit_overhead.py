"""Per-hit overhead of tradeline.kit.ratelimit, memory vs Redis storage.

Each hit is timed on its own (sequential, one in flight) so the figures are the latency a single
request pays, not throughput. A baseline, an empty ``await``, is measured in the same run so the
table can be read as "overhead on top of merely awaiting something".

Workloads:

* ``allowed``: every hit is for a fresh identity under ``600/minute``, the common case: one
  storage round trip.
* ``denied``:  one identity over ``10/minute``; a denial also reads the window stats to compute
  ``retry_after``, so it costs two round trips.

Usage::

    .venv/bin/python bench/ratelimit_overhead.py [iterations]

Redis comes from ``TRADELINE_BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``). The run
writes under a random key prefix and deletes exactly those keys afterwards; it never flushes.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import sys
import time
from collections.abc import Awaitable, Callable

import redis.asyncio

from tradeline.kit.ratelimit import FailMode, RateLimiter

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
WARMUP = 200


def _percentiles(samples_ns: list[int]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples_ns, n=100, method="inclusive")
    return cuts[49] / 1000, cuts[94] / 1000, cuts[98] / 1000


async def _measure(op: Callable[[int], Awaitable[object]], iterations: int) -> list[int]:
    for i in range(WARMUP):
        await op(-1 - i)  # negative indexes: warm-up identities never collide with measured ones
    samples: list[int] = []
    clock = time.perf_counter_ns
    for i in range(iterations):
        start = clock()
        await op(i)
        samples.append(clock() - start)
    return samples


async def _noop(_: int) -> None:
    return None


async def _bench_limiter(limiter: RateLimiter, iterations: int) -> dict[str, list[int]]:
    async def allowed(i: int) -> None:
        decision = await limiter.hit("600/minute", "bench", f"id-{i}", fail=FailMode.OPEN)
        if not decision.allowed or decision.store_error:
            raise RuntimeError(f"unexpected decision on the allowed path: {decision}")

    async def denied(_: int) -> None:
        decision = await limiter.hit("10/minute", "bench", "flood", fail=FailMode.OPEN)
        if decision.store_error:
            raise RuntimeError(f"store error during the benchmark: {decision}")

    return {
        "allowed": await _measure(allowed, iterations),
        "denied": await _measure(denied, iterations),
    }


async def _cleanup(url: str, prefix: str) -> int:
    client = redis.asyncio.Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
        deleted = 0
        for i in range(0, len(keys), 1000):
            deleted += await client.delete(*keys[i : i + 1000])
        return deleted
    finally:
        await client.aclose()


async def main(iterations: int) -> None:
    redis_url = os.environ.get("TRADELINE_BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    prefix = f"tlbench-{secrets.token_hex(6)}"
    rows: list[tuple[str, list[int]]] = [
        ("baseline (empty await)", await _measure(_noop, iterations))
    ]

    memory = RateLimiter(None)
    try:
        for name, samples in (await _bench_limiter(memory, iterations)).items():
            rows.append((f"memory  {name}", samples))
    finally:
        await memory.close()

    redis_note = ""
    limiter = RateLimiter(redis_url, key_prefix=prefix)
    try:
        if await limiter.check_health():
            for name, samples in (await _bench_limiter(limiter, iterations)).items():
                rows.append((f"redis   {name}", samples))
        else:
            redis_note = f"Redis at {redis_url} unreachable: Redis rows skipped."
    finally:
        await limiter.close()
        if not redis_note:
            deleted = await _cleanup(redis_url, prefix)
            redis_note = (
                f"Redis {redis_url}, prefix {prefix}: {deleted} keys deleted after the run."
            )

    base_p50 = _percentiles(rows[0][1])[0]
    print(f"rate limiter per-hit latency, {iterations} sequential hits per row (µs)")
    print(f"{'workload':<24}{'p50':>10}{'p95':>10}{'p99':>10}{'p50 - baseline':>17}")
    for name, samples in rows:
        p50, p95, p99 = _percentiles(samples)
        print(f"{name:<24}{p50:>10.1f}{p95:>10.1f}{p99:>10.1f}{p50 - base_p50:>17.1f}")
    print(redis_note)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
