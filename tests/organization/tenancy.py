"""Generic rows for every table, so the tenancy matrix covers tables nobody wrote a test for."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    Connection,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Table,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID

from tradeline.models import Base

TENANT_TABLES_SQL = """
SELECT c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
ORDER BY 1
"""


def tenant_tables(conn: Connection) -> list[str]:
    """From the catalog, not from our code: a new table is covered without anyone remembering."""
    return [row[0] for row in conn.execute(text(TENANT_TABLES_SQL))]


def value_for(table: Table, column_name: str, org_id: uuid.UUID, parents: dict[str, Any]) -> Any:
    column = table.c[column_name]
    if column_name == "organization_id":
        return org_id
    for fk in column.foreign_keys:
        parent = fk.column.table.name
        if parent == "organizations":
            return org_id
        return parents[parent]
    kind = column.type
    if isinstance(kind, PG_UUID):
        return uuid.uuid4()
    if isinstance(kind, String):
        length = kind.length or 32
        return uuid.uuid4().hex[: max(1, min(length, 32))]
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer):
        return 0
    if isinstance(kind, DateTime):
        return datetime(2030, 1, 1, tzinfo=UTC)  # future: never "expired" for purge policies
    if isinstance(kind, LargeBinary):
        return b"\x00opaque"
    if isinstance(kind, JSONB):
        return {}
    if isinstance(kind, ARRAY):
        return []
    raise AssertionError(f"no filler for {table.name}.{column_name} ({kind!r})")


def row_for(table: Table, org_id: uuid.UUID, parents: dict[str, Any]) -> dict[str, Any]:
    row = {}
    for column in table.columns:
        if column.nullable and not column.foreign_keys and column.name != "organization_id":
            continue
        if column.name == "organization_id" or not column.nullable or column.foreign_keys:
            row[column.name] = value_for(table, column.name, org_id, parents)
    row["id"] = uuid.uuid4()
    return row


def fill_org(conn: Connection, org_id: uuid.UUID, tables: list[str]) -> dict[str, Any]:
    """One row per tenant table for `org_id`, parents first (as the owner)."""
    parents: dict[str, Any] = {}
    wanted = set(tables)
    for table in Base.metadata.sorted_tables:
        if table.name not in wanted and table.name != "users":
            continue
        row = row_for(table, org_id, parents)
        conn.execute(insert(table).values(**row))
        parents[table.name] = row["id"]
    return parents
