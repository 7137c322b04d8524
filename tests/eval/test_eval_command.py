"""`tradeline eval conversations` run as users run it, with floors that must not regress.

Own scenarios (written without seeing the public set, tests/eval/README.md) and, where
`../shared/eval` sits beside the checkout (CI), the public sample. Each run starts a real
`tradeline serve` on a fresh embedded database and plays every scenario over TCP, signed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SHARED = HERE.parents[2] / "shared" / "eval"

# Floors: measured figure minus a small margin (docs/PERFORMANCE.md has the latest figures).
OWN_FLOORS = {
    "northern-current-electric": 0.97,  # 184/184
    "confort-capitale": 0.96,  # 162/165
    "mile-high-drain": 0.97,  # 163/163
    # Written blind to the code (tests/eval/README.md has the first-run figures).
    "harbourline-lock-door": 0.97,  # 178/179
    "bluenose-roofing": 0.95,  # 151/155
}
PUBLIC_FLOOR = 0.97  # the target for the public set


def run_eval(profile: Path, kb: Path | None, scenarios: Path) -> dict[str, object]:
    args = [
        sys.executable,
        "-m",
        "tradeline.cli.main",
        "eval",
        "conversations",
        "--profile",
        str(profile),
        "--scenarios",
        str(scenarios),
        "--json",
    ]
    if kb is not None:
        args += ["--kb", str(kb)]
    result = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    report: dict[str, object] = json.loads(result.stdout)
    return report


def ratio(report: dict[str, object]) -> float:
    passed, total = report["checks_passed"], report["checks_total"]
    assert isinstance(passed, int) and isinstance(total, int)
    return passed / max(1, total)


@pytest.mark.slow
@pytest.mark.parametrize("business", sorted(OWN_FLOORS))
def test_own_scenarios(business: str) -> None:
    folder = HERE / "businesses" / business
    report = run_eval(
        folder / "profile.yaml", folder / "kb", HERE / "scenarios" / f"{business}.jsonl"
    )
    assert ratio(report) >= OWN_FLOORS[business], json.dumps(report["failures"], indent=1)


@pytest.mark.slow
def test_public_scenarios() -> None:
    if not SHARED.exists():
        pytest.skip("../shared/eval is not beside this checkout")
    report = run_eval(SHARED / "profile.yaml", SHARED / "kb", SHARED / "conversations-public.jsonl")
    assert ratio(report) >= PUBLIC_FLOOR, json.dumps(report["failures"], indent=1)
    failures = report["failures"]
    assert isinstance(failures, list)
    # Every opt-out check and every "null means never invent" check must pass.
    assert [f for f in failures if f["key"] == "opted_out"] == []
    assert [f for f in failures if "want None" in f["detail"]] == []


def test_no_public_scenario_text_in_the_source() -> None:
    if not SHARED.exists():
        pytest.skip("../shared/eval is not beside this checkout")
    source = "\n".join(
        p.read_text(encoding="utf-8") for p in (HERE.parents[1] / "src").rglob("*.py")
    ).lower()
    for line in (SHARED / "conversations-public.jsonl").read_text(encoding="utf-8").splitlines():
        for turn in json.loads(line)["turns"]:
            if len(turn) > 12:
                assert turn.lower() not in source, turn
