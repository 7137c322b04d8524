"""Alembic environment: migrations run as the database owner, never as the app role."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool

from tradeline.config import get_settings
from tradeline.db import resolve_target
from tradeline.models import Base

config = context.config
target_metadata = Base.metadata

# Tables made by migrations from SQL we do not model in the ORM (procrastinate's queue).
UNMODELLED_PREFIXES = ("procrastinate_",)


def include_name(name: str | None, type_: str, _parent: Any) -> bool:
    if type_ == "table" and name is not None:
        return not name.startswith(UNMODELLED_PREFIXES)
    return True


def run_migrations_online() -> None:
    url = config.attributes.get("owner_url")
    target = None
    if url is None:
        target = resolve_target(get_settings())
        url = target.owner_url
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                include_name=include_name,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
        if target is not None:
            target.release()


run_migrations_online()
