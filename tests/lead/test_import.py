"""CSV import: an exact per-row report, dedupe by blind index, consent, all-or-nothing."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from tests.conftest import TEST_BLIND, TEST_KEYS
from tests.factories import make_org
from tests.lead.helpers import api_key, bearer
from tradeline.auth.schemas import Role
from tradeline.cli.leads import leads_app
from tradeline.config import get_settings
from tradeline.db import DatabaseTarget, tenant_session
from tradeline.lead.csv_import import import_csv
from tradeline.lead.schemas import ImportReport
from tradeline.lead.service import create_lead
from tradeline.models import ConsentRecord, Organization
from tradeline.runtime import Runtime

TODAY = datetime.now(ZoneInfo("America/Edmonton")).date()
RECENT = (TODAY - timedelta(days=30)).isoformat()
LAPSED = (TODAY - timedelta(days=400)).isoformat()
FUTURE = (TODAY + timedelta(days=3)).isoformat()

# Row numbers as a spreadsheet shows them: the header is row 1.
MIXED = f"""\ufeffName,Phone,Email,Company,job_summary,consent_basis,consent_date
Ana Silva,(403) 555-0101,ana@example.com,,Leaky tap,express,{RECENT}
Ben Okafor,12,ben@example.com,,,,
Cleo Park,,not-an-email,,,,
Dev Shah,,,,Furnace noise,,
Eve Moss,403-555-0101,,,,,
Finn Roy,+1 403 555 0150,,,Existing customer,,
Gia Lam,,gia@example.com,,,,
Hal Wu,403.555.0102,,Wu Bakery,New water heater,implied_inquiry,{LAPSED}
Ivy Cole,403 555 0103,ivy@example.com,,,sometimes,
Jon Bell,403 555 0104,,,,express,
Kim Ng,403 555 0105,,,,,{RECENT}
Lou Fox,403 555 0106,,,,implied_purchase,{FUTURE}
Max Diaz,403 555 0107,max@example.com,,,implied_purchase,{RECENT},extra

Noor Ali,403 555 0108,ANA@example.com,,,,
Oli Park,403 555 0109,oli@example.com,,Gutter cleaning,implied_inquiry,{RECENT}
"""

KNOWN = "is already a lead or contact of the business"
# Row 4's reason is email-validator's own wording (checked apart).
EXPECTED_ISSUES = [
    (3, "phone", "not a phone number: '12'", "invalid"),
    (4, "email", None, "invalid"),
    (5, None, "a phone or an email is required", "invalid"),
    (6, "phone", "same phone as row 2", "duplicate"),
    (7, "phone", f"this phone {KNOWN}", "duplicate"),
    (8, "email", f"this email {KNOWN}", "duplicate"),
    (
        9,
        "consent_date",
        f"implied_inquiry consent from {LAPSED} has lapsed: imported without marketing consent",
        "warning",
    ),
    (
        10,
        "consent_basis",
        "one of express, implied_purchase, implied_inquiry (or empty)",
        "invalid",
    ),
    (11, "consent_date", "required with consent_basis express", "invalid"),
    (12, "consent_date", "given without a consent_basis", "invalid"),
    (13, "consent_date", "in the future", "invalid"),
    (14, None, "1 more value(s) than the header has columns", "invalid"),
    (16, "email", "same email as row 2", "duplicate"),
]


async def _prepare(runtime: Runtime) -> uuid.UUID:
    org = await make_org(runtime)
    async with tenant_session(runtime.maker, org.org_id) as session:
        await create_lead(
            session, runtime.pii, org.org_id, channel="voice", caller_number="+14035550150"
        )
    return org.org_id


async def _import(runtime: Runtime, org_id: uuid.UUID, data: str, *, skip: bool) -> ImportReport:
    async with tenant_session(runtime.maker, org_id) as session:
        org = await session.get(Organization, org_id)
        assert org is not None
        return await import_csv(
            session, runtime.pii, org, io.BytesIO(data.encode()), skip_invalid=skip
        )


async def _count(runtime: Runtime, org_id: uuid.UUID, table: str) -> int:
    async with tenant_session(runtime.maker, org_id) as session:
        return int((await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


def _issues(report: ImportReport) -> list[tuple[int, str | None, str | None, str]]:
    return [(i.row, i.field, i.reason, i.kind) for i in report.issues]


def _exact(report: ImportReport) -> None:
    got = _issues(report)
    assert [g if g[0] != 4 else (*g[:2], None, g[3]) for g in got] == EXPECTED_ISSUES
    assert "not-an-email" in str(got[1][2]) or "@" in str(got[1][2])


async def test_mixed_file_reports_every_row_exactly_and_is_all_or_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org_id = await _prepare(runtime)
    # An earlier web lead makes gia@example.com a known contact.
    web = await client.post(
        "/api/v1/leads/submit",
        json={"org_id": str(org_id), "name": "Gia Lam", "email": "Gia@Example.com"},
    )
    assert web.status_code == 200
    refused = await _import(runtime, org_id, MIXED, skip=False)
    assert (refused.rows, refused.invalid, refused.duplicates) == (15, 8, 4)
    assert (refused.imported, refused.marketing_consent, refused.committed) == (0, 0, False)
    assert await _count(runtime, org_id, "leads") == 2  # the voice lead and the web lead
    assert await _count(runtime, org_id, "consent_records") == 0
    _exact(refused)

    report = await _import(runtime, org_id, MIXED, skip=True)
    _exact(report)
    assert report.model_dump(exclude={"issues"}) == {
        "file_error": None,
        "rows": 15,
        "imported": 3,  # Ana, Hal, Oli
        "invalid": 8,
        "duplicates": 4,
        "marketing_consent": 2,  # Ana (express), Oli (implied inquiry); Hal's has lapsed
        "committed": True,
        "issues_truncated": False,
    }
    assert await _count(runtime, org_id, "leads") == 5
    async with tenant_session(runtime.maker, org_id) as session:
        consents = (
            await session.scalars(select(ConsentRecord).where(ConsentRecord.source == "import"))
        ).all()
        audit = (
            await session.execute(text("SELECT data FROM audit_log WHERE action = 'lead.imported'"))
        ).scalar_one()
    assert sorted((c.channel, c.basis, c.purpose) for c in consents) == [
        ("email", "express", "marketing"),
        ("email", "implied_inquiry", "marketing"),
        ("sms", "express", "marketing"),
        ("sms", "implied_inquiry", "marketing"),
    ]
    assert {c.recorded_at.date() for c in consents} == {TODAY - timedelta(days=30)}
    assert audit["imported"] == 3

    # Imported rows are leads like any other: filtered by channel, deduped next time.
    admin = bearer(await api_key(runtime, org_id, Role.ADMIN))
    listed = await client.get("/api/v1/leads", params={"channel": "import"}, headers=admin)
    imported = listed.json()["items"]
    assert sorted((i["caller_name"], i["consent_sms"]) for i in imported) == [
        ("Ana Silva", True),
        ("Hal Wu", None),  # lapsed implied consent: unknown, not granted
        ("Oli Park", True),
    ]
    assert {i["callback_number"] for i in imported} >= {"+14035550101"}
    again = await _import(runtime, org_id, MIXED, skip=True)
    assert (again.imported, again.duplicates) == (0, 7)


async def test_bad_header_or_broken_file_imports_nothing(runtime: Runtime) -> None:
    org_id = await _prepare(runtime)
    header = await _import(runtime, org_id, "name,phnoe,name\nAna,4035550101,x\n", skip=True)
    assert not header.committed and header.rows == 0
    assert header.file_error == "the header row is not usable"
    assert _issues(header) == [
        (
            1,
            None,
            "unknown column(s) 'phnoe'; use name, phone, email, company, address, job_summary, consent_basis, consent_date",
            "invalid",
        ),
        (1, None, "repeated column(s) name", "invalid"),
        (1, None, "needs a phone or an email column", "invalid"),
    ]
    empty = await _import(runtime, org_id, "", skip=True)
    assert _issues(empty) == [(1, None, "the file is empty: it needs a header row", "invalid")]
    broken = await _import(
        runtime, org_id, 'phone,name\n4035550111,"Ana\n4035550112,Ben\n', skip=True
    )
    assert not broken.committed
    async with tenant_session(runtime.maker, org_id) as session:
        org = await session.get(Organization, org_id)
        assert org is not None
        latin1 = await import_csv(
            session,
            runtime.pii,
            org,
            io.BytesIO("phone,name\n4035550110,Ann\n4035550111,Zoë\n".encode("latin-1")),
            skip_invalid=True,
        )
    assert not latin1.committed and _issues(latin1) == [(3, None, "not UTF-8 text", "invalid")]
    assert latin1.file_error == "the file is not UTF-8 text"
    assert broken.file_error is not None and broken.file_error.startswith(
        "the file is not valid CSV"
    )
    assert await _count(runtime, org_id, "leads") == 1


async def test_upload_endpoint_streams_reports_and_honours_idempotency(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    org_id = await _prepare(runtime)
    admin = bearer(await api_key(runtime, org_id, Role.ADMIN))
    files = {"file": ("leads.csv", MIXED.encode(), "text/csv")}
    rejected = await client.post("/api/v1/leads/import", files=files, headers=admin)
    assert rejected.status_code == 422
    assert rejected.json()["error"] == "ImportRejected"
    assert rejected.json()["report"]["invalid"] == 8
    assert rejected.json()["detail"] == (
        "nothing imported: 8 invalid row(s); fix them or use skip_invalid=true"
    )
    member = await client.post(
        "/api/v1/leads/import",
        files=files,
        headers=bearer(await api_key(runtime, org_id, Role.MEMBER)),
    )
    assert member.status_code == 403
    keyed = admin | {"Idempotency-Key": "import-1"}
    first = await client.post("/api/v1/leads/import?skip_invalid=true", files=files, headers=keyed)
    second = await client.post("/api/v1/leads/import?skip_invalid=true", files=files, headers=keyed)
    assert first.status_code == second.status_code == 200
    assert first.json()["imported"] == 4 and second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert await _count(runtime, org_id, "leads") == 5
    other = {"file": ("other.csv", b"phone\n4035550190\n", "text/csv")}
    reused = await client.post("/api/v1/leads/import?skip_invalid=true", files=other, headers=keyed)
    assert reused.status_code == 422 and reused.json()["error"] == "IdempotencyKeyReused"


async def test_cli_refuses_then_imports_with_skip_invalid(
    runtime: Runtime, fresh_db: DatabaseTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org_id = await _prepare(runtime)
    path = tmp_path / "leads.csv"
    path.write_text(MIXED, encoding="utf-8")
    env = {
        "TRADELINE_DATABASE_URL": fresh_db.owner_url,
        "TRADELINE_DATA_DIR": str(runtime.settings.data_dir),
        "TRADELINE_ENCRYPTION_KEYS": TEST_KEYS,
        "TRADELINE_BLIND_INDEX_KEY": TEST_BLIND,
    }
    args = ["import", str(path), "--org", str(org_id), "--json"]
    # As users run it: a process, the report on stdout, one error line on stderr, status 1.
    refused = subprocess.run(
        [sys.executable, "-c", "from tradeline.cli.leads import leads_app; leads_app()", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["committed"] is False
    assert refused.stderr.strip().splitlines()[-1] == (
        "error: nothing imported: 8 invalid row(s); fix them or use --skip-invalid"
    )
    assert await _count(runtime, org_id, "leads") == 1

    # The same command in-process (in a thread: it runs its own event loop).
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        done = await asyncio.to_thread(runner.invoke, leads_app, [*args, "--skip-invalid"])
        missing = await asyncio.to_thread(
            runner.invoke, leads_app, ["import", str(tmp_path / "nope.csv"), "--org", str(org_id)]
        )
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    # No web lead here: gia@example.com is new.
    assert (report["imported"], report["duplicates"], report["committed"]) == (4, 3, True)
    assert await _count(runtime, org_id, "leads") == 5
    assert missing.exit_code == 1 and missing.stderr.startswith("error: cannot read")
