"""voice: call recordings (retention purge), dedupe keys on the call timeline

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-22 23:00:00+00:00

`call_events.dedupe_key` makes callbacks that carry no sequence idempotent (recording status
events, status callbacks without `SequenceNumber`, the post-call follow-up marker): unique per
call, NULL for ordinary timeline rows (NULLs never conflict). `call_recordings` keeps every
recording Twilio holds for a business until the retention purge has deleted it there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tradeline.models.rls import enable_tenant_rls, grant_app

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("call_events", sa.Column("dedupe_key", sa.String(length=100), nullable=True))
    op.create_index("uq_call_events_dedupe", "call_events", ["call_id", "dedupe_key"], unique=True)
    op.create_table(
        "call_recordings",
        sa.Column("call_id", sa.UUID(), nullable=True),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("recording_sid", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name="fk_call_recordings_call_id_calls",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_call_recordings_organization_id_organizations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_call_recordings"),
        sa.UniqueConstraint("recording_sid", name="uq_call_recordings_recording_sid"),
    )
    op.create_index("ix_call_recordings_call_id", "call_recordings", ["call_id"])
    op.create_index("ix_call_recordings_organization_id", "call_recordings", ["organization_id"])
    op.create_index(
        "ix_call_recordings_org_created", "call_recordings", ["organization_id", "created_at"]
    )
    enable_tenant_rls(op, "call_recordings")
    grant_app(op, "call_recordings")


def downgrade() -> None:
    op.drop_table("call_recordings")
    op.drop_index("uq_call_events_dedupe", table_name="call_events")
    op.drop_column("call_events", "dedupe_key")
