"""Periodic maintenance jobs.

Every worker runs procrastinate's periodic deferrer; the database keeps one job per task and
tick however many workers run. A tick missed by more than ten minutes (no worker was up) is
skipped, not replayed. The queueing locks keep at most one of each waiting in the queue.
"""

from __future__ import annotations

from typing import Final

from procrastinate import App, JobContext
from procrastinate import exceptions as procrastinate_exceptions
from procrastinate import utils as procrastinate_utils
from procrastinate.jobs import Status

from tradeline.logging import get_logger
from tradeline.worker import repository
from tradeline.worker.app import (
    DEFAULT_RETRY,
    MAINTENANCE_QUEUE,
    STALLED_AFTER_S,
    app,
    job_runtime,
    load_task_modules,
)

log = get_logger(__name__)

ROTATION_LOCK: Final = "privacy.key_rotation"
# Finished job rows (and their events) are kept this long for inspection, then deleted.
KEEP_FINISHED_JOBS_H: Final = 7 * 24
KEEP_FAILED_JOBS_H: Final = 30 * 24


class WorkerLostError(Exception):
    """The worker running the job stopped heartbeating (killed, crashed or cut off)."""


async def recover_stalled_jobs(
    queue_app: App, *, seconds_since_heartbeat: float = STALLED_AFTER_S
) -> list[int]:
    """Put back in the queue the jobs of workers that stopped heartbeating; returns their ids.

    Each job is retried on its own task's retry policy, backoff included, and marked failed once
    that policy is spent (or the task declares no retries), so a job that kills its worker every
    time cannot loop forever. Delivery is at least once: a job cut off mid-run runs again, which
    is why task effects are transactional or idempotent.
    """
    load_task_modules()  # the retry policy of every task, whoever calls this
    manager = queue_app.job_manager
    recovered: list[int] = []
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=seconds_since_heartbeat):
        if job.id is None:
            continue
        task = queue_app.tasks.get(job.task_name)
        decision = None
        if task is not None and task.retry_strategy is not None:
            retry = task.retry_strategy.get_retry_exception(
                exception=WorkerLostError(f"job {job.id} lost its worker"), job=job
            )
            decision = retry.retry_decision if retry is not None else None
        try:
            if decision is None:
                await manager.finish_job_by_id_async(
                    job_id=job.id, status=Status.FAILED, delete_job=False
                )
            else:
                await manager.retry_job_by_id_async(
                    job_id=job.id,
                    retry_at=decision.retry_at or procrastinate_utils.utcnow(),
                    priority=decision.priority,
                    queue=decision.queue,
                    lock=decision.lock,
                )
        except procrastinate_exceptions.ConnectorException:
            # Finished in the meantime by a worker that was slow, not dead.
            log.info("stalled_job_already_finished", job_id=job.id)
            continue
        log.warning(
            "stalled_job_recovered",
            job_id=job.id,
            task=job.task_name,
            attempts=job.attempts,
            retried=decision is not None,
        )
        recovered.append(job.id)
    return recovered


@app.periodic(cron="* * * * *")
@app.task(
    name="maintenance.recover_stalled_jobs",
    queue=MAINTENANCE_QUEUE,
    queueing_lock="maintenance.recover_stalled_jobs",
    pass_context=True,
)
async def recover_stalled(context: JobContext, timestamp: int) -> int:
    """Every minute: jobs of dead workers go back to the queue (see `recover_stalled_jobs`)."""
    return len(await recover_stalled_jobs(context.app))


@app.periodic(cron="*/10 * * * *")
@app.task(
    name="maintenance.purge_idempotency_keys",
    queue=MAINTENANCE_QUEUE,
    queueing_lock="maintenance.purge_idempotency_keys",
    retry=DEFAULT_RETRY,
    pass_context=True,
)
async def purge_idempotency_keys(context: JobContext, timestamp: int) -> int:
    """Every 10 minutes: delete expired idempotency keys, across businesses."""
    runtime = job_runtime(context)
    async with runtime.maker() as session, session.begin():
        purged = await repository.purge_expired_idempotency_keys(session)
    if purged:
        log.info("idempotency_keys_purged", count=purged)
    return purged


@app.periodic(cron="*/5 * * * *")
@app.task(
    name="maintenance.resume_key_rotation",
    queue=MAINTENANCE_QUEUE,
    lock=ROTATION_LOCK,
    queueing_lock="maintenance.resume_key_rotation",
    retry=DEFAULT_RETRY,
    pass_context=True,
)
async def resume_key_rotation(context: JobContext, timestamp: int) -> int:
    """Every 5 minutes: finish a PII key rotation that was interrupted (a no-op otherwise)."""
    # Imported when the job runs, not when workers start: a broken import in privacy must fail
    # this job (retried, visible in the queue), not keep every worker from starting.
    from tradeline.privacy.rotation import resume_rotation

    done = await resume_rotation(job_runtime(context))
    if done:
        log.info("key_rotation_resumed", values=done)
    return done


@app.periodic(cron="17 4 * * *")
@app.task(
    name="maintenance.prune_finished_jobs",
    queue=MAINTENANCE_QUEUE,
    queueing_lock="maintenance.prune_finished_jobs",
    retry=DEFAULT_RETRY,
    pass_context=True,
)
async def prune_finished_jobs(context: JobContext, timestamp: int) -> None:
    """Daily: delete finished job rows past their retention, so the queue table stays small."""
    manager = context.app.job_manager
    await manager.delete_old_jobs(
        nb_hours=KEEP_FINISHED_JOBS_H, include_cancelled=True, include_aborted=True
    )
    await manager.delete_old_jobs(nb_hours=KEEP_FAILED_JOBS_H, include_failed=True)
