"""Engine, sessions and the tenant context.

Two walls keep businesses apart: repositories scope queries through `tenant_scope` helpers, and
Postgres row-level security (ENABLE + FORCE) filters on `app.org_id`, set with `set_config(...,
true)` — the SQL form of `SET LOCAL` — at the start of every transaction. The app runs as the
`tradeline_app` role (no owner rights, no BYPASSRLS); only migrations run as the owner.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from tradeline.config import Settings
from tradeline.exceptions import ConfigurationError
from tradeline.kit.embedded_postgres import EmbeddedPostgres, start_embedded

APP_ROLE = "tradeline_app"

# Settings the RLS policies read. Each narrow lookup opens exactly one row to the app role for
# the rest of the transaction (see migrations: the lookup policies).
ORG_SETTING = "app.org_id"
LOOKUP_NUMBER = "app.lookup_number"
LOOKUP_KEY_HASH = "app.lookup_key_hash"
LOOKUP_USER = "app.lookup_user"
OPERATOR = "app.operator"


@dataclass
class DatabaseTarget:
    """Where the database is, as the owner (migrations) and as the app role."""

    owner_url: str
    app_url: str
    set_role: bool
    embedded: EmbeddedPostgres | None = field(default=None, repr=False)

    def release(self) -> None:
        if self.embedded is not None:
            self.embedded.release()
            self.embedded = None


def resolve_target(settings: Settings) -> DatabaseTarget:
    """Start/attach the embedded server when no URL is configured; check pgvector either way."""
    embedded = None
    if settings.database_url:
        owner_url = _with_driver(settings.database_url)
    else:
        embedded = start_embedded(settings.resolved_data_dir)
        owner_url = embedded.url()
    target = DatabaseTarget(
        owner_url=owner_url,
        app_url=_with_driver(settings.app_database_url) if settings.app_database_url else owner_url,
        set_role=not settings.app_database_url,
        embedded=embedded,
    )
    try:
        check_server(owner_url)
    except Exception:
        target.release()
        raise
    return target


def _with_driver(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def check_server(owner_url: str) -> None:
    """Fail with one clear line when the server is too old or has no pgvector."""
    engine = create_engine(owner_url, pool_pre_ping=False)
    try:
        with engine.connect() as conn:
            version = int(conn.execute(text("SHOW server_version_num")).scalar_one())
            has_vector = conn.execute(
                text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
            ).first()
    finally:
        engine.dispose()
    where = make_url(owner_url).render_as_string(hide_password=True)
    if version < 150000:
        raise ConfigurationError(f"PostgreSQL at {where} is {version}; TradeLine needs 15 or newer")
    if has_vector is None:
        raise ConfigurationError(
            f"PostgreSQL at {where} has no pgvector extension: install pgvector on that server "
            "or unset TRADELINE_DATABASE_URL to use the embedded database"
        )


def migrations_dir() -> Path:
    """The Alembic scripts: inside the installed package, or at the checkout's root."""
    packaged = Path(__file__).parent / "_migrations"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "migrations"


def run_migrations(owner_url: str, revision: str = "heads") -> None:
    """Alembic upgrade as the owner; the only way tables are made."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["owner_url"] = owner_url
    command.upgrade(config, revision)


def create_app_engine(target: DatabaseTarget, *, pool_size: int = 10) -> AsyncEngine:
    connect_args: dict[str, object] = {}
    if target.set_role:
        # The role is set in the startup packet, before any statement can run as the owner.
        connect_args["options"] = f"-c role={APP_ROLE}"
    return create_async_engine(
        target.app_url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args=connect_args,
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


async def set_local(session: AsyncSession, name: str, value: str | None) -> None:
    """`SET LOCAL name = value` for the current transaction (bind-safe form)."""
    await session.execute(
        text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value or ""}
    )


async def set_org(session: AsyncSession, org_id: uuid.UUID | None) -> None:
    await set_local(session, ORG_SETTING, str(org_id) if org_id else None)


@asynccontextmanager
async def tenant_session(
    maker: async_sessionmaker[AsyncSession], org_id: uuid.UUID | None
) -> AsyncIterator[AsyncSession]:
    """One transaction scoped to one business; commits on success, rolls back on error."""
    async with maker() as session, session.begin():
        await set_org(session, org_id)
        yield session
