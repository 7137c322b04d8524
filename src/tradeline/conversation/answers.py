"""Answers to callers' questions about the business: hours, area and services from the profile,
everything else from the knowledge base (FAQ included), grounded or honestly unsure."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import time

from tradeline.conversation.prompts import DAY_NAMES, phrase
from tradeline.organization.schemas import DAYS, BusinessProfileSpec, parse_span


@dataclass(frozen=True)
class KnowledgeAnswer:
    answer: str | None
    confidence: float
    citations: tuple[str, ...] = ()


KnowledgeLookup = Callable[[str, str], Awaitable[KnowledgeAnswer | None]]

ANSWER_AT = 0.75
HEDGE_AT = 0.60

_QUESTION_START = re.compile(
    r"^\s*(?:(?:hi|hello|hey|bonjour|allo|salut)[,!.]?\s+)?(?:(?:and|so|also|et|alors)\s+)?"
    r"(do|does|did|are|is|can|could|will|would|how|what|when|where|which|who|why|should|"
    r"est-ce|combien|quel|quelle|quels|quelles|quand|où|pouvez|faites|acceptez|êtes|avez|offrez|"
    r"prenez|allez|venez|desservez|chargez)\b",
    re.IGNORECASE,
)
# Requests phrased as questions ("can someone come Friday?") are bookings, not knowledge questions.
_REQUEST = re.compile(
    r"\b(can|could|would|will)\s+(you|someone|somebody|anyone|a tech\w*|a plumber|an? electrician)\s+"
    r"(please\s+)?(come|send|stop by|swing by|drop by|be here|make it|get here|fix|look|help|call)\b"
    r"|\bpouvez-vous\s+(venir|passer|envoyer)\b|\bquelqu'un\s+(peut|pourrait)\s+(venir|passer)\b",
    re.IGNORECASE,
)
_HOURS = re.compile(
    r"\b(hours?|open|opening|close|closing|closed|horaires?|heures? d'ouverture|ouverts?|fermez|fermés?)\b",
    re.IGNORECASE,
)
_AREA = re.compile(
    r"\b(?:go|come|travel|drive|service|serve|cover|work|operate|available)\s+(?:out\s+)?(?:to|in|into|near|around)\s+"
    r"(?P<place>[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+)?)"
    r"|\b(?:desservez|allez|venez|travaillez)\s+(?:vous\s+)?(?:à|a|au|aux|en|dans|jusqu'à)\s+"
    r"(?P<place_fr>[A-ZÀ-Ý][\w'’-]+(?:[\s-][A-ZÀ-Ý][\w'’-]+)?)",
)
_AREA_LOWER = re.compile(
    r"\b(?:go|come|travel|drive|service|serve|cover|work)\s+(?:out\s+)?(?:to|in)\s+(?P<place>[a-z][\w'-]+)\s*\??$",
    re.IGNORECASE,
)
_DAY_WORDS = {
    "mon": ("monday", "lundi"),
    "tue": ("tuesday", "mardi"),
    "wed": ("wednesday", "mercredi"),
    "thu": ("thursday", "jeudi"),
    "fri": ("friday", "vendredi"),
    "sat": ("saturday", "samedi"),
    "sun": ("sunday", "dimanche"),
}
_WEEKEND = re.compile(r"\b(weekends?|fin de semaine|week-end)\b", re.IGNORECASE)
_GENERIC_PLACES = {
    "my",
    "the",
    "your",
    "our",
    "a",
    "an",
    "town",
    "city",
    "area",
    "there",
    "here",
    "it",
}


def fold(text: str) -> str:
    """Lower-case without accents, for matching 'Chestermere' against 'chestermere'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_question(text: str) -> bool:
    if _REQUEST.search(text):
        return False
    stripped = text.strip()
    return stripped.endswith("?") or bool(_QUESTION_START.match(stripped))


def _span_text(span: str, lang: str) -> str:
    parsed = parse_span(span)
    if parsed is None:
        return span
    start, end = parsed
    if lang == "fr":
        return f"de {start.hour} h {start.minute:02d} à {end.hour} h {end.minute:02d}".replace(
            " h 00", " h"
        )

    def clock(t: time) -> str:
        hour = t.hour % 12 or 12
        return f"{hour}:{t.minute:02d} {'am' if t.hour < 12 else 'pm'}"

    return f"{clock(start)} to {clock(end)}"


def hours_answer(text: str, profile: BusinessProfileSpec, lang: str) -> str | None:
    if not _HOURS.search(text):
        return None
    lowered = fold(text)
    days = [d for d, words in _DAY_WORDS.items() if any(w in lowered for w in words)]
    if _WEEKEND.search(text):
        days = ["sat", "sun"]
    if not days:
        parts = [
            f"{DAY_NAMES[lang][day]} {_span_text(profile.hours[day], lang)}"
            for day in DAYS
            if day in profile.hours
        ]
        if not parts:
            return None
        return phrase(lang, "hours_all", summary=", ".join(parts))
    sentences = []
    for day in days:
        name = DAY_NAMES[lang][day]
        if day in profile.hours:
            sentences.append(
                phrase(lang, "hours", day=name, span=_span_text(profile.hours[day], lang))
            )
        else:
            sentences.append(phrase(lang, "closed_day", day=name))
    return " ".join(sentences[:2])


_OTHER_TOPIC = re.compile(
    r"\b(?:fee|fees|cost|costs|price|prices|pricing|charge|charges|how much|rate|rates|trip|minimum|"
    r"frais|coût|coûte|prix|tarif|tarifs|combien)\b",
    re.IGNORECASE,
)


def area_answer(text: str, profile: BusinessProfileSpec, lang: str) -> str | None:
    if not profile.service_area or _OTHER_TOPIC.search(text):
        return None
    match = _AREA.search(text) or _AREA_LOWER.search(text)
    if match is None:
        return None
    place = (match.groupdict().get("place") or match.groupdict().get("place_fr") or "").strip(
        " ?.!,"
    )
    if not place or fold(place.split()[0]) in _GENERIC_PLACES:
        return None
    served = [fold(a) for a in profile.service_area]
    if any(fold(place) == a or fold(place) in a or a in fold(place) for a in served):
        return ("Yes, we serve " if lang == "en" else "Oui, nous desservons ") + place + "."
    areas = ", ".join(profile.service_area)
    return phrase(lang, "no_area", place=place, areas=areas)


async def answer_question(
    text: str, profile: BusinessProfileSpec, lang: str, lookup: KnowledgeLookup | None
) -> tuple[str, bool]:
    """(reply, confident). Not confident → the caller hears an honest "not sure" and the owner
    gets a knowledge-gap record."""
    direct = hours_answer(text, profile, lang) or area_answer(text, profile, lang)
    if direct:
        return direct, True
    found = await lookup(text, lang) if lookup is not None else None
    if (
        found is not None
        and found.answer
        and fold(found.answer).strip(" .!") in ("no", "non", "nope")
    ):
        # A bare "No." from an FAQ reads as curt; say it kindly.
        found = KnowledgeAnswer(
            "Unfortunately, no — we don't." if lang == "en" else "Malheureusement, non.",
            found.confidence,
            found.citations,
        )
    if found is not None and found.answer:
        if found.confidence >= ANSWER_AT:
            return found.answer, True
        if found.confidence >= HEDGE_AT:
            first = re.split(r"(?<=[.!?])\s+", found.answer.strip())[0].rstrip(".!")
            answer = first[0].lower() + first[1:] if first[:2] != "I " else first
            return phrase(lang, "hedge", answer=answer), True
    return phrase(lang, "unsure"), False
