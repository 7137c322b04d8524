"""Lighthouse scores of the signed-in dashboard (overview and leads), with Debian's Chromium.

Starts a fresh embedded Postgres (migrated by Alembic) in a temporary directory, seeds the
dashboard test world (demo business, calls and texts through signed webhooks), serves the app with
uvicorn on a loopback port, signs in over HTTP and hands the session cookie to Lighthouse with
`--extra-headers`. Each page is measured with Lighthouse's default mobile emulation (simulated
slow 4G, 4x CPU slowdown) and with the desktop preset; the median of `--runs` runs is reported.

Targets: performance >= 95, accessibility = 100. Not part of CI.

Usage::

    npm ci                       # lighthouse from package.json's devDependencies
    .venv/bin/python bench/lighthouse.py [--runs 3] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = Path("/usr/bin/chromium")
PAGES = {"overview": "/", "leads": "/leads"}
TARGETS = {"performance": 95, "accessibility": 100}


def sign_in(url: str, email: str, password: str) -> str:
    with httpx.Client(base_url=url) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        if token is None:
            raise SystemExit("no CSRF token on /login")
        response = client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token.group(1)}
        )
        if response.status_code != 303:
            raise SystemExit(f"sign-in failed: {response.status_code}")
        return response.cookies["tl_session"]


def lighthouse(url: str, cookie: str, preset: str, out: Path) -> dict[str, float]:
    command = [
        "node",
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility,best-practices",
        "--chrome-flags=--headless=new --no-sandbox",
        f"--extra-headers={json.dumps({'Cookie': f'tl_session={cookie}'})}",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": str(CHROMIUM)})
    report = json.loads(out.read_text(encoding="utf-8"))
    final = report.get("finalDisplayedUrl") or report.get("finalUrl", "")
    if "/login" in final:
        raise SystemExit(f"{url}: Lighthouse was sent to the sign-in page (cookie not accepted)")
    return {name: round(cat["score"] * 100) for name, cat in report["categories"].items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="keep the JSON reports here")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("lighthouse is missing: run `npm ci` at the repository root")
    if not CHROMIUM.exists():
        raise SystemExit("Chromium is missing at /usr/bin/chromium (apt-get install chromium)")

    sys.path.insert(0, str(ROOT))
    from tests.dashboard.live_server import start

    from tradeline.db import DatabaseTarget, run_migrations
    from tradeline.kit.embedded_postgres import start_embedded
    from tradeline.logging import configure_logging

    configure_logging("WARNING")
    work = Path(tempfile.mkdtemp(prefix="tl-lighthouse-"))
    work.chmod(0o755)  # the embedded server runs as its own user when we are root
    out_dir = args.out or work / "reports"
    out_dir.mkdir(parents=True, exist_ok=True)
    database = start_embedded(work / "pg")
    server = None
    try:
        url = database.url()
        run_migrations(url)
        server = start(work / "var", DatabaseTarget(owner_url=url, app_url=url, set_role=True))
        cookie = sign_in(server.url, server.world.admin_email, server.world.admin_password)
        results: dict[str, dict[str, dict[str, float]]] = {}
        for preset in ("mobile", "desktop"):
            for name, path in PAGES.items():
                runs = [
                    lighthouse(
                        server.url + path, cookie, preset, out_dir / f"{name}-{preset}-{i}.json"
                    )
                    for i in range(args.runs)
                ]
                results.setdefault(preset, {})[name] = {
                    category: statistics.median(run[category] for run in runs)
                    for category in runs[0]
                }
        print(json.dumps(results, indent=2))
        failed = [
            f"{preset}/{page}: {category} {score} < {TARGETS[category]}"
            for preset, pages in results.items()
            for page, scores in pages.items()
            for category, score in scores.items()
            if category in TARGETS and score < TARGETS[category]
        ]
        for line in failed:
            print("BELOW TARGET", line)
        (out_dir / "summary.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
        print(f"reports: {out_dir}")
        return 1 if failed else 0
    finally:
        if server is not None:
            server.stop()
        database.release()
        if args.out is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
