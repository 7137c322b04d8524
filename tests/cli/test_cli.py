"""The `tradeline` command as users run it: a subprocess, its stdout, stderr and exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text

from tests.conftest import TEST_BLIND, TEST_KEYS
from tests.factories import profile
from tradeline.db import DatabaseTarget


def run(args: list[str], db: DatabaseTarget, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TRADELINE_DATABASE_URL": db.owner_url,
        "TRADELINE_DATA_DIR": str(data_dir),
        "TRADELINE_ENCRYPTION_KEYS": TEST_KEYS,
        "TRADELINE_BLIND_INDEX_KEY": TEST_BLIND,
    }
    return subprocess.run(
        [sys.executable, "-m", "tradeline.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def count(db: DatabaseTarget, table: str) -> int:
    engine = create_engine(db.owner_url)
    with engine.connect() as conn:
        n = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return int(n)


@pytest.mark.slow
def test_org_create_json_then_user_create(fresh_db: DatabaseTarget, tmp_path: Path) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(profile("CLI Heating", numbers=["+15875550142"])))
    result = run(["org", "create", "--profile", str(path), "--json"], fresh_db, tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) == {"org_id", "api_key", "phone_numbers"}
    assert out["phone_numbers"] == ["+15875550142"] and out["api_key"].startswith("tl_")
    user = run(
        [
            "user",
            "create",
            "--org",
            out["org_id"],
            "--email",
            "Boss@CLI.example.com",
            "--password",
            "long enough password",
            "--role",
            "admin",
            "--operator",
        ],
        fresh_db,
        tmp_path,
    )
    assert user.returncode == 0, user.stderr
    engine = create_engine(fresh_db.owner_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT email, is_operator FROM users")).one()
    engine.dispose()
    assert tuple(row) == ("boss@cli.example.com", True)
    again = run(["org", "create", "--profile", str(path), "--json"], fresh_db, tmp_path)
    assert again.returncode != 0
    assert again.stderr.strip().count("\n") == 0 and "another business" in again.stderr
    assert count(fresh_db, "organizations") == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"phone_numbers": ["403-555-0100"]}, "phone_numbers.0"),
        ({"routing": {"on_call": "not a number"}}, "routing.on_call"),
        ({"hours": {"mon": "17:00-08:00"}}, "hours"),
        ({"timezon": "America/Edmonton"}, "timezon"),
        ({"name": None}, "name"),
    ],
)
def test_bad_profile_is_one_line_naming_the_field_and_writes_nothing(
    fresh_db: DatabaseTarget, tmp_path: Path, change: dict[str, object], field: str
) -> None:
    data = profile("Bad Co") | change
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    result = run(["org", "create", "--profile", str(path), "--json"], fresh_db, tmp_path)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {field}"), lines[0]
    assert result.stdout == ""
    assert count(fresh_db, "organizations") == 0


def test_unreadable_and_malformed_profiles(fresh_db: DatabaseTarget, tmp_path: Path) -> None:
    missing = run(["org", "create", "--profile", str(tmp_path / "nope.yaml")], fresh_db, tmp_path)
    assert missing.returncode != 0 and "cannot read profile" in missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed")
    result = run(["org", "create", "--profile", str(broken)], fresh_db, tmp_path)
    assert result.returncode != 0 and "not valid YAML" in result.stderr


@pytest.mark.slow
def test_demo_creates_the_demo_business_and_can_run_twice(
    fresh_db: DatabaseTarget, tmp_path: Path
) -> None:
    for _ in range(2):
        result = run(["demo"], fresh_db, tmp_path)
        assert result.returncode == 0, result.stderr
        assert "owner@demoplumbing.example.com" in result.stderr
    assert count(fresh_db, "organizations") == 1
    assert count(fresh_db, "leads") == 4
    login = json.loads((tmp_path / "demo-login.json").read_text())
    assert oct((tmp_path / "demo-login.json").stat().st_mode & 0o777) == "0o600"
    assert login["email"] == "owner@demoplumbing.example.com"
