"""When the caller wants us: "tomorrow at 3pm", "Friday morning", "demain après-midi", "ASAP".

Division of labour, and why:
- We spot the phrases ourselves (a day phrase, a time of day, a part of the day), so that
  phone numbers, prices, "unit 4" or "I have 2 kids" never reach a date parser; text with no
  date-ish word at all returns before any parsing (a regex, a few µs).
- `dateparser` resolves the day phrase ("next Tuesday", "in two days", "March 12", "mardi",
  "dans deux jours") against a naive local "now" (`RELATIVE_BASE`). It never sees the time zone:
  dateparser 1.5 attached a −06:00 offset to dates when Edmonton was at −07:00
  (reference/offline-stack.md §I), so we attach the zone with zoneinfo ourselves.
- The time of day is ours: dateparser reads "Thursday at 10" as 7 October, "demain à 15 h" as
  01:00 the day after, "dans deux jours à 9 h" as 19:00, and has no notion of a trade's day
  ("at 3" is 3 p.m.; "morning" is 8–12).

Choices: a weekday names the next such day; today's own weekday means next week, unless a time
still ahead today is given ("Saturday at 3pm" said on Saturday morning is today). A time or part
of the day with no day named that has already begun means tomorrow ("at 9am" or "in the morning"
said at 10 am). "the 12th" alone is not
understood (dateparser takes 12 for a month; a month name is needed).

Warnings: dateparser 1.5 emits none on the phrases we hand it (swept under `-W error` across
every day-phrase shape, leap years and invalid dates), so no warning filter is installed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Literal

import dateparser

from tradeline.conversation.extract.lexicon import CORRECTION, fold

__all__ = ["WhenResult", "extract_when"]

Period = Literal["morning", "afternoon", "evening"]

_PERIODS: dict[Period, tuple[time, time]] = {
    "morning": (time(8), time(12)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), time(20)),
}
_DEFAULT_DAY = (time(8), time(17))  # a day with no business hours given: a trade's working day
_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # profile `hours` keys, by weekday()
_SEARCH_DAYS = 21  # how far ahead to look for an opening (covers a long holiday closure)


@dataclass(frozen=True, slots=True)
class WhenResult:
    start: datetime  # aware, in the business's zone
    end: datetime | None  # end of a window ("tomorrow afternoon"), None for a point in time
    is_range: bool
    in_past: bool  # the caller named a time that is already over: ask again
    outside_hours: bool  # closed then (outside `hours`, or a holiday)
    alternative: datetime | None  # the next opening at or after `start` when `outside_hours`


# --- spotting ------------------------------------------------------------------------------------

_MONTHS_EN = (
    r"january|february|march|april|may|june|july|august|september|sept|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec"
)
_MONTHS_FR = (
    r"janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre"
    r"|décembre|decembre"
)
_WEEKDAYS_EN = {
    "monday": "monday", "tuesday": "tuesday", "tues": "tuesday", "wednesday": "wednesday",
    "weds": "wednesday", "thursday": "thursday", "thurs": "thursday", "thu": "thursday",
    "friday": "friday", "fri": "friday", "saturday": "saturday", "sunday": "sunday",
}  # fmt: skip
_WEEKDAYS_FR = {
    "lundi": "monday", "mardi": "tuesday", "mercredi": "wednesday", "jeudi": "thursday",
    "vendredi": "friday", "samedi": "saturday", "dimanche": "sunday",
}  # fmt: skip
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "une": 1, "un": 1, "deux": 2, "trois": 3,
    "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12,
    "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16, "dix-sept": 17, "dix-huit": 18,
    "dix-neuf": 19, "vingt": 20,
}  # fmt: skip
_HOUR_WORD = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_MINUTE_WORDS = {"fifteen": 15, "thirty": 30, "forty-five": 45, "forty five": 45, "quinze": 15,
                 "trente": 30, "et quart": 15, "et demie": 30, "quarante-cinq": 45}  # fmt: skip
_MINUTE_WORD = "|".join(sorted(_MINUTE_WORDS, key=len, reverse=True))

# Any of these, or nothing date-ish is in the text and we stop before any real work.
_DATEISH = re.compile(
    r"\b(?:today|tonight|tomorrow|tmrw|tmr|yesterday|morning|afternoon|evening|night|noon|midday"
    r"|asap|right\s+(?:away|now)|immediately|soon|earliest|first\s+thing|weekend|week|days?"
    r"|hours?|minutes?|o'?clock|"
    + "|".join(_WEEKDAYS_EN)
    + "|"
    + _MONTHS_EN
    + r"|aujourd'hui|demain|hier|matin|matinée|avant-midi|après-midi|apres-midi|soir|soirée|soiree"
    r"|midi|semaine|week-end|jours?|heures?|possible|vite|suite|immédiatement|première\s+heure|"
    + "|".join(_WEEKDAYS_FR)
    + "|"
    + _MONTHS_FR
    + r")\b"
    r"|\d\s*(?:a\.?m\b|p\.?m\b|h\b|h\d\d)|\d:\d\d"
    r"|\b(?:lunch\w*|weekdays?|any\s*time|journ[ée]e|end\s+of\s+(?:the\s+)?day|close\s+of\s+business"
    r"|(?:between|from|after|before|entre|de|apr[èe]s|avant|à|a\s+partir\s+de|à\s+partir\s+de)\s+(?:\d{1,2}(?!\d)|noon|"
    + _HOUR_WORD
    + r")\b)",
    re.IGNORECASE,
)
_URGENT = re.compile(
    r"\b(?:asap|a\.s\.a\.p|as\s+soon\s+as\s+(?:possible|you\s+can)|right\s+(?:away|now)"
    r"|immediately|(?:the\s+)?(?:earliest|soonest)\b|dès\s+que\s+possible|des\s+que\s+possible"
    r"|au\s+plus\s+vite|le\s+plus\s+t[ôo]t\s+possible|tout\s+de\s+suite|immédiatement"
    r"|aussit[ôo]t\s+que\s+possible)",
    re.IGNORECASE,
)


# Phrases that name a time but are not when the caller wants us, blanked before spotting:
# - the past, told as what happened ("it jammed last night", "il y a deux jours"); a bare
#   "yesterday" / "last Tuesday" / "hier" is kept and flagged `in_past` (often a slip for a date);
# - a hypothetical, "what if I'm locked out on a Sunday night?", "si jamais je suis barré…": a
#   question about the service, up to the end of its clause; not "if I could get someone Friday";
# - a generic day, "on a Sunday", "un dimanche" ("every Saturday works" is a preference).
_WEEKDAY_WORDS = "|".join([*_WEEKDAYS_EN, *_WEEKDAYS_FR])
_NOT_PREFERRED = re.compile(
    r"\b(?:last\s+(?:night|evening|weekend|week|month|year|time)"
    r"|the\s+other\s+(?:day|night|week)|earlier\s+(?:today|this\s+(?:morning|afternoon|week))"
    r"|this\s+past\s+(?:night|weekend|week|" + _WEEKDAY_WORDS + r")"
    r"|(?:\d+|a|an|one|two|three|four|five|few|a\s+few|couple(?:\s+of)?|a\s+couple(?:\s+of)?)\s+"
    r"(?:days?|weeks?|hours?|nights?|months?|years?)\s+ago"
    r"|(?:la\s+)?nuit\s+derni[èe]re|la\s+semaine\s+derni[èe]re|(?:le\s+)?week-end\s+dernier"
    r"|l'autre\s+(?:jour|soir|nuit)"
    r"|il\s+y\s+a\s+(?:\d+|un|une|deux|trois|quatre|cinq|quelques)\s+(?:jours?|semaines?|heures?|mois)"
    r")\b"
    r"|\b(?:what\s+if|and\s+if|if|in\s+case|suppose|supposing)\s+(?:i|i'm|im|i've|we|we're|my|our"
    r"|someone|somebody|anyone|anybody)\b(?!\s+(?:could|can|may|might|would|'d|want|wanted|need"
    r"|prefer|like|book|booked|schedule|scheduled|do|did|make|made|pick|picked|say|said|go|went"
    r"|choose|chose|try|tried)\b)[^,.;:?!]*"
    r"|\b(?:et\s+)?(?:si|si\s+jamais|au\s+cas\s+o[uù]|mettons\s+que)\s+(?:je|j'|on|nous|mon|ma|mes"
    r"|notre|nos|quelqu'un|jamais)(?!\s*(?:pouvais|pourrais|voulais|peux|veux|pouvait)\b)[^,.;:?!]*"
    r"|\b(?:on\s+)?(?:a|any\s+given|un)\s+(?:" + _WEEKDAY_WORDS + r")s?"
    r"(?:\s+(?:morning|afternoon|evening|night|matin|après-midi|apres-midi|soir|nuit))?\b",
    re.IGNORECASE,
)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


@dataclass(frozen=True, slots=True)
class _DayPhrase:
    start: int  # position in the text, to pick the first (or, after a correction, the last)
    phrase: str  # what dateparser resolves
    lang: str
    rank: int  # explicit dates beat weekdays in "Friday, March 13"
    period: Period | None = None  # "tonight", "ce matin" carry their part of the day
    today: bool = False  # "today", "this afternoon": never rolled to tomorrow
    weekday: bool = False  # a bare weekday, for the today's-own-weekday rule
    clock: bool = False  # "in 2 hours": dateparser's result is the time, not just the day
    end: int = 0  # end of the phrase in the text, to drop the parts of a longer phrase
    next_week: bool = False  # "next week Tuesday": `phrase` is the weekday, in the week after this


_WD_EN = r"(?P<wd>" + "|".join(_WEEKDAYS_EN) + r")"
_WD_FR = r"(?P<wd>" + "|".join(_WEEKDAYS_FR) + r")"
_DAY_PATTERNS: tuple[tuple[re.Pattern[str], str, int], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), lang, rank)
    for pattern, lang, rank in (
        # A weekday in next week: "next week Tuesday", "next week on thursday", "tuesday next
        # week", "la semaine prochaine mardi", "mardi de la semaine prochaine".
        (r"\bnext\s+week,?\s+(?:on\s+)?(?:the\s+)?" + _WD_EN + r"\b", "en", 1),
        (r"\b" + _WD_EN + r",?\s+(?:of\s+|in\s+)?(?:the\s+)?next\s+week\b", "en", 1),
        (r"\b(?:la\s+)?semaine\s+prochaine,?\s+(?:le\s+)?" + _WD_FR + r"\b", "fr", 1),
        (r"\b" + _WD_FR + r",?\s+(?:de\s+)?(?:la\s+)?semaine\s+prochaine\b", "fr", 1),
        (r"\b(?:" + _MONTHS_EN + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?![:\d])", "en", 0),
        (r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + _MONTHS_EN + r")\b", "en", 0),
        (r"\b(?:1er|\d{1,2})\s+(?:" + _MONTHS_FR + r")\b", "fr", 0),
        (r"\b(?:the\s+)?day\s+after\s+tomorrow\b", "en", 1),
        (r"\bapr[èe]s-demain\b", "fr", 1),
        (r"\b(?:tomorrow|tmrw|tmr)\b", "en", 1),
        (r"(?<!après-)(?<!apres-)\bdemain\b", "fr", 1),
        (r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening))\b", "en", 2),
        (r"\b(?:aujourd'hui|ce\s+soir|ce\s+matin|cet\s+apr[èe]s-midi|cet\s+avant-midi)\b", "fr", 2),
        (r"\byesterday\b", "en", 5),
        (r"\bhier\b", "fr", 5),
        (
            r"\bin\s+(?:\d+|a|an|one|two|three|four|five|six|seven|a\s+couple(?:\s+of)?)\s+(?:days?|weeks?)\b",
            "en",
            1,
        ),
        (
            r"\bdans\s+(?:\d+|un|une|deux|trois|quatre|cinq|six|sept)\s+(?:jours?|semaines?)\b",
            "fr",
            1,
        ),
        (r"\bin\s+(?:\d+|a|an|one|two|three|half\s+an)\s+(?:hours?|minutes?|mins?)\b", "en", 1),
        (r"\bdans\s+(?:\d+|une|deux|trois)\s+(?:heures?|minutes?)\b", "fr", 1),
        (r"\bnext\s+week\b", "en", 3),
        (r"\bla\s+semaine\s+prochaine\b", "fr", 3),
        (r"\b(?:this|next|the)\s+weekend\b", "en", 3),
        (r"\b(?:ce|le|cette|la)\s+(?:week-end|fin\s+de\s+semaine)\b", "fr", 3),
        (
            r"\b(?:(?:next|this|coming|last|since|on)\s+)?(?:" + "|".join(_WEEKDAYS_EN) + r")\b",
            "en",
            4,
        ),
        (
            r"\b(?:depuis\s+)?(?:"
            + "|".join(_WEEKDAYS_FR)
            + r")(?:\s+(?:prochain|qui\s+vient|dernier|passé))?\b",
            "fr",
            4,
        ),
    )
)


def _day_phrase(match: re.Match[str], lang: str, rank: int) -> _DayPhrase | None:
    raw = fold(match.group())
    words = raw.split()
    base = _DayPhrase(start=match.start(), phrase=raw, lang=lang, rank=rank, end=match.end())
    if words[0] in {"since", "depuis"}:
        return None  # "leaking since Monday" is when the trouble began, not when to come
    if match.groupdict().get("wd"):  # a weekday in next week
        wd = fold(match["wd"])
        name = _WEEKDAYS_FR[wd] if lang == "fr" else _WEEKDAYS_EN[wd]
        return replace(base, phrase=name, lang="en", next_week=True)
    if rank == 4:  # weekdays; French ones go to dateparser in English ("mardi prochain" fails)
        if lang == "fr":
            english = _WEEKDAYS_FR[words[0]]
            if words[-1] in {"dernier", "passé"}:
                return replace(base, phrase=f"last {english}", lang="en", rank=5)
            return replace(base, phrase=english, lang="en", weekday=True)
        name = _WEEKDAYS_EN[words[-1]]
        if words[0] == "last":
            return replace(base, phrase=f"last {name}", rank=5)
        if words[0] == "next":
            return replace(base, phrase=f"next {name}")
        return replace(base, phrase=name, weekday=True)
    if raw in {"tonight", "ce soir"}:
        return replace(base, phrase="today", period="evening", today=True)
    if raw in {"today", "aujourd'hui"} or (rank == 2 and raw.startswith(("this ", "ce ", "cet "))):
        return replace(base, phrase="today", period=_period_of(raw), today=True)
    if "weekend" in raw or "week-end" in raw or "fin de semaine" in raw:
        return replace(base, phrase="saturday", lang="en")
    if raw.endswith(("hour", "hours", "minute", "minutes", "min", "mins", "heure", "heures")):
        phrase = raw.replace("half an hour", "30 minutes").replace("mins", "minutes")
        return replace(base, phrase=phrase, clock=True)
    if raw in {"tmrw", "tmr"}:
        return replace(base, phrase="tomorrow")
    return replace(base, phrase=re.sub(r"a\s+couple(?:\s+of)?", "2", raw))


def _find_day(text: str, corrected: bool) -> _DayPhrase | None:
    found = [
        phrase
        for pattern, lang, rank in _DAY_PATTERNS
        for match in pattern.finditer(text)
        if (phrase := _day_phrase(match, lang, rank)) is not None
    ]
    # "next week Tuesday" is one phrase, not "next week" and "Tuesday".
    found = [
        p
        for p in found
        if not any(
            q is not p
            and q.start <= p.start
            and p.end <= q.end
            and q.end - q.start > p.end - p.start
            for q in found
        )
    ]
    if not found:
        return None
    if corrected:  # "Friday, no, actually Saturday": the last mention wins
        return max(found, key=lambda p: p.start)
    return min(found, key=lambda p: (p.rank, p.start))


_PERIOD_PATTERNS: tuple[tuple[re.Pattern[str], Period], ...] = (
    (re.compile(r"\b(?:morning|matin|matinée|matinee|avant-midi|avant\s+midi)\b", re.I), "morning"),
    (re.compile(r"\b(?:afternoon|apr[èe]s-midi|apr[èe]s\s+midi|aprem)\b", re.I), "afternoon"),
    (re.compile(r"\b(?:evening|tonight|night|soir|soirée|soiree|after\s+work)\b", re.I), "evening"),
)


def _period_of(text: str, near: int | None = None) -> Period | None:
    """The part of the day named in `text`; with several ("called this morning, come tomorrow
    afternoon"), the one nearest to position `near` (the day phrase)."""
    hits = [
        (abs(match.start() - near) if near is not None else match.start(), period)
        for pattern, period in _PERIOD_PATTERNS
        for match in pattern.finditer(text)
    ]
    return min(hits)[1] if hits else None


_AMPM = r"(?P<ap>a\.?\s?m\.?|p\.?\s?m\.?)(?![a-z])"
_TIME_AMPM = re.compile(r"\b(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2}))?\s*" + _AMPM, re.I)
_TIME_COLON = re.compile(r"(?<![\d:])(?P<h>\d{1,2}):(?P<m>\d{2})(?![\d:])")
_TIME_FR = re.compile(r"(?<!dans\s)\b(?P<h>\d{1,2})\s*h(?:eures?)?(?:\s*(?P<m>\d{2}))?\b", re.I)
_TIME_OCLOCK = re.compile(r"\b(?P<h>\d{1,2}|" + _HOUR_WORD + r")\s*o'?clock\b", re.I)
_TIME_WORDS_FR = re.compile(
    r"\b(?P<h>" + _HOUR_WORD + r")\s+heures?(?:\s+(?P<mw>" + _MINUTE_WORD + r"))?\b", re.I
)
# What may follow a bare hour for it to be a time ("at 10 tomorrow", "after 4 works"), so "at 12 Oak
# Street" and "about 3 weeks ago" are not appointments.
_FOLLOW = (
    r"(?=\s*(?:$|[^\w\s:]|(?:today|tomorrow|tonight|on|in|the|this|next|or|and|if|please"
    r"|then|works?|would|is|sounds|ok|okay|ish|sharp|demain|ce|cet|cette|le|la|ou|et|si|svp"
    r"|s'il|ça|ca|du|de|any|anytime|that|instead|plutôt|"
    + "|".join(_WEEKDAYS_EN)
    + "|"
    + "|".join(_WEEKDAYS_FR)
    + r")\b))"
)
# "at 10", "around three thirty", "vers 3", "à 10".
_TIME_BARE = re.compile(
    r"\b(?:at|around|by|after|before|vers|à|aux\s+alentours\s+de|pour)\s+(?P<h>\d{1,2}|"
    + _HOUR_WORD
    + r")(?:(?::|\s+)(?P<m>\d{2})|\s+(?P<mw>"
    + _MINUTE_WORD
    + r"))?"
    + _FOLLOW,
    re.I,
)
_TIME_NOON = re.compile(
    r"\b(?:noon|midday|(?<!après-)(?<!apres-)(?<!avant-)(?<!après\s)(?<!apres\s)(?<!avant\s)midi)\b",
    re.I,
)
_FIRST_THING = re.compile(
    r"\b(?:first\s+thing|first\s+appointment|(?:à\s+la\s+)?première\s+heure|dès\s+l'ouverture)\b",
    re.I,
)
# An hour in a range or a bound: "9", "9:30", "2pm", "14 h", "nine", "noon", "midi".
_HOUR_TOKEN = r"(?:\d{1,2}(?!\d)|noon|midday|midi|" + _HOUR_WORD + r")"


def _time_group(name: str) -> str:
    return (
        rf"(?P<{name}>{_HOUR_TOKEN})(?:(?::|h)(?P<{name}_m>\d{{2}}))?"
        rf"\s*(?P<{name}_ap>a\.?m\.?|p\.?m\.?|h(?:eures?)?(?![a-z]))?"
    )


# Units that make "from 2 to 4" a count, not hours: "2 to 4 days", "entre 2 et 3 jours".
_NOT_HOURS = (
    r"(?!\s*(?:%|\$|kids?|children|people|persons?|guys|days?|hours?|hrs?|weeks?|months?|years?|yrs?"
    r"|minutes?|mins?|feet|foot|ft|inches|meters?|metres?|dollars?|bucks|units?|floors?|rooms?"
    r"|bathrooms?|bedrooms?|times?|jours?|semaines?|mois|ans|années|pieds|pouces|personnes|enfants"
    r"|fois|dollars|piastres|étages|chambres|pièces)\b)"
)
_BETWEEN = re.compile(
    r"(?:\b(?P<lead>between|from|entre|de)\s+|(?<![\w:$.-]))"
    + _time_group("a")
    + r"\s*(?:and|to|till|til|until|through|-|–|et|à|a|jusqu'à|jusqu'a)\s*"
    + _time_group("b")
    + _NOT_HOURS
    + r"(?![\w:])",
    re.I,
)
# "anytime after 2pm", "after 4", "à partir de 14 h"; "before noon", "avant 11 h". Not "by 5":
# "I'm home by 5" is when the caller becomes free, so it stays a point in time.
_AFTER = re.compile(
    r"\b(?:any\s*time\s+after|after|later\s+than|not\s+before|(?:à|a)\s+partir\s+de|apr[èe]s(?!\s+midi)"
    r"|pas\s+avant)\s+"
    + _time_group("a")
    + _NOT_HOURS
    + r"(?:(?<=noon)|(?<=midi)|(?<=midday)|(?(a_ap)|"
    + _FOLLOW
    + r"))",
    re.I,
)
_BEFORE = re.compile(
    r"\b(?:before|no\s+later\s+than|not\s+after|avant(?!\s+midi)|au\s+plus\s+tard\s+(?:à|a))\s+"
    + _time_group("a")
    + _NOT_HOURS
    + r"(?:(?<=noon)|(?<=midi)|(?<=midday)|(?(a_ap)|"
    + _FOLLOW
    + r"))",
    re.I,
)
_AFTER_LUNCH = re.compile(r"\b(?:any\s*time\s+)?after\s+lunch\b", re.I)
_AFTER_DEFAULT_END = time(18)  # "after 2pm" with no business hours known
_BEFORE_DEFAULT_START = time(8)

# A part of a part of the day: (pattern, start, end); end None = the closing time.
_SUBPERIODS: tuple[tuple[re.Pattern[str], time, time | None], ...] = tuple(
    (re.compile(pattern, re.I), start, end)
    for pattern, start, end in (
        (r"\bend\s+of\s+(?:the\s+)?(?:day|business\s+day)\b|\bclose\s+of\s+business\b"
         r"|\bfin\s+de\s+(?:la\s+)?journ[ée]e\b", time(16), None),
        (r"\blate\s+afternoon\b|\bfin\s+(?:de\s+l'|d')apr[èe]s-?\s?midi\b", time(15), time(17)),
        (r"\bearly\s+afternoon\b|\bd[ée]but\s+(?:de\s+l'|d')apr[èe]s-?\s?midi\b", time(12), time(15)),
        (r"\bmid-?\s?afternoon\b|\bmilieu\s+(?:de\s+l'|d')apr[èe]s-?\s?midi\b", time(14), time(16)),
        (r"\blate\s+morning\b|\bfin\s+(?:de\s+(?:la\s+)?matin[ée]e|d'avant-midi|de\s+l'avant-midi)\b",
         time(10), time(12)),
        (r"\bearly\s+(?:in\s+the\s+)?morning\b|\bt[ôo]t\s+(?:le|en)\s+matin[ée]?e?\b"
         r"|\bd[ée]but\s+(?:de\s+(?:la\s+)?matin[ée]e|d'avant-midi|de\s+l'avant-midi)\b", time(8), time(10)),
        (r"\bmid-?\s?morning\b", time(9), time(11)),
        (r"\bearly\s+evening\b|\bd[ée]but\s+de\s+(?:la\s+)?soir[ée]e\b", time(17), time(19)),
        (r"\blate\s+evening\b|\bfin\s+de\s+(?:la\s+)?soir[ée]e\b", time(18), time(20)),
        (r"\b(?:lunch\s*time|lunch\s+hour|over\s+lunch|at\s+lunch|around\s+lunch|l'heure\s+du\s+(?:d[îi]ner|midi|lunch))\b",
         time(12), time(13)),
    )
)  # fmt: skip
# "any weekday", "weekdays only", "en semaine": Saturday and Sunday are out.
_WEEKDAY_ONLY = re.compile(
    r"\b(?:any\s+weekday|weekdays?|(?:on\s+a\s+)?week\s*day|en\s+semaine|jours?\s+de\s+semaine"
    r"|du\s+lundi\s+au\s+vendredi|monday\s+(?:to|through|thru)\s+friday)\b",
    re.I,
)


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[fold(word)]


def _clock(hour: int, minute: int, ampm: str | None, period: Period | None) -> time | None:
    """A time of day from what the caller said, reading a bare hour the way a trade's day runs."""
    if minute > 59:
        return None
    if ampm in ("am", "pm"):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    elif hour > 23:
        return None
    elif 1 <= hour <= 11 and period in ("afternoon", "evening"):
        hour += 12
    elif 1 <= hour <= 6 and period != "morning":
        hour += 12  # nobody books a plumber for 3 a.m.: a bare "3" (or "3 h") is 3 p.m.
    return time(hour, minute)


def _find_time(text: str, period: Period | None, corrected: bool) -> time | None:
    hits: list[tuple[int, time]] = []
    for pattern in (_TIME_AMPM, _TIME_COLON, _TIME_FR, _TIME_OCLOCK, _TIME_WORDS_FR, _TIME_BARE):
        for match in pattern.finditer(text):
            groups = match.groupdict()
            minute = int(groups["m"]) if groups.get("m") else 0
            if groups.get("mw"):
                minute = _MINUTE_WORDS[fold(groups["mw"])]
            ampm = (
                fold(groups["ap"]).replace(".", "").replace(" ", "") if groups.get("ap") else None
            )
            found = _clock(_number(groups["h"]), minute, ampm, period)
            if found is not None:
                hits.append((match.start(), found))
        if hits and not corrected:
            break  # the most explicit form wins: "3pm" over a stray "at 3"
    if not hits or corrected:
        hits += [(m.start(), time(12)) for m in _TIME_NOON.finditer(text)]
    if not hits:
        return None
    return max(hits)[1] if corrected else hits[0][1]


def _hour_of(
    match: re.Match[str], name: str, period: Period | None, ampm: str | None
) -> time | None:
    word = fold(match[name])
    if word in {"noon", "midday", "midi"}:
        return time(12)
    return _clock(_number(word), int(match[f"{name}_m"] or 0), ampm, period)


def _ampm(match: re.Match[str], name: str) -> str | None:
    raw = match[f"{name}_ap"]
    if not raw:
        return None
    folded = fold(raw).replace(".", "").replace(" ", "")
    return folded if folded in ("am", "pm") else "h"


def _find_between(text: str, period: Period | None) -> tuple[time, time] | None:
    for match in _BETWEEN.finditer(text):
        ap1, ap2 = _ampm(match, "a"), _ampm(match, "b")
        words = {fold(match["a"]), fold(match["b"])}
        if match["lead"] is None and ap1 is None and ap2 is None and not words & {"noon", "midi"}:
            continue  # "9 to 11" alone could be anything; "9 to 11am", "9h à 11h" are times
        second = _hour_of(match, "b", period, ap2)
        first = _hour_of(match, "a", period, ap1 or (ap2 if ap2 != "h" else None))
        if ap1 is None and first is not None and second is not None and first >= second:
            # "between 10 and 2pm": the pm belongs to the 2 only; read the 10 on its own.
            first = _hour_of(match, "a", period, None)
        if (
            first is not None
            and second is not None
            and second <= first
            and ap2 is None
            and second.hour < 12
        ):
            second = time(second.hour + 12, second.minute)  # "between 5 and 7": 17:00–19:00
        if first is None or second is None or second <= first:
            continue
        return first, second
    return None


def _find_bound(pattern: re.Pattern[str], text: str, period: Period | None) -> time | None:
    """The hour in "after 2pm" / "before noon", or None."""
    match = pattern.search(text)
    if match is None:
        return None
    ap = _ampm(match, "a")
    return _hour_of(match, "a", period, ap)


def _find_subperiod(text: str) -> tuple[time, time | None] | None:
    for pattern, start, end in _SUBPERIODS:
        if pattern.search(text):
            return start, end
    return None


# --- resolving -------------------------------------------------------------------------------------


@lru_cache(maxsize=2048)
def _parse_day(phrase: str, lang: str, base: date) -> date | None:
    """dateparser on a day phrase; cached, as the answer depends only on the phrase and the date."""
    parsed = dateparser.parse(
        phrase, languages=[lang], settings=_settings(datetime.combine(base, time(12)))
    )
    return parsed.date() if parsed is not None else None


def _settings(base: datetime) -> dict[str, object]:
    return {
        "RELATIVE_BASE": base,  # naive local now: see the module docstring (time zone trap)
        "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": False,
        # Only our spotted phrases reach dateparser; never let "1712345678" read as a timestamp.
        "PARSERS": ["relative-time", "absolute-time"],
    }


def _at(day: date, clock: time, zone: tzinfo) -> datetime:
    """`day` at wall-clock `clock` in `zone`, correct on both sides of a DST change. A time that
    does not exist (the spring-forward gap) moves forward by the gap, as a wall clock does."""
    naive = datetime.combine(day, clock)
    aware = naive.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone)


class _Calendar:
    """Business hours and holidays; with neither, every moment is open."""

    def __init__(
        self,
        hours: dict[str, tuple[time, time]] | None,
        holidays: set[date] | None,
        zone: tzinfo,
    ) -> None:
        self.hours, self.holidays, self.zone = hours, holidays or set(), zone

    def span(self, day: date) -> tuple[time, time] | None:
        """Opening and closing on `day`, or None when closed."""
        if day in self.holidays:
            return None
        if self.hours is None:
            return time(0), time(23, 59, 59)
        return self.hours.get(_DAY_KEYS[day.weekday()])

    def working_day(self, day: date) -> tuple[time, time]:
        span = self.span(day)
        return span if span is not None and self.hours is not None else _DEFAULT_DAY

    def is_open(self, start: datetime, end: datetime | None) -> bool:
        span = self.span(start.date())
        if span is None:
            return False
        opening, closing = (
            _at(start.date(), span[0], self.zone),
            _at(start.date(), span[1], self.zone),
        )
        if end is None:
            return opening <= start < closing
        return start < closing and end > opening

    def next_opening(self, start: datetime) -> datetime | None:
        for offset in range(_SEARCH_DAYS):
            day = start.date() + timedelta(days=offset)
            span = self.span(day)
            if span is None:
                continue
            opening, closing = _at(day, span[0], self.zone), _at(day, span[1], self.zone)
            if offset == 0 and start >= closing:
                continue
            if self.hours is None:  # closed only for a holiday: same time on the next open day
                return _at(day, start.time(), self.zone)
            return max(opening, start) if offset == 0 else opening
        return None


def _result(
    start: datetime,
    end: datetime | None,
    now: datetime,
    calendar: _Calendar,
) -> WhenResult:
    if end is not None and calendar.hours is not None:
        # A window that straddles opening or closing is narrowed to the open part: "Saturday
        # morning" at a business that opens at 9 on Saturdays is 9–12, not 8–12.
        span = calendar.span(start.date())
        if span is not None:
            opening, closing = (
                _at(start.date(), span[0], calendar.zone),
                _at(start.date(), span[1], calendar.zone),
            )
            if start < opening < end:
                start = opening
            if start < closing < end:
                end = closing
    in_past = end <= now if end is not None else start < now
    if end is not None and start < now < end:
        start = now  # "this afternoon" said at 2 pm: the window opens now
    outside = not calendar.is_open(start, end)
    alternative = calendar.next_opening(start) if outside else None
    return WhenResult(start, end, end is not None, in_past, outside, alternative)


def extract_when(
    text: str,
    *,
    now_local: datetime,
    lang: str = "en",
    hours: dict[str, tuple[time, time]] | None = None,
    holidays: set[date] | None = None,
) -> WhenResult | None:
    """The caller's preferred time, relative to `now_local` (aware, in the business's zone).

    Points ("tomorrow at 3pm", "Thursday at 10", "demain à 15 h"), windows ("Friday morning"
    8–12, "tomorrow afternoon" 12–17, "this evening" 17–20, "between 9 and noon", "entre 9 h et
    midi", "late afternoon" 15–17, "end of day", "anytime after 2pm" to closing, "before noon" from
    opening, a day alone: that day's business hours) and urgency ("ASAP", "today": now). Windows
    are narrowed to business hours ("Saturday morning" at 9 when Saturdays open at 9); "any
    weekday" skips Saturday and Sunday. `hours` are keyed mon…sun like the
    business profile. Both languages' phrases are always recognised; `lang` is accepted for
    symmetry with the other extractors.
    """
    del lang  # phrases carry their own language: callers mix "demain" with "at 3pm"
    zone = now_local.tzinfo
    if zone is None:
        raise ValueError("now_local must be timezone-aware (the business's zone)")
    if not _DATEISH.search(text):
        return None
    low = _NOT_PREFERRED.sub(_blank, fold(text))
    if not _DATEISH.search(low):
        return None
    corrected = CORRECTION.search(low) is not None
    calendar = _Calendar(hours, holidays, zone)
    day = _find_day(low, corrected)
    period = day.period if day and day.period else _period_of(low, day.start if day else None)
    between = _find_between(low, period)
    after = before = None
    if between is None:
        after = _find_bound(_AFTER, low, period)
        if after is None and _AFTER_LUNCH.search(low):
            after = time(13)
        before = _find_bound(_BEFORE, low, period) if after is None else None
    bounded = between is not None or after is not None or before is not None
    clock = _find_time(low, period, corrected) if not bounded else None
    first_thing = _FIRST_THING.search(low) is not None
    sub = _find_subperiod(low) if not bounded and clock is None and not first_thing else None
    weekday_only = _WEEKDAY_ONLY.search(low) is not None
    today = now_local.date()

    if day is not None and day.clock:
        parsed = dateparser.parse(
            day.phrase, languages=[day.lang], settings=_settings(now_local.replace(tzinfo=None))
        )
        if parsed is None:
            return None
        return _result(_at(parsed.date(), parsed.time(), zone), None, now_local, calendar)

    timed = clock is not None or bounded or sub is not None
    if day is None and not timed and period is None and not first_thing:
        if _URGENT.search(low):
            return _result(now_local, None, now_local, calendar)
        return None

    if day is not None and day.today and not timed and period is None:
        return _result(now_local, None, now_local, calendar)  # "today": as soon as we can

    if day is not None and day.next_week:
        # The week after this one (weeks start on Monday): said on a Sunday, "next week Tuesday"
        # is in two days; said on a Wednesday, in six.
        monday = today + timedelta(days=7 - today.weekday())
        when: date | None = monday + timedelta(days=_DAY_NAMES.index(day.phrase))
    else:
        when = today if day is None or day.today else _parse_day(day.phrase, day.lang, today)
    if when is None:
        return None

    def closing(on: date) -> time:
        return calendar.working_day(on)[1] if hours is not None else _AFTER_DEFAULT_END

    def window(on: date) -> tuple[datetime, datetime | None]:
        if between is not None:
            return _at(on, between[0], zone), _at(on, between[1], zone)
        if after is not None:  # "anytime after 2pm": from then to closing
            close = closing(on)
            return _at(on, after, zone), (_at(on, close, zone) if close > after else None)
        if before is not None:  # "before noon": from opening to then
            opening = calendar.working_day(on)[0] if hours is not None else _BEFORE_DEFAULT_START
            if opening < before:
                return _at(on, opening, zone), _at(on, before, zone)
            return _at(on, before, zone), None
        if clock is not None:
            return _at(on, clock, zone), None
        if first_thing:
            return _at(on, calendar.working_day(on)[0], zone), None
        if sub is not None:  # "late afternoon" 15–17, "end of day" the last hour before closing
            sub_start, sub_end = sub
            if sub_end is None:
                close = calendar.working_day(on)[1]
                sub_end = close if close > sub_start else time(17)
                if hours is not None and close > time(1):
                    sub_start = min(sub_start, time(close.hour - 1, close.minute))
            return _at(on, sub_start, zone), _at(on, sub_end, zone)
        span = _PERIODS[period] if period is not None else calendar.working_day(on)
        return _at(on, span[0], zone), _at(on, span[1], zone)

    def weekday(on: date) -> date:
        """`on`, or the Monday after it when the caller only takes weekdays."""
        while weekday_only and day is None and on.weekday() >= 5:
            on += timedelta(days=1)
        return on

    when = weekday(when)
    start, end = window(when)
    if day is not None and day.weekday and when == today + timedelta(days=7):
        # Today's own weekday: next week, unless the time asked for is still ahead today.
        today_start, today_end = window(today)
        if (clock is not None or bounded) and today_start > now_local:
            start, end = today_start, today_end
    elif day is None and start <= now_local:
        # No day named and that time (or window) has begun: "at 9am" or "in the morning" said at
        # 10 means tomorrow. An explicit "this morning" / "today at 9" stays today (in_past).
        start, end = window(weekday(max(when, today) + timedelta(days=1)))
    return _result(start, end, now_local, calendar)


def _warm_up() -> None:
    # dateparser loads its language data on first use (≈170 ms for English, 65 ms for French);
    # pay that at import, not in the first caller's turn.
    for phrase, lang in (("tomorrow", "en"), ("demain", "fr")):
        _parse_day.__wrapped__(phrase, lang, date(2000, 1, 3))


_warm_up()
