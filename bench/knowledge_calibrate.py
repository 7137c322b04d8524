"""Fit and check the answer confidence of tradeline.knowledge.policy on the labelled corpus.

    .venv/bin/python bench/knowledge_calibrate.py [--json]

Starts a throw-away embedded Postgres (or uses TRADELINE_TEST_DATABASE_URL's server), ingests
tests/knowledge/corpus (+ its FAQ) for one business and ../shared/eval/kb for another, then for
every labelled question takes the sentence the answering step chooses and records its features
(cosine, coverage, passage cosine) and whether it holds the expected answer. Unrelated questions
are negatives. A logistic regression (IRLS with a small L2 term) on those rows gives the
CONFIDENCE_* constants of policy.py; the script prints them with the fit's log-loss, accuracy at
the thresholds and, with the constants currently in policy.py, recall@3 and answer correctness
(the floors the test suite holds). The shared-KB questions are held out of the fit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from tests.factories import make_org  # noqa: E402
from tests.knowledge.corpus_tools import (  # noqa: E402
    SHARED_KB,
    SHARED_QUESTIONS,
    Question,
    answer_correct,
    corpus_files,
    hit_matches,
    ingest_files,
    load_questions,
)

from tradeline.config import Settings  # noqa: E402
from tradeline.db import DatabaseTarget, run_migrations, tenant_session  # noqa: E402
from tradeline.kit.embedded_postgres import start_embedded  # noqa: E402
from tradeline.knowledge import answer as answering  # noqa: E402
from tradeline.knowledge import policy, service  # noqa: E402
from tradeline.logging import configure_logging  # noqa: E402
from tradeline.runtime import Runtime, build_runtime  # noqa: E402

KEYS = "k1:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="
BLIND = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="


def create_database(admin_url: str) -> str:
    name = f"tl_calibrate_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    run_migrations(url)
    return url


async def features_for(
    runtime: Runtime, org_id: uuid.UUID, question: str
) -> tuple[policy.Scored | None, list[Any], str | None]:
    """The chosen sentence's features, the hits, and the extractive answer text."""
    embedder = service.embedder_for(runtime)
    async with tenant_session(runtime.maker, org_id) as session:
        vector = await service.embed_query(embedder, question)
        hits = await service.search(
            session,
            runtime,
            org_id,
            answering.search_text(question),
            top_k=8,
            embedder=embedder,
            vector=vector,
        )
        top = hits[: answering.ANSWER_PASSAGES]
        best, ranked = await answering._rank_sentences(embedder, question, vector, top)
    text_out = None
    if best is not None:
        text_out = " ".join(c.text for c in policy.answer_sentences(best, ranked))
    return best, hits, text_out


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3) -> np.ndarray:
    """IRLS (Newton) for logistic regression with an intercept column already in x."""
    w = np.zeros(x.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-x @ w))
        grad = x.T @ (p - y) + l2 * w
        hess = x.T @ (x * (p * (1 - p))[:, None]) + l2 * np.eye(x.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


async def evaluate(
    runtime: Runtime, org_id: uuid.UUID, questions: list[Question], negatives: list[str]
) -> dict[str, Any]:
    rows: list[tuple[list[float], int]] = []
    recall3 = correct = 0
    misses: list[str] = []
    for q in questions:
        best, hits, text_out = await features_for(runtime, org_id, q.q)
        recall3 += any(hit_matches(h, q) for h in hits[:3])
        ok = answer_correct(text_out, q)
        correct += ok
        if not ok:
            misses.append(f"{q.q!r} → {text_out!r}")
        if best is not None:
            rows.append(([best.cosine, best.coverage, best.chunk_cosine], int(ok)))
    negative_rows: list[tuple[str, list[float]]] = []
    for question in negatives:
        best, _, _ = await features_for(runtime, org_id, question)
        if best is not None:
            rows.append(([best.cosine, best.coverage, best.chunk_cosine], 0))
            negative_rows.append((question, [best.cosine, best.coverage]))
    return {
        "n": len(questions),
        "recall_at_3": recall3 / len(questions),
        "answer_correctness": correct / len(questions),
        "rows": rows,
        "misses": misses,
        "negatives": negative_rows,
    }


def loo_log_loss(rows: list[tuple[list[float], int]], columns: list[int]) -> float:
    """Leave-one-out log-loss of a fit on the given feature columns (model selection)."""
    x = np.array([[1.0, *[r[0][c] for c in columns]] for r in rows])
    y = np.array([r[1] for r in rows], dtype=float)
    losses = []
    for i in range(len(rows)):
        keep = np.arange(len(rows)) != i
        w = fit_logistic(x[keep], y[keep])
        p = float(1 / (1 + np.exp(-x[i] @ w)))
        losses.append(-(y[i] * math.log(p + 1e-9) + (1 - y[i]) * math.log(1 - p + 1e-9)))
    return round(float(np.mean(losses)), 4)


def describe_fit(rows: list[tuple[list[float], int]], w: np.ndarray) -> dict[str, Any]:
    x = np.array([[1.0, *r[0]] for r in rows])
    y = np.array([r[1] for r in rows], dtype=float)
    p = 1 / (1 + np.exp(-x @ w))
    eps = 1e-9
    logloss = float(-np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))
    answered = p >= policy.ANSWER_THRESHOLD
    hedged = (p >= policy.HEDGE_THRESHOLD) & ~answered
    return {
        "rows": len(rows),
        "positives": int(y.sum()),
        "log_loss": round(logloss, 4),
        "brier": round(float(np.mean((p - y) ** 2)), 4),
        "answered": int(answered.sum()),
        "answered_correct": int((answered & (y == 1)).sum()),
        "hedged": int(hedged.sum()),
        "hedged_correct": int((hedged & (y == 1)).sum()),
        "refused": int((p < policy.HEDGE_THRESHOLD).sum()),
        "refused_correct": int(((p < policy.HEDGE_THRESHOLD) & (y == 1)).sum()),
    }


async def collect(
    runtime: Runtime,
    corpus_docs: list[tuple[str, bytes]],
    shared_docs: list[tuple[str, bytes]],
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    questions, negatives, faq = load_questions()
    org = await make_org(runtime, "Riviere-Verte Plumbing")
    await ingest_files(runtime, org.org_id, corpus_docs, faq)
    corpus = await evaluate(runtime, org.org_id, questions, negatives)
    shared: dict[str, Any] | None = None
    if shared_docs:
        shared_questions, _, _ = load_questions(SHARED_QUESTIONS)
        other = await make_org(runtime, "Bow River Plumbing")
        await ingest_files(runtime, other.org_id, shared_docs)
        shared = await evaluate(runtime, other.org_id, shared_questions, [])
    return corpus, shared


def main(as_json: bool) -> None:
    configure_logging("WARNING")
    if os.environ.get("TL_WEIGHT_COVERAGE"):  # try another sentence-ranking weight (not fitted)
        policy.WEIGHT_COVERAGE = float(os.environ["TL_WEIGHT_COVERAGE"])
    external = os.environ.get("TRADELINE_TEST_DATABASE_URL")
    data_dir = Path(tempfile.mkdtemp(prefix="tl-calibrate-"))
    data_dir.chmod(0o755)
    handle = None
    if external:
        admin = external
    else:
        handle = start_embedded(data_dir)
        admin = handle.url(database="postgres")
    url = create_database(admin)
    settings = Settings(
        data_dir=data_dir / "var", encryption_keys=KEYS, blind_index_key=BLIND, redis_url=None
    )
    shared_docs = (
        [(p.name, p.read_bytes()) for p in sorted(SHARED_KB.glob("*.md"))]
        if SHARED_KB.is_dir()
        else []
    )

    async def run() -> tuple[dict[str, Any], dict[str, Any] | None]:
        runtime = build_runtime(settings, DatabaseTarget(owner_url=url, app_url=url, set_role=True))
        try:
            return await collect(runtime, corpus_files(), shared_docs)
        finally:
            await runtime.close()

    try:
        corpus, shared = asyncio.run(run())
    finally:
        if handle is not None:
            handle.release()
    report(corpus, shared, as_json)


def report(corpus: dict[str, Any], shared: dict[str, Any] | None, as_json: bool) -> None:
    # The model: confidence = logistic(B0 + B_COS·cosine + B_COV·coverage). The passage's
    # cosine is reported as a candidate feature (LOO below) but left out: it is collinear
    # with the sentence's cosine and its fitted sign flips from sample to sample.
    rows = [([r[0][0], r[0][1]], r[1]) for r in corpus["rows"]]
    all_rows = corpus["rows"]
    x = np.array([[1.0, *r[0]] for r in rows])
    y = np.array([r[1] for r in rows], dtype=float)
    fitted = fit_logistic(x, y)
    current = np.array([policy.CONFIDENCE_B0, policy.CONFIDENCE_B_COS, policy.CONFIDENCE_B_COV])
    selection = {
        "cos+coverage": loo_log_loss(all_rows, [0, 1]),
        "cos+coverage+chunk": loo_log_loss(all_rows, [0, 1, 2]),
        "cos": loo_log_loss(all_rows, [0]),
    }
    result: dict[str, Any] = {
        "loo_log_loss": selection,
        "corpus": {k: v for k, v in corpus.items() if k not in ("rows", "negatives")},
        "negatives_with_fitted_constants": {
            question: round(float(1 / (1 + np.exp(-(fitted @ np.array([1.0, *f]))))), 3)
            for question, f in corpus["negatives"]
        },
        "shared_kb": None
        if shared is None
        else {k: v for k, v in shared.items() if k not in ("rows", "negatives")},
        "fitted": {
            "B0": round(float(fitted[0]), 3),
            "B_COS": round(float(fitted[1]), 3),
            "B_COV": round(float(fitted[2]), 3),
            **describe_fit(rows, fitted),
        },
        "current_constants": describe_fit(rows, current),
    }
    if shared is not None and shared["rows"]:
        shared_rows = [([r[0][0], r[0][1]], r[1]) for r in shared["rows"]]
        result["shared_kb_with_current_constants"] = describe_fit(shared_rows, current)
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key}: {json.dumps(value, indent=2, ensure_ascii=False)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    main(args.json)
