"""Cross-tenant matrix and catalog gate (issue: platform spine)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, create_engine, insert, text
from sqlalchemy.exc import DBAPIError

from tests.factories import make_org
from tests.organization.tenancy import fill_org, row_for, tenant_tables
from tradeline.db import APP_ROLE, DatabaseTarget, tenant_session
from tradeline.lead.service import create_lead
from tradeline.models import Base
from tradeline.runtime import Runtime


def _org(conn: Connection, name: str) -> uuid.UUID:
    org_id = uuid.uuid4()
    conn.execute(
        text(
            "INSERT INTO organizations (id, name, slug, timezone, country, is_active) "
            "VALUES (:id, :n, :s, 'America/Edmonton', 'CA', true)"
        ),
        {"id": org_id, "n": name, "s": f"{name}-{org_id.hex[:6]}"},
    )
    return org_id


@pytest.fixture
def two_orgs(
    fresh_db: DatabaseTarget,
) -> tuple[DatabaseTarget, uuid.UUID, uuid.UUID, list[str]]:
    owner = create_engine(fresh_db.owner_url)
    with owner.begin() as conn:
        tables = tenant_tables(conn)
        a, b = _org(conn, "a"), _org(conn, "b")
        fill_org(conn, a, tables)
        fill_org(conn, b, tables)
    owner.dispose()
    return fresh_db, a, b, tables


def _as_app(target: DatabaseTarget) -> Any:
    return create_engine(target.owner_url, connect_args={"options": f"-c role={APP_ROLE}"})


def _set_org(conn: Connection, org: uuid.UUID | None) -> None:
    conn.execute(text("SELECT set_config('app.org_id', :v, true)"), {"v": str(org) if org else ""})


def test_every_table_with_rows_for_both_orgs(two_orgs: Any) -> None:
    target, a, b, tables = two_orgs
    assert len(tables) >= 18, tables
    owner = create_engine(target.owner_url)
    with owner.connect() as conn:
        for table in tables:
            for org in (a, b):
                n = conn.execute(
                    text(f"SELECT count(*) FROM {table} WHERE organization_id = :o"), {"o": org}
                ).scalar_one()
                assert n >= 1, f"{table} has no row for the matrix: add it to the ORM metadata"
    owner.dispose()


def test_org_a_sees_changes_and_deletes_nothing_of_org_b(two_orgs: Any) -> None:
    target, a, b, tables = two_orgs
    engine = _as_app(target)
    for table in tables:
        with engine.begin() as conn:
            _set_org(conn, a)
            visible_b = conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE organization_id = :b"), {"b": b}
            ).scalar_one()
            not_a = conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE organization_id <> :a"), {"a": a}
            ).scalar_one()
            own = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            updated = conn.execute(
                text(f"UPDATE {table} SET organization_id = :a WHERE organization_id = :b"),
                {"a": a, "b": b},
            ).rowcount
            deleted = conn.execute(
                text(f"DELETE FROM {table} WHERE organization_id = :b"), {"b": b}
            ).rowcount
            assert (visible_b, not_a, updated, deleted) == (0, 0, 0, 0), table
            assert own >= 1, f"{table}: org A cannot even see its own rows"
    engine.dispose()


def test_insert_with_other_orgs_id_is_refused(two_orgs: Any) -> None:
    target, a, b, tables = two_orgs
    engine = _as_app(target)
    # Parents of B (as owner) so the only reason to refuse is the tenant policy.
    owner = create_engine(target.owner_url)
    with owner.connect() as conn:
        parents = {
            t.name: conn.execute(
                text(f"SELECT id FROM {t.name} WHERE organization_id = :b LIMIT 1"), {"b": b}
            ).scalar_one()
            for t in Base.metadata.sorted_tables
            if t.name in tables
        }
        parents["users"] = conn.execute(text("SELECT id FROM users LIMIT 1")).scalar_one()
    owner.dispose()
    for table in Base.metadata.sorted_tables:
        if table.name not in tables:
            continue
        with engine.connect() as conn, conn.begin():
            _set_org(conn, a)
            with pytest.raises(DBAPIError, match="row-level security"):
                conn.execute(insert(table).values(**row_for(table, b, parents)))
    engine.dispose()


def test_no_org_set_sees_nothing(two_orgs: Any) -> None:
    target, _, _, tables = two_orgs
    engine = _as_app(target)
    with engine.begin() as conn:
        _set_org(conn, None)
        for table in [*tables, "organizations"]:
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table
    engine.dispose()


def test_organizations_row_isolated(two_orgs: Any) -> None:
    target, a, b, _ = two_orgs
    engine = _as_app(target)
    with engine.begin() as conn:
        _set_org(conn, a)
        ids = {r[0] for r in conn.execute(text("SELECT id FROM organizations"))}
        assert ids == {a}
        assert (
            conn.execute(
                text("UPDATE organizations SET name = 'x' WHERE id = :b"), {"b": b}
            ).rowcount
            == 0
        )
    engine.dispose()


def test_catalog_gate(fresh_db: DatabaseTarget) -> None:
    """Every tenant table has RLS enabled and forced; the app role is weak."""
    engine = create_engine(fresh_db.owner_url)
    with engine.connect() as conn:
        tables = tenant_tables(conn)
        flags = conn.execute(
            text(
                "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relname = ANY(:t) AND relnamespace = 'public'::regnamespace"
            ),
            {"t": [*tables, "organizations"]},
        ).all()
        assert len(flags) == len(tables) + 1
        for name, enabled, forced in flags:
            assert enabled and forced, f"{name}: RLS enabled={enabled} forced={forced}"
        for name in tables:
            policies = conn.execute(
                text("SELECT count(*) FROM pg_policies WHERE tablename = :t"), {"t": name}
            ).scalar_one()
            assert policies >= 1, name
        role = conn.execute(
            text("SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = :r"),
            {"r": APP_ROLE},
        ).one()
        assert tuple(role) == (False, False, False)
        owners = (
            conn.execute(
                text(
                    "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class "
                    "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
                )
            )
            .scalars()
            .all()
        )
        assert APP_ROLE not in owners
    engine.dispose()
    app = _as_app(fresh_db)
    with app.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar_one() == APP_ROLE
        assert conn.execute(text("SELECT current_setting('is_superuser')")).scalar_one() == "off"
    app.dispose()


def test_number_lookup_opens_exactly_one_row(two_orgs: Any) -> None:
    target, _, b, _ = two_orgs
    engine = _as_app(target)
    owner = create_engine(target.owner_url)
    with owner.connect() as conn:
        b_number = conn.execute(
            text("SELECT e164 FROM phone_numbers WHERE organization_id = :b"), {"b": b}
        ).scalar_one()
    owner.dispose()
    with engine.begin() as conn:
        _set_org(conn, None)
        conn.execute(text("SELECT set_config('app.lookup_number', :n, true)"), {"n": b_number})
        rows = conn.execute(text("SELECT organization_id FROM phone_numbers")).all()
        assert [r[0] for r in rows] == [b]
        assert conn.execute(text("SELECT count(*) FROM leads")).scalar_one() == 0
    engine.dispose()


async def test_api_key_of_a_with_ids_of_b_is_404(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    a = await make_org(runtime, "Alpha Plumbing")
    b = await make_org(runtime, "Bravo Electric")
    async with tenant_session(runtime.maker, b.org_id) as session:
        lead_b = await create_lead(
            session,
            runtime.pii,
            b.org_id,
            channel="sms",
            caller_name="Canary Bravo",
            caller_number="+14035550177",
        )
    as_a = {"Authorization": f"Bearer {a.api_key}"}
    as_b = {"Authorization": f"Bearer {b.api_key}"}
    response = await client.get(f"/api/v1/leads/{lead_b.id}", headers=as_a)
    assert response.status_code == 404
    assert "Canary" not in response.text
    listing = await client.get("/api/v1/leads?phone=+14035550177", headers=as_a)
    assert listing.status_code == 200 and listing.json()["items"] == []
    assert (await client.get("/api/v1/profile", headers=as_a)).json()["name"] == "Alpha Plumbing"
    own = await client.get(f"/api/v1/leads/{lead_b.id}", headers=as_b)
    assert own.status_code == 200 and own.json()["caller_name"] == "Canary Bravo"
