"""`tradeline keys rotate` killed mid-way and rerun: nothing unreadable, nothing left behind."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.factories import make_org
from tradeline.config import Settings
from tradeline.db import DatabaseTarget, tenant_session
from tradeline.kit.crypto import DecryptionError, KeyRing
from tradeline.lead.service import create_lead
from tradeline.models import ENCRYPTED_COLUMNS
from tradeline.privacy.service import keyring_path
from tradeline.runtime import build_runtime

LEADS_PER_ORG = 600


def _key_ids(db: DatabaseTarget) -> dict[str, int]:
    """How many sealed values sit on each key id (read straight from the blobs, as owner)."""
    engine = create_engine(db.owner_url)
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for table, columns in ENCRYPTED_COLUMNS.items():
            for column in columns:
                rows = conn.execute(
                    text(
                        f"SELECT convert_from(substring({column} from 3 for get_byte({column}, 1)), 'UTF8'), count(*) "
                        f"FROM {table} WHERE {column} IS NOT NULL GROUP BY 1"
                    )
                )
                for key_id, n in rows:
                    counts[key_id] = counts.get(key_id, 0) + int(n)
    engine.dispose()
    return counts


async def _decrypt_everything(settings: Settings, db: DatabaseTarget) -> tuple[int, int]:
    runtime = build_runtime(settings, db)
    ok = failures = 0
    try:
        engine = create_engine(db.owner_url)
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, organization_id, caller_name_enc, email_enc FROM leads")
            ).all()
        engine.dispose()
        for row_id, org_id, name, email in rows:
            for column, blob in (("caller_name_enc", name), ("email_enc", email)):
                try:
                    runtime.pii.open(
                        bytes(blob), org_id=org_id, table="leads", row_id=row_id, column=column
                    )
                    ok += 1
                except DecryptionError:
                    failures += 1
    finally:
        await runtime.close()
    return ok, failures


@pytest.mark.slow
async def test_rotation_killed_midway_then_rerun(fresh_db: DatabaseTarget, tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    settings = Settings(data_dir=data_dir, public_url="http://testserver")  # development key file
    runtime = build_runtime(settings, fresh_db)
    for name in ("Rot A", "Rot B"):
        org = await make_org(runtime, name)
        async with tenant_session(runtime.maker, org.org_id) as session:
            for i in range(LEADS_PER_ORG):
                await create_lead(
                    session,
                    runtime.pii,
                    org.org_id,
                    channel="sms",
                    caller_name=f"Caller {i}",
                    email=f"c{i}@example.com",
                    caller_number="+14035550111",
                )
    await runtime.close()
    assert set(_key_ids(fresh_db)) == {"k1"}

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRADELINE_")},
        "TRADELINE_DATABASE_URL": fresh_db.owner_url,
        "TRADELINE_DATA_DIR": str(data_dir),
    }
    command = [sys.executable, "-m", "tradeline.cli.main", "keys", "rotate", "--batch-size", "5"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    killed_at: dict[str, int] = {}
    while time.monotonic() < deadline:
        counts = _key_ids(fresh_db)
        if counts.get("k2", 0) > 200:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            killed_at = counts
            break
        # Readers keep working while the rotation runs.
        _, failures = await _decrypt_everything(settings, fresh_db)
        assert failures == 0
        await asyncio.sleep(0.05)
    assert killed_at, "rotation finished before it could be killed; make the data set larger"
    assert killed_at.get("k1", 0) > 0, killed_at
    assert proc.returncode == -signal.SIGKILL

    ok, failures = await _decrypt_everything(settings, fresh_db)
    assert failures == 0 and ok == 2 * LEADS_PER_ORG * 2
    assert KeyRing.load_or_create_file(keyring_path(settings)).primary_id == "k2"

    # Rerun: rotation continues to a new primary (k3) and leaves nothing on old keys.
    rerun = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert rerun.returncode == 0, rerun.stderr
    counts = _key_ids(fresh_db)
    assert set(counts) == {"k3"}, counts
    ok, failures = await _decrypt_everything(settings, fresh_db)
    assert failures == 0 and ok == 2 * LEADS_PER_ORG * 2
