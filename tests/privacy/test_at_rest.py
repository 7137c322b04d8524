"""A canary caller's name, number and email never reach disk, dumps or logs in plaintext."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PgCluster
from tests.factories import make_org
from tradeline.db import DatabaseTarget, tenant_session
from tradeline.lead.service import create_lead
from tradeline.runtime import Runtime

CANARY_NAME = "Zebulon Quixotic-Canary"
CANARY_EMAIL = "zebulon.canary@example.com"
CANARY_PHONE = "+14035550987"
CANARIES = [s.encode() for s in (CANARY_NAME, CANARY_EMAIL, CANARY_PHONE, "4035550987")]


def _contains_canary(blob: bytes) -> list[bytes]:
    return [c for c in CANARIES if c in blob]


@pytest.fixture
async def canary_written(runtime: Runtime, client: httpx.AsyncClient) -> Runtime:
    org = await make_org(runtime, "Canary Plumbing")
    async with tenant_session(runtime.maker, org.org_id) as session:
        await create_lead(
            session,
            runtime.pii,
            org.org_id,
            channel="sms",
            caller_number=CANARY_PHONE,
            callback_number=CANARY_PHONE,
            caller_name=CANARY_NAME,
            email=CANARY_EMAIL,
            job_summary=f"{CANARY_NAME} has a leak",
            address="12 Canary Row",
        )
    # An admin reads it back through the API: decrypted in memory only, and audited.
    response = await client.get(
        f"/api/v1/leads?phone={CANARY_PHONE}", headers={"Authorization": f"Bearer {org.api_key}"}
    )
    assert response.json()["items"][0]["caller_name"] == CANARY_NAME
    async with tenant_session(runtime.maker, org.org_id) as session:
        reveals = (
            await session.execute(
                text("SELECT count(*) FROM audit_log WHERE action = 'pii.reveal'")
            )
        ).scalar_one()
    assert reveals == 1
    return runtime


async def test_canary_absent_from_pg_dump(
    canary_written: Runtime, fresh_db: DatabaseTarget, pg_cluster: PgCluster
) -> None:
    if pg_cluster.bin_dir is None:
        pytest.skip("pg_dump of the embedded server is used; external server configured")
    url = make_url(fresh_db.owner_url)
    dump = subprocess.run(
        [
            str(pg_cluster.bin_dir / "pg_dump"),
            "-h",
            str(url.query["host"]),
            "-U",
            "postgres",
            "--data-only",
            str(url.database),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    assert b"leads" in dump and len(dump) > 1000
    assert _contains_canary(dump) == []


async def test_canary_absent_from_table_files_and_wal(
    canary_written: Runtime, fresh_db: DatabaseTarget, pg_cluster: PgCluster
) -> None:
    if pg_cluster.pgdata is None:
        pytest.skip("needs the embedded server's data directory")
    engine = create_engine(fresh_db.owner_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CHECKPOINT"))
        conn.execute(text("SELECT pg_switch_wal()"))
    engine.dispose()
    hits = []
    for path in Path(pg_cluster.pgdata).rglob("*"):
        if path.is_file() and path.stat().st_size < 64_000_000:
            found = _contains_canary(path.read_bytes())
            if found:
                hits.append((str(path), found))
    assert hits == []


async def test_canary_absent_from_app_logs(
    runtime: Runtime,
    client: httpx.AsyncClient,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tradeline.logging import configure_logging

    configure_logging("DEBUG")  # bind the log writer to the captured stderr
    caplog.set_level(logging.DEBUG)
    org = await make_org(runtime)
    async with tenant_session(runtime.maker, org.org_id) as session:
        await create_lead(
            session,
            runtime.pii,
            org.org_id,
            channel="sms",
            caller_name=CANARY_NAME,
            caller_number=CANARY_PHONE,
            email=CANARY_EMAIL,
        )
    await client.get(
        f"/api/v1/leads?phone={CANARY_PHONE}", headers={"Authorization": f"Bearer {org.api_key}"}
    )
    from tradeline.logging import get_logger

    get_logger("test").warning("careless", From=CANARY_PHONE, Body=CANARY_NAME, email=CANARY_EMAIL)
    out, err = capfd.readouterr()
    logged = (out + err + caplog.text).encode()
    assert b"careless" in logged
    assert _contains_canary(logged) == []
    configure_logging("WARNING")
