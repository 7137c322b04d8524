"""The `tradeline` command (CONTRACTS §1). Logs and progress go to stderr; --json to stdout."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from tradeline.config import Settings, get_settings
from tradeline.exceptions import ConfigurationError, TradeLineError
from tradeline.logging import configure_logging

app = typer.Typer(no_args_is_help=True, add_completion=False, help="TradeLine AI receptionist")
db_app = typer.Typer(no_args_is_help=True, help="Database")
org_app = typer.Typer(no_args_is_help=True, help="Businesses")
user_app = typer.Typer(no_args_is_help=True, help="Dashboard users")
keys_app = typer.Typer(no_args_is_help=True, help="PII encryption keys")
app.add_typer(db_app, name="db")
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
app.add_typer(keys_app, name="keys")


def _register_subcommands() -> None:
    # Domain CLIs live beside their domain; imported lazily to keep `tradeline --help` fast.
    from tradeline.cli.leads import leads_app
    from tradeline.knowledge.cli import kb_app

    app.add_typer(kb_app, name="kb")
    app.add_typer(leads_app, name="leads")


_register_subcommands()

T = TypeVar("T")


def fail(message: str, code: int = 1) -> None:
    """One line on stderr and a non-zero status (CONTRACTS §1)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def settings_for_cli() -> Settings:
    settings = get_settings()
    configure_logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
    return settings


def run_with_runtime(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Attach to (or start for our duration) the database, migrate, run `work(runtime)`."""
    from tradeline.db import resolve_target, run_migrations
    from tradeline.runtime import build_runtime

    try:
        target = resolve_target(settings)
    except ConfigurationError as exc:
        fail(exc.detail)
        raise  # unreachable; keeps type checkers honest
    try:
        run_migrations(target.owner_url)

        async def main() -> T:
            runtime = build_runtime(settings, target)
            try:
                return await work(runtime)
            finally:
                await runtime.close()

        return asyncio.run(main())
    except TradeLineError as exc:
        fail(exc.detail)
        raise
    finally:
        target.release()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Alembic upgrade to head."""
    from tradeline.db import resolve_target, run_migrations

    settings = settings_for_cli()
    try:
        target = resolve_target(settings)
    except ConfigurationError as exc:
        fail(exc.detail)
        return
    try:
        run_migrations(target.owner_url)
    finally:
        target.release()
    typer.echo("database is at the latest schema", err=True)


@org_app.command("create")
def org_create(
    profile: Annotated[Path, typer.Option("--profile", help="YAML or JSON business profile")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Create a business from a profile file, map its numbers, make an admin API key."""
    from tradeline.db import tenant_session
    from tradeline.organization.service import create_organization, load_profile_file

    settings = settings_for_cli()
    try:
        spec = load_profile_file(profile)  # validated before anything starts or is written
    except TradeLineError as exc:
        fail(exc.detail)
        return

    async def work(runtime: Any) -> Any:
        async with tenant_session(runtime.maker, None) as session:
            return await create_organization(session, spec, runtime)

    created = run_with_runtime(settings, work)
    out = {
        "org_id": str(created.org_id),
        "api_key": created.api_key,
        "phone_numbers": created.phone_numbers,
    }
    if as_json:
        sys.stdout.write(json.dumps(out) + "\n")
    else:
        typer.echo(f"created {spec.name}: org {created.org_id}")
        typer.echo(f"admin API key (shown once): {created.api_key}")


@user_app.command("create")
def user_create(
    org: Annotated[str, typer.Option("--org", help="organization id")],
    email: Annotated[str, typer.Option("--email")],
    password: Annotated[str, typer.Option("--password")],
    role: Annotated[str, typer.Option("--role", help="admin | moderator | member")] = "member",
    operator: Annotated[
        bool, typer.Option("--operator", help="platform operator (/admin)")
    ] = False,
) -> None:
    """Create a dashboard user in a business."""
    import uuid

    from email_validator import EmailNotValidError, validate_email

    from tradeline.auth.schemas import Role
    from tradeline.auth.service import create_user
    from tradeline.db import tenant_session
    from tradeline.exceptions import NotFound
    from tradeline.models import Organization

    settings = settings_for_cli()
    try:
        address = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        fail(f"--email: {exc}")
        return
    try:
        org_id = uuid.UUID(org)
    except ValueError:
        fail(f"--org: {org!r} is not an organization id")
        return
    try:
        parsed_role = Role(role)
    except ValueError:
        fail("--role: one of admin, moderator, member")
        return
    if len(password) < 10:
        fail("--password: use at least 10 characters")

    async def work(runtime: Any) -> None:
        async with tenant_session(runtime.maker, org_id) as session:
            if await session.get(Organization, org_id) is None:
                raise NotFound(f"no business with id {org_id}")
            await create_user(
                session,
                org_id,
                email=address,
                password=password,
                role=parsed_role,
                operator=operator,
            )

    run_with_runtime(settings, work)
    typer.echo(
        f"created user {address} ({parsed_role.value}{', operator' if operator else ''})", err=True
    )


@keys_app.command("rotate")
def keys_rotate(
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, max=10_000)] = 500,
) -> None:
    """Make a new primary PII key (development) and re-encrypt every row in resumable batches."""
    from tradeline.privacy.rotation import prepare_rotation, rotate_all

    settings = settings_for_cli()
    prepare_rotation(settings)

    async def work(runtime: Any) -> int:
        return await rotate_all(runtime, batch_size=batch_size)

    done = run_with_runtime(settings, work)
    typer.echo(f"re-encrypted {done} values; every row is on the primary key", err=True)


@app.command("demo")
def demo() -> None:
    """(Re)create the demo business (number +15875550100) with a dashboard login."""
    from tradeline.organization.demo import seed_demo

    settings = settings_for_cli()

    async def work(runtime: Any) -> Any:
        return await seed_demo(runtime)

    login = run_with_runtime(settings, work)
    typer.echo(f"demo business ready: sign in as {login.email} / {login.password}", err=True)


@app.command("call")
def call(
    from_: Annotated[str, typer.Option("--from", help="caller number")] = "+14035550123",
    to: Annotated[str, typer.Option("--to", help="business number")] = "+15875550100",
    url: Annotated[str, typer.Option("--url", help="the running server")] = "http://127.0.0.1:8000",
) -> None:
    """Interactive softphone against a running server, signed like Twilio."""
    import httpx

    from tradeline.config import twilio_auth_token
    from tradeline.simulator.console import run_console

    settings = settings_for_cli()
    try:
        asyncio.run(run_console(url, twilio_auth_token(settings), from_, to))
    except (OSError, RuntimeError, httpx.HTTPError) as exc:
        fail(f"cannot reach {url}: {exc}")


eval_app = typer.Typer(no_args_is_help=True, help="Evaluation")
app.add_typer(eval_app, name="eval")


@eval_app.command("conversations")
def eval_conversations(
    profile: Annotated[Path, typer.Option("--profile")],
    scenarios: Annotated[Path, typer.Option("--scenarios")],
    kb: Annotated[Path | None, typer.Option("--kb")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Play caller scenarios against a fresh `tradeline serve`, as Twilio would, and score them."""
    from tradeline.simulator.evaluation import evaluate, render

    settings_for_cli()
    try:
        report = evaluate(profile, kb, scenarios)
    except (RuntimeError, OSError, ValueError) as exc:
        fail(str(exc))
        return
    if as_json:
        sys.stdout.write(json.dumps(report.as_dict()) + "\n")
    else:
        typer.echo(render(report))


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="no in-process job worker")
    ] = False,
) -> None:
    """API, dashboard and (unless --no-worker) the job worker."""
    from tradeline.cli.serve import run_server

    run_server(settings_for_cli(), host=host, port=port, with_worker=not no_worker)


@app.command("worker")
def worker(
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=64)] = 4,
) -> None:
    """Job worker only (scale-out)."""
    from tradeline.worker.service import run_worker_process

    try:
        run_worker_process(settings_for_cli(), concurrency=concurrency)
    except ConfigurationError as exc:
        fail(exc.detail)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
