"""DDL for tenant isolation, used by migrations (the only place tables are made).

A tenant table is exactly a table with an `organization_id` column: the catalog tests find them
that way, so a new tenant table without RLS fails the suite.
"""

from __future__ import annotations

from typing import Protocol

APP_ROLE = "tradeline_app"

CURRENT_ORG_FUNCTION = """
CREATE OR REPLACE FUNCTION tradeline_current_org() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$
"""

CREATE_APP_ROLE = f"""
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
"""  # noqa: S608 - a constant role name, not input


class _Op(Protocol):
    def execute(self, sqltext: str) -> object: ...


def enable_tenant_rls(op: _Op, table: str) -> None:
    """ENABLE + FORCE RLS with the organization policy on one tenant table."""
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} "
        "USING (organization_id = tradeline_current_org()) "
        "WITH CHECK (organization_id = tradeline_current_org())"
    )


def grant_app(op: _Op, table: str) -> None:
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP_ROLE}")
