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
    # The section heading of the passage the answer comes from (its context): a sentence from
    # "What we do NOT do" means no, however plain the sentence itself reads.
    heading: str | None = None


@dataclass(frozen=True)
class Reply:
    """What answering a question came to: the words, whether they are grounded, and whether
    they turn the caller down (a service the business does not offer)."""

    text: str
    confident: bool
    declined: bool = False


KnowledgeLookup = Callable[[str, str], Awaitable[KnowledgeAnswer | None]]

ANSWER_AT = 0.75
HEDGE_AT = 0.60

_QUESTION_START = re.compile(
    r"^\s*(?:(?:hi|hello|hey|bonjour|allo|salut)[,!.]?\s+)?(?:(?:and|so|also|et|alors)\s+)?"
    r"(?:(?:how|what|when|where|which|who|why|"
    r"est-ce|combien|quel|quelle|quels|quelles|quand|où|pouvez|faites|acceptez|êtes|avez|offrez|"
    r"prenez|allez|venez|desservez|chargez)\b"
    # "would like someone to check it" is a request; an auxiliary opens a question only when a
    # subject, not a verb of wanting, follows it.
    r"|(?:do|does|did|are|is|can|could|will|would|should)\b(?!\s+(?:like|love|prefer|appreciate|be\s+"
    r"(?:great|nice|good|ideal|awesome|perfect|best))\b))",
    re.IGNORECASE,
)
# Requests phrased as questions ("can someone come Friday?", "could your guy stop by?") are
# bookings, not knowledge questions.
_REQUEST = re.compile(
    r"\b(can|could|would|will)\s+(you|u|ya|you guys|someone|somebody|anyone|anybody|(?:your|a|the) guy|"
    r"one of your (?:guys|techs?|technicians)|a tech\w*|your tech\w*|a plumber|an? electrician|an? locksmith)\s+"
    r"(please\s+|still\s+|maybe\s+|possibly\s+)?(come|send|stop by|swing by|drop by|pop by|be here|make it|get here|"
    r"fix|look|help|call|get (?:out|over|here)|book|schedule)\b"
    r"|\b(?:can|could|may)\s+(?:i|we)\s+(?:book|schedule|get (?:someone|somebody|a tech\w*|an? appointment))\b"
    r"|\b(?:is|are)\s+(?:someone|somebody|anyone|anybody|a tech\w*)\s+(?:able|available|free)\s+to\s+come\b"
    r"|\bpouvez-vous\s+(venir|passer|envoyer)\b|\bquelqu'un\s+(peut|pourrait)\s+(venir|passer)\b"
    r"|\b(?:est-ce que )?(?:vous )?pourriez-vous\s+(?:venir|passer|envoyer)\b",
    re.IGNORECASE,
)
# "If I get locked out on a Sunday, can somebody still come?" asks about the service.
_HYPOTHETICAL = re.compile(
    r"^\W*(?:(?:and|so|but|also|ok(?:ay)?|et|mais|alors)[,]?\s+)*(?:what\s+if|if|in\s+case|say|si|si\s+jamais|au\s+cas\s+où)\b",
    re.IGNORECASE,
)
# The opening-hours sense of open/close, not "open (a door, a safe, a car)".
_HOURS = re.compile(
    r"\b(?:hours|opening (?:hours|times?)|business hours|horaires?|heures? d'ouverture)\b"
    r"|\b(?:are|r)\s+(?:you|u|y'all|ya)(?:\s+guys)?\s+(?:still\s+|even\s+|normally\s+|usually\s+)?(?:open|closed)\b"
    r"|\b(?:you(?:'re|\s+are)|ur|you guys are)\s+(?:still\s+)?(?:open|closed)\b"
    r"|\b(?:what\s+time|when|how\s+late|how\s+early|until\s+when|till\s+when)\s+(?:do|does|are|will|r)\s+"
    r"(?:you|u|y'all|ya|the\s+(?:office|shop|store))(?:\s+guys)?\s+(?:open|close|closed|closing|opening)\b"
    r"|\b(?:open|closed)\s+(?:on|at|until|till|til|late|early|today|tonight|tomorrow|now|right now|this|next|during|"
    r"over|for the|weekends?|holidays?|24|(?:mon|tues|wednes|thurs|fri|satur|sun)days?)\b"
    r"|\bclos(?:e|ing)\s+time\b"
    r"|\b(?:êtes|etes)[- ]vous\s+(?:ouverts?|fermés?|fermes?)\b|\bvous\s+êtes\s+(?:ouverts?|fermés?)\b"
    r"|\b(?:ouvrez|fermez)-vous\b|\bquelle heure\s+(?:ouvrez|fermez)\b"
    r"|\b(?:ouverts?|fermés?)\s+(?:le|la|les|ce|cette|demain|aujourd'hui|(?:lun|mar|mercre|jeu|vendre|same|diman)(?:di|che))\b",
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
# "Do you service Truro?", "do you cover gatineau": the transitive verbs take the place directly.
# Only a place that ends the question ("Lennox furnaces" is a brand, not a town).
_AREA_DIRECT = re.compile(
    r"(?i:\b(?:service|serve|cover))\s+(?P<place>[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+)?"
    r"|(?P<lower>[a-zà-ý][\w'’-]+(?:\s+[a-zà-ý][\w'’-]+)?))"
    r"(?=\s*(?i:area\s*)?(?:[?!.]|$|,?\s+(?i:too|as\s+well|also)\b))"
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
    """A question about the business. A request phrased as one ("can someone come tomorrow
    morning?") is a request, unless it is hypothetical ("if I get locked out on a Sunday, can
    somebody still come?")."""
    if _REQUEST.search(text) and not _HYPOTHETICAL.match(text):
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
    match = _AREA.search(text) or _AREA_LOWER.search(text) or _AREA_DIRECT.search(text)
    if match is None:
        return None
    place = (match.groupdict().get("place") or match.groupdict().get("place_fr") or "").strip(
        " ?.!,"
    )
    if not place or fold(place.split()[0]) in _GENERIC_PLACES:
        return None
    if match.re is _AREA_DIRECT:
        # "do you service heat pumps?" asks about a service, not a town; a lower-case word is a
        # place only if it is one of ours ("do you cover bedford" → yes; never "we don't serve
        # insurance").
        if any(fold(place) in fold(service) for service in profile.services):
            return None
        if match.group("lower"):
            ours = [a for a in profile.service_area if fold(a) == fold(place)]
            if not ours:
                return None
            place = ours[0]
    served = [fold(a) for a in profile.service_area]
    if any(fold(place) == a or fold(place) in a or a in fold(place) for a in served):
        return ("Yes, we serve " if lang == "en" else "Oui, nous desservons ") + place + "."
    areas = ", ".join(profile.service_area)
    return phrase(lang, "no_area", place=place, areas=areas)


_IDENTITY = re.compile(
    r"^\W*(?:(?:hi|hello|hey|bonjour|allo|salut|oh|um|uh)\b[\s,!.]*(?:[^\W\d_]+[\s,!.]+)?)?"
    r"(?:is|are)\s+(?:this|that)\s+(?P<what>.*?)\W*$"
    r"|^\W*(?:(?:bonjour|allo|salut)\b[\s,!.]*)?(?:est-ce que\s+)?c'est\s+(?:bien\s+)?(?P<what_fr>.*?)\W*$",
    re.IGNORECASE,
)
# What names a business (or a person: "is that you?"), not "is this covered by the warranty?".
_NAMES_A_PLACE = re.compile(
    r"^(?:you|u|him|her|ya)$|'s\b|\b(?:company|office|clinic|place|business|shop|store|number|line|"
    r"restaurant|residence|house|compagnie|entreprise|bureau|clinique|numéro|maison)\b|(?:^|\s)[A-ZÀ-Ý]"
)
_IDENTITY_FILLER_TEXT = (
    "the a an this that place company business office shop number line guys right still "
    "le la les chez bien ici numéro compagnie entreprise bureau"
)
_IDENTITY_FILLER = frozenset(_IDENTITY_FILLER_TEXT.split())
_VOCATIVE = frozenset({"you", "u", "him", "her", "ya"})


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z0-9]{3,}", fold(text)) if w not in _STOPWORDS}


def identity_answer(text: str, profile: BusinessProfileSpec, lang: str) -> Reply | None:
    """ "Is this the lock company?" / "Is this Doctor Patel's office?": who the caller reached.
    A caller looking for someone else has the wrong number, so nothing said here is a job."""
    match = _IDENTITY.match(text.strip())
    if match is None:
        return None
    what = (match.group("what") or match.group("what_fr") or "").strip()
    if not what or len(what.split()) > 8 or not _NAMES_A_PLACE.search(what):
        return None
    if fold(what) in _VOCATIVE:
        return Reply(phrase(lang, "identity", name=profile.name), True, declined=True)
    words = [w for w in re.findall(r"[^\W\d_]+", fold(what)) if w not in _IDENTITY_FILLER]
    ours = _stems(" ".join([profile.name, profile.industry or "", *profile.services]))
    if not words or _stems(" ".join(words)) & ours:
        return Reply(phrase(lang, "identity_yes", name=profile.name), True)
    return Reply(phrase(lang, "identity_no", name=profile.name), True, declined=True)


_STOPWORDS_TEXT = (
    "the and for you your our are was were with what how much does did can could would will "
    "que les des une pour avec vous est sont combien this that have has any guys there their "
    "from about into just please"
)
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_TEXTSPEAK = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "ya": "you",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "n": "and",
    "b4": "before",
    "amex": "American Express",
    "etransfer": "e-transfer",
}
_TEXTSPEAK_WORD = re.compile(r"\b(" + "|".join(map(re.escape, _TEXTSPEAK)) + r")\b", re.IGNORECASE)
# Clauses that frame a question without asking anything ("not an emergency, just curious - ...").
_META_CLAUSE = re.compile(
    r"^\W*(?:(?:hi|hello|hey|um|uh|so|ok(?:ay)?|yeah|bonjour|allo)\b\W*)*(?:(?:it'?s|this is|c'est)\s+)?"
    r"(?:not (?:an? )?(?:emergency|urgent)|nothing urgent|no rush|pas (?:une )?urgen(?:ce|t)|just "
    r"(?:curious|wondering|asking|checking)|(?:for )?future reference|quick question|i was wondering|"
    r"i have a question|petite question|simple question)\b[^,;:–—-]*$",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"\s*(?:[,;:]|\s[-–—]+)\s+")


def knowledge_query(text: str) -> str:
    """The question as the knowledge base should read it: text-speak spelt out and framing
    clauses ("not an emergency, just curious") left off."""
    spelled = _TEXTSPEAK_WORD.sub(lambda m: _TEXTSPEAK[m.group(1).lower()], text)
    clauses = _CLAUSE.split(spelled)
    kept = [c for c in clauses if c.strip() and not _META_CLAUSE.match(c)]
    return ", ".join(kept).strip() if kept else spelled.strip()


# A KB answer may hold two sentences, or two price-list rows run together ("…: $349 Extension
# spring …: $229"): split both, so one reply says one thing.
_PIECES = re.compile(r"(?<=[.!?])\s+(?=\S)|\s*\n+\s*|(?<=\d)\s+(?=[A-ZÀ-Ý][a-zà-ÿ])")
_BARE = re.compile(r"^\W*(?:yes|no|oui|non|sure|certainly|absolutely|of course|bien sûr)\W*$", re.I)
_HEDGED = re.compile(
    r"^\s*(?:I believe|Je crois que)\s+(?P<core>.*?)\s*[—–-]+\s*(?:I'll have someone confirm(?: that)?|"
    r"je vais (?:demander à quelqu'un de confirmer|le faire confirmer par l'équipe))\W*$",
    re.IGNORECASE | re.DOTALL,
)
# A section heading that lists what the business does not do.
_NOT_OFFERED_HEADING = re.compile(
    r"\b(?:not offered|do(?:es)?\s+not|don'?t|don’t|we\s+(?:do\s+)?not|no longer|services? we don'?t|"
    r"ne\s+(?:faisons|offrons|fournissons|desservons)\s+pas|n'offrons\s+pas|non offerts?|pas offerts?)\b",
    re.IGNORECASE,
)
# An answer that itself turns a service down ("No, we do not do vehicle lockouts.").
_REFUSAL = re.compile(
    r"\bwe\s+(?:do\s+not|don'?t|don’t|cannot|can'?t|no\s+longer)\s+(?:do|offer|open|provide|handle|service|"
    r"work\s+on|install|repair|fix|sell|carry|program|move|cut|replace)\b|\bwe\s+only\s+(?:handle|do|serve|service|work)\b"
    r"|\bnous\s+ne\s+(?:faisons|offrons|fournissons|réparons|installons)\b|\bne\s+faisons\s+pas\b",
    re.IGNORECASE,
)
# Sent elsewhere: "Vehicle lockouts — please call a roadside or automotive locksmith."
_REFERRAL = re.compile(
    r"\bplease\s+(?:call|contact|try)\s+(?:a|an|another|your)\b|\bveuillez\s+(?:appeler|contacter)\s+(?:un|une)\b",
    re.IGNORECASE,
)


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper() and text[:2] != "I ":
        return text[0].lower() + text[1:]
    return text


def _ended(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".!?" else text.rstrip(",;:—– ") + "."


def best_sentence(answer: str, question: str) -> str:
    """The one sentence (or price-list row) of `answer` that shares most words with the
    question, ended with punctuation; a bare "Yes." keeps the sentence that follows it."""
    pieces = [p.strip() for p in _PIECES.split(answer.strip()) if p and p.strip()]
    if not pieces:
        return answer.strip()
    units: list[str] = []
    for piece in pieces:
        if units and _BARE.match(units[-1]):
            units[-1] = f"{units[-1].rstrip('.!')}, {_lower_first(piece)}"
        else:
            units.append(piece)
    wanted = _stems(question)
    best = max(units, key=lambda u: (len(_stems(u) & wanted), -units.index(u)))
    return _ended(best)


def _service_phrase(sentence: str) -> str:
    """ "Vehicle lockouts, car keys or key fobs — please call a roadside locksmith." → the
    service named, without the advice after it."""
    core = re.split(r"\s+[—–-]+\s+|;\s*|:\s+", sentence.strip(), maxsplit=1)[0]
    return _lower_first(core.strip().rstrip(".!"))


async def answer(
    text: str, profile: BusinessProfileSpec, lang: str, lookup: KnowledgeLookup | None
) -> Reply:
    """The reply to a question about the business: who we are, hours and area from the profile,
    everything else from the knowledge base — one sentence, hedged once when unsure, and a
    plain "no" when the passage lists what the business does not do."""
    identity = identity_answer(text, profile, lang)
    if identity is not None:
        return identity
    direct = hours_answer(text, profile, lang) or area_answer(text, profile, lang)
    if direct:
        return Reply(direct, True)
    query = knowledge_query(text)
    found = await lookup(query, lang) if lookup is not None else None
    if found is None or not found.answer or found.confidence < HEDGE_AT:
        return Reply(phrase(lang, "unsure"), False)
    hedged = found.confidence < ANSWER_AT
    body = found.answer.strip()
    unhedged = _HEDGED.match(body)
    if unhedged:  # the knowledge base hedged it already: hedge once, here
        body, hedged = unhedged.group("core").strip(), True
    if fold(body).strip(" .!") in ("no", "non", "nope"):
        # A bare "No." from an FAQ reads as curt; say it kindly.
        return Reply(phrase(lang, "bare_no"), True)
    sentence = best_sentence(body, query)
    declined = (
        bool(found.heading and _NOT_OFFERED_HEADING.search(found.heading))
        or bool(_REFUSAL.search(sentence))
        or bool(_REFERRAL.search(sentence))
    )
    if declined:
        if _REFUSAL.search(sentence) or _BARE.match(sentence.split(",")[0]):
            return Reply(sentence, True, declined=True)
        key = "hedge_not_offered" if hedged else "not_offered"
        return Reply(phrase(lang, key, service=_service_phrase(sentence)), True, declined=True)
    if hedged:
        return Reply(phrase(lang, "hedge", answer=_lower_first(sentence.rstrip(".!"))), True)
    return Reply(sentence, True)


async def answer_question(
    text: str, profile: BusinessProfileSpec, lang: str, lookup: KnowledgeLookup | None
) -> tuple[str, bool]:
    """(reply, confident). Not confident → the caller hears an honest "not sure" and the owner
    gets a knowledge-gap record."""
    reply = await answer(text, profile, lang, lookup)
    return reply.text, reply.confident
