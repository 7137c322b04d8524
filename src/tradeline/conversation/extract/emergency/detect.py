"""The emergency decision: keywords and hazards, each weighed against its context."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from tradeline.conversation.extract.emergency.patterns import (
    _ANY_LOCKOUT,
    _ASKING,
    _CALLER_SAYS,
    _CANNOT_SECURE,
    _CLAUSE_BREAK,
    _CONCEPTS,
    _CONDITION_BREAK,
    _CONDITION_WINDOW,
    _DEVICE_AFTER,
    _DOOR_WONT_CLOSE,
    _EXPOSED,
    _FEE,
    _FORCED_ENTRY,
    _HABITUAL,
    _HYPOTHETICAL,
    _INSIDE,
    _LANDED_OUTSIDE,
    _LIFE_SAFETY,
    _LONG_AGO,
    _MUNDANE,
    _NEGATION_WINDOW,
    _NEGATOR,
    _NO_HEAT,
    _NOT_URGENT,
    _PAST_BREAK,
    _PRICE_OF,
    _PROPERTY,
    _PROPERTY_SERVICE_OF,
    _RESOLVED,
    _SERVICE_TOPIC,
    _SHUT_IN,
    _STRONG_HYPOTHETICAL,
    _STRUCTURAL,
    _STRUCTURE_OK,
    _STRUCTURE_WORDS,
    _WATER_IN,
    _WATER_OK,
    _WATER_WORDS,
    _rx,
)
from tradeline.conversation.extract.lexicon import fold, strip_accents


@dataclass(frozen=True, slots=True)
class EmergencyResult:
    is_emergency: bool
    reason: str | None  # a short English label for the owner's alert ("gas smell", "flood")


def _clause_before(text: str, start: int) -> str:
    """The words of the hazard's own clause before it (a negation further back is someone else's)."""
    before = text[:start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    return " ".join(before.split()[-_NEGATION_WINDOW:])


def _clause_after(text: str, end: int) -> str:
    stop = _CLAUSE_BREAK.search(text, end)
    return text[end : stop.start() if stop else len(text)]


def _conditional(text: str, start: int, hypothetical: re.Pattern[str]) -> bool:
    """Whether the hazard at `start` sits in an "if…" / "si…" clause."""
    before = text[:start]
    breaks = list(_CONDITION_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    return hypothetical.search(" ".join(before.split()[-_CONDITION_WINDOW:])) is not None


def _hit(
    pattern: re.Pattern[str],
    text: str,
    *,
    mundane_check: bool = False,
    hypothetical: re.Pattern[str] = _HYPOTHETICAL,
    resolved_at: int = -1,
    reject: Callable[[str, re.Match[str]], bool] | None = None,
) -> bool:
    for match in pattern.finditer(text):
        if match.start() < resolved_at:
            continue  # "…but it's fine now": the caller says this one is over
        if reject is not None and reject(text, match):
            continue
        if _DEVICE_AFTER.match(text, match.end()) and not mundane_check:
            continue
        before = _clause_before(text, match.start())
        if _NEGATOR.search(before) or _conditional(text, match.start(), hypothetical):
            continue
        if mundane_check and _MUNDANE.search(f"{before} {_clause_after(text, match.end())}"):
            continue
        return True
    return False


def _in_clause(cue: re.Pattern[str], text: str, match: re.Match[str]) -> bool:
    """Whether `cue` is in the hazard's own clause ("we had a tree fall last year")."""
    before = text[: match.start()]
    breaks = list(_PAST_BREAK.finditer(before))
    start = breaks[-1].end() if breaks else 0
    stop = _PAST_BREAK.search(text, match.end())
    return cue.search(text, start, stop.start() if stop else len(text)) is not None


def _property_reject(*, water: bool, structure: bool) -> Callable[[str, re.Match[str]], bool]:
    """Why a property hazard does not count: long over, cancelled by the rest of the message ("the
    tree fell in the yard and missed the house", "no leak", "bone dry now"), or the service asked
    about ("does insurance cover a tree falling on the house?")."""

    def reject(text: str, match: re.Match[str]) -> bool:
        if _in_clause(_LONG_AGO, text, match):
            return True
        if water and (_WATER_OK.search(text) or _in_clause(_HABITUAL, text, match)):
            return True
        if structure and (
            _STRUCTURE_OK.search(text)
            or _LANDED_OUTSIDE.match(text, match.end())
            or _PRICE_OF.search(text, 0, match.start())
        ):
            return True
        return (
            _ASKING.search(text) is not None
            and _REPORT_NOW.search(text) is None
            and _PROPERTY_SERVICE_OF.search(text, 0, match.start()) is not None
        )

    return reject


_PLAIN_REJECT = _property_reject(water=False, structure=False)
_WATER_REJECT = _property_reject(water=True, structure=False)
_STRUCTURE_REJECT = _property_reject(water=False, structure=True)


@lru_cache(maxsize=512)
def _keyword_reject(keyword: str) -> Callable[[str, re.Match[str]], bool]:
    """The cancelling context of an owner's keyword, by what it names: water ("water pouring",
    "leaking through the ceiling") or damage ("tree fell", "roof collapse")."""
    low = _normalize(keyword)
    if _WATER_WORDS.search(low):
        return _WATER_REJECT
    if _STRUCTURE_WORDS.search(low):
        return _STRUCTURE_REJECT
    return _PLAIN_REJECT


def _asks_about_service(text: str) -> bool:
    """ "Do you do emergency calls?", "emergency fees?": a question about the service, not a report."""
    topic = _SERVICE_TOPIC.search(text)
    if topic is None:
        return False
    return _ASKING.search(text) is not None or _FEE.search(text) is not None


# SMS spellings and missing apostrophes, so one pattern covers "can't", "cant" and "can’t".
_SMS = (
    (_rx(r"(?<![\w'&])n(?![\w'&])"), "and"),
    (_rx(r"(?<![\w'])u(?![\w'])"), "you"),
    (_rx(r"(?<![\w'])r(?![\w'])"), "are"),
    (_rx(r"\b(?:pls|plz|pleez)\b"), "please"),
    (_rx(r"\bur\b"), "your"),
    (_rx(r"\bthru\b"), "through"),
    (_rx(r"\brn\b"), "right now"),
)
_NO_APOSTROPHE = _rx(
    r"\b(can|won|don|doesn|isn|aren|wasn|weren|didn|haven|hasn|couldn|wouldn|shouldn)t\b"
)
# Small words a caller slips into an owner's keyword: "baby is still inside", "locked myself out".
_KEYWORD_FILLER = (
    r"(?:\s+(?:is|are|was|were|still|just|all|been|got|gotten|has|have|had|now|right|really|fully"
    r"|properly|completely|totally|the|my|our|a|an|his|her|their|your|myself|ourselves|himself|herself"
    r"|themselves|yourself|me|us|him|them|it|in|there|here|le|la|les|l'|un|une|est|sont|encore"
    r"|toujours|de|du|des)){0,2}"
)
_SUFFIX = r"(?:e|es|s|ed|d|ing|er|ers|y|ee|ees|ation|ren)?(?:'s|s'|'re)?"


def _normalize(text: str) -> str:
    low = strip_accents(fold(text))
    for pattern, replacement in _SMS:
        low = pattern.sub(replacement, low)
    return _NO_APOSTROPHE.sub(r"\1't", low)


def _keyword_word(word: str) -> str:
    if word.endswith("n't") and len(word) > 3:
        base = word[:-3]
        spelled = {"won": "will", "ca": "can"}.get(base, base)
        return rf"(?:{re.escape(base)}n'?t|{re.escape(spelled)}\s*not)"
    if word.endswith("y") and len(word) > 3:
        return re.escape(word[:-1]) + r"(?:y|ys|ies|ied|ying)(?:'s|s')?"
    stem = re.escape(word[:-1] if word.endswith("e") and len(word) > 3 else word)
    last = re.escape(word[-1])
    return stem + rf"(?:{last})?" + _SUFFIX


@lru_cache(maxsize=512)
def _keyword_pattern(keyword: str) -> re.Pattern[str] | None:
    """A business's keyword, tolerant of inflection: "flood" also matches "flooded", "flooding";
    "burst pipe" matches "bursting pipes"; a final e may drop ("smoke" → "smoking"); "baby inside"
    matches "baby's inside" and "babies are still inside"; "won't close" matches "will not close"."""
    words = _normalize(keyword).split()
    if not words:
        return None
    parts = [
        "[\\s-]?".join(_keyword_word(piece) for piece in word.split("-") if piece) for word in words
    ]
    return _rx(r"\b" + (_KEYWORD_FILLER + r"[\s-]+").join(parts) + r"\b")


@lru_cache(maxsize=512)
def _concept(keyword: str) -> re.Pattern[str] | None:
    """The paraphrase pattern of a keyword's concept ("locked out" → the door shut behind me)."""
    low = _normalize(keyword)
    for concept, pattern in _CONCEPTS:
        if concept.search(low):
            return pattern
    return None


# "Do you do strike plate repair after forced entry?", "price for a lockout?": the service, not a report.
_SERVICE_OF = _rx(r"\b(?:after|for|following|from|of|about)\s+(?:an?\s+)?$")
_REPORT_NOW = _rx(
    r"\b(?:last\s+night|tonight|today|this\s+(?:morning|afternoon|evening)|overnight|just|right\s+now"
    r"|hier|ce\s+soir|cette\s+nuit|ce\s+matin)\b"
)


def _security_hit(pattern: re.Pattern[str], text: str, resolved_at: int) -> bool:
    if not _hit(pattern, text, resolved_at=resolved_at):
        return False
    if _ASKING.search(text) is None or _REPORT_NOW.search(text):
        return True
    return any(not _SERVICE_OF.search(text[: match.start()]) for match in pattern.finditer(text))


def _shut_in(text: str, resolved_at: int) -> bool:
    if _hit(_SHUT_IN, text, resolved_at=resolved_at):
        return True
    return _hit(_INSIDE, text, resolved_at=resolved_at) and _hit(
        _ANY_LOCKOUT, text, resolved_at=resolved_at
    )


def detect_emergency(
    text: str, *, keywords: list[str], lang: str = "en", cold_season: bool = True
) -> EmergencyResult:
    """Whether `text` describes an emergency, and why.

    `keywords` are the business profile's `emergency_keywords`; they always count (the owner chose
    them), season or not. No heat is an emergency only in the `cold_season` (the caller decides
    the season from the date and the business's climate). `lang` is accepted for symmetry: both
    languages' hazards are always checked, since callers mix them.
    """
    del lang  # both languages always: "my fournaise is out" happens
    low = _normalize(text)
    for pattern, reason in _LIFE_SAFETY:
        if _hit(
            pattern,
            low,
            mundane_check=reason == "carbon monoxide",
            hypothetical=_STRONG_HYPOTHETICAL,
        ):
            return EmergencyResult(True, reason)
    if _NOT_URGENT.search(low):
        return EmergencyResult(False, None)
    resolved = _RESOLVED.search(low)
    at = resolved.start() if resolved else -1
    if _shut_in(low, at):
        return EmergencyResult(True, "someone locked inside")
    if _security_hit(_FORCED_ENTRY, low, at):
        return EmergencyResult(True, "break-in")
    if _hit(_CANNOT_SECURE, low, resolved_at=at):
        return EmergencyResult(True, "cannot secure premises")
    if _hit(_DOOR_WONT_CLOSE, low, resolved_at=at) and _EXPOSED.search(low):
        return EmergencyResult(True, "door won't close")
    for pattern, reason in _PROPERTY:
        reject = _WATER_REJECT if reason == "water pouring in" else _PLAIN_REJECT
        if _hit(pattern, low, resolved_at=at, reject=reject):
            return EmergencyResult(True, reason)
    for pattern, reason in _STRUCTURAL:
        if _hit(pattern, low, resolved_at=at, reject=_STRUCTURE_REJECT):
            return EmergencyResult(True, reason)
    if _hit(_WATER_IN, low, resolved_at=at, reject=_WATER_REJECT):
        return EmergencyResult(True, "water coming in")
    if cold_season and _hit(_NO_HEAT, low, resolved_at=at):
        return EmergencyResult(True, "no heat")
    concepts_seen: dict[re.Pattern[str], bool] = {}
    for keyword in keywords:
        compiled = _keyword_pattern(keyword)
        if compiled is not None and _hit(
            compiled, low, resolved_at=at, reject=_keyword_reject(keyword)
        ):
            return EmergencyResult(True, keyword)
        concept = _concept(keyword)
        if concept is not None and concept not in concepts_seen:
            concepts_seen[concept] = _security_hit(concept, low, at)
            if concepts_seen[concept]:
                return EmergencyResult(True, keyword)
    if _hit(_CALLER_SAYS, low, resolved_at=at) and not _asks_about_service(low):
        return EmergencyResult(True, "caller says emergency")
    return EmergencyResult(False, None)
