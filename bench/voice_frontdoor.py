"""Voice front door and a Gather turn under load, next to a bare signed-TwiML handler.

Two servers on loopback, one process each:

* ``tradeline serve`` (real: fresh data dir, embedded Postgres, migrated, a business created with
  ``tradeline org create``, ``TWILIO_AUTH_TOKEN`` set, in-process worker on);
* ``bare``: a minimal FastAPI app in this file, run by uvicorn in the same way, that parses the
  form, checks ``X-Twilio-Signature`` with the SDK's RequestValidator and returns static TwiML —
  the floor any signed TwiML endpoint in Python pays.

Workloads, each request signed by the SDK over its own URL and parameters (precomputed, since a
signature covers URL + parameters and wrk's Lua cannot do HMAC-SHA1):

* ``frontdoor``: ``POST /twilio/voice``, a new call each (distinct CallSid: the front door creates
  a call, a contact, a conversation and its first turn per CallSid), callers spread over many
  numbers (the front door admits 10 calls a minute per caller);
* ``gather``: ``POST /twilio/voice/gather``, the caller's first answer on calls opened beforehand
  ("my kitchen sink is leaking under the cabinet": a statement, not a question — the engine
  captures the job, creates the lead and asks the next question);
* ``bare``: the same front-door requests against the bare handler.

Measurements:

* latency at fixed rates, open loop (a request is sent on schedule whether or not the previous
  ones have answered; latency counts from the scheduled send time, so a stall is not hidden by
  the generator waiting), by a small asyncio HTTP/1.1 client over keep-alive connections — wrk 4
  is closed-loop and has no fixed-rate mode (that is wrk2). Two rates: ``--rate`` (200/s, the
  target) and ``--low-rate`` (50/s, below one process's saturation, to show the unloaded latency);
* maximum throughput of the one server process: ``wrk`` with a Lua script cycling through the
  precomputed requests, ``--connections`` keep-alive connections, for a fixed duration;
* CPU per request of the app process and of the embedded Postgres (postmaster and backends), from
  psutil before/after each measurement: the capacity figure that a busy shared machine blurs
  less than latency and throughput. The load average is recorded at start and end.

Usage::

    .venv/bin/python bench/voice_frontdoor.py [--seconds 15] [--rate 200] [--low-rate 50]
        [--connections 16] [--json]

Needs ``wrk`` on PATH (Debian: ``apt-get install wrk``). Everything is loopback; the data dir
is temporary and removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from twilio.request_validator import RequestValidator

TOKEN = "bench-" + "0" * 26
ACCOUNT_SID = "AC" + "0" * 32
ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
TRADELINE = str(Path(PYTHON).with_name("tradeline"))
STATIC_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/twilio/voice/gather" '
    'input="speech dtmf" method="POST"><Say>Thanks for calling.</Say></Gather></Response>'
)
SPEECH = "my kitchen sink is leaking under the cabinet"

# --- the bare handler --------------------------------------------------------------------------


def bare_app() -> FastAPI:
    """Signature check + static TwiML: what every signed TwiML endpoint costs at least."""
    app = FastAPI()
    validator = RequestValidator(TOKEN)

    @app.post("/twilio/voice")
    async def voice(request: Request) -> Response:
        form = await request.form()
        params = {k: v for k, v in form.items() if isinstance(v, str)}
        signature = request.headers.get("x-twilio-signature", "")
        if not validator.validate(str(request.url), params, signature):
            return PlainTextResponse("invalid signature", status_code=403)
        return Response(STATIC_TWIML, media_type="text/xml")

    return app


def run_bare(port: int) -> None:
    import uvicorn

    config = uvicorn.Config(
        bare_app(), host="127.0.0.1", port=port, log_config=None, access_log=False
    )
    uvicorn.Server(config).run()


# --- requests ----------------------------------------------------------------------------------


@dataclass
class Prepared:
    path: str
    body: str
    signature: str

    def raw(self, host: str) -> bytes:
        return (
            f"POST {self.path} HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {self.signature}\r\nContent-Length: {len(self.body)}\r\n\r\n"
            f"{self.body}"
        ).encode()


def _caller(i: int) -> str:
    # Distinct callers, spread over area codes: never 10 calls a minute from one number.
    area = (403, 587, 780, 825)[i % 4]
    return f"+1{area}555{(i // 4) % 10_000:04d}"


def prepare(
    base: str, path: str, business: str, count: int, *, offset: int, extra: dict[str, str]
) -> list[Prepared]:
    validator = RequestValidator(TOKEN)
    out = []
    for i in range(offset, offset + count):
        params = {
            "CallSid": f"CA{i:032x}",
            "AccountSid": ACCOUNT_SID,
            "From": _caller(i),
            "To": business,
            "CallStatus": "ringing" if path == "/twilio/voice" else "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            **extra,
        }
        out.append(
            Prepared(path, urlencode(params), validator.compute_signature(base + path, params))
        )
    return out


# --- open-loop generator -----------------------------------------------------------------------


@dataclass
class Result:
    name: str
    sent: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    match = re.search(rb"(?i)content-length:\s*(\d+)", head)
    if match:
        await reader.readexactly(int(match.group(1)))
    return status


async def open_loop(
    host: str, port: int, requests: list[Prepared], rate: float, connections: int, name: str
) -> Result:
    """Send len(requests) requests at `rate`/s on schedule; latency from the scheduled time."""
    result = Result(name)
    idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(await asyncio.open_connection(host, port))
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    pending: set[asyncio.Task[None]] = set()
    host_header = f"{host}:{port}"

    async def one(index: int, scheduled: float) -> None:
        reader, writer = await idle.get()
        try:
            writer.write(requests[index].raw(host_header))
            await writer.drain()
            status = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError):
            result.errors += 1
            writer.close()
            idle.put_nowait(await asyncio.open_connection(host, port))
            return
        result.latencies_ms.append((loop.time() - scheduled) * 1000)
        result.statuses[status] = result.statuses.get(status, 0) + 1
        idle.put_nowait((reader, writer))

    for index in range(len(requests)):
        scheduled = start + index / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(index, scheduled))
        pending.add(task)
        task.add_done_callback(pending.discard)
        result.sent += 1
    await asyncio.gather(*pending)
    while not idle.empty():
        _, writer = idle.get_nowait()
        writer.close()
    return result


# --- wrk ---------------------------------------------------------------------------------------

WRK_LUA = r"""
local requests = {}
local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(args[2])
  local f = io.open(args[1], "r")
  local i = 0
  for line in f:lines() do
    if i % nthreads == tid then
      local path, sig, body = line:match("^(%S+)\t(%S+)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", path, {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Twilio-Signature"] = sig,
      }, body)
    end
    i = i + 1
  end
  f:close()
  position = 0
  non2xx = 0
end

function request()
  position = position + 1
  if position > #requests then position = 1 end
  return requests[position]
end

function response(status, headers, body)
  if status ~= 200 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local out = io.stderr
  out:write(string.format("WRKJSON {\"requests\": %d, \"seconds\": %.3f, \"p50\": %.3f, \"p95\": %.3f, \"p99\": %.3f, \"errors\": %d}\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
"""


def run_wrk(
    url: str, requests: list[Prepared], seconds: int, connections: int, threads: int, work: Path
) -> dict[str, float]:
    """Maximum throughput: closed loop, `connections` keep-alive connections."""
    data = work / f"wrk-{secrets.token_hex(4)}.tsv"
    data.write_text(
        "".join(f"{r.path}\t{r.signature}\t{r.body}\n" for r in requests), encoding="utf-8"
    )
    script = work / "cycle.lua"
    script.write_text(WRK_LUA, encoding="utf-8")
    wrk = shutil.which("wrk") or "wrk"
    proc = subprocess.run(
        [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
            "--",
            str(data),
            str(threads),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"WRKJSON (\{.*\})", proc.stderr)
    if not match:
        raise RuntimeError(f"wrk printed no summary: {proc.stdout}\n{proc.stderr}")
    stats: dict[str, float] = json.loads(match.group(1))
    stats["rps"] = stats["requests"] / stats["seconds"]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", proc.stdout)
    stats["non2xx"] = int(non2xx.group(1)) if non2xx else 0
    return stats


# --- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code in (200, 404, 405):
                return
        time.sleep(0.3)
    raise RuntimeError(f"{url} not ready after {timeout} s")


@contextlib.contextmanager
def started(
    cmd: list[str], env: dict[str, str], ready_url: str, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_ready(ready_url, proc)
            yield proc
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


class CpuMeter:
    """CPU seconds used by the app process and by the embedded Postgres (postmaster and every
    backend, found again at each sample): per request, the capacity figure that contention on
    a shared machine does not blur the way latency and throughput are blurred."""

    def __init__(self, app_pid: int, pgdata: Path | None) -> None:
        import psutil

        self._psutil = psutil
        self.app = psutil.Process(app_pid)
        self.postmaster = None
        pidfile = pgdata / "postmaster.pid" if pgdata else None
        if pidfile is not None and pidfile.exists():
            self.postmaster = psutil.Process(int(pidfile.read_text().split()[0]))

    @staticmethod
    def _cpu(process: Any) -> float:
        try:
            times = process.cpu_times()
        except Exception:  # a backend that exited meanwhile: its time is lost, not fatal
            return 0.0
        return float(times.user + times.system)

    def sample(self) -> tuple[float, dict[int, float]]:
        db: dict[int, float] = {}
        if self.postmaster is not None:
            for process in [self.postmaster, *self.postmaster.children(recursive=True)]:
                db[process.pid] = self._cpu(process)
        return self._cpu(self.app), db


def measured(
    meter: CpuMeter, before: tuple[float, dict[int, float]], requests: int
) -> dict[str, float]:
    app, db = meter.sample()
    db_used = sum(cpu - before[1].get(pid, 0.0) for pid, cpu in db.items())
    n = max(1, requests)
    return {
        "app_cpu_ms_per_request": round((app - before[0]) / n * 1000, 3),
        "db_cpu_ms_per_request": round(db_used / n * 1000, 3),
    }


# --- the run -----------------------------------------------------------------------------------


def summarise(result: Result) -> dict[str, object]:
    return {
        "requests": result.sent,
        "errors": result.errors,
        "statuses": result.statuses,
        "p50_ms": round(result.percentile(50), 2),
        "p95_ms": round(result.percentile(95), 2),
        "p99_ms": round(result.percentile(99), 2),
        "max_ms": round(max(result.latencies_ms), 2) if result.latencies_ms else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15, help="per measurement")
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument(
        "--low-rate", type=float, default=50.0, help="a second fixed rate, below saturation"
    )
    # Below the app's pool (10 + 10 overflow): more concurrent requests than pooled connections
    # make SQLAlchemy open and close overflow connections all the time (a backend fork each).
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--open-connections", type=int, default=48, help="open-loop pool size")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--bare-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        run_bare(args.bare_server)
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")

    work = Path(tempfile.mkdtemp(prefix="tl-bench-voice-"))
    work.chmod(0o755)  # the embedded Postgres runs as its own user when we are root
    report: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "loadavg_start": os.getloadavg(),
        "rate": args.rate,
        "seconds": args.seconds,
    }
    env = {
        **os.environ,
        "TRADELINE_DATA_DIR": str(work / "var"),
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TRADELINE_LOG_LEVEL": "WARNING",
    }
    env.pop("TRADELINE_DATABASE_URL", None)
    env.pop("TRADELINE_PUBLIC_URL", None)
    try:
        profile = work / "profile.json"
        business = "+15875550142"
        profile.write_text(
            json.dumps(
                {
                    "name": "Bench Plumbing",
                    "phone_numbers": [business],
                    "timezone": "America/Edmonton",
                    "country": "CA",
                    "hours": dict.fromkeys(
                        ("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "00:00-24:00"
                    ),
                    "services": ["drain cleaning", "water heaters"],
                    "routing": {"on_call": "+14035550103"},
                }
            ),
            encoding="utf-8",
        )
        subprocess.run(
            [TRADELINE, "org", "create", "--profile", str(profile), "--json"],
            env=env,
            check=True,
            capture_output=True,
        )

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        rate, seconds = args.rate, args.seconds
        n_rate = int(rate * seconds)
        n_max = 40_000  # more than one process can answer in `seconds` with wrk: no CallSid repeats
        with started(
            [TRADELINE, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env,
            base + "/readyz",
            work / "serve.log",
        ) as proc:
            offset = 0
            results: dict[str, Any] = {}
            # warm-up: imports, pools, caches
            warm = prepare(base, "/twilio/voice", business, 300, offset=10_000_000, extra={})
            asyncio.run(open_loop("127.0.0.1", port, warm, 100, 16, "warm"))
            meter = CpuMeter(proc.pid, work / "var" / "pgdata")

            front = prepare(base, "/twilio/voice", business, n_rate, offset=offset, extra={})
            offset += n_rate
            before = meter.sample()
            r = asyncio.run(
                open_loop("127.0.0.1", port, front, rate, args.open_connections, "frontdoor")
            )
            results["frontdoor_fixed_rate"] = summarise(r) | measured(meter, before, r.sent)
            n_low = int(args.low_rate * seconds)
            low = prepare(base, "/twilio/voice", business, n_low, offset=offset, extra={})
            offset += n_low
            before = meter.sample()
            r = asyncio.run(
                open_loop("127.0.0.1", port, low, args.low_rate, args.open_connections, "front-low")
            )
            results["frontdoor_low_rate"] = summarise(r) | measured(meter, before, r.sent)

            maxed = prepare(base, "/twilio/voice", business, n_max, offset=offset, extra={})
            offset += n_max
            before = meter.sample()
            stats = run_wrk(base + "/twilio/voice", maxed, seconds, args.connections, 2, work)
            results["frontdoor_max"] = stats | measured(meter, before, int(stats["requests"]))
            # Gather turns need calls that exist: open them first (not measured).
            # Enough calls that the wrk run never answers the same call twice (a first answer
            # costs more than a repeat): the front door's own maximum bounds the gather's.
            n_low = int(args.low_rate * seconds)
            gather_calls = n_rate + n_low + int(results["frontdoor_max"]["rps"] * 10 * 1.5) + 500
            opener = prepare(
                base, "/twilio/voice", business, gather_calls, offset=20_000_000, extra={}
            )
            asyncio.run(open_loop("127.0.0.1", port, opener, 1_000_000, 32, "open-calls"))
            turns = prepare(
                base,
                "/twilio/voice/gather",
                business,
                gather_calls,
                offset=20_000_000,
                extra={"SpeechResult": SPEECH, "Confidence": "0.92"},
            )
            before = meter.sample()
            r = asyncio.run(
                open_loop("127.0.0.1", port, turns[:n_rate], rate, args.open_connections, "gather")
            )
            results["gather_fixed_rate"] = summarise(r) | measured(meter, before, r.sent)
            before = meter.sample()
            r = asyncio.run(
                open_loop(
                    "127.0.0.1",
                    port,
                    turns[n_rate : n_rate + n_low],
                    args.low_rate,
                    args.open_connections,
                    "gather-low",
                )
            )
            results["gather_low_rate"] = summarise(r) | measured(meter, before, r.sent)

            before = meter.sample()
            stats = run_wrk(
                base + "/twilio/voice/gather",
                turns[n_rate + n_low :],
                min(seconds, 10),
                args.connections,
                2,
                work,
            )
            results["gather_max"] = stats | measured(meter, before, int(stats["requests"]))

        bare_port = free_port()
        bare_base = f"http://127.0.0.1:{bare_port}"
        with started(
            [PYTHON, __file__, "--bare-server", str(bare_port)],
            env,
            bare_base + "/docs",
            work / "bare.log",
        ) as bare_proc:
            warm = prepare(bare_base, "/twilio/voice", business, 300, offset=10_000_000, extra={})
            asyncio.run(open_loop("127.0.0.1", bare_port, warm, 100, 16, "warm"))
            meter = CpuMeter(bare_proc.pid, None)
            bare = prepare(bare_base, "/twilio/voice", business, n_rate, offset=0, extra={})
            before = meter.sample()
            r = asyncio.run(
                open_loop("127.0.0.1", bare_port, bare, rate, args.open_connections, "bare")
            )
            results["bare_fixed_rate"] = summarise(r) | measured(meter, before, r.sent)
            before = meter.sample()
            stats = run_wrk(
                bare_base + "/twilio/voice",
                prepare(bare_base, "/twilio/voice", business, 20_000, offset=0, extra={}),
                seconds,
                args.connections,
                2,
                work,
            )
            results["bare_max"] = stats | measured(meter, before, int(stats["requests"]))
        report["results"] = results
        report["loadavg_end"] = os.getloadavg()
        front_max = float(results["frontdoor_max"]["rps"])
        bare_max = float(results["bare_max"]["rps"])
        report["frontdoor_vs_bare"] = round(front_max / bare_max, 3)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if args.json:
        print(json.dumps(report))
        return
    res = report["results"]
    print(
        f"cpus {report['cpus']}, load average {report['loadavg_start']} → {report['loadavg_end']}"
    )
    print(f"fixed rates for {args.seconds} s each (open loop), latency in ms, CPU ms per request:")
    print(
        f"{'workload':<16} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} "
        f"{'app cpu':>8} {'db cpu':>8}  statuses"
    )
    rows = [(f"{n} @{args.rate:.0f}", res[f"{n}_fixed_rate"]) for n in ("frontdoor", "gather")]
    rows += [(f"{n} @{args.low_rate:.0f}", res[f"{n}_low_rate"]) for n in ("frontdoor", "gather")]
    rows.append((f"bare @{args.rate:.0f}", res["bare_fixed_rate"]))
    for name, row in rows:
        print(
            f"{name:<16} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8} {row['max_ms']:>8} "
            f"{row['app_cpu_ms_per_request']:>8} {row['db_cpu_ms_per_request']:>8}  {row['statuses']}"
        )
    print(f"maximum throughput (wrk, {args.connections} connections):")
    for name in ("frontdoor", "gather", "bare"):
        row = res[f"{name}_max"]
        print(
            f"{name:<12} {row['rps']:>8.0f} req/s   p50 {row['p50']:.1f} ms  p99 {row['p99']:.1f} ms  "
            f"non-2xx {row['non2xx']}  app cpu {row['app_cpu_ms_per_request']} ms/req  "
            f"db cpu {row['db_cpu_ms_per_request']} ms/req"
        )
    print(f"front door / bare throughput: {report['frontdoor_vs_bare']}")


if __name__ == "__main__":
    main()
