"""Answers from the knowledge base: extractive by default, composed by the LLM when configured.

1. Hybrid search for the question's passages (the lexical arm also gets the synonyms and
   translations of the question's trade words, so an English question finds a French row).
2. Every sentence of the top passages is scored: cosine to the question (sentence embedded with
   its heading), share of the question's concepts it covers (synonyms and both languages folded
   together, see linguistics.concept_groups), its passage's cosine, minus a penalty for
   superseded passages. The best sentence (and, when needed, its neighbour) is the answer.
3. The confidence is a logistic function of those features, fitted on labelled questions
   (policy.py). ≥ 0.75: answer. 0.60–0.75: hedged answer ("I believe … — I'll have someone
   confirm"). Below: no answer, and the question becomes a knowledge gap for the owner, sealed
   (it is the caller's own words).
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from typing import Literal

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.knowledge import policy, repository
from tradeline.knowledge.linguistics import detect_language, glosses
from tradeline.knowledge.llm import get_composer
from tradeline.knowledge.ports import Composer, Embedder
from tradeline.knowledge.schemas import Answer, Hit
from tradeline.knowledge.service import embed_query, embedder_for, search
from tradeline.logging import get_logger
from tradeline.models import KnowledgeGap
from tradeline.models.base import utcnow
from tradeline.runtime import Runtime

log = get_logger(__name__)

ANSWER_PASSAGES = 6  # passages whose sentences compete
LLM_PASSAGES = 3
GAP_LOOKBACK = 300  # recent open gaps compared (decrypted) to count a repeated question


async def answer(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    query: str,
    *,
    lang: str | None = None,
    embedder: Embedder | None = None,
    composer: Composer | None = None,
    record_gap: bool = True,
) -> Answer:
    """What the business's knowledge says to `query` (see the module docstring)."""
    if not query.strip():
        return Answer(None, [], 0.0, False, composed_by="none")
    active = embedder_for(runtime, embedder)
    spoken = lang or detect_language(query)
    vector = await embed_query(active, query)
    hits = await search(
        session,
        runtime,
        org_id,
        search_text(query),
        top_k=ANSWER_PASSAGES,
        embedder=active,
        vector=vector,
    )
    best, ranked = await _rank_sentences(active, query, vector, hits)
    conf = policy.confidence(best) if best is not None else 0.0
    chosen = policy.answer_sentences(best, ranked) if best is not None else []
    guess = " ".join(c.text for c in chosen) or None
    if best is None or conf < policy.HEDGE_THRESHOLD:
        gap_id = (
            await record_knowledge_gap(session, runtime, org_id, query, spoken, conf)
            if record_gap
            else None
        )
        return Answer(None, [], conf, False, gap_id=gap_id, composed_by="none", best_guess=guess)

    text = guess or ""
    citations = [hits[best.candidate.hit].chunk_id]
    composed_by: Literal["extractive", "llm"] = "extractive"
    writer = composer if composer is not None else get_composer(runtime.settings)
    if writer is not None:
        passages = hits[:LLM_PASSAGES]
        composed = await writer.compose(query, [_passage_text(h) for h in passages], lang=spoken)
        if composed is not None:
            text, used = composed
            citations = [passages[i].chunk_id for i in used]
            composed_by = "llm"
    hedged = conf < policy.ANSWER_THRESHOLD
    if hedged:
        text = policy.hedge(text, spoken)
    heading = hits[best.candidate.hit].heading
    return Answer(
        text, citations, conf, hedged, composed_by=composed_by, best_guess=guess, heading=heading
    )


def search_text(query: str) -> str:
    """The text of the lexical search arm: the question plus the synonyms and translations of
    its trade words (linguistics.glosses), so "furnace price" also finds "Fournaise … 5 495 $"
    in a French price list. The vector arm embeds the question alone."""
    extra = glosses(query)
    return f"{query} {extra}" if extra else query


def _passage_text(hit: Hit) -> str:
    label = " — ".join(filter(None, [hit.title, hit.heading]))
    return f"{label}\n{hit.body}" if label else hit.body


class SentenceVectors:
    """An in-process LRU of sentence vectors, keyed by model and text.

    A business's knowledge base has a bounded set of sentences, and callers ask the same
    questions: after warm-up an answer embeds only its question. Overlapping chunks repeat
    sentences, so each distinct text is embedded once per call anyway.
    """

    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        self._vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()

    async def embed(self, embedder: Embedder, texts: list[str]) -> np.ndarray:
        model = embedder.name
        missing = list(dict.fromkeys(t for t in texts if (model, t) not in self._vectors))
        if missing:
            fresh = await embedder.embed(missing)
            for text_, row in zip(missing, fresh, strict=True):
                self._vectors[(model, text_)] = row
        rows = []
        for text_ in texts:
            key = (model, text_)
            self._vectors.move_to_end(key)
            rows.append(self._vectors[key])
        while len(self._vectors) > self.capacity:
            self._vectors.popitem(last=False)
        return np.vstack(rows)


_SENTENCES = SentenceVectors()


async def _rank_sentences(
    embedder: Embedder,
    query: str,
    vector: np.ndarray | None,
    hits: list[Hit],
) -> tuple[policy.Scored | None, list[policy.Scored]]:
    if not hits or vector is None:
        return None, []
    found = policy.candidates([(h.heading, h.body) for h in hits])
    if not found:
        return None, []
    sentence_vectors = await _SENTENCES.embed(embedder, [c.embed_text for c in found])
    cosines = [float(x) for x in sentence_vectors @ np.asarray(vector, dtype=np.float32)]
    chunk_cosines = [h.cosine if h.cosine is not None else 0.0 for h in hits]
    stale = policy.superseded([(h.title, h.heading, h.body) for h in hits], query)
    ranked = policy.score_candidates(query, found, cosines, chunk_cosines, stale)
    return ranked[0], ranked


async def record_knowledge_gap(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    question: str,
    lang: str | None,
    confidence: float,
) -> uuid.UUID:
    """Count the question as unanswered: a repeat of a recent open gap bumps its count,
    otherwise a new gap is stored with the question sealed."""
    key = policy.normalised_question(question)
    now = utcnow()
    for gap in await repository.recent_gaps(session, org_id, GAP_LOOKBACK):
        seen = runtime.pii.open(
            gap.question_enc,
            org_id=org_id,
            table="knowledge_gaps",
            row_id=gap.id,
            column="question_enc",
        )
        if seen is not None and policy.normalised_question(seen) == key:
            await repository.touch_gap(session, org_id, gap.id, now, confidence)
            return gap.id
    gap_id = uuid.uuid4()
    sealed = runtime.pii.seal(
        question, org_id=org_id, table="knowledge_gaps", row_id=gap_id, column="question_enc"
    )
    if sealed is None:  # only None in gives None out; narrows the type
        raise ValueError("a question is required")
    await repository.insert_gap(
        session,
        KnowledgeGap(
            id=gap_id,
            organization_id=org_id,
            question_enc=sealed,
            language=lang,
            count=1,
            best_confidence=confidence,
            last_seen_at=now,
        ),
    )
    log.info("knowledge_gap_recorded", org_id=str(org_id), gap_id=str(gap_id))
    return gap_id


async def list_gaps(
    session: AsyncSession, runtime: Runtime, org_id: uuid.UUID, limit: int = 100
) -> list[tuple[KnowledgeGap, str]]:
    """Open gaps with their questions, newest first (for the owner's dashboard)."""
    out: list[tuple[KnowledgeGap, str]] = []
    for gap in await repository.recent_gaps(session, org_id, limit):
        question = runtime.pii.open(
            gap.question_enc,
            org_id=org_id,
            table="knowledge_gaps",
            row_id=gap.id,
            column="question_enc",
        )
        out.append((gap, question or ""))
    return out
