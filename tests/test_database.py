"""Server checks, migrations as the only source of tables."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from tests.conftest import PgCluster, skip_or_fail
from tradeline.db import DatabaseTarget, check_server
from tradeline.exceptions import ConfigurationError
from tradeline.models import Base

# The machine's own PostgreSQL 15 (Debian), which has no pgvector.
SYSTEM_PG = os.environ.get(
    "TRADELINE_TEST_PLAIN_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _system_pg_available() -> bool:
    try:
        engine = create_engine(SYSTEM_PG)
        with engine.connect():
            pass
        engine.dispose()
    except Exception:
        return False
    return True


@pytest.fixture
def system_pg() -> str:
    if not _system_pg_available():
        skip_or_fail("no plain PostgreSQL on 127.0.0.1:5432")
    return SYSTEM_PG


def test_server_without_pgvector_is_refused_in_one_line(system_pg: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        check_server(system_pg)
    assert "has no pgvector extension" in caught.value.detail
    assert "\n" not in caught.value.detail


def test_cli_says_pgvector_is_missing_and_exits_non_zero(system_pg: str, tmp_path: object) -> None:
    env = {**os.environ, "TRADELINE_DATABASE_URL": SYSTEM_PG, "TRADELINE_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "tradeline.cli.main", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "has no pgvector extension" in lines[0], result.stderr


def test_models_match_migrations(fresh_db: DatabaseTarget) -> None:
    """`alembic check`: the ORM metadata and the migrated schema agree."""
    engine = create_engine(fresh_db.owner_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_name": lambda name, kind, _p: (
                    not (kind == "table" and name and name.startswith("procrastinate_"))
                ),
                "compare_type": True,
            },
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_embedded_server_has_pgvector(pg_cluster: PgCluster) -> None:
    check_server(pg_cluster.url("postgres"))
