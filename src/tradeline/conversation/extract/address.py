"""A street address from what the caller said: "123 Main St NW", "unit 4, 88 Elm Crescent",
"45, boulevard Saint-Joseph, app. 3".

Canadian addresses only need two shapes: English number–name–type ("123 Main St", with Calgary's
quadrants) and French number–type–name ("123 rue Principale"). `usaddress` exists on PyPI but
is US-only, knows neither shape's French half nor quadrants, and is not a dependency, so this is a
token scanner anchored on the street type. Everything in between must look like a street name
(not "2 kids and a dog in the park"), and the civic number must stand alone ("3pm" is a time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tradeline.conversation.extract.lexicon import (
    CALL_WORDS,
    FUNCTION_WORDS,
    TIME_WORDS,
    fold,
)
from tradeline.conversation.extract.lexicon import words as word_set
from tradeline.conversation.extract.normalize import spoken_address_to_text

__all__ = ["extract_address"]

_STRONG_TYPES = word_set("""
    street st avenue ave av road rd boulevard blvd drive dr crescent cres way lane ln court ct crt
    place pl trail trl highway hwy parkway pkwy terrace terr circle cir
    """)
# Street types that are also ordinary words ("2 big green…", "the park"): capitalised, or followed
# by a quadrant, before we believe them.
_WEAK_TYPES = word_set("""
    close cl gate gt heights hts gardens gdns grove mews manor landing link rise bay view green
    park common commons point pt square sq row hill ridge estates crossing cove glen walk path loop
    plaza centre center line alley rang concession sideroad
    """)
_FR_TYPES = word_set("""
    rue avenue av boulevard boul bd blvd chemin ch route rang place montée montee côte cote croissant
    impasse allée allee promenade terrasse carré carre ruelle autoroute voie square quai sentier
    """)
_FR_CONNECTORS = word_set("de du des la le l' d' l’ d’ of")
_QUADRANTS = word_set("nw ne sw se n.w n.e s.w s.e north south east west")
_FR_DIRECTIONS = word_set("ouest nord sud")  # and "Est" capitalised: "est" is the verb
_UNIT_WORDS = word_set(
    "unit apt apartment suite ste # app appartement bureau local unité unite logement"
)
# Direction words that may open a street name with no street type ("1877 E Pender").
_DIRECTIONS = word_set("n s e w north south east west")
# Between a unit label and its number, or the number and the civic one: "the unit is 204, at 1850…".
_UNIT_FILLER = word_set("is number no est numéro numero")
_AT_WORDS = word_set("at à au")
_PROVINCES = word_set("""
    ab bc mb nb nl ns nt nu on pe qc sk yt alberta ontario québec quebec manitoba saskatchewan
    """)
_NOT_NAME = FUNCTION_WORDS | TIME_WORDS | CALL_WORDS
# Ordinary adjectives that open many street names ("9 Old Sambro Rd", "12 Little Lake Dr"): a name
# word only beside a real one, so "2 new drive belts" stays a purchase.
_NAME_ADJECTIVES = word_set("old new little great big upper lower back first")
# Numbered rural roads, civic number first: "4521 Hwy 3", "1234 Concession 4", "88 County Road 12".
_NUMBERED_ROADS = word_set("""
    highway hwy route rte concession conc sideroad trunk rr
    """)
_ROAD_QUALIFIERS = word_set("county regional township twp range rge provincial secondary municipal")
_ROADS = word_set("road rd")
# Rural routes after the road: ", RR 2", "RR #2", "R.R. 2", "Rural Route 2".
_RURAL_ROUTE = word_set("rr r.r rural")
_TOWN_CONNECTORS = word_set("of de du des la le sur on the")
# Spelled-out one-digit civic numbers the spoken-number reader leaves alone: "nine Maple Drive".
# What may come just before a spelled-out civic number ("it's nine Maple Drive", "at nine…").
_BEFORE_SPELLED_CIVIC = word_set("""
    at is it's its it’s from on to address live living located home à au est c'est c’est sur
    """)
_DIGIT_WORDS = {
    word: str(digit)
    for words_, start in (
        ("one two three four five six seven eight nine", 1),
        ("deux trois quatre cinq six sept huit neuf", 2),
    )
    for digit, word in enumerate(words_.split(), start)
}
_POSTAL = re.compile(r"[A-Za-z]\d[A-Za-z]\s?\d[A-Za-z]\d")
_TOKEN = re.compile(
    r"(?P<postal>\b[A-Za-z]\d[A-Za-z]\s?\d[A-Za-z]\d\b)"
    r"|(?P<ord>\d{1,3}(?:st|nd|rd|th|e|er)\b)"
    r"|(?P<num>\d+[A-Za-z]?(?:-\d+[A-Za-z]?)?)"
    r"|(?P<word>[^\W\d_](?:[\w'’.-]*[^\W_])?)"
    r"|(?P<punct>[^\w\s])",
)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # postal | ord | num | word | punct
    text: str
    low: str
    start: int
    end: int


def _tokenise(text: str) -> list[_Tok]:
    return [
        _Tok(m.lastgroup or "punct", m.group(), fold(m.group()).rstrip("."), m.start(), m.end())
        for m in _TOKEN.finditer(text)
    ]


def _is_civic(text: str, tok: _Tok) -> bool:
    """A civic number: digits standing alone, not glued to letters ("3pm") or a time ("10:30")."""
    if tok.kind != "num" or len(tok.text.split("-")[-1]) > 6:
        return False
    after = text[tok.end : tok.end + 1]
    before = text[tok.start - 1 : tok.start] if tok.start else ""
    return not (after.isalpha() or after == ":" or before in {"$", ":", "."} or before.isdigit())


def _name_word(tok: _Tok) -> bool:
    if tok.kind == "ord":
        return True
    if tok.kind == "num":
        return len(tok.text) <= 3 and "-" not in tok.text  # Calgary's "1234 17 Ave SW"
    return tok.kind == "word" and tok.low not in _NOT_NAME


def _is_type(tok: _Tok, nxt: _Tok | None) -> bool:
    if tok.kind != "word":
        return False
    if tok.low in _STRONG_TYPES:
        return True
    quadrant_follows = nxt is not None and nxt.low in _QUADRANTS
    return tok.low in _WEAK_TYPES and (tok.text[0].isupper() or quadrant_follows)


def _english(toks: list[_Tok], i: int, *, capitalised: bool = False) -> int | None:
    """Index of the street type after civic number i ("123 Main St"), or None.

    With `capitalised`, every name word must be capitalised (or an ordinal): a spelled-out civic
    number ("nine Maple Drive") is believed only in front of a proper name.
    """
    j = i + 1
    names = 0
    real = 0
    while j < len(toks) and names <= 4:
        tok = toks[j]
        nxt = toks[j + 1] if j + 1 < len(toks) else None
        if real and _is_type(tok, nxt):
            return j
        adjective = tok.kind == "word" and tok.low in _NAME_ADJECTIVES
        if not (_name_word(tok) or adjective):
            return None
        if capitalised and tok.kind == "word" and not tok.text[0].isupper():
            return None
        names += 1
        real += not adjective
        j += 1
    return None


def _spelled_civic(toks: list[_Tok], i: int) -> int | None:
    """The street after a spelled-out one-digit civic number ("nine Maple Drive", "neuf rue
    Principale"), believed only before a capitalised name."""
    end = _english(toks, i, capitalised=True)
    if end is not None:
        return end
    end = _french(toks, i)
    if end is None or not any(
        t.kind == "word" and t.text[0].isupper() for t in toks[i + 2 : end + 1]
    ):
        return None
    return end


def _numbered_road(toks: list[_Tok], i: int) -> int | None:
    """Index of the road's number after civic number i ("4521 Hwy 3", "88 County Road 12")."""
    j = i + 1
    if j < len(toks) and toks[j].low in _ROAD_QUALIFIERS:
        j += 1
        if j >= len(toks) or toks[j].low not in _ROADS:
            return None
    elif j >= len(toks) or toks[j].low not in _NUMBERED_ROADS:
        return None
    j += 1
    if j < len(toks) and toks[j].text in {".", "#"}:
        j += 1  # "Hwy. 3", "Route #7"
    if j < len(toks) and toks[j].kind == "num" and len(toks[j].text) <= 4:
        return j
    return None


def _rural_route_after(toks: list[_Tok], j: int) -> int:
    """Extend past ", RR 2" / "RR #2" / "R.R. 2" / "Rural Route 2" after index j."""
    k = j + 1
    if k < len(toks) and toks[k].text == ",":
        k += 1
    if k >= len(toks) or toks[k].low not in _RURAL_ROUTE:
        return j
    if toks[k].low == "rural":
        k += 1
        if k >= len(toks) or toks[k].low != "route":
            return j
    k += 1
    while k < len(toks) and toks[k].text in {".", "#"}:
        k += 1
    if k < len(toks) and toks[k].kind == "num" and len(toks[k].text) <= 3:
        return k
    return j


def _place_after(toks: list[_Tok], j: int) -> int:
    """After a rural route, the community may follow with no comma: "RR 2 Head of St Margarets Bay"."""
    k = j + 1
    end = j
    words = 0
    while k < len(toks) and words < 6:
        tok = toks[k]
        if tok.kind == "word" and tok.text[0].isupper() and tok.low not in _NOT_NAME:
            end, words = k, words + 1
        elif not (
            tok.kind == "word"
            and tok.low in _TOWN_CONNECTORS
            and end > j
            and k + 1 < len(toks)
            and toks[k + 1].kind == "word"
            and toks[k + 1].text[0].isupper()
        ):
            break
        k += 1
    return end


def _french(toks: list[_Tok], i: int) -> int | None:
    """Index of the last word of the street name after civic number i ("123 rue Principale")."""
    j = i + 1
    if j < len(toks) and toks[j].text == ",":
        j += 1
    if j >= len(toks) or toks[j].kind != "word" or toks[j].low not in _FR_TYPES:
        return None
    j += 1
    if j < len(toks) and toks[j].text == ".":
        j += 1  # "boul. Saint-Joseph"
    last = None
    while j < len(toks) and j - i < 10:
        tok = toks[j]
        if tok.kind == "word" and tok.low in _FR_CONNECTORS:
            j += 1
            continue
        if tok.kind == "word" and (tok.low not in _NOT_NAME or tok.text[0].isupper()):
            last = j
            j += 1
            continue
        if tok.kind in {"ord", "num"} and len(tok.text) <= 3 and last is None:
            last = j  # "rue 2", "8e Avenue"
            j += 1
            continue
        break
    return last


def _unit_after(toks: list[_Tok], j: int) -> int:
    """Extend past ", unit 4" / "apt 12B" / "#302" / "app. 3" / "St., Unit 5" after index j."""
    k = j + 1
    if k + 1 < len(toks) and toks[k].text == "." and toks[k + 1].text == ",":
        k += 1  # the street type's abbreviation dot
    if k < len(toks) and toks[k].text == ",":
        k += 1
    if k < len(toks) and toks[k].low in _UNIT_WORDS:
        k += 1
        while k < len(toks) and toks[k].text in {".", "#"}:
            k += 1
        if (
            k < len(toks)
            and toks[k].kind in {"num", "word"}
            and any(c.isdigit() for c in toks[k].text)
        ):
            return k
    return j


def _town_after(toks: list[_Tok], j: int) -> int:
    """Extend past ", Calgary", ", Laval, QC", ", Calgary AB T2P 1J9" after index j."""
    k = j + 1
    if k + 1 < len(toks) and toks[k].text == "." and toks[k + 1].text == ",":
        k += 1  # "Main St., Calgary"
    if k >= len(toks) or toks[k].text != ",":
        return j
    k += 1
    end = j
    words = 0
    while k < len(toks) and toks[k].kind == "word" and words < 5:
        tok = toks[k]
        if tok.text[0].isupper() and tok.low not in _NOT_NAME:
            end, k, words = k, k + 1, words + 1
        elif (
            tok.low in _TOWN_CONNECTORS
            and end > j
            and k + 1 < len(toks)
            and toks[k + 1].kind == "word"
            and toks[k + 1].text[0].isupper()
            and toks[k + 1].low not in _NOT_NAME
        ):
            k += 1  # "Head of St Margarets Bay", "Saint-Jean-sur-Richelieu" written apart
        else:
            break
    if end == j:
        return j
    if k < len(toks) and toks[k].text == ",":
        k += 1
    if (
        k < len(toks)
        and toks[k].low in _PROVINCES
        and (toks[k].text.isupper() or len(toks[k].text) > 2)
    ):
        end, k = k, k + 1
    if k < len(toks) and toks[k].kind == "postal":
        end = k
    return end


def _unit_before(toks: list[_Tok], i: int) -> tuple[int, str | None]:
    """Extend back over "unit 4, " / "#302 - " / "apt 12B " before civic number i.

    Returns the index the address starts at and, when words had to be skipped ("the unit is 204,
    at 1850…"), the unit written cleanly ("unit 204, ") to put in front of the civic number.
    """
    k = i - 1
    skipped = False
    if k >= 0 and toks[k].kind == "word" and toks[k].low in _AT_WORDS:
        k, skipped = k - 1, True
    if k >= 0 and toks[k].text in {",", "-"}:
        k -= 1
    if k >= 1 and toks[k].kind in {"num", "word"} and any(c.isdigit() for c in toks[k].text):
        label = k - 1
        if toks[label].text == "." and label >= 1:
            label -= 1
        if toks[label].low in _UNIT_FILLER and label >= 1 and toks[label - 1].low in _UNIT_WORDS:
            label, skipped = label - 1, True
        if toks[label].low in _UNIT_WORDS:
            return label, (f"{toks[label].text} {toks[k].text}, " if skipped else None)
    return i, None


def _typeless(text: str, toks: list[_Tok], i: int) -> int | None:
    """Index of the last word of a street with no street type after civic number i, or None.

    "1877 E Pender", "2150 Kingsway", "unit 3, 2150 Granville, Vancouver": the name must be
    capitalised (or an ordinal after a direction), and something must confirm that it is a street:
    a direction, a "-way" name (Kingsway, Broadway), a unit, or a town after a comma. The civic
    number needs two digits or more, so "2 Dogs" or "3 Units" never start one.
    """
    civic = toks[i].text.split("-")[-1]
    if sum(c.isdigit() for c in civic) < 2 or civic.startswith("0"):
        return None
    j = i + 1
    direction = False
    if (
        j + 1 < len(toks)
        and toks[j].kind == "word"
        and toks[j].low in _DIRECTIONS
        and (toks[j].text[0].isupper() or len(toks[j].text) == 1)
    ):
        direction, j = True, j + 1
    last = None
    while j < len(toks) and j - i <= 4:
        tok = toks[j]
        if tok.kind == "ord" and direction:
            last = j
        elif not (
            tok.kind == "word"
            and tok.text[0].isupper()
            and tok.low not in _NOT_NAME
            and tok.low not in _UNIT_WORDS
            and tok.low not in _PROVINCES
            and tok.low not in _DIRECTIONS
        ):
            break
        last = j
        j += 1
    if last is None:
        return None
    nxt = toks[last + 1] if last + 1 < len(toks) else None
    confirmed = (
        direction
        or (last == i + 1 and len(toks[last].low) > 5 and toks[last].low.endswith("way"))
        or (nxt is not None and nxt.kind == "word" and nxt.text in {"N", "S", "E", "W"})
        or (nxt is not None and nxt.low in _QUADRANTS and nxt.text[0].isupper())
        or _unit_after(toks, last) != last
        or _unit_before(toks, i)[0] != i
        or _town_after(toks, last) != last
    )
    if not confirmed or (nxt is not None and nxt.kind == "num" and _is_civic(text, nxt)):
        return None
    return last


def extract_address(text: str, lang: str | None = None) -> str | None:
    """The first street address in `text`, as written, with units and town, or None.

    Spoken numbers are read as digits first ("forty one twenty two Hastings Street" → "4122
    Hastings Street"); with no `lang`, both English and French number words are.
    """
    text = spoken_address_to_text(text, lang)
    toks = _tokenise(text)
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.low in _DIGIT_WORDS:
            if i and toks[i - 1].kind == "word" and toks[i - 1].low not in _BEFORE_SPELLED_CIVIC:
                continue  # "I have two Main Street properties"
            end = _spelled_civic(toks, i)
            if end is None:
                continue
            end = _town_after(toks, _unit_after(toks, end))
            street = re.sub(r"\s+", " ", text[toks[i + 1].start : toks[end].end])
            return f"{_DIGIT_WORDS[tok.low]} {street}".strip(" ,.")
        if not _is_civic(text, tok):
            continue
        end = _numbered_road(toks, i)
        if end is not None:
            route = _rural_route_after(toks, end)
            if route != end:
                place = _place_after(toks, route)
                end = _town_after(toks, place)
            else:
                end = _town_after(toks, _unit_after(toks, end))
            start, unit = _unit_before(toks, i)
            if unit is not None:
                address = unit + text[tok.start : toks[end].end]
            else:
                address = text[toks[start].start : toks[end].end]
            return re.sub(r"\s+", " ", address).strip(" ,.")
        end = _english(toks, i)
        if end is not None:
            if (
                end + 2 < len(toks)
                and toks[end + 1].text == "."
                and toks[end + 2].low in _QUADRANTS
            ):
                end += 1  # "St. NW": the abbreviation's dot, not a full stop
            # "NW", "north"; single-letter quadrants only in capitals ("Main St E", not "…st a").
            if end + 1 < len(toks) and (
                toks[end + 1].low in _QUADRANTS
                or toks[end + 1].text in {"N", "S", "E", "W", "Est"}
                or toks[end + 1].low in _FR_DIRECTIONS
            ):
                end += 1
        else:
            end = _french(toks, i)
            if end is not None:
                if end + 1 < len(toks) and (
                    toks[end + 1].low in _FR_DIRECTIONS or toks[end + 1].text == "Est"
                ):
                    end += 1
            else:
                end = _typeless(text, toks, i)
                if end is None:
                    continue
                if end + 1 < len(toks) and toks[end + 1].text in {"N", "S", "E", "W"}:
                    end += 1
        end = _town_after(toks, _unit_after(toks, end))
        start, unit = _unit_before(toks, i)
        if unit is not None:
            address = unit + text[tok.start : toks[end].end]
        else:
            address = text[toks[start].start : toks[end].end]
        # A final "." is the sentence's, even after "St": the street type reads the same without it.
        return re.sub(r"\s+", " ", address).strip(" ,.")
    return None
