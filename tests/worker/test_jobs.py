"""Jobs in-process against a real database: transactional deferral, retries, maintenance."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from procrastinate import JobContext
from sqlalchemy import select, text

from tests.factories import make_org
from tests.worker.queue import (
    job_row,
    job_status,
    last_event_at,
    make_due,
    probe_rows,
    wait_for,
)
from tradeline.db import set_org, tenant_session
from tradeline.models import IdempotencyKey
from tradeline.runtime import Runtime
from tradeline.worker.app import (
    DEFAULT_QUEUE,
    DEFAULT_RETRY,
    MAINTENANCE_QUEUE,
    UNBOUND_CONNECTOR,
    app,
    enqueue,
)
from tradeline.worker.schedules import (
    prune_finished_jobs,
    purge_idempotency_keys,
    resume_key_rotation,
)
from tradeline.worker.service import drain, libpq_conninfo, start_in_process_worker
from tradeline.worker.tasks import probe


@app.task(name="tests.worker.flaky", queue=DEFAULT_QUEUE, retry=DEFAULT_RETRY, pass_context=True)
async def flaky(context: JobContext, *, fail_times: int) -> None:
    """Fails on its first `fail_times` attempts (attempts counts the runs before this one)."""
    if context.job.attempts < fail_times:
        raise RuntimeError(f"planned failure on attempt {context.job.attempts + 1}")


async def test_job_exists_iff_its_transaction_committed(runtime: Runtime) -> None:
    org = await make_org(runtime, "Queue Plumbing")
    org_id = str(org.org_id)

    async with runtime.maker() as session:
        await session.begin()
        await set_org(session, org.org_id)
        rolled_back = await enqueue(session, probe, org_id=org_id)
        await session.rollback()

    async with tenant_session(runtime.maker, org.org_id) as session:
        committed = await enqueue(session, probe, org_id=org_id)
        assert committed > rolled_back
        assert await job_row(runtime, committed) is None, "visible before its commit"

    assert await job_row(runtime, rolled_back) is None
    row = await job_row(runtime, committed)
    assert row is not None
    assert (row["status"], row["queue_name"], row["args"]) == (
        "todo",
        "default",
        {"org_id": org_id},
    )

    await drain(runtime, queues=[DEFAULT_QUEUE])

    assert await job_status(runtime, committed) == "succeeded"
    assert await job_row(runtime, rolled_back) is None
    assert [r.target_id for r in await probe_rows(runtime, org.org_id)] == [str(committed)]
    assert app.connector is UNBOUND_CONNECTOR  # the drain released its binding


async def test_enqueue_refuses_personal_data(runtime: Runtime) -> None:
    org = await make_org(runtime, "Careful Plumbing")
    async with tenant_session(runtime.maker, org.org_id) as session:
        for leaked in ("+15875550100", "+1 (587) 555-0100", "owner@example.com"):
            with pytest.raises(ValueError, match="personal data"):
                await enqueue(session, probe, org_id=leaked)
        with pytest.raises(ValueError, match="personal data"):
            await enqueue(session, flaky, fail_times=0, extra={"to": ["+15875550100"]})


async def test_failing_job_is_retried_with_exponential_backoff(runtime: Runtime) -> None:
    async with runtime.maker() as session, session.begin():
        job_id = await enqueue(session, flaky, fail_times=2)

    waits: list[float] = []
    for attempt in (1, 2):
        await drain(runtime, queues=[DEFAULT_QUEUE])
        row = await job_row(runtime, job_id)
        assert row is not None
        assert (row["status"], row["attempts"]) == ("todo", attempt)
        retried_at = await last_event_at(runtime, job_id, "deferred_for_retry")
        waits.append((row["scheduled_at"] - retried_at).total_seconds())

        await drain(runtime, queues=[DEFAULT_QUEUE])  # not due yet: the backoff holds it back
        assert await job_row(runtime, job_id) == row
        await make_due(runtime, job_id)

    await drain(runtime, queues=[DEFAULT_QUEUE])
    row = await job_row(runtime, job_id)
    assert row is not None
    assert (row["status"], row["attempts"]) == ("succeeded", 3)
    # DEFAULT_RETRY: wait + exponential_wait ** attempt = 2 + 2, then 2 + 4 seconds.
    assert waits == [pytest.approx(4.0, abs=0.5), pytest.approx(6.0, abs=0.5)]


def test_default_retry_backs_off_exponentially_then_gives_up() -> None:
    from procrastinate.jobs import Job

    def decision(attempts: int) -> float | None:
        job = Job(
            id=1, queue="default", lock=None, queueing_lock=None, task_name="t", attempts=attempts
        )
        found = DEFAULT_RETRY.get_retry_decision(exception=RuntimeError(), job=job)
        if found is None or found.retry_at is None:
            return None
        return (found.retry_at - datetime.now(UTC)).total_seconds()

    waits = [decision(n) for n in range(6)]
    assert waits[:5] == [pytest.approx(w, abs=0.5) for w in (4, 6, 10, 18, 34)]
    assert waits[5] is None  # five retries, then the job fails for good


async def test_periodic_jobs_are_wired() -> None:
    schedules = {
        periodic.task.name: periodic.cron
        for periodic in app.periodic_registry.periodic_tasks.values()
    }
    assert schedules["maintenance.purge_idempotency_keys"] == "*/10 * * * *"
    assert schedules["maintenance.resume_key_rotation"] == "*/5 * * * *"
    assert schedules["maintenance.recover_stalled_jobs"] == "* * * * *"
    assert schedules["maintenance.prune_finished_jobs"] == "17 4 * * *"


async def test_purge_deletes_expired_idempotency_keys_of_every_business(runtime: Runtime) -> None:
    orgs = [await make_org(runtime, "Purge North"), await make_org(runtime, "Purge South")]
    now = datetime.now(UTC)
    for org in orgs:
        async with tenant_session(runtime.maker, org.org_id) as session:
            for key, expires in (
                ("stale", now - timedelta(minutes=1)),
                ("live", now + timedelta(hours=1)),
            ):
                session.add(
                    IdempotencyKey(
                        organization_id=org.org_id,
                        scope="test",
                        key=key,
                        request_hash="0" * 64,
                        expires_at=expires,
                    )
                )

    async with runtime.maker() as session, session.begin():
        job_id = await enqueue(session, purge_idempotency_keys, timestamp=int(now.timestamp()))
    await drain(runtime, queues=[MAINTENANCE_QUEUE])

    assert await job_status(runtime, job_id) == "succeeded"
    for org in orgs:
        async with tenant_session(runtime.maker, org.org_id) as session:
            left = (await session.scalars(select(IdempotencyKey.key))).all()
        assert left == ["live"], org.org_id


async def test_resume_key_rotation_job_runs(runtime: Runtime) -> None:
    async with runtime.maker() as session, session.begin():
        job_id = await enqueue(session, resume_key_rotation, timestamp=0)
    await drain(runtime, queues=[MAINTENANCE_QUEUE])
    assert await job_status(runtime, job_id) == "succeeded"


async def test_finished_jobs_are_pruned_after_their_retention(runtime: Runtime) -> None:
    async with runtime.maker() as session, session.begin():
        old, recent = [await enqueue(session, flaky, fail_times=0) for _ in range(2)]
    await drain(runtime, queues=[DEFAULT_QUEUE])
    async with runtime.engine.begin() as conn:
        await conn.execute(
            text("UPDATE procrastinate_events SET at = at - interval '8 days' WHERE job_id = :id"),
            {"id": old},
        )

    async with runtime.maker() as session, session.begin():
        job_id = await enqueue(session, prune_finished_jobs, timestamp=0)
    await drain(runtime, queues=[MAINTENANCE_QUEUE])

    assert await job_status(runtime, job_id) == "succeeded"
    assert await job_row(runtime, old) is None
    assert await job_status(runtime, recent) == "succeeded"


async def test_in_process_worker_runs_committed_jobs_and_stops_cleanly(runtime: Runtime) -> None:
    org = await make_org(runtime, "Live Plumbing")
    handle = await start_in_process_worker(runtime, concurrency=2)
    try:
        async with tenant_session(runtime.maker, org.org_id) as session:
            job_id = await enqueue(session, probe, org_id=str(org.org_id))

        async def succeeded() -> bool:
            return await job_status(runtime, job_id) == "succeeded"

        # Woken by NOTIFY at commit, well before the polling interval.
        await wait_for(succeeded, within=10, what="the in-process worker to run the job")
    finally:
        await handle.stop()
    assert handle.task.cancelled()
    assert app.connector is UNBOUND_CONNECTOR
    async with runtime.engine.connect() as conn:
        workers = (
            await conn.exec_driver_sql("SELECT count(*) FROM procrastinate_workers")
        ).scalar_one()
    assert workers == 0  # unregistered on the way out


def test_libpq_conninfo_keeps_socket_and_takes_the_app_role() -> None:
    info = libpq_conninfo("postgresql+psycopg://postgres:@/tl_x?host=/tmp/sock", set_role=True)
    assert "host=/tmp/sock" in info and "dbname=tl_x" in info and "user=postgres" in info
    assert "options='-c role=tradeline_app'" in info
    remote = libpq_conninfo("postgresql+psycopg://app:s3cret@db.internal:6543/tl", set_role=False)
    assert "port=6543" in remote and "password=s3cret" in remote and "options" not in remote


def test_unbound_queue_refuses_non_transactional_defer() -> None:
    with pytest.raises(RuntimeError, match="enqueue"):
        probe.defer(org_id=str(uuid.uuid4()))


async def test_serve_lifespan_runs_the_worker(runtime: Runtime) -> None:
    from tradeline.app import create_app

    org = await make_org(runtime, "Served Plumbing")
    api = create_app(runtime.settings, runtime=runtime, with_worker=True)
    async with api.router.lifespan_context(api):
        assert app.connector is not UNBOUND_CONNECTOR
        async with tenant_session(runtime.maker, org.org_id) as session:
            job_id = await enqueue(session, probe, org_id=str(org.org_id))

        async def succeeded() -> bool:
            return await job_status(runtime, job_id) == "succeeded"

        await wait_for(succeeded, within=10, what="the worker under serve to run the job")
    assert app.connector is UNBOUND_CONNECTOR
