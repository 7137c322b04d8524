"""A `tradeline worker` process killed (SIGKILL) in the middle of a job: the job is handed to
another worker process and its effect happens exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import TEST_BLIND, TEST_KEYS
from tests.factories import make_org
from tests.worker.queue import job_row, job_status, last_event_at, probe_rows, wait_for
from tradeline.db import DatabaseTarget, tenant_session
from tradeline.runtime import Runtime
from tradeline.worker.app import enqueue
from tradeline.worker.schedules import recover_stalled_jobs
from tradeline.worker.service import open_queue
from tradeline.worker.tasks import probe

TRADELINE = Path(sys.executable).parent / "tradeline"

# The probe's insert, executed but not committed: the backend sits idle in its transaction.
PROBE_IN_FLIGHT = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND state = 'idle in transaction'
  AND query ILIKE 'INSERT INTO audit_log%'
"""


def _log_file(path: Path) -> IO[bytes]:
    return path.open("ab")


@asynccontextmanager
async def worker_process(
    db: DatabaseTarget, data_dir: Path, log: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRADELINE_")}
    env |= {
        "TRADELINE_DATABASE_URL": db.owner_url,
        "TRADELINE_DATA_DIR": str(data_dir),
        "TRADELINE_ENCRYPTION_KEYS": TEST_KEYS,
        "TRADELINE_BLIND_INDEX_KEY": TEST_BLIND,
    }
    with _log_file(log) as stderr:
        proc = await asyncio.create_subprocess_exec(
            str(TRADELINE),
            "worker",
            "--concurrency",
            "1",
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            yield proc
        finally:
            if proc.returncode is None:
                proc.kill()
            await proc.wait()


@pytest.mark.slow
async def test_job_of_a_killed_worker_runs_again_elsewhere_exactly_once(
    runtime: Runtime, fresh_db: DatabaseTarget, tmp_path: Path
) -> None:
    org = await make_org(runtime, "Crash Plumbing")
    async with tenant_session(runtime.maker, org.org_id) as session:
        # Holds its transaction open after the insert: the kill lands inside that window.
        job_id = await enqueue(session, probe, org_id=str(org.org_id), hold_s=5.0)

    owner = create_async_engine(fresh_db.owner_url)
    try:

        async def probe_in_flight() -> bool:
            async with owner.connect() as conn:
                return bool((await conn.execute(text(PROBE_IN_FLIGHT))).scalar_one())

        first_log, second_log = tmp_path / "worker-1.log", tmp_path / "worker-2.log"
        async with worker_process(fresh_db, tmp_path / "var", first_log) as first:
            await wait_for(
                probe_in_flight, within=20, what=f"worker 1 to run the probe ({first_log})"
            )
            row = await job_row(runtime, job_id)
            assert row is not None and (row["status"], row["attempts"]) == ("doing", 0)
            first.send_signal(signal.SIGKILL)
            assert await first.wait() == -signal.SIGKILL

        # Its uncommitted insert died with it; the queue still believes the job is running.
        assert await probe_rows(runtime, org.org_id) == []
        assert await job_status(runtime, job_id) == "doing"

        # What the every-minute recovery job does, with a threshold fit for a test: the only
        # worker is dead, so a heartbeat older than a second is proof enough.
        async with open_queue(fresh_db) as queue:

            async def recovered() -> list[int]:
                return await recover_stalled_jobs(queue, seconds_since_heartbeat=1)

            assert job_id in await wait_for(recovered, within=15, what="the stalled job", every=0.5)
        row = await job_row(runtime, job_id)
        assert row is not None and (row["status"], row["attempts"]) == ("todo", 1)
        # Retried on the task's policy: the first retry waits 4 s.
        backoff = row["scheduled_at"] - await last_event_at(runtime, job_id, "deferred_for_retry")
        assert timedelta(seconds=3.5) < backoff < timedelta(seconds=4.5)

        async with worker_process(fresh_db, tmp_path / "var", second_log) as second:

            async def succeeded() -> bool:
                return await job_status(runtime, job_id) == "succeeded"

            await wait_for(succeeded, within=25, what=f"worker 2 to finish the job ({second_log})")
            second.send_signal(signal.SIGTERM)
            assert await second.wait() == 0, second_log.read_text()
    finally:
        await owner.dispose()

    row = await job_row(runtime, job_id)
    assert row is not None and (row["status"], row["attempts"]) == ("succeeded", 2)
    effects = await probe_rows(runtime, org.org_id)
    assert [(e.target_id, e.data["attempt"]) for e in effects] == [(str(job_id), 1)]
