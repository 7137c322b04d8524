"""maintenance policies: purge expired idempotency keys across businesses

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 21:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The periodic cleanup runs with no tenant set; this opens exactly the expired rows, only
    # for DELETE, only when the job declares itself.
    op.execute(
        "CREATE POLICY purge_expired ON idempotency_keys FOR DELETE "
        "USING (expires_at < now() AND current_setting('app.maintenance', true) = 'purge_idempotency')"
    )
    op.execute(
        "CREATE POLICY purge_expired_select ON idempotency_keys FOR SELECT "
        "USING (expires_at < now() AND current_setting('app.maintenance', true) = 'purge_idempotency')"
    )


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS purge_expired ON idempotency_keys")
    op.execute("DROP POLICY IF EXISTS purge_expired_select ON idempotency_keys")
