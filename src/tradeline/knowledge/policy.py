"""Pure decisions of the answering step: candidate sentences, their scores, superseded
passages, the calibrated confidence and what to say at each confidence level.

Calibration (bench/knowledge_calibrate.py, on tests/knowledge/corpus/questions.yaml): see
CONFIDENCE_* below for the fitted parameters and the figures of the fit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tradeline.knowledge.chunking import HEADING_SEPARATOR
from tradeline.knowledge.linguistics import (
    concept_groups,
    concepts,
    coverage,
    fold,
    split_sentences,
)

# Thresholds of CONTRACTS §3 / the original product: answer, hedge, or record a gap.
ANSWER_THRESHOLD = 0.75
HEDGE_THRESHOLD = 0.60

# Sentence selection: cosine of the sentence (with its heading as context) to the question, plus
# the share of the question's concepts it covers (with its heading, and a little more for those in
# the sentence itself: a section heading such as "Service calls and labour" covers every row of
# the section alike), plus the passage's own cosine; superseded passages ("former", "archived", or
# an older year than a sibling passage's) lose STALE_PENALTY unless the question asks about the
# past. Set by hand on the corpus, not fitted: coverage 0.25 → 0.75 took extractive correctness
# of the labelled questions by two (cross-language answers have a low cosine, the
# concepts they cover have to outweigh it).
WEIGHT_COVERAGE = 0.75
WEIGHT_OWN_COVERAGE = 0.15
WEIGHT_CHUNK = 0.30
STALE_PENALTY = 0.15

# Confidence = logistic(B0 + B_COS·cosine + B_COV·coverage) of the chosen sentence, fitted by
# logistic regression (bench/knowledge_calibrate.py: IRLS, L2 1e-3) on the labelled questions of
# tests/knowledge/corpus: 60 answerable (46 plain, 14 paraphrased; label 1 when the chosen
# sentence holds the expected answer) and 26 negatives (10 unrelated, 16 on-topic but
# unanswered) — 86 rows, 55 positive. Coverage is over concepts (linguistics.concept_groups:
# synonyms and EN/FR translations, money amounts as "price", filler dropped, the interrogative
# sentences of a longer turn). In-sample log-loss 0.240 (Brier 0.070), leave-one-out 0.274; at
# the thresholds: 49 answered (47 right), 5 hedged (4 right), 32 refused (4 of which had the right
# sentence). Held out (../shared/eval/kb, 10 questions): log-loss 0.206 (Brier 0.067), 7 answered
# and 1 hedged, all right, 2 refused. The passage's own cosine as a third feature: LOO 0.278 (no
# gain), left out. Coverage weighs more than cosine: MiniLM scores paraphrases of one topic alike
# (and French against English near zero), the concepts of the question found in the sentence
# tell the answering one apart.
CONFIDENCE_B0 = -8.02
CONFIDENCE_B_COS = 5.95
CONFIDENCE_B_COV = 9.46

MAX_SENTENCES = 2
_BARE = re.compile(r"^(yes|no|oui|non|sure|certainly|absolutely|bien sûr|of course)\W*$", re.I)


@dataclass(frozen=True)
class Candidate:
    """One sentence of one retrieved passage."""

    hit: int  # index of the passage in the search results
    index: int  # sentence index within the passage
    text: str
    heading: str | None

    @property
    def embed_text(self) -> str:
        """The sentence with the most specific heading before it, as the embedder sees it."""
        leaf = self.heading.split(HEADING_SEPARATOR)[-1] if self.heading else None
        return f"{leaf}: {self.text}" if leaf else self.text


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    cosine: float  # sentence (with heading) to question
    chunk_cosine: float  # passage to question
    coverage: float  # question lexemes found in the sentence or its heading
    stale: bool
    score: float


def candidates(passages: Sequence[tuple[str | None, str]]) -> list[Candidate]:
    """Sentences of (heading, body) passages, in order. A question is never an answer: in an
    FAQ ("**How long does a new roof take?** Most homes…") it is the closest match to a
    question that merely shares its words, so only the sentences after it are candidates."""
    out: list[Candidate] = []
    for hit, (heading, body) in enumerate(passages):
        for index, sentence in enumerate(split_sentences(body)):
            if len(sentence) >= 2 and not _QUESTION.search(sentence):
                out.append(Candidate(hit, index, sentence, heading))
    return out


_QUESTION = re.compile(r"\?[\s*_\"'»)]*$")


_STALE_WORDS = re.compile(
    r"\b(former|formerly|previous|archived?|superseded|obsolete|outdated|expired|retired|"
    r"no longer|replaced|ancien(ne)?|archivée?s?|périmée?s?|remplacée?s?|désuète?s?)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")


def superseded(passages: Sequence[tuple[str | None, str | None, str]], question: str) -> list[bool]:
    """For (title, heading, body) passages retrieved together: which present themselves as
    superseded. A passage is, when its title, heading or first line says former / archived /
    replaced, or when its title and heading name only years older than the newest year another
    retrieved passage's title or heading names (the "2023 price list" beside the 2026 one; a
    lone "2026 price list" is never stale, even in 2027). A question that names a year or asks
    about the past wants the old passage, and nothing is marked."""
    if _YEAR.search(question) or _PAST.search(question):
        return [False] * len(passages)
    years = [
        [int(y) for y in _YEAR.findall(" ".join(filter(None, [title, heading])))]
        for title, heading, _ in passages
    ]
    flags: list[bool] = []
    for index, (title, heading, body) in enumerate(passages):
        label = " ".join(filter(None, [title, heading, body.split("\n", 1)[0][:200]]))
        newer_elsewhere = max(
            (max(y) for i, y in enumerate(years) if i != index and y), default=None
        )
        flags.append(
            bool(_STALE_WORDS.search(label))
            or (
                bool(years[index])
                and newer_elsewhere is not None
                and max(years[index]) < newer_elsewhere
            )
        )
    return flags


_PAST = re.compile(
    r"\b(last year|used to|previously|in the past|back in|l'an dernier|l'année dernière|"
    r"auparavant|avant)\b",
    re.IGNORECASE,
)


def score_candidates(
    question: str,
    found: Sequence[Candidate],
    sentence_cosines: Sequence[float],
    chunk_cosines: Sequence[float],
    stale_hits: Sequence[bool],
) -> list[Scored]:
    wanted = question_concepts(question)
    scored: list[Scored] = []
    for candidate, cosine in zip(found, sentence_cosines, strict=True):
        own = concepts(candidate.text)
        cov = coverage(wanted, own | concepts(candidate.heading or ""))
        chunk = chunk_cosines[candidate.hit]
        is_stale = stale_hits[candidate.hit]
        score = (
            cosine
            + WEIGHT_COVERAGE * cov
            + WEIGHT_OWN_COVERAGE * coverage(wanted, own)
            + WEIGHT_CHUNK * chunk
            - (STALE_PENALTY if is_stale else 0.0)
        )
        scored.append(Scored(candidate, cosine, chunk, cov, is_stale, score))
    return sorted(scored, key=lambda s: (-s.score, s.candidate.hit, s.candidate.index))


def question_concepts(question: str) -> set[frozenset[str]]:
    """What a sentence must cover: the concepts of the question's interrogative sentences when
    the caller's turn also has statements around them ("Do you cover Gatineau? We're near the
    Casino." → cover, Gatineau), else of the whole turn."""
    sentences = split_sentences(question)
    asked = [s for s in sentences if s.rstrip().endswith("?")]
    if len(sentences) > 1 and asked:
        wanted: set[frozenset[str]] = set().union(*(concept_groups(s) for s in asked))
        if wanted:
            return wanted
    return concept_groups(question)


def confidence(best: Scored) -> float:
    """Calibrated probability that the chosen sentence answers the question."""
    z = CONFIDENCE_B0 + CONFIDENCE_B_COS * best.cosine + CONFIDENCE_B_COV * best.coverage
    value = 1.0 / (1.0 + math.exp(-z))
    if best.stale:
        value *= 0.8  # a superseded passage is never stated with full confidence
    return round(min(1.0, max(0.0, value)), 4)


def answer_sentences(best: Scored, ranked: Sequence[Scored]) -> list[Candidate]:
    """The best sentence, plus its neighbour in the same passage when the best one is too
    short to stand alone or the neighbour scores almost as well (at most two sentences)."""
    chosen = [best.candidate]
    same_passage = {
        s.candidate.index: s
        for s in ranked
        if s.candidate.hit == best.candidate.hit and s is not best
    }
    following = same_passage.get(best.candidate.index + 1)
    if _needs_more(best.candidate.text) and following is not None:
        chosen.append(following.candidate)
    else:
        near = [
            s
            for s in (same_passage.get(best.candidate.index - 1), following)
            if s is not None and s.score >= best.score - 0.03
        ]
        if near:
            chosen.append(max(near, key=lambda s: s.score).candidate)
    chosen.sort(key=lambda c: c.index)
    return chosen[:MAX_SENTENCES]


def _needs_more(sentence: str) -> bool:
    """ "Yes." or "Here is how:" says nothing alone: the next sentence comes with it."""
    stripped = sentence.strip()
    return bool(_BARE.match(stripped)) or stripped.endswith(":") or len(stripped.split()) <= 2


def hedge(text: str, lang: str) -> str:
    """The 0.60–0.75 band: say it, and say it will be confirmed."""
    core = text.rstrip(" .")
    if lang == "fr":
        return f"Je crois que {_lower_first(core)} — je vais demander à quelqu'un de confirmer."
    return f"I believe {_lower_first(core)} — I'll have someone confirm."


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def normalised_question(text: str) -> str:
    """For counting repeats of one knowledge gap."""
    return " ".join(fold(text).split()).strip(" ?!.")
