"""Callback numbers: formats, spoken digits, "this number", corrections, and what is not a number."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradeline.conversation.extract.phone import PhoneResult, extract_phone

CALLER = "+15875550100"
OWN = PhoneResult("+15875550100", is_callers_own=True, corrected=False)


def other(e164: str, *, corrected: bool = False) -> PhoneResult:
    return PhoneResult(e164, is_callers_own=False, corrected=corrected)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # Punctuation variants.
        ("call me at 403.555.0199 please", "en", other("+14035550199")),
        ("(403) 555-0199", "en", other("+14035550199")),
        ("403 555 0199", "en", other("+14035550199")),
        ("4035550199", "en", other("+14035550199")),
        ("403-555-0199", "en", other("+14035550199")),
        ("+1 (613) 555-0142", "en", other("+16135550142")),
        ("1-800-555-0199", "en", other("+18005550199")),
        ("1 403 555 0199", "en", other("+14035550199")),
        ("my cell is 403 555 0142, thanks!", "en", other("+14035550142")),
        ("+44 20 7946 0958", "en", other("+442079460958")),
        # Spoken.
        ("four oh three five five five oh one nine nine", "en", other("+14035550199")),
        ("four zero three, double five five, zero one four two", "en", other("+14035550142")),
        ("quatre zéro trois cinq cinq cinq zéro un neuf neuf", "fr", other("+14035550199")),
        ("c'est le six un trois, cinq cinq cinq, zéro un quatre deux", "fr", other("+16135550142")),
        # The caller's own number.
        ("Yes this number is good", "en", OWN),
        ("the number I'm calling from", "en", OWN),
        ("text me here", "en", OWN),
        ("same number", "en", OWN),
        ("you can use this one", "en", OWN),
        ("ce numéro", "fr", OWN),
        ("le même numéro", "fr", OWN),
        ("ici", "fr", OWN),
        ("Oui, ici c'est correct", "fr", OWN),
        ("vous pouvez me rejoindre ici", "fr", OWN),
        ("my number is 587 555 0100", "en", OWN),
        # Corrections: the last number wins.
        (
            "it's 403-555-0199, actually it's 587-555-0142",
            "en",
            other("+15875550142", corrected=True),
        ),
        ("403 555 0199, sorry, I meant 403 555 0198", "en", other("+14035550198", corrected=True)),
        ("no, it's 403 555 0142", "en", other("+14035550142", corrected=True)),
        ("403 555 0199 ou plutôt 403 555 0142", "fr", other("+14035550142", corrected=True)),
        # Several numbers without a correction: the first is the callback.
        ("cell 403 555 0199 or work 403 555 0100", "en", other("+14035550199")),
        ("not this number, use 403 555 0199", "en", other("+14035550199")),
        # Not phone numbers.
        ("not this number", "en", None),
        ("pas ce numéro", "fr", None),
        ("can you come at 3pm", "en", None),
        ("at 10:30 tomorrow", "en", None),
        ("123 Main Street", "en", None),
        ("I'm at 1234 17 Ave SW", "en", None),
        ("it was $95 last time", "en", None),
        ("the furnace is from 2019", "en", None),
        ("555-0199", "en", None),  # 7 digits: the area code cannot be inferred
        ("this number is for my wife", "en", None),
        ("C'est Marie ici", "fr", None),
        ("the gas line is leaking", "en", None),
        ("what's the number for your office?", "en", None),
        ("you can reach me on the same line", "en", OWN),
        ("my furnace is broken", "en", None),
        ("$4035550199", "en", None),
    ],
)
def test_extract_phone(text: str, lang: str, expected: PhoneResult | None) -> None:
    assert extract_phone(text, region="CA", caller_number=CALLER, lang=lang) == expected


def test_self_reference_needs_a_known_caller_number() -> None:
    assert extract_phone("this number is fine", region="CA", caller_number=None) is None
    assert extract_phone("this number", region="CA", caller_number="anonymous") is None


def test_explicit_number_equal_to_caller_is_flagged_as_own() -> None:
    result = extract_phone("(587) 555-0100", region="CA", caller_number="587-555-0100")
    assert result == OWN


_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def _spoken(digits: str, flags: list[bool]) -> str:
    """Digits as a caller reads them; `flags[i]` picks "oh" for a zero inside the run and
    "double x" for a repeated digit at position i."""
    words = []
    i = 0
    while i < len(digits):
        digit = digits[i]
        if i + 1 < len(digits) and digits[i + 1] == digit and flags[i]:
            words.append(f"double {_WORDS[int(digit)]}")
            i += 2
            continue
        # "oh" for zero only inside a run, as callers say it ("four oh three", never "oh four…").
        words.append("oh" if digit == "0" and i and flags[i] else _WORDS[int(digit)])
        i += 1
    return " ".join(words)


@st.composite
def nanp_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(E.164, one written or spoken form of it)."""
    area = draw(st.from_regex(r"[2-9][0-8][0-9]", fullmatch=True))
    exchange = draw(st.from_regex(r"[2-9][0-9]{2}", fullmatch=True))
    line = draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    e164 = f"+1{area}{exchange}{line}"
    flags = draw(st.lists(st.booleans(), min_size=4, max_size=4))
    forms = [
        f"{area}-{exchange}-{line}",
        f"{area}.{exchange}.{line}",
        f"{area} {exchange} {line}",
        f"({area}) {exchange}-{line}",
        f"{area}{exchange}{line}",
        f"+1 {area} {exchange} {line}",
        f"1-{area}-{exchange}-{line}",
        f"+1 ({area}) {exchange}-{line}",
        ", ".join(_spoken(group, flags) for group in (area, exchange, line)),
        " ".join(_spoken(group, flags) for group in (area, exchange, line)),
    ]
    return e164, draw(st.sampled_from(forms))


@given(nanp_numbers(), st.sampled_from(["my number is {}", "{}", "call me back at {} thanks"]))
def test_any_nanp_format_extracts_to_the_same_e164(number: tuple[str, str], frame: str) -> None:
    e164, form = number
    result = extract_phone(frame.format(form), region="CA", caller_number=None)
    assert result is not None
    assert result.e164 == e164


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # Restatements between two numbers: the last one wins.
        (
            "Mon numéro, c'est le 819 555 0123... non attendez, c'est le 819 555 0132.",
            "fr",
            other("+18195550132", corrected=True),
        ),
        ("819 555 0123, pardon, 819 555 0132", "fr", other("+18195550132", corrected=True)),
        ("819 555 0123 oups 819 555 0132", "fr", other("+18195550132", corrected=True)),
        ("403 555 0199 je veux dire 403 555 0198", "fr", other("+14035550198", corrected=True)),
        ("403 555 0199 — no wait — 403 555 0198", "en", other("+14035550198", corrected=True)),
        ("403 555 0199... hold on... 403 555 0198", "en", other("+14035550198", corrected=True)),
        ("it's 403-555-0199, oops, 403-555-0189", "en", other("+14035550189", corrected=True)),
        ("403 555 0199 scratch that 403 555 0198", "en", other("+14035550198", corrected=True)),
        (
            "403 555 0199, let me correct that, 403 555 0198",
            "en",
            other("+14035550198", corrected=True),
        ),
        (
            "four oh three five five five oh one nine nine, wait, four oh three five five five oh one nine eight",
            "en",
            other("+14035550198", corrected=True),
        ),
        # Two numbers without a restatement: the first.
        ("call 403 555 0199, if no answer try 403 555 0100", "en", other("+14035550199")),
        # The caller's own number, in more words.
        ("Le numéro d'où je vous écris est correct", "fr", OWN),
        ("le numéro d'où j'appelle", "fr", OWN),
        ("celui d'où j'appelle", "fr", OWN),
        ("celui-ci est correct", "fr", OWN),
        ("ce numéro-là est correct", "fr", OWN),
        ("le même", "fr", OWN),
        ("Oui, le même numéro", "fr", OWN),
        ("vous l'avez déjà", "fr", OWN),
        ("the one I'm texting from", "en", OWN),
        ("the number I'm texting from", "en", OWN),
        ("this one is fine", "en", OWN),
        ("you have it already", "en", OWN),
        ("you already have my number", "en", OWN),
        ("the one on your caller ID", "en", OWN),
        # …and what only looks like it.
        ("c'est le même problème", "fr", None),
        ("la même chose que l'an passé", "fr", None),
        ("Do you have my number?", "en", None),
        ("there is an error code on the screen", "en", None),
    ],
)
def test_extract_phone_corrections_and_self_reference(
    text: str, lang: str, expected: PhoneResult | None
) -> None:
    assert extract_phone(text, region="CA", caller_number=CALLER, lang=lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # Only the last digits are said again after a correction cue: they replace the end.
        (
            "six oh four, five five five, oh one five eight. Sorry, no, oh one five nine at the end.",
            "en",
            other("+16045550159", corrected=True),
        ),
        ("250 555 0147, sorry, 0174", "en", other("+12505550174", corrected=True)),
        (
            "250 555 0147 no wait, the last four are 0148",
            "en",
            other("+12505550148", corrected=True),
        ),
        ("250 555 0147, oops, 48 at the end", "en", other("+12505550148", corrected=True)),
        ("250 555 0147, actually 555 0199.", "en", other("+12505550199", corrected=True)),
        (
            "deux cinq zéro, cinq cinq cinq, zéro un quatre sept. Non pardon, zéro un quatre huit à la fin.",
            "fr",
            other("+12505550148", corrected=True),
        ),
        ("250 555 0147, pardon, 0148", "fr", other("+12505550148", corrected=True)),
        # Digits after a cue that are not the number's end.
        ("250 555 0147, wait, it is 1030 tomorrow", "en", other("+12505550147", corrected=True)),
        ("250 555 0147 sorry 10:30 works", "en", other("+12505550147", corrected=True)),
        ("250 555 0147. Sorry, 3 kids live here", "en", other("+12505550147", corrected=True)),
        ("250 555 0147, no, 1234 Main Street", "en", other("+12505550147")),
        ("250 555 0147, sorry for the noise, 48 at the end", "en", other("+12505550147")),
        ("250 555 0147, it was $1030 last time", "en", other("+12505550147")),
    ],
)
def test_extract_phone_tail_correction(text: str, lang: str, expected: PhoneResult | None) -> None:
    assert extract_phone(text, region="CA", caller_number=CALLER, lang=lang) == expected
