"""Small, deterministic text tools for English and French: language, sentences, lexemes.

Pure functions with no model behind them: language detection is a stop-word vote (the business
content we see is English or French, and a vote over function words is right on any passage of a
sentence or more); lexemes are accent-folded, stop-word-free, lightly stemmed words, used to
measure how much of a question a passage covers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Literal

Lang = Literal["en", "fr"]
LANGS: tuple[Lang, ...] = ("en", "fr")

EN_STOP = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "s",
        "t",
        "don",
        "ll",
        "ve",
        "re",
        "d",
        "m",
        "o",
        "y",
        "also",
        "may",
        "might",
        "must",
        "shall",
        "us",
        "let",
        "get",
        "got",
    ]
)
FR_STOP = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "c",
        "ça",
        "cette",
        "d",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "elles",
        "en",
        "est",
        "et",
        "étaient",
        "était",
        "être",
        "eu",
        "il",
        "ils",
        "j",
        "je",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "lui",
        "m",
        "ma",
        "mais",
        "me",
        "mes",
        "moi",
        "mon",
        "même",
        "n",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ont",
        "ou",
        "où",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "quel",
        "quelle",
        "quelles",
        "quels",
        "qui",
        "s",
        "sa",
        "sans",
        "se",
        "ses",
        "si",
        "son",
        "sont",
        "sur",
        "t",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "y",
        "été",
        "sommes",
        "êtes",
        "suis",
        "es",
        "fait",
        "faire",
        "peut",
        "peuvent",
        "avez",
        "avons",
        "ai",
        "as",
        "cet",
        "chez",
        "comme",
        "plus",
        "moins",
        "très",
        "aussi",
        "donc",
        "alors",
        "puis",
        "lors",
        "quand",
        "comment",
        "combien",
        "pourquoi",
        "tout",
        "tous",
        "toute",
        "toutes",
    ]
)
# Words that only one of the two languages writes: they settle short passages.
_EN_MARKERS = frozenset(
    ["the", "and", "is", "are", "you", "we", "our", "with", "what", "how", "do", "does", "of"]
)
_FR_MARKERS = frozenset(
    [
        "le",
        "la",
        "les",
        "est",
        "et",
        "vous",
        "nous",
        "avec",
        "des",
        "du",
        "une",
        "pour",
        "que",
        "qui",
        "pas",
    ]
)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased words, apostrophes split (l'eau → l, eau)."""
    out: list[str] = []
    for match in _WORD.finditer(text.lower()):
        out.extend(part for part in re.split(r"['’]", match.group()) if part)
    return out


def detect_language(text: str, default: Lang = "en") -> Lang:
    """'en' or 'fr' by a vote of function words and French diacritics; `default` on a tie."""
    tokens = words(text)
    en = sum(1 for w in tokens if w in _EN_MARKERS) + 0.5 * sum(1 for w in tokens if w in EN_STOP)
    fr = sum(1 for w in tokens if w in _FR_MARKERS) + 0.5 * sum(1 for w in tokens if w in FR_STOP)
    fr += 0.5 * len(re.findall(r"[éèêàùâîôûçœ]", text.lower()))
    if en == fr:
        return default
    return "fr" if fr > en else "en"


def fold(text: str) -> str:
    """Lower case without diacritics (é → e), for lexical comparison."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_EN_SUFFIXES = (
    "ations",
    "ation",
    "ments",
    "ment",
    "ings",
    "ing",
    "ied",
    "ies",
    "ers",
    "er",
    "ed",
    "es",
    "ly",
    "s",
)
_FR_SUFFIXES = (
    "ements",
    "ement",
    "ations",
    "ation",
    "euses",
    "euse",
    "eurs",
    "eur",
    "ées",
    "ée",
    "és",
    "es",
    "er",
    "ez",
    "é",
    "s",
    "x",
    "e",
)


def stem(word: str) -> str:
    """A light suffix strip, the same for both languages (stems only need to agree)."""
    for suffix in (*_FR_SUFFIXES, *_EN_SUFFIXES):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


_STOP_FOLDED = frozenset(fold(w) for w in EN_STOP | FR_STOP)


def lexemes(text: str) -> set[str]:
    """Content-word stems of a text: numbers kept, stop words of both languages dropped."""
    out: set[str] = set()
    for word in words(fold(text)):
        if word in _STOP_FOLDED or (len(word) < 2 and not word.isdigit()):
            continue
        out.add(word if word.isdigit() else stem(word))
    return out


def coverage(query: Iterable[str], passage: set[str]) -> float:
    """Share of the query's lexemes present in the passage (0 when the query has none)."""
    wanted = set(query)
    if not wanted:
        return 0.0
    return len(wanted & passage) / len(wanted)


# Sentence ends: . ! ? (and …) followed by space and a capital, digit, quote or bracket. Common
# abbreviations and initials are protected first.
_ABBREVIATIONS = (
    "e.g.",
    "i.e.",
    "etc.",
    "approx.",
    "vs.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "St.",
    "Ave.",
    "No.",
    "a.m.",
    "p.m.",
    "M.",
    "Mme.",
    "env.",
    "ex.",
    "incl.",
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”»)]*\s+(?=[\"'“«(\[]?[A-ZÀ-ÖØ-Þ0-9$])")
_PLACEHOLDER = "\x00"


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; line breaks inside a paragraph are separators too when the
    line before ends a sentence (lists, addresses)."""
    text = re.sub(r"[ \t]+", " ", text.strip())
    if not text:
        return []
    protected = text
    for abbreviation in _ABBREVIATIONS:
        protected = re.sub(
            rf"(?<![\w.]){re.escape(abbreviation)}",
            abbreviation.replace(".", _PLACEHOLDER),
            protected,
            flags=re.IGNORECASE,
        )
    # Single-letter initials ("J. Smith") and decimals ("$1.50") never end a sentence.
    protected = re.sub(r"\b([A-Z])\.(?=\s+[A-Z])", rf"\1{_PLACEHOLDER}", protected)
    pieces: list[str] = []
    for line in re.split(r"\s*\n\s*", protected):
        pieces.extend(_SENTENCE_END.split(line))
    return [p.replace(_PLACEHOLDER, ".").strip() for p in pieces if p.strip()]


def normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
