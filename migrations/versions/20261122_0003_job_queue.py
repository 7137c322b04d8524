"""job queue: procrastinate's schema, owned by migrations like every other table

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 20:41:00+00:00
"""

from collections.abc import Sequence

from alembic import op
from procrastinate.schema import SchemaManager

from tradeline.models.rls import APP_ROLE

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The SQL ships inside the pinned procrastinate wheel; a procrastinate upgrade adds a
    # migration here that runs the library's own migration files for that version.
    # Straight to psycopg with no parameters, so its '%' signs are not read as placeholders;
    # same connection, same transaction as the rest of the migration.
    raw = op.get_bind().connection.dbapi_connection
    if raw is None:
        raise RuntimeError("migration needs an open DBAPI connection")
    cursor = raw.cursor()
    try:
        cursor.execute(SchemaManager.get_schema())
    finally:
        cursor.close()
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {APP_ROLE}")


def downgrade() -> None:
    op.execute(
        "DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, procrastinate_workers CASCADE"
    )
