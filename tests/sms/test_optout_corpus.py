"""Opt-out classifier quality on a labelled SMS corpus (English and French).

The corpus (`optout_corpus.jsonl`) was written before reading the classifier, half `dev` and
half `held_out`. The floors are the figures measured when the corpus was added (dev first, the
held-out split once); the classifier may only get better. Missed opt-outs are a compliance
risk (TCPA "any reasonable means"); a false opt-out silently drops a customer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tradeline.conversation.extract.keywords import classify_keyword

CORPUS = Path(__file__).with_name("optout_corpus.jsonl")
# split: (precision floor, recall floor, minimum true positives) for "stop"
FLOORS = {"dev": (1.0, 1.0, 47), "held_out": (1.0, 1.0, 47)}


def _rows() -> list[dict[str, str]]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]


def test_the_corpus_is_what_it_claims() -> None:
    rows = _rows()
    assert len(rows) >= 200
    assert {r["label"] for r in rows} == {"stop", "start", "help", "none"}
    assert {r["lang"] for r in rows} >= {"en", "fr"}
    dev = sum(r["split"] == "dev" for r in rows)
    assert abs(dev - (len(rows) - dev)) <= len({r["label"] for r in rows})
    assert len({r["text"] for r in rows}) == len(rows)


@pytest.mark.parametrize("split", ["dev", "held_out"])
def test_stop_precision_and_recall_floors(split: str) -> None:
    tp = fp = fn = 0
    for row in (r for r in _rows() if r["split"] == split):
        predicted = classify_keyword(row["text"]) == "stop"
        actual = row["label"] == "stop"
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn)
    floor_p, floor_r, floor_tp = FLOORS[split]
    assert precision >= floor_p and recall >= floor_r and tp >= floor_tp, (precision, recall, tp)
