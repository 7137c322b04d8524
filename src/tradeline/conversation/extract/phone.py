"""A callback number from what the caller said or typed.

Numbers are found by `phonenumbers.PhoneNumberMatcher` on the spoken-digit-normalised text, with
leniency POSSIBLE rather than VALID: VALID checks the number against the carriers' allocated ranges,
and the fictional 555-01xx numbers (used in docs, tests and by cautious callers) and freshly opened
overlay area codes fail it, while a wrong-but-possible number costs us only a confirmation question.
The matcher already refuses times ("10:30"), dates and short digit runs (street numbers, prices,
years). On top of it we require `IS_POSSIBLE` — not `IS_POSSIBLE_LOCAL_ONLY` — which rejects 7-digit
local numbers: 10-digit dialling is mandatory across Canada and most of the US, and Calgary alone has
three overlaid area codes (403, 587, 825), so the area code of "555-0199" cannot be inferred.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher, ValidationResult

from tradeline.conversation.extract.lexicon import CORRECTION, fold
from tradeline.conversation.extract.normalize import spoken_digits_to_text

__all__ = ["PhoneResult", "extract_phone"]


@dataclass(frozen=True, slots=True)
class PhoneResult:
    e164: str
    is_callers_own: bool  # the caller meant the number they are calling or texting from
    corrected: bool  # the caller corrected themselves: replace any number taken earlier


# "Use the number I'm calling from" and its variants, in both languages. "ici"/"here" alone is far
# too common ("je suis ici"), so it counts only with a contact verb or as the whole answer.
_SELF_REFERENCE = re.compile(
    r"\b(?:"
    r"(?:this|the\s+same)\s+(?:number|phone|cell|line)\b(?!\s+(?:is\s+)?(?:for|of)\b)"
    r"|(?:use|call|text|try|on|at)\s+this\s+one\b|this\s+one\s+(?:is|works|'s)\b"
    r"|(?:number|one|phone|line)\s+i'?m\s+(?:calling|texting|on)\b"
    r"|(?:number|one|phone)\s+i\s+(?:called|texted|am\s+calling|am\s+texting)\b"
    r"|same\s+(?:number|one|phone)\b|caller\s+id\b|(?:number|one)\s+(?:that\s+)?(?:you\s+have|showed\s+up|shows\s+up|came\s+up)\b"
    r"|(?:call|text|reach|contact|get)\s+(?:me|us)\s+(?:back\s+)?(?:here|on\s+this|at\s+this)\b"
    r"|here(?:\s+is|'s)\s+(?:fine|good|best|great|ok|okay)\b"
    r"|ce\s+(?:numéro|numero|cell|cellulaire|téléphone)\b|(?:le\s+)?même\s+(?:numéro|numero)\b"
    r"|(?:numéro|numero|celui(?:-ci|-là)?)\s+(?:d'où|d'ou|que|avec\s+lequel|duquel|à\s+partir\s+duquel|sur\s+lequel)"
    r"\s+(?:je\s+(?:vous\s+|t'|te\s+)?|j'(?:vous\s+)?)(?:appelle|écris|ecris|texte|envoie|suis)\b"
    r"|(?:number|one|phone)\s+(?:i'?m|i\s+am)\s+(?:using|writing\s+from|messaging\s+from)\b"
    # "you have it already", "you've got my number": not "do you have my number?" (a question).
    r"|(?<!do\s)(?<!did\s)you\s+(?:already\s+(?:have|got)\s+(?:it|my\s+number|the\s+number|that)"
    r"|(?:have|got|'ve\s+got|should\s+have|can\s+see)\s+(?:it|that)\s+already"
    r"|(?:have|'ve\s+got|should\s+have|can\s+see)\s+my\s+(?:number|cell|phone\s+number))\b"
    r"|(?:on|from)\s+(?:your|the)\s+(?:caller\s+id|call\s+display)\b|on\s+your\s+(?:screen|display)\b"
    r"|vous\s+(?:l'avez\s+d[ée]j[àa]|avez\s+d[ée]j[àa]\s+(?:mon|le)\s+num[ée]ro|avez\s+(?:mon|le)\s+num[ée]ro\s+d[ée]j[àa])"
    r"|(?:sur\s+)?votre\s+afficheur\b"
    r"|celui-(?:ci|là)\s+(?:est\s+|c'est\s+)?(?:correct|bon|parfait|beau|ok)\b"
    r"|(?:rejoindre|joindre|appeler|appelez|rappeler|rappelez|texter|textez|écrire|écrivez|contacter|contactez)(?:-moi|\s+me)?\s+(?:ici|à\s+ce|sur\s+ce)\b"
    r")"
    r"|^\W*(?:(?:oui|yes|yeah|ok|okay)\W+)?(?:ici|here)(?:\s+c'est\s+(?:correct|bon|parfait|beau|ok)|\s+(?:is\s+)?(?:fine|good))?\W*$"
    # "le même" as the whole answer: inside a sentence it is about anything ("le même problème").
    r"|^\W*(?:(?:oui|ok|okay|c'est)\W+)*(?:(?:le|la)\s+m[êe]me(?:\s+num[ée]ro)?(?:\s+que\s+(?:d'habitude|avant|la\s+derni[èe]re\s+fois))?"
    r")(?:\s+(?:svp|merci))?\W*$",
    re.IGNORECASE,
)
# The caller rules their own number out: "not this number", "pas ce numéro", "a different number".
_NOT_SELF = re.compile(
    r"\b(?:not|n't|don't\s+use|never)\s+(?:on\s+|at\s+)?(?:this|that|the\s+same|the)\s+(?:number|phone|one|line)\b"
    r"|\b(?:different|another|other|better|new)\s+(?:number|phone|line)\b"
    r"|\bpas\s+(?:à\s+|sur\s+)?(?:ce|le\s+même)\s+(?:numéro|numero)\b|\bun\s+autre\s+(?:numéro|numero)\b",
    re.IGNORECASE,
)
# Between two numbers, a short cue is enough to make the second a correction of the first. "no" /
# "non" only count when they stand alone ("…0199, no, 0198"), not in "if no answer, try…".
_GAP_CORRECTION = re.compile(
    r"\b(?:wait|hold\s+on|hang\s+on|attend(?:ez|s)?|pardon|sorry|d[ée]sol[ée]e?|excusez(?:-moi)?"
    r"|oops|whoops|oups|my\s+bad|actually|en\s+fait|i\s+mean|je\s+veux\s+dire|je\s+voulais\s+dire"
    r"|plut[ôo]t|rather|make\s+(?:it|that)|scratch\s+that|correction|erreur|let\s+me\s+correct"
    r"|je\s+me\s+suis\s+tromp\w*|i\s+got\s+(?:it|that)\s+wrong|wrong\s+number"
    r"|(?:no|non|nope)(?=\s*(?:$|[,.…!\-–—:;]|\d|c'est|it'?s|it\s+is|that'?s|sorry|wait|attend|actually"
    r"|en\s+fait|pardon|d[ée]sol|i\s+mean|je\s+veux|make|le\s+bon|the\s+right)))",
    re.IGNORECASE,
)
# After a correction cue, a short digit group that repairs the end of the number just given: "…0158.
# Sorry, no, 0159 at the end." Four digits (the line number) or seven (exchange and line), or two to
# seven when the caller says where they go ("at the end", "the last two", "à la fin").
_TAIL_FIX = re.compile(
    r"^(?P<gap>[^\d]{1,60}?)(?P<digits>\d(?:[\s.\-]?\d){1,6})"
    r"(?P<where>\s+(?:at\s+the\s+end|on\s+the\s+end|[àa]\s+la\s+fin)\b)?"
    # Only where the digits end the thought: not "1030 tomorrow", "10:30", "$1030", "3 doors".
    r"(?=\s*(?:$|[,.;!?…)\-–—]|instead\b|please\b|thanks?\b|merci\b|svp\b|plut[ôo]t\b|not\b|pas\b))",
    re.IGNORECASE,
)
# "…no, oh one five nine": the "oh" left in front of the digits is their leading zero.
_LEADING_OH = re.compile(r"\b(?:oh|o)[\s\-]*$")
_TAIL_WHERE_BEFORE = re.compile(
    r"\b(?:(?:the\s+)?last\s+(?:two|three|four|five|six|seven|\d)(?:\s+digits?)?|ending(?:\s+in)?"
    r"|(?:les\s+)?derniers\s+chiffres|[àa]\s+la\s+fin|finit\s+par|se\s+termine\s+par)\b",
    re.IGNORECASE,
)
# What may sit between the correction cue and the digits: "sorry, no, it's the last four are…".
_TAIL_FILLER = re.compile(
    r"^(?:[\s,.;:!…\-–—]|it'?s\b|it\s+is\b|that'?s\b|c'est\b|make\s+(?:it|that)\b|should\s+be\b"
    r"|(?:the\s+)?last\s+(?:two|three|four|five|six|seven|\d)(?:\s+digits?)?(?:\s+(?:are|is))?\b"
    r"|ending(?:\s+in)?\b|(?:les\s+)?derniers\s+chiffres(?:\s+sont)?\b|[àa]\s+la\s+fin\b"
    r"|no\b|non\b|nope\b|sorry\b|wait\b|i\s+mean\b|je\s+veux\s+dire\b|pardon\b|actually\b"
    r"|en\s+fait\b|plut[ôo]t\b|oops\b|oups\b)*$",
    re.IGNORECASE,
)
# A match that is really money: "$4035550199" or "4035550199 dollars".
_PRICE_BEFORE = re.compile(r"[$€£]\s*$")
_PRICE_AFTER = re.compile(r"^\s*(?:\$|dollars?|bucks|piastres?)\b", re.IGNORECASE)


def _to_e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _callers_e164(caller_number: str | None, region: str) -> str | None:
    if not caller_number:
        return None
    try:
        parsed = phonenumbers.parse(caller_number, region)
    except phonenumbers.NumberParseException:
        return None  # withheld caller ID arrives as "anonymous" or "+266696687"-style junk
    if phonenumbers.is_possible_number_with_reason(parsed) != ValidationResult.IS_POSSIBLE:
        return None
    return _to_e164(parsed)


def _numbers_in(text: str, region: str) -> list[tuple[str, int, int]]:
    """(E.164, start, end) of each callback-shaped number in `text`."""
    found: list[tuple[str, int, int]] = []
    for match in PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE):
        if (
            phonenumbers.is_possible_number_with_reason(match.number)
            != ValidationResult.IS_POSSIBLE
        ):
            continue
        if _PRICE_BEFORE.search(text[: match.start]) or _PRICE_AFTER.match(text[match.end :]):
            continue
        found.append((_to_e164(match.number), match.start, match.end))
    return found


def _tail_fix(spoken: str, end: int, e164: str, region: str) -> str | None:
    """`e164` with its last digits replaced when, after it ends at `end`, the caller corrects just
    those ("…oh one five eight. Sorry, no, oh one five nine at the end"), else None."""
    match = _TAIL_FIX.match(spoken[end:])
    if match is None:
        return None
    gap = fold(match["gap"])
    digits = re.sub(r"\D", "", match["digits"])
    oh = _LEADING_OH.search(gap)
    if oh is not None:
        gap, digits = gap[: oh.start()], "0" + digits
    cue = _GAP_CORRECTION.search(gap)
    if cue is None or not _TAIL_FILLER.match(gap[cue.start() :]):
        return None
    placed = match["where"] is not None or _TAIL_WHERE_BEFORE.search(gap) is not None
    if len(digits) not in (4, 7) and not placed:
        return None
    parsed = phonenumbers.parse(e164, region)
    national = str(parsed.national_number)
    if len(digits) >= len(national):
        return None
    fixed = phonenumbers.parse(national[: -len(digits)] + digits, region)
    if phonenumbers.is_possible_number_with_reason(fixed) != ValidationResult.IS_POSSIBLE:
        return None
    return _to_e164(fixed)


def extract_phone(
    text: str, *, region: str, caller_number: str | None, lang: str = "en"
) -> PhoneResult | None:
    """The callback number in `text` as E.164, or None.

    Every written or spoken format is accepted ("403.555.0199", "(403) 555-0199", "+1 613 555 0142",
    "four oh three five five five…"). With several numbers the first wins, unless the caller
    corrects themselves ("actually it's…", "plutôt…", or a short "wait" / "non attendez" / "oops"
    between two numbers): then the last one wins and `corrected` is set.
    With no digits, a reference to the number they are calling from ("this number", "same number",
    "ce numéro") yields `caller_number` when it is known.
    """
    folded = fold(text)
    corrected = CORRECTION.search(folded) is not None
    own = _callers_e164(caller_number, region)
    spoken = spoken_digits_to_text(text, lang)
    found = _numbers_in(spoken, region)
    numbers = [e164 for e164, _, _ in found]
    if numbers:
        # A cue between two numbers ("0123... non attendez, 0132", "0199, wait, 0198") is a
        # restatement even where a bare "wait" elsewhere in a sentence would not be.
        corrected = corrected or any(
            _GAP_CORRECTION.search(fold(spoken[a[2] : b[1]])) for a, b in pairwise(found)
        )
        chosen = numbers[-1] if corrected else numbers[0]
        # "…0158. Sorry, no, 0159 at the end": only the last digits are said again.
        last = found[-1] if corrected else found[0]
        fixed = _tail_fix(spoken, last[2], last[0], region) if last[0] == chosen else None
        if fixed is not None:
            chosen, corrected = fixed, True
        return PhoneResult(chosen, is_callers_own=chosen == own, corrected=corrected)
    if own is not None and _SELF_REFERENCE.search(folded) and not _NOT_SELF.search(folded):
        return PhoneResult(own, is_callers_own=True, corrected=corrected)
    return None
