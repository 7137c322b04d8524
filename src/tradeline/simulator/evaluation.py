"""`tradeline eval conversations`: play scenario files from outside, exactly as Twilio would,
against a freshly started `tradeline serve`, and score what the receptionist captured."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import yaml

from tradeline.simulator.player import TwilioPlayer

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class Check:
    scenario: str
    key: str
    passed: bool
    detail: str = ""


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    scenarios: dict[str, bool] = field(default_factory=dict)
    transcripts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def checks_passed(self) -> int:
        return sum(c.passed for c in self.checks)

    def per_field(self) -> dict[str, tuple[int, int]]:
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for check in self.checks:
            totals[check.key][0] += check.passed
            totals[check.key][1] += 1
        return {k: (v[0], v[1]) for k, v in sorted(totals.items())}

    def as_dict(self) -> dict[str, Any]:
        return {
            "checks_passed": self.checks_passed,
            "checks_total": len(self.checks),
            "scenarios_passed": sum(self.scenarios.values()),
            "scenarios_total": len(self.scenarios),
            "per_field": {k: {"passed": p, "total": t} for k, (p, t) in self.per_field().items()},
            "failures": [
                {"scenario": c.scenario, "key": c.key, "detail": c.detail}
                for c in self.checks
                if not c.passed
            ],
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _norm_name(value: Any) -> Any:
    return " ".join(str(value).lower().split()) if value is not None else None


def score(
    scenario: dict[str, Any],
    lead: dict[str, Any] | None,
    replies: list[str],
    opted_out: bool | None,
    zone: ZoneInfo,
    run_date: datetime,
) -> list[Check]:
    sid = scenario["id"]
    expect = scenario["expect"]
    checks: list[Check] = []
    got = lead or {}

    def add(key: str, ok: bool, detail: str) -> None:
        checks.append(Check(sid, key, ok, "" if ok else detail))

    for key in ("caller_name", "email", "callback_number"):
        if key in expect:
            want, have = expect[key], got.get(key)
            if key == "caller_name":
                ok = _norm_name(want) == _norm_name(have)
            elif key == "email":
                ok = (want.lower() if want else None) == (have.lower() if have else None)
            else:
                ok = want == have
            add(key, ok, f"want {want!r}, got {have!r}")
    if "emergency" in expect:
        add(
            "emergency",
            bool(got.get("emergency")) == expect["emergency"],
            f"want {expect['emergency']}, got {got.get('emergency')}",
        )
    for key, field_name in (("job_summary_any", "job_summary"), ("address_any", "address")):
        if key in expect:
            text = (got.get(field_name) or "").lower()
            add(
                key,
                any(w.lower() in text for w in expect[key]),
                f"want any of {expect[key]}, got {got.get(field_name)!r}",
            )
    if "preferred" in expect:
        pref = expect["preferred"]
        raw = got.get("preferred_datetime")
        local = datetime.fromisoformat(raw).astimezone(zone) if raw else None
        today = run_date.astimezone(zone).date()
        if "days_ahead" in pref:
            ok = local is not None and (local.date() - today).days == pref["days_ahead"]
            add("preferred.days_ahead", ok, f"want +{pref['days_ahead']} days, got {raw}")
        if "weekday" in pref:
            ok = (
                local is not None
                and WEEKDAYS[local.weekday()] == str(pref["weekday"]).lower()[:3]
                and 0 <= (local.date() - today).days <= 14
            )
            add("preferred.weekday", ok, f"want {pref['weekday']}, got {raw}")
        if "hour" in pref:
            add(
                "preferred.hour",
                local is not None and local.hour == pref["hour"],
                f"want {pref['hour']}h, got {raw}",
            )
        if "hour_range" in pref:
            a, b = pref["hour_range"]
            add(
                "preferred.hour_range",
                local is not None and a <= local.hour < b,
                f"want [{a},{b}), got {raw}",
            )
    for index, options in expect.get("reply_contains_any", {}).items():
        reply = replies[int(index)] if int(index) < len(replies) else ""
        add(
            "reply_contains_any",
            any(o.lower() in reply.lower() for o in options),
            f"turn {index}: want any of {options}, got {reply!r}",
        )
    if "opted_out" in expect:
        add(
            "opted_out",
            opted_out == expect["opted_out"],
            f"want {expect['opted_out']}, got {opted_out}",
        )
    return checks


@contextlib.contextmanager
def running_server(
    profile: Path, kb: Path | None, *, log_path: Path | None = None
) -> Iterator[tuple[str, str, str, str]]:
    """A fresh `tradeline serve` on a free port; yields (base_url, token, api_key, org_id)."""
    data_dir = Path(tempfile.mkdtemp(prefix="tl-eval-"))
    data_dir.chmod(0o755)  # the embedded server may run as its own system user
    token = secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRADELINE_", "TWILIO_"))}
    env |= {
        "TRADELINE_DATA_DIR": str(data_dir),
        "TWILIO_AUTH_TOKEN": token,
        "TRADELINE_LOG_LEVEL": "WARNING",
    }
    exe = [sys.executable, "-m", "tradeline.cli.main"]
    # Our own CLI, argv fixed here: nothing from outside reaches a shell.
    created = subprocess.run(  # noqa: S603
        [*exe, "org", "create", "--profile", str(profile), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if created.returncode != 0:
        raise RuntimeError(f"org create failed: {created.stderr.strip()}")
    org = json.loads(created.stdout)
    if kb is not None:
        ingested = subprocess.run(  # noqa: S603
            [*exe, "kb", "ingest", "--org", org["org_id"], str(kb), "--json"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if ingested.returncode != 0:
            raise RuntimeError(f"kb ingest failed: {ingested.stderr.strip()}")
    port = _free_port()
    log = (log_path or data_dir / "serve.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [*exe, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(
                    f"tradeline serve exited with {server.returncode}; log in {log.name}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError("tradeline serve did not become ready in 120 s")
        yield base, token, org["api_key"], org["org_id"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


async def play(
    base: str, token: str, api_key: str, profile: dict[str, Any], scenarios: list[dict[str, Any]]
) -> Report:
    report = Report()
    business = profile["phone_numbers"][0]
    zone = ZoneInfo(profile["timezone"])
    headers = {"Authorization": f"Bearer {api_key}"}
    async with httpx.AsyncClient(timeout=30) as client:
        player = TwilioPlayer(base, token, client)
        for scenario in scenarios:
            run_date = datetime.now(zone)
            replies: list[str] = []
            transcript: list[tuple[str, str]] = []
            if scenario["channel"] == "sms":
                for text in scenario["turns"]:
                    reply = await player.text(scenario["from"], business, text)
                    replies.append(reply)
                    transcript.append((text, reply))
            else:
                call = await player.start_call(scenario["from"], business)
                transcript.append(("", " ".join(call.heard)))
                for text in scenario["turns"]:
                    heard = await player.say(call, text)
                    replies.append(" ".join(heard))
                    transcript.append((text, " ".join(heard)))
                if not call.ended:
                    await player.hang_up(call)
            leads = (
                await client.get(
                    f"{base}/api/v1/leads", params={"phone": scenario["from"]}, headers=headers
                )
            ).json()
            lead = leads["items"][0] if leads.get("items") else None
            opted = None
            if "opted_out" in scenario["expect"]:
                status = await client.get(
                    f"{base}/api/v1/consent/status",
                    params={"phone": scenario["from"]},
                    headers=headers,
                )
                opted = bool(status.json().get("sms_opted_out"))
            checks = score(scenario, lead, replies, opted, zone, run_date)
            report.checks.extend(checks)
            report.scenarios[scenario["id"]] = all(c.passed for c in checks)
            report.transcripts[scenario["id"]] = transcript
    return report


def evaluate(profile_path: Path, kb: Path | None, scenarios_path: Path) -> Report:
    profile = yaml.safe_load(profile_path.read_text(encoding="utf-8"))
    scenarios = [
        json.loads(line)
        for line in scenarios_path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    with running_server(profile_path, kb) as (base, token, api_key, _):
        return asyncio.run(play(base, token, api_key, profile, scenarios))


def render(report: Report) -> str:
    lines = [
        f"checks passed: {report.checks_passed}/{len(report.checks)} ({100 * report.checks_passed / max(1, len(report.checks)):.1f} %)",
        f"scenarios passed: {sum(report.scenarios.values())}/{len(report.scenarios)}",
        "per field:",
    ]
    for key, (passed, total) in report.per_field().items():
        lines.append(f"  {key:<22} {passed}/{total}")
    failures = [c for c in report.checks if not c.passed]
    if failures:
        lines.append("failures:")
        lines.extend(f"  {c.scenario} {c.key}: {c.detail}" for c in failures)
    return "\n".join(lines)
