"""Spoken forms → written forms, as speech-to-text renders a caller reading out a number or an address.

`spoken_digits_to_text` only rewrites runs that are clearly numbers (two digits or more), so "this
one", "one of your guys" or "oh hi" survive; `spoken_email_to_text` only rewrites an "at" that has a
plausible local part before it and a domain ending in a real top-level domain after it, so "I'm at
home" stays a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tradeline.conversation.extract.lexicon import fold
from tradeline.conversation.extract.lexicon import words as word_set

__all__ = ["spoken_address_to_text", "spoken_digits_to_text", "spoken_email_to_text"]


# --- digits ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Vocab:
    units: dict[str, int]
    teens: dict[str, int]
    tens: dict[str, int]
    hundred: frozenset[str]
    thousand: frozenset[str]
    multipliers: dict[str, int]

    def is_number_word(self, word: str) -> bool:
        return (
            word in self.units
            or word in self.teens
            or word in self.tens
            or word in self.hundred
            or word in self.thousand
            or word in self.multipliers
        )


_EN = _Vocab(
    units={
        "zero": 0, "oh": 0, "o": 0, "one": 1, "two": 2, "three": 3, "four": 4,
        "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    },
    teens={
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    },
    tens={
        "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90,
    },
    hundred=frozenset({"hundred"}),
    thousand=frozenset({"thousand"}),
    multipliers={"double": 2, "triple": 3},
)  # fmt: skip

_FR = _Vocab(
    units={
        "zéro": 0, "zero": 0, "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
        "six": 6, "sept": 7, "huit": 8, "neuf": 9,
    },
    teens={
        "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
        "seize": 16,
    },
    tens={
        "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50,
        "soixante": 60,
    },
    hundred=frozenset({"cent", "cents"}),
    thousand=frozenset({"mille"}),
    multipliers={"double": 2, "triple": 3},
)  # fmt: skip

# "oh"/"o" are zero only once a run has started: "four oh three" yes, "oh hi" / "oh, two things" no.
_ZERO_LETTERS = frozenset({"oh", "o"})
# A word, letters only, apostrophes inside ("O'Brien" is one token, not "O" + "Brien").
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# What may sit between two words of one spoken number: spaces, hyphens ("nine-one-one"), and commas
# or full stops, which speech-to-text inserts at the caller's pauses between digit groups.
_GAP = re.compile(r"[\s,.\-]*")
_PAUSE = re.compile(r"[,.]")
_SPACE = re.compile(r"[\s\-]*")
# French "vingt et un" is one number; fold the "et" away before tokenising.
_FR_ET = re.compile(
    r"\b(vingt|trente|quarante|cinquante|soixante)[\s-]+et[\s-]+(un|onze)\b", re.IGNORECASE
)
# English "three hundred and five" is one number; fold the "and" away (only before a number word).
_EN_AND = re.compile(
    r"\b(hundred|thousand)\s+and\s+(?=(?:"
    + "|".join(sorted({*_EN.units, *_EN.teens, *_EN.tens} - _ZERO_LETTERS))
    + r")\b)",
    re.IGNORECASE,
)


def _vocab(lang: str) -> _Vocab:
    return _FR if lang.lower().startswith("fr") else _EN


def _render_run(words: list[str], gaps: list[str], vocab: _Vocab) -> list[str]:
    """Digit groups for one run of number words; a pause (comma, full stop) starts a new group."""
    groups: list[list[str]] = [[]]

    def joined(index: int) -> bool:
        # Word `index` continues the word before it (no pause): only then do "ninety" and "nine"
        # make 99 rather than "90 9".
        return index < len(words) and not _PAUSE.search(gaps[index])

    def unit_at(index: int, low: int = 1) -> int | None:
        if not joined(index) or words[index] in _ZERO_LETTERS:
            return None
        value = vocab.units.get(words[index])
        return value if value is not None and value >= low else None

    def teen_at(index: int) -> tuple[int, int] | None:
        """(value, words consumed) for 10–19 at `index`, French "dix-sept" included."""
        value = vocab.teens.get(words[index]) if index < len(words) else None
        if value is None:
            return None
        if value == 10 and vocab is _FR:
            unit = unit_at(index + 1, low=7)
            if unit is not None:
                return 10 + unit, 2
        return value, 1

    def tens_at(index: int, pieces: list[str]) -> tuple[int, int] | None:
        """(value, words consumed) for 20–99 at `index`: "ninety-nine", "quatre-vingt-onze"."""
        value = vocab.tens.get(words[index]) if index < len(words) else None
        if value is None:
            return None
        if vocab is _FR and value == 20 and pieces and pieces[-1] == "4":
            pieces.pop()  # "quatre-vingt(s)" is eighty, not "4" then "20"
            value = 80
        if vocab is _FR and value in (60, 80) and joined(index + 1):
            teen = teen_at(index + 1)
            if teen is not None:
                return value + teen[0], 1 + teen[1]  # soixante-dix-sept, quatre-vingt-onze
        unit = unit_at(index + 1)
        return (value + unit, 2) if unit is not None else (value, 1)

    def number_follows(index: int) -> bool:
        return joined(index) and vocab.is_number_word(words[index])

    def below_hundred(index: int, *, last_unit: bool = False) -> tuple[int, int] | None:
        """(value, words consumed) for 1–99 joined at `index`; a lone unit only when `last_unit`
        and nothing numeric follows it (so digit strings are not swallowed)."""
        if not joined(index):
            return None
        if vocab is _FR and unit_at(index) == 4 and joined(index + 1):
            eighty = tens_at(index + 1, ["4"])  # "quatre-vingt-deux" after "cent"/"mille"
            if eighty is not None and words[index + 1] in ("vingt", "vingts"):
                return eighty[0], 1 + eighty[1]
        number = teen_at(index) or tens_at(index, [])
        if number is not None:
            return number
        unit = unit_at(index)
        if unit is not None and last_unit and not number_follows(index + 1):
            return unit, 1
        return None

    def below_thousand(index: int) -> tuple[int, int] | None:
        """(value, words consumed) for 1–999 joined at `index`: what follows "thousand"/"mille"."""
        if not joined(index):
            return None
        value, used = 0, 0
        unit = unit_at(index)
        if unit is not None and number_follows(index + 1) and words[index + 1] in vocab.hundred:
            value, used = unit * 100, 2
        elif words[index] in vocab.hundred:
            value, used = 100, 1
        if value:
            rest = below_hundred(index + used, last_unit=True)
            return (value + rest[0], used + rest[1]) if rest else (value, used)
        return below_hundred(index, last_unit=True)

    k = 0
    while k < len(words):
        word = words[k]
        if k and not joined(k) and groups[-1]:
            groups.append([])
        pieces = groups[-1]
        if word in vocab.multipliers:
            # The caller guarantees a digit follows every multiplier.
            pieces.append(str(vocab.units[words[k + 1]]) * vocab.multipliers[word])
            k += 2
        elif word in vocab.hundred:
            base = 100
            if joined(k) and pieces and len(pieces[-1]) <= 2 and int(pieces[-1]) > 0:
                # "eight hundred" → 800, "twelve hundred" → 1200, "twenty one hundred" → 2100.
                base = int(pieces.pop()) * 100
            # "five hundred fifty-five" is 555, "three hundred five Main" 305; "eight hundred five
            # five five" stays 800 then 555.
            rest = below_hundred(k + 1, last_unit=True)
            if rest is not None:
                pieces.append(str(base + rest[0]))
                k += 1 + rest[1]
            else:
                pieces.append(str(base))
                k += 1
        elif word in vocab.thousand:
            base = 1000
            if joined(k) and pieces and len(pieces[-1]) <= 2 and int(pieces[-1]) > 0:
                base = int(pieces.pop()) * 1000  # "two thousand", "deux mille"
            rest = below_thousand(k + 1)
            if rest is not None:
                pieces.append(str(base + rest[0]))
                k += 1 + rest[1]
            else:
                pieces.append(str(base))
                k += 1
        else:
            number = teen_at(k) or tens_at(k, pieces)
            if number is not None:
                pieces.append(str(number[0]))
                k += number[1]
            else:
                pieces.append(str(vocab.units[word]))
                k += 1
    return [text for text in ("".join(group) for group in groups) if text]


def spoken_digits_to_text(text: str, lang: str = "en") -> str:
    """Rewrite spoken digit runs as digits: "four oh three, five five five" → "403 555".

    Handles "double five" → "55", "triple two" → "222", "nine-one-one" → "911", tens and teens
    ("oh one ninety-nine" → "0199"), "one eight hundred" → "1800", "twelve hundred" → "1200",
    "one thousand two hundred and five" → "1205", and the French forms ("quatre zéro trois", "double
    cinq", "soixante-dix-sept", "mille deux cent"). A run must yield at least two digits, so a lone
    "one" or "two" in a sentence is left alone. Pauses (commas) between groups become spaces.
    """
    return _rewrite_numbers(text, _vocab(lang), None)


# Where a lone spoken digit is still a number: right after a unit label ("unit three", "app. deux").
_UNIT_LABEL_BEFORE = re.compile(
    r"(?:\b(?:unit|apt|apartment|suite|app|appartement|unit[ée]|logement|bureau|local)\.?"
    r"(?:\s+(?:is|number|no\.?|est|num[ée]ro))?|#)\s*$",
    re.IGNORECASE,
)
_ORDINAL_UNITS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9,
}  # fmt: skip
_ORDINALS = {
    **_ORDINAL_UNITS, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
    "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
}  # fmt: skip
_FR_ORDINALS = {
    "premier": "1er", "premiere": "1re", "deuxieme": "2e", "troisieme": "3e", "quatrieme": "4e",
    "cinquieme": "5e", "sixieme": "6e", "septieme": "7e", "huitieme": "8e", "neuvieme": "9e",
    "dixieme": "10e", "onzieme": "11e", "douzieme": "12e", "treizieme": "13e",
    "quatorzieme": "14e", "quinzieme": "15e", "seizieme": "16e", "vingtieme": "20e",
}  # fmt: skip
_STREET_TYPES_AFTER = (
    r"street|st|avenue|ave|av|road|rd|boulevard|blvd|drive|dr|crescent|way|lane|place|court"
    r"|rue|chemin|rang|boul"
)
# "West forty first Avenue" → "West 41st Avenue": an ordinal only becomes digits before a street
# type, so "a second opinion" and "the first time" are left alone.
_EN_ORDINAL = re.compile(
    r"\b(?:(?P<tens>twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-]+)?"
    r"(?P<ord>" + "|".join(sorted(_ORDINALS, key=len, reverse=True)) + r")"
    r"(?=\s+(?:" + _STREET_TYPES_AFTER + r")\b)",
    re.IGNORECASE,
)
_FR_ORDINAL = re.compile(
    r"\b(?P<ord>premi[eè]re?|(?:deux|trois|quatr|cinqu|six|sept|huit|neuv|dix|onz|douz|treiz"
    r"|quatorz|quinz|seiz|vingt)i[eè]me)(?=\s+(?:" + _STREET_TYPES_AFTER + r")\b)",
    re.IGNORECASE,
)


def _en_ordinal(match: re.Match[str]) -> str:
    value = _ORDINALS[match["ord"].lower()]
    if match["tens"]:
        if value > 9:
            return match.group()  # "twenty twelfth" is not a number
        value += _EN.tens[match["tens"].lower()]
    suffix = "th" if value % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(value % 10)
    return f"{value}{suffix or 'th'}"


def _fr_ordinal(match: re.Match[str]) -> str:
    return _FR_ORDINALS[match["ord"].lower().replace("è", "e")]


def spoken_address_to_text(text: str, lang: str | None = None) -> str:
    """Rewrite the numbers of a spoken address as digits, the way a house number is read out.

    "Forty one twenty two Hastings" → "4122 Hastings" (pairs), "two oh four" → "204" (digit by
    digit), "eighteen fifty" → "1850", "one thousand two hundred" → "1200", "unit three" → "unit
    3", "forty first Avenue" → "41st Avenue"; French "quarante-deux rue…" → "42 rue…", "mille deux
    cent" → "1200", "huitième avenue" → "8e avenue". A lone number word is left alone unless a
    unit label comes before it ("one of your guys", "I need one"). With no `lang`, the English
    forms then the French ones are tried (the address extractor is not told the language).
    """
    for code in (lang,) if lang else ("en", "fr"):
        vocab = _vocab(code)
        if vocab is _EN:
            text = _EN_ORDINAL.sub(_en_ordinal, text)
        else:
            text = _FR_ORDINAL.sub(_fr_ordinal, text)
        # A pause ends the number here: "unit three, twenty one fifty" is 3 then 2150.
        text = _rewrite_numbers(
            text, vocab, lambda before: _UNIT_LABEL_BEFORE.search(before) is not None, _SPACE
        )
    return text


def _rewrite_numbers(
    text: str,
    vocab: _Vocab,
    keep_short: Callable[[str], bool] | None,
    gap: re.Pattern[str] = _GAP,
) -> str:
    """Number runs → digits; `keep_short(text before the run)` may accept a one-digit run, and
    `gap` is what may separate two words of one run."""
    # French "vingt et un" and English "three hundred and five" are one number each.
    text = _FR_ET.sub(r"\1-\2", text) if vocab is _FR else _EN_AND.sub(r"\1 ", text)
    tokens = list(_WORD.finditer(text))
    folded = [fold(token.group()) for token in tokens]
    out: list[str] = []
    cursor = 0
    i = 0
    while i < len(tokens):
        if not vocab.is_number_word(folded[i]):
            i += 1
            continue
        j = i
        while (
            j + 1 < len(tokens)
            and vocab.is_number_word(folded[j + 1])
            and gap.fullmatch(text[tokens[j].end() : tokens[j + 1].start()])
        ):
            j += 1
        start, end = i, j
        # Trim what cannot begin or end a number: a leading "oh" (interjection), an English
        # "thousand" with no count before it ("a thousand bucks") and a multiplier with no digit
        # after it ("a double sink").
        while start <= end and (
            folded[start] in _ZERO_LETTERS or (vocab is _EN and folded[start] in vocab.thousand)
        ):
            start += 1
        while start <= end and folded[end] in vocab.multipliers:
            end -= 1
        words = folded[start : end + 1]
        valid = all(
            not (
                word in vocab.multipliers
                and (n + 1 >= len(words) or words[n + 1] not in vocab.units)
            )
            for n, word in enumerate(words)
        )
        if words and valid:
            gaps = [""] + [text[tokens[n].end() : tokens[n + 1].start()] for n in range(start, end)]
            groups = _render_run(words, gaps, vocab)
            digits = sum(len(group) for group in groups)
            if digits >= 2 or (
                digits == 1
                and keep_short is not None
                and keep_short(text[max(0, tokens[start].start() - 40) : tokens[start].start()])
            ):
                out.append(text[cursor : tokens[start].start()])
                out.append(" ".join(groups))
                cursor = tokens[end].end()
        i = j + 1
    out.append(text[cursor:])
    return "".join(out)


# --- e-mail ------------------------------------------------------------------------------------

_AT, _DOT, _UNDERSCORE, _DASH = "@", ".", "_", "-"

# Longest phrases first: "tiret bas" is an underscore, "tiret" alone a hyphen.
_CONNECTOR_PHRASES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("barre", "de", "soulignement"), _UNDERSCORE),
    (("trait", "de", "soulignement"), _UNDERSCORE),
    (("tiret", "du", "bas"), _UNDERSCORE),
    (("tiret", "bas"), _UNDERSCORE),
    (("under", "score"), _UNDERSCORE),
    (("trait", "d'union"), _DASH),
    (("at", "sign"), _AT),
    (("at", "symbol"), _AT),
    (("a", "commercial"), _AT),
    (("à", "commercial"), _AT),
    (("arobase",), _AT),
    (("arrobase",), _AT),
    (("arobas",), _AT),
    (("at",), _AT),
    (("@",), _AT),
    (("dot",), _DOT),
    (("point",), _DOT),
    ((".",), _DOT),
    (("underscore",), _UNDERSCORE),
    (("souligné",), _UNDERSCORE),
    (("_",), _UNDERSCORE),
    (("dash",), _DASH),
    (("hyphen",), _DASH),
    (("tiret",), _DASH),
    (("-",), _DASH),
)
_CONNECTOR_WORDS = frozenset(word for phrase, _ in _CONNECTOR_PHRASES for word in phrase)
# Phrases by first and by last word (longest first), so a token costs one dict lookup.
_BY_FIRST: dict[str, list[tuple[tuple[str, ...], str]]] = {}
_BY_LAST: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _phrase, _kind in sorted(_CONNECTOR_PHRASES, key=lambda item: len(item[0]), reverse=True):
    _BY_FIRST.setdefault(_phrase[0], []).append((_phrase, _kind))
    _BY_LAST.setdefault(_phrase[-1], []).append((_phrase, _kind))

# Top-level domains callers actually dictate. A bare spoken "at" needs one of these at the end, so
# "meet me at the park dot" never turns into an address; an explicit "@"/"arobase" needs none.
_TLDS = word_set("""
    com ca net org edu gov io co us info biz me uk fr de be ch app dev ai tv xyz email online shop
    store tech site pro live life page cloud mx au nz in eu cc ly
    """)
# What a bare "at" follows in ordinary speech: "email me at…", "I'm at…", "reach us at…".
_NOT_LOCAL = word_set("""
    me us him her them it you i we is was are email e-mail mail courriel here there home work
    address reach contact someone anyone everyone
    """)
_TOKEN = re.compile(r"@|[^\s@]+")
_LEAD_PUNCT = "\"'([<«"
_TRAIL_PUNCT = ".,;:!?)]>»\"'"
_LOCAL_LABEL = re.compile(r"[\w+'.\-]*\w[\w+'.\-]*")
_DOMAIN_LABEL = re.compile(r"\w[\w\-]*(?:\.\w[\w\-]*)*")


@dataclass(frozen=True, slots=True)
class _Token:
    start: int  # of the core, without surrounding punctuation
    end: int
    core: str  # as written
    low: str
    lead: bool  # punctuation was stripped before the core
    trail: bool  # …or after it


def _tokenise(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):
        raw = match.group()
        if raw in {".", "_", "-", "@"}:
            tokens.append(_Token(match.start(), match.end(), raw, raw, False, False))
            continue
        core = raw.lstrip(_LEAD_PUNCT)
        lead = len(raw) - len(core)
        stripped = core.rstrip(_TRAIL_PUNCT)
        trail = len(core) - len(stripped)
        if not stripped:
            continue
        start = match.start() + lead
        tokens.append(
            _Token(start, start + len(stripped), stripped, fold(stripped), lead > 0, trail > 0)
        )
    return tokens


def _number_parts(token: _Token, vocab: _Vocab) -> list[str] | None:
    parts = token.low.split("-")
    return parts if all(vocab.is_number_word(part) for part in parts) else None


def _merge_numbers(tokens: list[_Token]) -> list[_Token]:
    """Fold a spoken number of two words or more into one digit token: "chen underscore eighty
    two at…" → "chen", "underscore", "82", "at". A lone number word stays a word ("john dot one")."""
    out: list[_Token] = []
    i = 0
    while i < len(tokens):
        merged = None
        for vocab in (_EN, _FR):
            words = _number_parts(tokens[i], vocab)
            if words is None or words[0] in _ZERO_LETTERS:
                continue
            j = i
            while j + 1 < len(tokens) and not tokens[j].trail and not tokens[j + 1].lead:
                more = _number_parts(tokens[j + 1], vocab)
                if more is None:
                    break
                words, j = words + more, j + 1
            valid = len(words) >= 2 and all(
                word not in vocab.multipliers
                or (n + 1 < len(words) and words[n + 1] in vocab.units)
                for n, word in enumerate(words)
            )
            if valid:
                digits = "".join(_render_run(words, [""] * len(words), vocab))
                first, last = tokens[i], tokens[j]
                merged = (
                    _Token(first.start, last.end, digits, digits, first.lead, last.trail),
                    j,
                )
                break
        if merged is None:
            out.append(tokens[i])
            i += 1
        else:
            out.append(merged[0])
            i = merged[1] + 1
    return out


def _connector_forward(tokens: list[_Token], i: int) -> tuple[str, int] | None:
    if i >= len(tokens):
        return None
    for phrase, kind in _BY_FIRST.get(tokens[i].low, ()):
        n = len(phrase)
        window = tokens[i : i + n]
        if len(window) == n and tuple(t.low for t in window) == phrase:
            # Punctuation inside a phrase or after it means the caller moved on.
            if any(t.trail for t in window) or any(t.lead for t in window):
                return None
            return kind, n
    return None


def _connector_backward(tokens: list[_Token], j: int) -> tuple[str, int] | None:
    if j < 0:
        return None
    for phrase, kind in _BY_LAST.get(tokens[j].low, ()):
        n = len(phrase)
        if j - n + 1 < 0:
            continue
        window = tokens[j - n + 1 : j + 1]
        if tuple(t.low for t in window) == phrase and not any(t.trail or t.lead for t in window):
            return kind, n
    return None


def _is_label(token: _Token, pattern: re.Pattern[str]) -> bool:
    return token.low not in _CONNECTOR_WORDS and pattern.fullmatch(token.core) is not None


def _read_domain(tokens: list[_Token], k: int) -> tuple[str, int] | None:
    """(domain, index of its last token) starting at token k."""
    if k >= len(tokens) or tokens[k].lead or not _is_label(tokens[k], _DOMAIN_LABEL):
        return None
    pieces = [tokens[k].core]
    last = k
    while not tokens[last].trail:
        conn = _connector_forward(tokens, last + 1)
        if conn is None or conn[0] not in (_DOT, _DASH):
            break
        nxt = last + 1 + conn[1]
        if nxt >= len(tokens) or tokens[nxt].lead or not _is_label(tokens[nxt], _DOMAIN_LABEL):
            break
        pieces += [conn[0], tokens[nxt].core]
        last = nxt
    domain = "".join(pieces)
    if "." not in domain:
        return None
    return domain, last


def _extend_local(tokens: list[_Token], first: int, pieces: list[str]) -> int:
    """Walk back over "label connector" pairs before token `first`; returns the new first."""
    while not tokens[first].lead:
        conn = _connector_backward(tokens, first - 1)
        if conn is None or conn[0] == _AT:
            break
        prev = first - 1 - conn[1]
        if prev < 0 or tokens[prev].trail or not _is_label(tokens[prev], _LOCAL_LABEL):
            break
        pieces[:0] = [tokens[prev].core, conn[0]]
        first = prev
    return first


def _read_local(tokens: list[_Token], j: int, *, bare_at: bool) -> tuple[str, int] | None:
    """(local part, index of its first token) ending at token j."""
    if j < 0 or tokens[j].trail or not _is_label(tokens[j], _LOCAL_LABEL):
        return None
    pieces = [tokens[j].core]
    first = _extend_local(tokens, j, pieces)
    # A number said right after a word of the address, no connector: "m dot chen eighty two at…"
    # (the word must itself follow a connector, so "email is eighty two at…" does not qualify).
    before = _connector_backward(tokens, first - 2) if first >= 2 else None
    if (
        pieces[0].isdigit()
        and before is not None
        and before[0] != _AT
        and not tokens[first].lead
        and not tokens[first - 1].trail
        and tokens[first - 1].core.isalpha()
        and _is_label(tokens[first - 1], _LOCAL_LABEL)
    ):
        first -= 1
        pieces[0] = tokens[first].core + pieces[0]
        first = _extend_local(tokens, first, pieces)
    # Spelled-out letters, "j o r d a n at…": join single characters with no connector between.
    if len(pieces) == 1 and (len(pieces[0]) == 1 or pieces[0].isdigit()):
        while (
            first > 0
            and len(tokens[first - 1].core) == 1
            and tokens[first - 1].core.isalnum()
            and not tokens[first - 1].trail
            and not tokens[first].lead
        ):
            first -= 1
            pieces.insert(0, tokens[first].core)
    local = "".join(pieces)
    if bare_at and ("'" in local or fold(local) in _NOT_LOCAL):
        return None
    return local, first


def spoken_email_to_text(text: str) -> str:
    """Rewrite a dictated address as written: "jordan dot lee at example dot com" →
    "jordan.lee@example.com".

    Understands "at"/"at sign"/"@", "dot", "underscore", "dash"/"hyphen", and the French "arobase",
    "point", "tiret", "tiret bas"/"barre de soulignement", "trait d'union". Letters spelled one by one
    before the "at" are joined. Text without a plausible address is returned unchanged.
    """
    tokens = _merge_numbers(_tokenise(text))
    out: list[str] = []
    cursor = 0
    i = 0
    while i < len(tokens):
        conn = _connector_forward(tokens, i)
        if conn is None or conn[0] != _AT:
            i += 1
            continue
        bare_at = tokens[i].low == "at" and conn[1] == 1
        local = _read_local(tokens, i - 1, bare_at=bare_at)
        domain = _read_domain(tokens, i + conn[1])
        if local is None or domain is None:
            i += conn[1]
            continue
        if bare_at and fold(domain[0].rsplit(".", 1)[-1]) not in _TLDS:
            i += conn[1]
            continue
        first, last = local[1], domain[1]
        out.append(text[cursor : tokens[first].start])
        out.append(f"{local[0]}@{domain[0]}")
        cursor = tokens[last].end
        i = last + 1
    out.append(text[cursor:])
    return "".join(out)
