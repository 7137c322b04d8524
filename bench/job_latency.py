"""Job latency from commit to start, with the in-process worker of `tradeline serve`.

A job is deferred with `tradeline.worker.app.enqueue` inside a transaction; the clock starts when
that transaction has committed and stops when the task function begins to run in the worker
(same process, same monotonic clock). Procrastinate's insert trigger NOTIFYs at commit, so an
idle worker should start the job within a few milliseconds rather than at its polling interval.

Workloads:

* ``idle``:  one job at a time, committed 50 ms after the previous one started: the latency a
  lone event (a call ending, a lead captured) pays before its follow-up job runs.
* ``chained``: one job at a time, each committed the instant the previous one starts, i.e. while
  the worker is still looking for a next job. That look can swallow the commit's NOTIFY
  (procrastinate clears its wake-up flag after a fetch that found nothing), and the job then
  waits for the worker's polling interval: the tail of this row is that interval.
* ``burst``: all jobs committed back to back, each in its own transaction, while the worker
  (concurrency 4) drains them. Latency grows with queue depth; throughput is reported too.

Usage::

    .venv/bin/python bench/job_latency.py [jobs]

Runs against a fresh embedded Postgres in a temporary directory, migrated by Alembic, removed
afterwards.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

from tradeline.config import Settings
from tradeline.db import DatabaseTarget, run_migrations
from tradeline.kit.embedded_postgres import start_embedded
from tradeline.logging import configure_logging
from tradeline.runtime import Runtime, build_runtime
from tradeline.worker.app import app, enqueue
from tradeline.worker.service import start_in_process_worker

WARMUP = 20
GAP_S = 0.05
CONCURRENCY = 4

_started: dict[int, asyncio.Future[float]] = {}


@app.task(name="bench.job_latency.mark")
async def mark(seq: int) -> None:
    now = time.perf_counter()
    waiter = _started.get(seq)
    if waiter is not None and not waiter.done():
        waiter.set_result(now)


def _expect(seq: int) -> asyncio.Future[float]:
    waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    _started[seq] = waiter
    return waiter


async def _commit_job(runtime: Runtime, seq: int) -> float:
    async with runtime.maker() as session, session.begin():
        await enqueue(session, mark, seq=seq)
    return time.perf_counter()


async def _one_at_a_time(
    runtime: Runtime, jobs: int, first_seq: int, gap_s: float = 0.0
) -> list[float]:
    latencies = []
    for seq in range(first_seq, first_seq + jobs):
        waiter = _expect(seq)
        committed = await _commit_job(runtime, seq)
        started = await asyncio.wait_for(waiter, timeout=30)
        latencies.append(started - committed)
        if gap_s:
            await asyncio.sleep(gap_s)
    return latencies


async def _burst(runtime: Runtime, jobs: int, first_seq: int) -> tuple[list[float], float]:
    seqs = range(first_seq, first_seq + jobs)
    waiters = {seq: _expect(seq) for seq in seqs}
    committed = {}
    for seq in seqs:
        committed[seq] = await _commit_job(runtime, seq)
    started = {seq: await asyncio.wait_for(waiters[seq], timeout=60) for seq in seqs}
    elapsed = max(started.values()) - min(committed.values())
    return [started[seq] - committed[seq] for seq in seqs], jobs / elapsed


def _row(name: str, samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    ms = [cuts[49] * 1000, cuts[94] * 1000, max(samples) * 1000]
    return f"{name:<8}{len(samples):>6}{ms[0]:>10.2f}{ms[1]:>10.2f}{ms[2]:>10.2f}"


async def _run(runtime: Runtime, jobs: int) -> None:
    worker = await start_in_process_worker(runtime, concurrency=CONCURRENCY)
    try:
        await _one_at_a_time(runtime, WARMUP, first_seq=-WARMUP)
        chained = await _one_at_a_time(runtime, jobs, first_seq=0)
        idle = await _one_at_a_time(runtime, jobs, first_seq=jobs, gap_s=GAP_S)
        burst, throughput = await _burst(runtime, jobs, first_seq=2 * jobs)
    finally:
        await worker.stop()
    print(f"commit -> task start, in-process worker (concurrency {CONCURRENCY}), ms")
    print(f"{'load':<8}{'jobs':>6}{'p50':>10}{'p95':>10}{'max':>10}")
    print(_row("idle", idle))
    print(_row("chained", chained))
    print(_row("burst", burst))
    print(f"burst throughput: {throughput:.0f} jobs/s (commit of the first to start of the last)")


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def main() -> None:
    jobs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    configure_logging("WARNING")
    data_dir = Path(tempfile.mkdtemp(prefix="tl-bench-"))
    data_dir.chmod(0o755)  # the embedded server runs as its own system user when we are root
    embedded = start_embedded(data_dir)
    try:
        url = embedded.url()
        run_migrations(url)
        settings = Settings(
            data_dir=data_dir / "var",
            encryption_keys=SecretStr(f"bench:{_key()}"),
            blind_index_key=SecretStr(_key()),
        )

        async def session() -> None:
            runtime = build_runtime(settings, DatabaseTarget(url, url, set_role=True))
            try:
                await _run(runtime, jobs)
            finally:
                await runtime.close()

        asyncio.run(session())
    finally:
        embedded.release()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
