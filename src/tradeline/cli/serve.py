"""`tradeline serve`: embedded or external Postgres, migrations, API + worker under uvicorn."""

from __future__ import annotations

import json
import signal
import sys
from types import FrameType

import typer
import uvicorn

from tradeline.config import Settings, twilio_auth_token
from tradeline.db import resolve_target, run_migrations
from tradeline.exceptions import ConfigurationError


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def run_server(settings: Settings, *, host: str, port: int, with_worker: bool) -> None:
    from tradeline.app import create_app

    try:
        target = resolve_target(settings)
    except ConfigurationError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    try:
        run_migrations(target.owner_url)
        token = twilio_auth_token(settings)
        app = create_app(settings, target=target, with_worker=with_worker)
        url = f"http://{host}:{port}"
        lines = [f"TradeLine is serving on {url}  (softphone: {url}/try, API docs: {url}/docs)"]
        if target.embedded is not None:
            lines.append(f"database: embedded PostgreSQL in {target.embedded.pgdata}")
        if settings.twilio_auth_token is None:
            lines.append(f"development Twilio auth token (signs the softphone's webhooks): {token}")
        login_file = settings.resolved_data_dir / "demo-login.json"
        if login_file.exists():
            login = json.loads(login_file.read_text(encoding="utf-8"))
            lines.append(f"demo login: {login['email']} / {login['password']}")
        for line in lines:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()
        config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False)
        # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal to whatever handler
        # was there before: make that an orderly exit so `finally` stops the embedded database.
        signal.signal(signal.SIGTERM, _exit_cleanly)
        uvicorn.Server(config).run()
    finally:
        target.release()
