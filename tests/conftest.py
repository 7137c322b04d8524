"""Shared fixtures: a real Postgres (embedded unless TRADELINE_TEST_DATABASE_URL is set), built by
the Alembic migrations into a template database; each test that needs committed data gets a fresh
clone of it, so concurrency and crash tests never depend on a rollback fixture."""

from __future__ import annotations

import os
import secrets
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tradeline.config import Settings
from tradeline.db import DatabaseTarget, run_migrations
from tradeline.kit.embedded_postgres import start_embedded
from tradeline.logging import configure_logging
from tradeline.runtime import Runtime, build_runtime
from tradeline.simulator.player import TwilioPlayer

TEMPLATE = "tl_template"
TEST_KEYS = "k1:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="  # 32 bytes of 'A'
TEST_BLIND = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="  # 32 bytes of 'B'


@dataclass
class PgCluster:
    """Where tests make their databases: an admin URL template with a {db} placeholder."""

    admin_url: str  # to the maintenance database, as a superuser/owner
    data_dir: Path
    bin_dir: Path | None = None  # the embedded server's binaries (pg_dump); None when external
    pgdata: Path | None = None

    def url(self, database: str) -> str:
        return make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)

    def execute(self, sql: str) -> None:
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(sql))
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    configure_logging("WARNING")
    data_dir = Path(tempfile.mkdtemp(prefix="tl-test-"))
    data_dir.chmod(0o755)  # the embedded server runs as its own system user when we are root
    external = os.environ.get("TRADELINE_TEST_DATABASE_URL")
    handle = None
    if external:
        admin = external
    else:
        handle = start_embedded(data_dir)
        admin = handle.url(database="postgres")
    cluster = PgCluster(
        admin_url=admin,
        data_dir=data_dir,
        bin_dir=handle.bin_dir if handle else None,
        pgdata=handle.pgdata if handle else None,
    )
    cluster.execute(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
    cluster.execute(f"CREATE DATABASE {TEMPLATE}")
    run_migrations(cluster.url(TEMPLATE))
    yield cluster
    if handle is not None:
        handle.release()


@pytest.fixture
def fresh_db(pg_cluster: PgCluster) -> Iterator[DatabaseTarget]:
    """A new database cloned from the migrated template: committed data, dropped afterwards."""
    name = f"tl_{uuid.uuid4().hex[:12]}"
    pg_cluster.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    url = pg_cluster.url(name)
    yield DatabaseTarget(owner_url=url, app_url=url, set_role=True)
    pg_cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        encryption_keys=TEST_KEYS,
        blind_index_key=TEST_BLIND,
        redis_url=None,
        twilio_auth_token="test-auth-token",
        public_url="http://testserver",
    )


@pytest.fixture
async def runtime(settings: Settings, fresh_db: DatabaseTarget) -> AsyncIterator[Runtime]:
    rt = build_runtime(settings, fresh_db)
    yield rt
    await rt.close()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    from tradeline.app import create_app

    app = create_app(runtime.settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def skip_or_fail(reason: str) -> None:
    """Skip locally; in CI (TRADELINE_TEST_STRICT=1) a missing service is a failure, not a skip."""
    if os.environ.get("TRADELINE_TEST_STRICT") == "1":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("TRADELINE_TEST_REDIS_URL")
    if not url:
        skip_or_fail("TRADELINE_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/15)")
    assert url is not None
    return url


def random_number() -> str:
    """A valid, unassigned-looking North American number (555-01xx range is fictional)."""
    return f"+1587555{secrets.randbelow(10_000):04d}"


@pytest.fixture
async def player(client: httpx.AsyncClient) -> TwilioPlayer:
    """Twilio's side, signing every request with the SDK's RequestValidator."""
    return TwilioPlayer("http://testserver", "test-auth-token", client)
