"""`tradeline serve` on the embedded database: CLI commands share it, data survives a restart,
the server stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.factories import profile

EXE = [sys.executable, "-m", "tradeline.cli.main"]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRADELINE_", "TWILIO_"))}
    return env | {"TRADELINE_DATA_DIR": str(data_dir)}


def _serve(data_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [*EXE, "serve", "--port", str(port), "--no-worker"],
            env=_env(data_dir),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    pytest.fail("serve did not become ready")


def _postmaster_pid(data_dir: Path) -> int | None:
    pid_file = data_dir / "pgdata" / "postmaster.pid"
    return int(pid_file.read_text().split()[0]) if pid_file.exists() else None


@pytest.mark.slow
def test_cli_shares_the_running_database_and_data_survives_restart(tmp_path: Path) -> None:
    # The embedded server runs as its own system user when we are root: its directory must be
    # reachable, which pytest's private tmp_path is not.
    data_dir = Path(tempfile.mkdtemp(prefix="tl-serve-"))
    data_dir.chmod(0o755)
    port = _port()
    log = tmp_path / "serve.log"
    server = _serve(data_dir, port, log)
    pid = _postmaster_pid(data_dir)
    assert pid is not None
    printed = log.read_text()
    assert f"http://127.0.0.1:{port}" in printed and "Twilio auth token" in printed

    spec = tmp_path / "p.yaml"
    spec.write_text(yaml.safe_dump(profile("Shared Co", numbers=["+15875550177"])))
    created = subprocess.run(
        [*EXE, "org", "create", "--profile", str(spec), "--json"],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    key = json.loads(created.stdout)["api_key"]
    assert _postmaster_pid(data_dir) == pid  # attached to the server's database, no second one
    assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
    assert (
        httpx.get(
            f"http://127.0.0.1:{port}/api/v1/profile", headers={"Authorization": f"Bearer {key}"}
        ).json()["name"]
        == "Shared Co"
    )

    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=60) == 0
    deadline = time.monotonic() + 30
    while _postmaster_pid(data_dir) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _postmaster_pid(data_dir) is None  # the last holder stopped the server cleanly

    server = _serve(data_dir, port, tmp_path / "serve2.log")
    try:
        again = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/profile", headers={"Authorization": f"Bearer {key}"}
        )
        assert again.status_code == 200 and again.json()["name"] == "Shared Co"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
