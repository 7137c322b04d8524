"""`make bench`: every benchmark in this folder, one after the other, each printing its own
report (percentiles and ratios against a baseline measured in the same run)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
# Cheapest first; the server-based ones start their own `tradeline serve`.
ORDER = (
    "crypto_throughput.py",
    "ratelimit_overhead.py",
    "conversation_turn.py",
    "job_latency.py",
    "knowledge_search.py",
    "sms_webhook.py",
    "voice_frontdoor.py",
)


def main() -> int:
    failed = []
    for name in ORDER:
        script = HERE / name
        if not script.exists():
            continue
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], check=False)
        print(
            f"--- {name}: exit {result.returncode} in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        if result.returncode:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
