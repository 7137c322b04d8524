"""`tradeline kb …` (CONTRACTS §1): ingest files or folders into a business's knowledge base.

In-process (no worker), one transaction: when the command returns, everything is searchable; on
bad input nothing is written (every file is read and parsed before the database is touched).
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer

from tradeline.knowledge.extract import EXTENSIONS

kb_app = typer.Typer(no_args_is_help=True, help="Knowledge base")


@kb_app.callback()
def kb() -> None:
    """Knowledge base: documents the receptionist answers from."""
    # A callback keeps `ingest` a subcommand even while it is the only one.


def collect_files(paths: list[Path]) -> list[Path]:
    """Files named on the command line, and the supported files under named folders (sorted);
    a missing path or an unsupported file named explicitly is an error."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in EXTENSIONS and not p.name.startswith(".")
                )
            )
        elif path.is_file():
            if path.suffix.lower() not in EXTENSIONS:
                raise ValueError(f"{path}: unsupported file type (use .md .txt .html .pdf)")
            found.append(path)
        else:
            raise ValueError(f"{path}: no such file or folder")
    unique = list(dict.fromkeys(p.resolve() for p in found))
    if not unique:
        raise ValueError("no .md, .txt, .html or .pdf files found in the given paths")
    return unique


@kb_app.command("ingest")
def ingest(
    org: Annotated[str, typer.Option("--org", help="organization id")],
    paths: Annotated[list[Path], typer.Argument(help="files or folders: .md .txt .html .pdf")],
    as_json: Annotated[
        bool, typer.Option("--json", help='print {"sources": int, "chunks": int}')
    ] = False,
) -> None:
    """Ingest documents; returns once they are searchable."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from tradeline.cli.main import fail, run_with_runtime, settings_for_cli
    from tradeline.db import tenant_session
    from tradeline.exceptions import NotFound, TradeLineError
    from tradeline.knowledge import service
    from tradeline.models import Organization

    settings = settings_for_cli()
    try:
        org_id = uuid.UUID(org)
    except ValueError:
        fail(f"--org: {org!r} is not an organization id")
        return
    try:
        files = collect_files(paths)
    except ValueError as exc:
        fail(str(exc))
        return
    prepared: list[service.Prepared] = []
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            fail(f"cannot read {path}: {exc.strerror}")
            return
        try:
            prepared.append(service.prepare_file(data, path.name, path.as_uri()))
        except TradeLineError as exc:
            fail(f"{path}: {exc.detail}")
            return

    console = Console(stderr=True)

    async def work(runtime: Any) -> tuple[int, int]:
        embedder = service.embedder_for(runtime)
        total = sum(len(p.drafts) for p in prepared)
        async with tenant_session(runtime.maker, org_id) as session:
            if await session.get(Organization, org_id) is None:
                raise NotFound(f"no business with id {org_id}")
            with Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=not console.is_terminal,
            ) as progress:
                task = progress.add_task("embedding chunks", total=total)
                results = await service.store_many(
                    session,
                    org_id,
                    prepared,
                    embedder,
                    progress=lambda n: progress.advance(task, n),
                )
        sources = {r.source_id for r in results if r.source_id is not None}
        return len(sources), sum(r.chunks for r in results)

    sources, chunks = run_with_runtime(settings, work)
    if as_json:
        sys.stdout.write(json.dumps({"sources": sources, "chunks": chunks}) + "\n")
    else:
        typer.echo(f"{sources} sources, {chunks} chunks searchable")
