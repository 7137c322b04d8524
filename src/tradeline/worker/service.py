"""Running workers: `tradeline worker` processes, and the in-process worker of `tradeline serve`.

Workers share nothing but Postgres: any number of them, on any machines, take jobs from the same
queue. Each heartbeats; the periodic `recover_stalled_jobs` hands the jobs of a silent (killed)
worker back to the queue. Jobs get the process's Runtime through the worker's context
(`tradeline.worker.app.job_runtime`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Final

from procrastinate import App, PsycopgConnector
from procrastinate.app import WorkerOptions
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import make_url

from tradeline.config import Settings
from tradeline.db import APP_ROLE, DatabaseTarget, resolve_target, run_migrations
from tradeline.logging import get_logger
from tradeline.runtime import Runtime, build_runtime
from tradeline.worker.app import (
    HEARTBEAT_S,
    RUNTIME_CONTEXT_KEY,
    STALLED_AFTER_S,
    UNBOUND_CONNECTOR,
    app,
)

log = get_logger(__name__)

# New jobs wake workers through LISTEN/NOTIFY at once; jobs scheduled for later (retries with
# backoff) are found by polling. Polling is also the floor under a lost wake-up: procrastinate
# clears its "new job" flag after a fetch that found nothing, so a NOTIFY arriving during that
# fetch is dropped (bench/job_latency.py, "chained"). One indexed query a second per worker.
FETCH_POLL_S: Final = 1.0
# On SIGTERM (or serve shutdown) running jobs get this long to finish; then they are aborted
# and retried by their policy.
SHUTDOWN_GRACE_S: Final = 20.0
IN_PROCESS_CONCURRENCY: Final = 4
# The in-process worker restarts after a failure (the database went away), backing off to this.
RESTART_MIN_S: Final = 1.0
RESTART_MAX_S: Final = 60.0
# Connections procrastinate needs besides one per running job: fetch, heartbeat, periodic
# deferrer, abort polling (LISTEN uses its own).
_SIDE_CONNECTIONS: Final = 3


def libpq_conninfo(url: str, *, set_role: bool) -> str:
    """libpq connection string for a SQLAlchemy `postgresql+psycopg://` URL.

    With `set_role` the app role is taken in the startup packet, as the app engine does, so no
    statement of the job queue ever runs as the owner.
    """
    parsed = make_url(url)
    params: dict[str, str | int] = {}
    for key, value in parsed.query.items():  # e.g. host=/socket/dir for the embedded server
        params[key] = value if isinstance(value, str) else value[-1]
    parts = {
        "host": parsed.host,
        "port": parsed.port,
        "user": parsed.username,
        "password": parsed.password,
        "dbname": parsed.database,
    }
    params.update({key: part for key, part in parts.items() if part})
    if set_role:
        role = f"-c role={APP_ROLE}"
        existing = params.get("options")
        params["options"] = f"{existing} {role}" if existing else role
    return make_conninfo("", **params)


@contextlib.asynccontextmanager
async def open_queue(target: DatabaseTarget, *, max_connections: int = 4) -> AsyncIterator[App]:
    """Bind the App to `target` through its own connection pool, for the block's duration.

    One binding per process at a time (the App is module-level, like its task registry).
    Deferring through `enqueue` needs no binding: it uses the caller's connection.
    """
    if app.connector is not UNBOUND_CONNECTOR:
        raise RuntimeError("the job queue is already bound to a database in this process")
    connector = PsycopgConnector(
        conninfo=libpq_conninfo(target.app_url, set_role=target.set_role),
        min_size=1,
        max_size=max(max_connections, 2),
        name="tradeline-jobs",
    )
    with app.replace_connector(connector):
        async with app.open_async():
            yield app


def worker_options(
    runtime: Runtime,
    *,
    concurrency: int,
    install_signal_handlers: bool,
    wait: bool = True,
    queues: Iterable[str] | None = None,
    fetch_job_polling_interval: float = FETCH_POLL_S,
) -> WorkerOptions:
    options: WorkerOptions = {
        "name": f"{socket.gethostname()}:{os.getpid()}",
        "concurrency": concurrency,
        "wait": wait,
        "listen_notify": wait,  # a draining worker stops when idle: nothing to listen for
        "fetch_job_polling_interval": fetch_job_polling_interval,
        "shutdown_graceful_timeout": SHUTDOWN_GRACE_S,
        "install_signal_handlers": install_signal_handlers,
        "update_heartbeat_interval": HEARTBEAT_S,
        "stalled_worker_timeout": STALLED_AFTER_S,
        # Finished rows stay for inspection; `maintenance.prune_finished_jobs` deletes them later.
        "delete_jobs": "never",
        "additional_context": {RUNTIME_CONTEXT_KEY: runtime},
    }
    if queues is not None:
        options["queues"] = list(queues)
    return options


# `tradeline worker` ---------------------------------------------------------------------------


def run_worker_process(settings: Settings, *, concurrency: int) -> None:
    """Blocking: migrate, then take jobs until SIGTERM/SIGINT; running jobs get a grace period."""
    target = resolve_target(settings)
    try:
        run_migrations(target.owner_url)
        asyncio.run(_work_until_signalled(settings, target, concurrency))
    finally:
        target.release()


async def _work_until_signalled(
    settings: Settings, target: DatabaseTarget, concurrency: int
) -> None:
    runtime = build_runtime(settings, target)
    try:
        async with open_queue(target, max_connections=concurrency + _SIDE_CONNECTIONS):
            # procrastinate installs the SIGTERM/SIGINT handlers: stop fetching, let running
            # jobs finish, unregister the worker.
            await app.run_worker_async(
                **worker_options(runtime, concurrency=concurrency, install_signal_handlers=True)
            )
    finally:
        await runtime.close()


# In-process worker (`tradeline serve`) --------------------------------------------------------


@dataclass
class WorkerHandle:
    """The in-process worker task; `await handle.stop()` at shutdown."""

    task: asyncio.Task[None]

    async def stop(self) -> None:
        """Stop taking jobs, give running ones the grace period, close the queue's pool."""
        self.task.cancel()
        await asyncio.wait({self.task})
        if not self.task.cancelled() and (error := self.task.exception()) is not None:
            log.error("job_worker_failed", error=repr(error))


async def start_in_process_worker(
    runtime: Runtime,
    *,
    concurrency: int = IN_PROCESS_CONCURRENCY,
    fetch_job_polling_interval: float = FETCH_POLL_S,
) -> WorkerHandle:
    """Start a worker as a task on the running loop (next to uvicorn); returns once connected.

    Signals stay with the host server. If the worker stops later (the database went away), it
    is restarted with backoff; a failure to connect at start is raised here.
    """
    options = worker_options(
        runtime,
        concurrency=concurrency,
        install_signal_handlers=False,
        fetch_job_polling_interval=fetch_job_polling_interval,
    )
    bound: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        _supervise(runtime, options, concurrency, bound), name="tradeline-job-worker"
    )
    try:
        await asyncio.wait({bound, task}, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:
        task.cancel()
        await asyncio.wait({task})
        raise
    if not bound.done():
        task.result()  # raises why the worker could not start
        raise RuntimeError("the job worker stopped while starting")
    return WorkerHandle(task)


async def stop_in_process_worker(handle: WorkerHandle) -> None:
    await handle.stop()


async def _supervise(
    runtime: Runtime, options: WorkerOptions, concurrency: int, bound: asyncio.Future[None]
) -> None:
    loop = asyncio.get_running_loop()
    delay = RESTART_MIN_S
    while True:
        started = loop.time()
        try:
            async with open_queue(runtime.target, max_connections=concurrency + _SIDE_CONNECTIONS):
                if not bound.done():
                    bound.set_result(None)
                await app.run_worker_async(**options)
            # Returns without being cancelled only when a side task (heartbeat, listener) died.
            log.error("job_worker_stopped")
        except Exception:
            if not bound.done():
                raise
            log.exception("job_worker_crashed")
        if loop.time() - started > RESTART_MAX_S:
            delay = RESTART_MIN_S
        await asyncio.sleep(delay)
        delay = min(delay * 2, RESTART_MAX_S)


# Bounded runs ---------------------------------------------------------------------------------


async def drain(
    runtime: Runtime, *, queues: Iterable[str] | None = None, concurrency: int = 1
) -> None:
    """Run the jobs due now (in `queues`, default all), then return. Tests and one-off catch-up."""
    async with open_queue(runtime.target, max_connections=concurrency + _SIDE_CONNECTIONS):
        await app.run_worker_async(
            **worker_options(
                runtime,
                concurrency=concurrency,
                install_signal_handlers=False,
                wait=False,
                queues=queues,
            )
        )
