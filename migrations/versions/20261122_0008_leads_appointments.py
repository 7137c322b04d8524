"""lead notes, integrations (webhook subscriptions), webhook deliveries, appointments

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-22 23:00:00+00:00

A parallel branch off 0005 (`run_migrations` upgrades every head).

Appointments cannot overlap within a business. The natural guard, an exclusion constraint
`EXCLUDE USING gist (organization_id WITH =, tstzrange(starts_at, ends_at) WITH &&)`, needs the
btree_gist extension, which the embedded server does not ship; the booking service serializes
bookings of a business with a transaction-scoped advisory lock and checks overlaps under it.

The reminder scanner runs with no business set: the `due_reminders` policy opens the booked
appointments still waiting for their reminder to SELECT, for a transaction that declared that
job only.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from tradeline.models.rls import enable_tenant_rls, grant_app

revision: str = "0008"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("lead_notes", "integrations", "webhook_deliveries", "appointments")
REMINDER_SCAN = "appointment_reminders"  # frozen copy of appointment.repository.REMINDER_SCAN


def _common(table: str) -> list[Any]:
    return [
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f(f"fk_{table}_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _org_index(table: str) -> None:
    op.create_index(op.f(f"ix_{table}_organization_id"), table, ["organization_id"], unique=False)


def upgrade() -> None:
    op.create_table(
        "lead_notes",
        sa.Column("lead_id", sa.UUID(), nullable=False),
        sa.Column("author_type", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.String(length=64), nullable=True),
        sa.Column("body_enc", sa.LargeBinary(), nullable=False),
        *_common("lead_notes"),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_lead_notes_lead_id_leads"), ondelete="CASCADE"
        ),
    )
    op.create_index(
        "ix_lead_notes_lead_created", "lead_notes", ["lead_id", "created_at", "id"], unique=False
    )
    _org_index("lead_notes")

    op.create_table(
        "integrations",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("url_enc", sa.LargeBinary(), nullable=False),
        sa.Column("secret_enc", sa.LargeBinary(), nullable=True),
        sa.Column("events", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        *_common("integrations"),
    )
    _org_index("integrations")

    op.create_table(
        "webhook_deliveries",
        sa.Column("integration_id", sa.UUID(), nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.UUID(), nullable=False),
        sa.Column("meta", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("payload_enc", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_response_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replay_of", sa.UUID(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        *_common("webhook_deliveries"),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_webhook_deliveries_integration_id_integrations"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        op.f("ix_webhook_deliveries_integration_id"),
        "webhook_deliveries",
        ["integration_id"],
        unique=False,
    )
    op.create_index(
        "ix_webhook_deliveries_org_created",
        "webhook_deliveries",
        ["organization_id", "created_at", "id"],
        unique=False,
    )
    _org_index("webhook_deliveries")

    op.create_table(
        "appointments",
        sa.Column("lead_id", sa.UUID(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service", sa.String(length=120), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("notes_enc", sa.LargeBinary(), nullable=True),
        sa.Column("ics_sequence", sa.Integer(), nullable=False),
        sa.Column("booked_by", sa.String(length=64), nullable=True),
        sa.Column("reminder_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminder_status", sa.String(length=24), nullable=False),
        sa.Column("reminder_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        *_common("appointments"),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["leads.id"],
            name=op.f("fk_appointments_lead_id_leads"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_appointments_lead_id"), "appointments", ["lead_id"], unique=False)
    op.create_index(
        "ix_appointments_org_starts", "appointments", ["organization_id", "starts_at"], unique=False
    )
    op.create_index(
        "ix_appointments_reminder_due", "appointments", ["reminder_due_at"], unique=False
    )
    _org_index("appointments")

    for table in TABLES:
        enable_tenant_rls(op, table)
        grant_app(op, table)
    op.execute(
        "CREATE POLICY due_reminders ON appointments FOR SELECT USING ("
        "status = 'booked' AND reminder_status = 'scheduled' AND reminder_due_at IS NOT NULL "
        f"AND current_setting('app.maintenance', true) = '{REMINDER_SCAN}')"
    )


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS due_reminders ON appointments")
    for table in reversed(TABLES):
        op.drop_table(table)
