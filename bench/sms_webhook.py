"""SMS webhook latency at a fixed arrival rate against a real `tradeline serve`.

A fresh data dir, the embedded Postgres, a free port, one business created with the CLI. Then an
open-loop generator (uvloop + aiohttp) fires requests at a fixed rate whatever the server's
pace, each signed like Twilio (`tradeline.integrations.twilio.signature.sign`, the SDK's
RequestValidator). Latency is counted from each request's *scheduled* send time, so a server
that falls behind shows it (no coordinated omission). Phases, in one run:

1. `GET /healthz` at the same rate: the baseline (HTTP stack + generator, no database);
2. `POST /twilio/sms` at the rate: distinct MessageSids, 400 customers texting realistic lines
   (service requests, names, addresses, questions, a few STOP/START/HELP), so threads, leads
   and the opt-out ledger grow as in production;
3. `GET /healthz` again (did the SMS phase leave the server slower?).

Usage::

    .venv/bin/python bench/sms_webhook.py [--rate 200] [--seconds 15] [--baseline-seconds 10]
                                          [--also 10,20]

`--also` adds SMS phases at lower rates (run before the main one; every SMS phase is followed by
a drain, so none inherits another's backlog), to show where one `tradeline serve` process stops
keeping up. "API CPU ms/req" is the server process's CPU time over the phase per request
answered; it is meaningful only for phases the server kept up with.

The generator shares the machine with the server: on a small box part of the figure is the
generator's own CPU, which the baseline phase shows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
import psutil
import uvloop

from tradeline.integrations.twilio.signature import sign

TOKEN = "bench-auth-token-" + uuid.uuid4().hex[:8]
ACCOUNT_SID = "AC" + "0" * 32
LINES = [
    "Hi, my kitchen sink is leaking under the cabinet",
    "It's Priya Sharma, you can reach me at 403-555-0199",
    "tomorrow at 3pm please",
    "The address is 14 Elm Street NW",
    "What are your hours on Saturday?",
    "Do you charge for estimates?",
    "My furnace is making a banging noise",
    "Bonjour, mon chauffe-eau fuit depuis ce matin",
    "Can you come Friday morning?",
    "my email is jordan.lee@example.com",
    "Is this a good number to text?",
    "The toilet won't stop running",
    "ok thanks",
    "How much for a new water heater?",
]
KEYWORDS = ["STOP", "START", "HELP"]
# Twilio gives a webhook 15 s in all, then fails over: a slower answer is an error here too.
TWILIO_BUDGET_S = 15.0
MAX_IN_FLIGHT = 1000


@dataclass
class Phase:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    lag_ms: list[float] = field(default_factory=list)  # the generator's own lateness
    errors: int = 0  # non-200, wrong body, over Twilio's 15 s, or dropped
    dropped: int = 0
    why: Counter[str] = field(default_factory=Counter)
    sent: int = 0
    api_cpu_ms: float = 0.0  # CPU the `tradeline serve` process used during the phase
    db_cpu_ms: float = 0.0  # CPU the embedded Postgres processes used
    seconds: float = 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tradeline.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    with httpx.Client() as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"tradeline serve exited with {server.returncode}")
            try:
                if client.get(base + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
    raise RuntimeError("tradeline serve did not become ready")


async def open_loop(
    client: aiohttp.ClientSession,
    phase: Phase,
    rate: float,
    seconds: float,
    make_request: object,
    meters: Meters | None = None,
) -> None:
    """Fire request i at t0 + i/rate, whatever happened to the earlier ones.

    Each request has Twilio's whole budget (15 s, connection included) and no more: slower is an
    error. At most MAX_IN_FLIGHT requests are outstanding; past that a request is counted as
    dropped (an error) instead of piling up in the generator, so a saturated server still ends
    the phase on time.
    """
    total = int(rate * seconds)
    clock = time.perf_counter  # the loop's clock ticks in whole milliseconds under uvloop
    t0 = clock() + 0.2
    in_flight = 0

    async def one(i: int) -> None:
        nonlocal in_flight
        due = t0 + i / rate
        delay = due - clock()
        if delay > 0:
            await asyncio.sleep(delay)
        phase.lag_ms.append(max(0.0, clock() - due) * 1000)
        phase.sent += 1
        if in_flight >= MAX_IN_FLIGHT:
            phase.errors += 1
            phase.dropped += 1
            return
        in_flight += 1
        method, url, data, headers, ok = make_request(i)  # type: ignore[operator]
        try:
            async with client.request(method, url, data=data, headers=headers) as response:
                text = await response.text()
            good = response.status == 200 and ok(text)
            if not good:
                phase.why[f"HTTP {response.status}"] += 1
        except (aiohttp.ClientError, TimeoutError) as exc:
            good = False
            phase.why[type(exc).__name__] += 1
        finally:
            in_flight -= 1
        phase.latencies_ms.append((clock() - due) * 1000)
        phase.errors += not good

    note(f"{phase.name}: {total} requests")
    before = meters.sample() if meters else (0.0, 0.0)
    tasks = [asyncio.create_task(one(i)) for i in range(total)]
    started = time.perf_counter()
    await asyncio.gather(*tasks)
    phase.seconds = time.perf_counter() - started
    if meters:
        after = meters.sample()
        served = max(1, len(phase.latencies_ms))
        phase.api_cpu_ms = (after[0] - before[0]) * 1000 / served
        phase.db_cpu_ms = (after[1] - before[1]) * 1000 / served
    note(f"{phase.name}: done in {phase.seconds:.1f}s, {phase.errors} errors {dict(phase.why)}")


@dataclass
class Meters:
    """CPU time of the server process and of its embedded Postgres (every backend)."""

    server_pid: int
    data_dir: Path

    def sample(self) -> tuple[float, float]:
        api = psutil.Process(self.server_pid).cpu_times()
        db = 0.0
        for proc in psutil.process_iter(["cmdline"]):
            try:
                cmdline = " ".join(proc.info["cmdline"] or [])
                if "postgres" in cmdline and str(self.data_dir) in cmdline:
                    db += sum(proc.cpu_times()[:4])  # with its exited backends
                    db += sum(sum(c.cpu_times()[:2]) for c in proc.children(recursive=True))
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return api.user + api.system, db


async def drain(client: aiohttp.ClientSession, base: str, limit_s: float = 300) -> None:
    """Wait until the server has worked off its backlog: five quick health checks in a row."""
    loop = asyncio.get_running_loop()
    deadline, quick = loop.time() + limit_s, 0
    while quick < 5 and loop.time() < deadline:
        started = loop.time()
        try:
            async with client.get(base + "/healthz") as response:
                await response.read()
            quick = quick + 1 if loop.time() - started < 0.05 else 0
        except (aiohttp.ClientError, TimeoutError):
            quick = 0
        await asyncio.sleep(0.5)
    note(f"drained ({'yes' if quick >= 5 else 'gave up'})")


def note(message: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def report(phase: Phase) -> str:
    ms = phase.latencies_ms
    return (
        f"| {phase.name} | {phase.sent} | {phase.sent / phase.seconds:.0f} | {pct(ms, 0.5):.1f} | "
        f"{pct(ms, 0.95):.1f} | {pct(ms, 0.99):.1f} | {max(ms):.1f} | {phase.errors} "
        f"({phase.dropped} dropped) | {pct(phase.lag_ms, 0.99):.1f} | "
        f"{phase.api_cpu_ms:.1f} | {phase.db_cpu_ms:.1f} |"
    )


def profile_json(business: str) -> str:
    return json.dumps(
        {
            "name": "Bench Plumbing",
            "phone_numbers": [business],
            "timezone": "America/Edmonton",
            "country": "CA",
            "languages": ["en", "fr"],
            "hours": dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "08:00-17:00"),
            "service_area": ["Calgary"],
            "routing": {"on_call": "+14035550103"},
            "faq": [{"q": "Do you charge for estimates?", "a": "Estimates are free."}],
        }
    )


async def load(
    base: str,
    business: str,
    rate: float,
    seconds: float,
    baseline_seconds: float,
    also: list[float],
    meters: Meters,
) -> list[Phase]:
    customers = [f"+1403555{n:04d}" for n in range(2000, 2400)]
    rng = random.Random(20261122)
    sms_url = base + "/twilio/sms"

    def sms_request(i: int) -> tuple[str, str, dict[str, str], dict[str, str], object]:
        body = rng.choice(KEYWORDS) if rng.random() < 0.02 else rng.choice(LINES)
        sid = "SM" + uuid.uuid4().hex
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": ACCOUNT_SID,
            "From": rng.choice(customers),
            "To": business,
            "Body": body,
            "NumMedia": "0",
        }
        headers = {"X-Twilio-Signature": sign(TOKEN, sms_url, params)}
        return "POST", sms_url, params, headers, lambda text: "<Response" in text

    def health_request(i: int) -> tuple[str, str, None, dict[str, str], object]:
        return "GET", base + "/healthz", None, {}, lambda text: "ok" in text

    connector = aiohttp.TCPConnector(limit=MAX_IN_FLIGHT)
    budget = aiohttp.ClientTimeout(total=TWILIO_BUDGET_S)
    async with aiohttp.ClientSession(connector=connector, timeout=budget) as client:
        await open_loop(client, Phase("warm-up"), 20, 5, sms_request)
        baseline = Phase(f"GET /healthz at {rate:.0f}/s (baseline)")
        await open_loop(client, baseline, rate, baseline_seconds, health_request, meters)
        phases = [baseline]
        # Slower rates first, each followed by a drain: no phase inherits another's backlog.
        for other in [*sorted(also), rate]:
            phase = Phase(f"POST /twilio/sms at {other:.0f}/s")
            await open_loop(client, phase, other, seconds, sms_request, meters)
            phases.append(phase)
            await drain(client, base)
        after = Phase(f"GET /healthz at {rate:.0f}/s (after)")
        await open_loop(client, after, rate, baseline_seconds, health_request, meters)
        phases.append(after)
    return phases


def run(rate: float, seconds: float, baseline_seconds: float, also: list[float]) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="tl-bench-sms-"))
    data_dir.chmod(0o755)  # the embedded server runs as its own user when we are root
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRADELINE_", "TWILIO_"))}
    env.update(
        TRADELINE_DATA_DIR=str(data_dir),
        TRADELINE_PUBLIC_URL=base,
        TWILIO_AUTH_TOKEN=TOKEN,
        TRADELINE_LOG_LEVEL="WARNING",
    )
    log = (data_dir / "serve.log").open("wb")
    command = [sys.executable, "-m", "tradeline.cli.main", "serve", "--host", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        note(f"starting tradeline serve on {base}")
        wait_ready(base, server)
        note("ready")
        business = f"+1587555{random.randrange(10_000):04d}"
        profile = data_dir / "profile.json"
        profile.write_text(profile_json(business))
        cli(env, "org", "create", "--profile", str(profile), "--json")
        meters = Meters(server.pid, data_dir)
        phases = uvloop.run(load(base, business, rate, seconds, baseline_seconds, also, meters))
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end of the run")
        print(
            "| phase | requests | achieved req/s | p50 ms | p95 ms | p99 ms | max ms | errors "
            "| generator lag p99 ms | API CPU ms/req | Postgres CPU ms/req |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for phase in phases:
            print(report(phase))
        health = phases[0].latencies_ms
        for phase in phases[1:-1]:
            sms = phase.latencies_ms
            ratios = " / ".join(f"{pct(sms, q) / pct(health, q):.1f}x" for q in (0.5, 0.95, 0.99))
            print(f"{phase.name} over the healthz baseline, p50 / p95 / p99: {ratios}")
    finally:
        note("stopping the server")
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--baseline-seconds", type=float, default=10)
    parser.add_argument("--also", default="", help="extra SMS rates, comma-separated")
    args = parser.parse_args()
    also = [float(r) for r in args.also.split(",") if r.strip()]
    run(args.rate, args.seconds, args.baseline_seconds, also)


if __name__ == "__main__":
    main()
