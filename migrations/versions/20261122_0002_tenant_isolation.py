"""tenant isolation: app role, row-level security, narrow lookup policies

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 20:40:00+00:00
"""

from collections.abc import Sequence

from alembic import op

from tradeline.models.rls import (
    APP_ROLE,
    CREATE_APP_ROLE,
    CURRENT_ORG_FUNCTION,
    enable_tenant_rls,
    grant_app,
)

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = (
    "business_profiles",
    "phone_numbers",
    "memberships",
    "api_keys",
    "contacts",
    "leads",
    "conversations",
    "conversation_turns",
    "calls",
    "call_events",
    "messages",
    "message_events",
    "consent_records",
    "audit_log",
    "usage_events",
    "external_events",
    "idempotency_keys",
    "sandbox_outbox",
)
GLOBAL_TABLES = ("users", "user_sessions", "security_alerts", "key_rotations", "organizations")


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute(CREATE_APP_ROLE)
    # The owner switches to the app role with `-c role=...` at connect; that needs membership.
    op.execute(f"GRANT {APP_ROLE} TO current_user")
    op.execute(CURRENT_ORG_FUNCTION)
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
    for table in TENANT_TABLES:
        enable_tenant_rls(op, table)
        grant_app(op, table)
    for table in GLOBAL_TABLES:
        grant_app(op, table)

    # organizations: keyed on its own id; operators (the /admin flag) may list them all.
    op.execute("ALTER TABLE organizations ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE organizations FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY tenant_isolation ON organizations "
        "USING (id = tradeline_current_org()) WITH CHECK (id = tradeline_current_org())"
    )
    op.execute(
        "CREATE POLICY operator_read ON organizations FOR SELECT "
        "USING (current_setting('app.operator', true) = 'on')"
    )
    # New businesses are created before any org context exists (org create, demo).
    op.execute(
        "CREATE POLICY bootstrap_insert ON organizations FOR INSERT "
        "WITH CHECK (current_setting('app.bootstrap_org', true) = id::text)"
    )
    # Narrow lookups: each opens exactly one row, for one transaction, before the tenant is
    # known — the called number of a webhook, an API key's hash, a user's memberships at login.
    op.execute(
        "CREATE POLICY lookup_by_number ON phone_numbers FOR SELECT "
        "USING (e164 = nullif(current_setting('app.lookup_number', true), ''))"
    )
    op.execute(
        "CREATE POLICY lookup_by_hash ON api_keys FOR SELECT "
        "USING (key_hash = nullif(current_setting('app.lookup_key_hash', true), ''))"
    )
    op.execute(
        "CREATE POLICY lookup_by_user ON memberships FOR SELECT "
        "USING (user_id = nullif(current_setting('app.lookup_user', true), '')::uuid)"
    )
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}"
    )
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}"
    )


def downgrade() -> None:
    for table in (*TENANT_TABLES, "organizations"):
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.execute("DROP POLICY IF EXISTS operator_read ON organizations")
    op.execute("DROP POLICY IF EXISTS bootstrap_insert ON organizations")
    op.execute("DROP POLICY IF EXISTS lookup_by_number ON phone_numbers")
    op.execute("DROP POLICY IF EXISTS lookup_by_hash ON api_keys")
    op.execute("DROP POLICY IF EXISTS lookup_by_user ON memberships")
