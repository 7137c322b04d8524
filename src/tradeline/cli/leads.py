"""`tradeline leads …`: import leads from a CSV file (rules: `tradeline.lead.csv_import`).

In-process, one transaction: with invalid rows nothing is written unless `--skip-invalid`.
The progress bar goes to stderr; `--json` prints the report as one JSON object on stdout.
Exit status 0 when the import committed, 1 when nothing was imported.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer

from tradeline.lead.schemas import ImportReport

leads_app = typer.Typer(no_args_is_help=True, help="Leads")


@leads_app.callback()
def leads() -> None:
    """Leads: import from CSV."""
    # A callback keeps `import` a subcommand even while it is the only one.


def describe(report: ImportReport) -> str:
    lines = [
        f"{report.rows} rows read: {report.imported} imported "
        f"({report.marketing_consent} with marketing consent), "
        f"{report.duplicates} duplicates skipped, {report.invalid} invalid"
    ]
    for issue in report.issues:
        where = f"row {issue.row}" + (f", {issue.field}" if issue.field else "")
        lines.append(f"  {issue.kind:<9} {where}: {issue.reason}")
    if report.issues_truncated:
        lines.append("  … more issues not listed")
    return "\n".join(lines)


@leads_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="CSV file (UTF-8, header row)")],
    org: Annotated[str, typer.Option("--org", help="organization id")],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="import the valid rows, report the others")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Import leads; duplicates (by phone or email) are skipped and reported."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    from tradeline.cli.main import fail, run_with_runtime, settings_for_cli
    from tradeline.db import tenant_session
    from tradeline.exceptions import NotFound
    from tradeline.lead.csv_import import import_csv, rejection
    from tradeline.models import Organization

    settings = settings_for_cli()
    try:
        org_id = uuid.UUID(org)
    except ValueError:
        fail(f"--org: {org!r} is not an organization id")
        return
    try:
        size = file.stat().st_size
        handle = file.open("rb")
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
        return
    console = Console(stderr=True)

    async def work(runtime: Any) -> ImportReport:
        async with tenant_session(runtime.maker, org_id) as session:
            organization = await session.get(Organization, org_id)
            if organization is None:
                raise NotFound(f"no business with id {org_id}")
            with Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=not console.is_terminal,
            ) as progress:
                task = progress.add_task(file.name[:40], total=size)
                return await import_csv(
                    session,
                    runtime.pii,
                    organization,
                    handle,
                    skip_invalid=skip_invalid,
                    progress=lambda done: progress.update(task, completed=done),
                    actor_type="cli",
                )

    with handle:
        report = run_with_runtime(settings, work)
    if as_json:
        sys.stdout.write(report.model_dump_json() + "\n")
    else:
        typer.echo(describe(report))
    if not report.committed:
        fail(rejection(report, "--skip-invalid"))
