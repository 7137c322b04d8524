"""Ingestion: content-hash dedupe, replacement on change, FAQ sync, deletion, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from tests.conftest import TEST_BLIND, TEST_KEYS
from tests.factories import make_org
from tests.knowledge.conftest import write_files
from tests.knowledge.corpus_tools import CORPUS, render_pdf
from typer.testing import CliRunner

from tradeline.db import DatabaseTarget, tenant_session
from tradeline.knowledge import service
from tradeline.knowledge.cli import kb_app
from tradeline.organization.schemas import FaqEntry
from tradeline.runtime import Runtime

POLICY_V1 = b"""# Returns policy

## Parts

Unused parts can be returned within 30 days for a full refund.

## Labour

Labour is not refundable once the work is done.
"""
POLICY_V2 = b"""# Returns policy

## Parts

Unused parts can be returned within 60 days for store credit only.

## Labour

Labour is not refundable once the work is done.

## Special orders

Special-order fixtures cannot be returned.
"""


async def _texts(runtime: Runtime, org_id: uuid.UUID) -> list[str]:
    async with tenant_session(runtime.maker, org_id) as session:
        rows = await session.execute(
            text("SELECT body FROM knowledge_chunks WHERE organization_id = :o ORDER BY body"),
            {"o": org_id},
        )
        return [r[0] for r in rows]


def _terms_match_chunks(target: DatabaseTarget) -> None:
    """The trigger-kept document frequencies and postings equal a recount from the chunks."""
    engine = create_engine(target.owner_url)
    with engine.connect() as conn:
        postings_drift = conn.execute(
            text(
                """
                WITH truth AS (
                  SELECT c.organization_id, u.lexeme, c.id AS chunk_id,
                         'A' = ANY(u.weights) AS in_heading
                  FROM knowledge_chunks c, unnest(c.tsv) AS u
                )
                SELECT count(*) FROM knowledge_postings p
                FULL JOIN truth t USING (organization_id, lexeme, chunk_id)
                WHERE p.chunk_id IS NULL OR t.chunk_id IS NULL OR p.in_heading <> t.in_heading
                """
            )
        ).scalar_one()
        assert postings_drift == 0
        drift = conn.execute(
            text(
                """
                WITH truth AS (
                  SELECT organization_id, l AS lexeme, count(*) AS df
                  FROM knowledge_chunks, unnest(tsvector_to_array(tsv)) AS l GROUP BY 1, 2
                  UNION ALL
                  SELECT organization_id, '', count(*) FROM knowledge_chunks GROUP BY 1
                )
                SELECT count(*) FROM knowledge_terms k
                FULL JOIN truth t USING (organization_id, lexeme)
                WHERE coalesce(k.df, 0) <> coalesce(t.df, 0)
                """
            )
        ).scalar_one()
    engine.dispose()
    assert drift == 0


async def test_same_file_twice_is_unchanged_and_a_changed_file_replaces_its_chunks(
    runtime: Runtime, fresh_db: DatabaseTarget
) -> None:
    org = await make_org(runtime)
    async with tenant_session(runtime.maker, org.org_id) as session:
        first = await service.ingest_bytes(session, runtime, org.org_id, POLICY_V1, "returns.md")
    async with tenant_session(runtime.maker, org.org_id) as session:
        again = await service.ingest_bytes(session, runtime, org.org_id, POLICY_V1, "returns.md")
    assert first.status == "created" and again.status == "unchanged"
    assert again.source_id == first.source_id and again.chunks == first.chunks == 2
    assert len(await _texts(runtime, org.org_id)) == 2

    async with tenant_session(runtime.maker, org.org_id) as session:
        changed = await service.ingest_bytes(session, runtime, org.org_id, POLICY_V2, "returns.md")
    assert changed.status == "replaced" and changed.source_id == first.source_id
    assert changed.chunks == 3
    bodies = await _texts(runtime, org.org_id)
    assert len(bodies) == 3
    assert not any("30 days" in b for b in bodies)
    assert any("60 days for store credit" in b for b in bodies)
    # The unchanged "Labour" passage kept its vector: only the two new passages were embedded.
    labour_tokens = next(
        d.token_count
        for d in service.prepare_file(POLICY_V2, "returns.md", "returns.md").drafts
        if "Labour is not refundable" in d.body
    )
    total = sum(d.token_count for d in service.prepare_file(POLICY_V2, "r.md", "r.md").drafts)
    assert changed.tokens_embedded == total - labour_tokens

    async with tenant_session(runtime.maker, org.org_id) as session:
        hits = await service.search(session, runtime, org.org_id, "how long to return parts")
        assert "60 days" in hits[0].body
        sources = await service.list_sources(session, org.org_id)
        assert [(s.uri, s.chunk_count, s.source_type) for s in sources] == [
            ("returns.md", 3, "markdown")
        ]
        count = await session.execute(
            text("SELECT count(*) FROM knowledge_embeddings WHERE organization_id = :o"),
            {"o": org.org_id},
        )
        assert count.scalar_one() == 3  # the replaced chunks' vectors went with them
    _terms_match_chunks(fresh_db)


async def test_same_content_under_another_name_is_a_duplicate(runtime: Runtime) -> None:
    org = await make_org(runtime)
    async with tenant_session(runtime.maker, org.org_id) as session:
        await service.ingest_bytes(session, runtime, org.org_id, POLICY_V1, "returns.md")
        copy = await service.ingest_bytes(
            session, runtime, org.org_id, POLICY_V1, "copy of returns.md"
        )
    assert copy.status == "duplicate" and copy.duplicate_of == "returns.md"
    assert len(await _texts(runtime, org.org_id)) == 2


async def test_faq_entries_are_their_own_sources_and_follow_the_profile(
    runtime: Runtime, fresh_db: DatabaseTarget
) -> None:
    org = await make_org(runtime)
    faq = [
        FaqEntry(q="Do you charge for estimates?", a="Estimates are free in our service area."),
        FaqEntry(q="Do you work weekends?", a="Saturday mornings only."),
    ]
    async with tenant_session(runtime.maker, org.org_id) as session:
        first = await service.sync_faq(session, runtime, org.org_id, faq)
        again = await service.sync_faq(session, runtime, org.org_id, faq)
    assert (first["created"], again["unchanged"]) == (2, 2)

    edited = [
        FaqEntry(q="Do you charge for estimates?", a="Estimates cost $49, credited on the job."),
        FaqEntry(q="Do you repair boilers?", a="Yes, gas and oil boilers."),
    ]
    async with tenant_session(runtime.maker, org.org_id) as session:
        counts = await service.sync_faq(session, runtime, org.org_id, edited)
        sources = await service.list_sources(session, org.org_id)
        hits = await service.search(
            session, runtime, org.org_id, "is the estimate free?", source_type="faq"
        )
    assert (counts["replaced"], counts["created"], counts["removed"]) == (1, 1, 1)
    assert sorted(s.title or "" for s in sources) == [
        "Do you charge for estimates?",
        "Do you repair boilers?",
    ]
    assert all(s.source_type == "faq" for s in sources)
    assert hits[0].heading == "Do you charge for estimates?"
    assert hits[0].body == "Estimates cost $49, credited on the job."
    bodies = await _texts(runtime, org.org_id)
    assert not any("Saturday" in b or "free in our service area" in b for b in bodies)
    _terms_match_chunks(fresh_db)


async def test_deleting_a_source_removes_its_chunks_vectors_and_terms(
    runtime: Runtime, fresh_db: DatabaseTarget
) -> None:
    org = await make_org(runtime)
    async with tenant_session(runtime.maker, org.org_id) as session:
        kept = await service.ingest_bytes(session, runtime, org.org_id, POLICY_V1, "returns.md")
        gone = await service.ingest_bytes(
            session,
            runtime,
            org.org_id,
            (CORPUS / "gas-safety.txt").read_bytes(),
            "gas-safety.txt",
        )
    assert gone.source_id is not None and kept.source_id is not None
    async with tenant_session(runtime.maker, org.org_id) as session:
        await service.delete_source(session, org.org_id, gone.source_id)
        hits = await service.search(session, runtime, org.org_id, "I smell gas, what do I do?")
    assert hits and all(h.source_id == kept.source_id for h in hits)
    _terms_match_chunks(fresh_db)


def _cli(args: list[str], db: DatabaseTarget, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TRADELINE_DATABASE_URL": db.owner_url,
        "TRADELINE_DATA_DIR": str(data_dir),
        "TRADELINE_ENCRYPTION_KEYS": TEST_KEYS,
        "TRADELINE_BLIND_INDEX_KEY": TEST_BLIND,
    }
    code = "import sys; from tradeline.knowledge.cli import kb_app; kb_app(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.mark.slow
async def test_kb_ingest_command(
    runtime: Runtime, fresh_db: DatabaseTarget, tmp_path: Path
) -> None:
    org = await make_org(runtime)
    folder = tmp_path / "kb"
    write_files(
        folder,
        {
            "pricing.md": (CORPUS / "price-list-2026.md").read_bytes(),
            "warranty.html": (CORPUS / "warranty.html").read_bytes(),
            "plan.pdf": render_pdf((CORPUS / "maintenance-plan.pdf.md").read_text()),
            "photo.jpg": b"\xff\xd8 not a document",
        },
    )
    extra = write_files(tmp_path, {"area.txt": (CORPUS / "service-area.txt").read_bytes()})[0]

    result = _cli(
        ["ingest", "--org", str(org.org_id), str(folder), str(extra), "--json"], fresh_db, tmp_path
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["sources"] == 4 and out["chunks"] >= 8
    # Searchable the moment the command returns.
    async with tenant_session(runtime.maker, org.org_id) as session:
        hits = await service.search(session, runtime, org.org_id, "Comfort Club price per month")
    assert "$19 per month" in hits[0].body

    # Bad input: one line on stderr, non-zero status, nothing written (checked in-process:
    # these fail before any database is touched).
    runner = CliRunner()
    for args, message in (
        (["ingest", "--org", str(org.org_id), str(tmp_path / "nope")], "no such file"),
        (["ingest", "--org", "not-an-id", str(extra)], "not an organization id"),
        (["ingest", "--org", str(org.org_id), str(folder / "photo.jpg")], "unsupported file type"),
    ):
        outcome = runner.invoke(kb_app, args)
        assert outcome.exit_code != 0 and message in outcome.output, outcome.output
    assert len(await _texts(runtime, org.org_id)) == out["chunks"]


def test_kb_ingest_in_process_rerun_and_unknown_business(
    fresh_db: DatabaseTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same command in-process (a subprocess costs seconds of imports): a rerun reports the
    same sources and chunks and writes nothing new; an unknown business is a one-line error."""
    from tradeline.config import get_settings

    for name, value in {
        "TRADELINE_DATABASE_URL": fresh_db.owner_url,
        "TRADELINE_DATA_DIR": str(tmp_path),
        "TRADELINE_ENCRYPTION_KEYS": TEST_KEYS,
        "TRADELINE_BLIND_INDEX_KEY": TEST_BLIND,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    org_id = uuid.uuid4()
    engine = create_engine(fresh_db.owner_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organizations (id, name, slug, timezone, country, is_active) "
                "VALUES (:id, 'cli', :slug, 'America/Edmonton', 'CA', true)"
            ),
            {"id": org_id, "slug": f"cli-{org_id.hex[:8]}"},
        )
    engine.dispose()
    doc = write_files(tmp_path / "docs", {"returns.md": POLICY_V2})[0]
    runner = CliRunner()
    try:
        first = runner.invoke(kb_app, ["ingest", "--org", str(org_id), str(doc), "--json"])
        again = runner.invoke(kb_app, ["ingest", "--org", str(org_id), str(doc), "--json"])
        unknown = runner.invoke(kb_app, ["ingest", "--org", str(uuid.uuid4()), str(doc)])
    finally:
        get_settings.cache_clear()
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == json.loads(again.stdout) == {"sources": 1, "chunks": 3}
    assert unknown.exit_code != 0 and "no business with id" in unknown.output


async def test_a_batch_rechecks_each_document_when_writing_it(runtime: Runtime) -> None:
    """store_many embeds a document while the previous one is written: decisions made before
    that write are checked again, so one batch can hold a file, its new version and a copy."""
    org = await make_org(runtime)
    batch = [
        service.prepare_file(POLICY_V1, "returns.md", "returns.md"),
        service.prepare_file(POLICY_V2, "returns.md", "returns.md"),
        service.prepare_file(POLICY_V2, "copy.md", "copy.md"),
    ]
    seen: list[int] = []
    async with tenant_session(runtime.maker, org.org_id) as session:
        results = await service.store_many(
            session, org.org_id, batch, service.embedder_for(runtime), progress=seen.append
        )
    assert [r.status for r in results] == ["created", "replaced", "duplicate"]
    assert results[2].duplicate_of == "returns.md"
    assert sum(seen) == sum(len(p.drafts) for p in batch)  # the progress bar reaches its total
    bodies = await _texts(runtime, org.org_id)
    assert len(bodies) == 3 and any("60 days" in b for b in bodies)
