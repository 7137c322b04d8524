"""The procrastinate App, the retry policy, and transactional deferral.

A job exists iff the transaction that deferred it committed: `enqueue` inserts the job row
through the caller's own psycopg connection, inside its open transaction. Procrastinate's insert
trigger sends a NOTIFY, and Postgres delivers notifications only at commit, so no worker ever
hears of (or finds) a job whose transaction rolled back.

Registering a task, in any domain's `tasks.py`::

    from tradeline.worker.app import DEFAULT_RETRY, app, job_runtime

    @app.task(name="lead.notify_owner", retry=DEFAULT_RETRY, pass_context=True)
    async def notify_owner(context: JobContext, *, org_id: str, lead_id: str) -> None:
        runtime = job_runtime(context)
        ...

then add the module to `TASK_MODULES` so every worker imports it. Task names are explicit and
stable: queued rows carry the name, so renaming a module must not orphan them.
"""

from __future__ import annotations

import importlib
import re
from typing import Any, Final, NoReturn

import psycopg
from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy
from procrastinate.connector import BaseConnector
from procrastinate.tasks import Task
from procrastinate.types import JSONValue
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.runtime import Runtime

# Every module that registers tasks: workers import them all before taking jobs.
TASK_MODULES: Final = (
    "tradeline.worker.tasks",
    "tradeline.worker.schedules",
    "tradeline.notification.tasks",
    "tradeline.telephony.tasks",
    "tradeline.appointment.tasks",
    "tradeline.integrations.webhooks.tasks",
    "tradeline.sms.tasks",
)

DEFAULT_QUEUE: Final = "default"
MAINTENANCE_QUEUE: Final = "maintenance"

# Exponential backoff: wait + exponential_wait ** (attempts + 1) seconds. A failing job is retried
# up to 5 times (6 runs in all) after 4, 6, 10, 18 and 34 s, then stays `failed` for inspection.
# Tasks declare it with `retry=DEFAULT_RETRY`.
DEFAULT_RETRY: Final = RetryStrategy(max_attempts=5, wait=2, exponential_wait=2)

# Liveness: every worker writes a heartbeat this often; a worker silent for STALLED_AFTER_S is
# presumed dead (killed, crashed, cut off) and its running jobs are put back in the queue.
HEARTBEAT_S: Final = 10.0
STALLED_AFTER_S: Final = 30.0

# Key of the Runtime in the worker's `additional_context` (set by `tradeline.worker.service`).
RUNTIME_CONTEXT_KEY: Final = "tradeline_runtime"

_UNBOUND_MESSAGE = (
    "the job queue is not bound to a database in this process: defer jobs with "
    "tradeline.worker.app.enqueue(session, task, ...), run them with tradeline.worker.service"
)


class UnboundConnector(PsycopgConnector):
    """The App's connector while no worker has bound it to a database.

    It only defers on a connection the caller hands over (that is what `enqueue` does). Anything
    needing procrastinate's own pool fails loudly, instead of silently connecting wherever the
    libpq defaults point, outside the caller's transaction.
    """

    @property
    def pool(self) -> NoReturn:
        raise RuntimeError(_UNBOUND_MESSAGE)

    def get_sync_connector(self) -> BaseConnector:
        raise RuntimeError(_UNBOUND_MESSAGE)

    async def open_async(self, pool: Any = None) -> None:
        raise RuntimeError(_UNBOUND_MESSAGE)

    async def close_async(self) -> None:
        return None


UNBOUND_CONNECTOR: Final = UnboundConnector()

app = App(connector=UNBOUND_CONNECTOR, import_paths=list(TASK_MODULES))


def load_task_modules() -> None:
    """Import every task module, so `app.tasks` knows every task and its retry policy."""
    for module in TASK_MODULES:
        importlib.import_module(module)


def job_runtime(context: JobContext) -> Runtime:
    """The Runtime (sessionmaker, vault, settings) of the worker running this job."""
    runtime = context.additional_context.get(RUNTIME_CONTEXT_KEY)
    if not isinstance(runtime, Runtime):
        raise RuntimeError(
            "this job runs on a worker started without a Runtime; "
            "start workers with tradeline.worker.service"
        )
    return runtime


async def enqueue(
    session: AsyncSession,
    task: Task[Any, Any, Any],
    *,
    queue: str | None = None,
    **kwargs: JSONValue,
) -> int:
    """Defer `task(**kwargs)` inside `session`'s transaction; returns the job id.

    The job row is written through the session's own connection, in its open transaction: if
    the transaction rolls back the job never existed, and no worker can see it before commit.
    Call it where the work is decided, before the framework commits — never after.

    Job arguments must never contain PII (caller numbers, names, emails, message text): they
    are stored in clear in `procrastinate_jobs` and appear in worker logs. Pass row ids only
    (organization id, lead id, message id) and let the task load and decrypt what it needs.
    Strings that look like a phone number or an email address are refused as a last line of
    defence.
    """
    _refuse_pii(kwargs)
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if not isinstance(driver, psycopg.AsyncConnection):
        raise TypeError("enqueue needs a session on the async psycopg driver")
    if driver.autocommit:
        # The insert would be committed at once, whatever the caller's work does next.
        raise RuntimeError("enqueue needs a transaction; this session's connection autocommits")
    job_id: int = await task.configure(connection=driver, queue=queue).defer_async(**kwargs)
    return job_id


_PHONE = re.compile(r"^\+\d[\d ().-]{6,18}\d$")  # E.164 and dialled forms
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _refuse_pii(value: JSONValue, where: str = "") -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_pii(item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_pii(item, f"{where}[{index}]")
    elif isinstance(value, str) and (_PHONE.match(value) or _EMAIL.match(value)):
        raise ValueError(f"job argument {where!r} looks like personal data; pass row ids, not PII")
