"""messaging: outbound SMS pipeline, status-callback claims, do-not-contact list

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 23:00:00+00:00

`sms_outbound` carries the send pipeline of an outbound `messages` row (pending → submitting →
submitted | refused | failed | unknown). The periodic reconciliation runs with no tenant set; the
`reconcile_scan` policy opens exactly the rows stuck in `submitting`/`unknown`, read-only, once
the transaction declares that job (`app.maintenance = 'sms_reconcile'`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tradeline.models.rls import enable_tenant_rls, grant_app

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("sms_outbound", "sms_status_callbacks", "suppressions")


def _common() -> list[sa.Column[object]]:
    return [
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    ]


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organization_id"],
        ["organizations.id"],
        name=f"fk_{table}_organization_id_organizations",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "sms_outbound",
        sa.Column("message_id", sa.UUID(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=True),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("decision", sa.String(length=40), nullable=True),
        sa.Column("submitting_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reconcile_attempts", sa.Integer(), nullable=False),
        *_common(),
        _org_fk("sms_outbound"),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name="fk_sms_outbound_message_id_messages",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sms_outbound"),
        sa.UniqueConstraint("message_id", name="uq_sms_outbound_message_id"),
        sa.UniqueConstraint("organization_id", "dedupe_key", name="uq_sms_outbound_dedupe"),
    )
    op.create_index("ix_sms_outbound_organization_id", "sms_outbound", ["organization_id"])
    op.create_index("ix_sms_outbound_stage", "sms_outbound", ["stage", "submitting_at"])

    op.create_table(
        "sms_status_callbacks",
        sa.Column("message_sid", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_code", sa.String(length=10), nullable=True),
        *_common(),
        _org_fk("sms_status_callbacks"),
        sa.PrimaryKeyConstraint("id", name="pk_sms_status_callbacks"),
        sa.UniqueConstraint(
            "organization_id", "message_sid", "status", name="uq_sms_status_callbacks_sid_status"
        ),
    )
    op.create_index(
        "ix_sms_status_callbacks_organization_id", "sms_status_callbacks", ["organization_id"]
    )

    op.create_table(
        "suppressions",
        sa.Column("subject_bidx", sa.LargeBinary(), nullable=False),
        sa.Column("subject_enc", sa.LargeBinary(), nullable=True),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=True),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        *_common(),
        _org_fk("suppressions"),
        sa.PrimaryKeyConstraint("id", name="pk_suppressions"),
        sa.UniqueConstraint("organization_id", "subject_bidx", name="uq_suppressions_org_subject"),
    )
    op.create_index("ix_suppressions_organization_id", "suppressions", ["organization_id"])

    for table in TABLES:
        enable_tenant_rls(op, table)
        grant_app(op, table)
    op.execute(
        "CREATE POLICY reconcile_scan ON sms_outbound FOR SELECT "
        "USING (stage IN ('submitting', 'unknown') "
        "AND current_setting('app.maintenance', true) = 'sms_reconcile')"
    )


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS reconcile_scan ON sms_outbound")
    for table in reversed(TABLES):
        op.drop_table(table)
