"""Spoken digits and spoken e-mail addresses → written forms."""

from __future__ import annotations

import pytest

from tradeline.conversation.extract.normalize import spoken_digits_to_text, spoken_email_to_text


@pytest.mark.parametrize(
    ("spoken", "lang", "written"),
    [
        ("four zero three five five five zero one nine nine", "en", "4035550199"),
        ("four oh three, five five five, oh one nine nine", "en", "403 555 0199"),
        ("four o three", "en", "403"),
        ("double five", "en", "55"),
        ("triple two", "en", "222"),
        ("five double five", "en", "555"),
        ("nine-one-one", "en", "911"),
        ("one eight hundred five five five oh one nine nine", "en", "18005550199"),
        ("four oh three five fifty-five oh one ninety-nine", "en", "4035550199"),
        ("five hundred fifty five", "en", "555"),
        ("call me at Four Zero Three", "en", "call me at 403"),
        # Left alone: interjections, lone numbers, multipliers without a digit.
        ("oh hi there", "en", "oh hi there"),
        ("oh, two more things", "en", "oh, two more things"),
        ("you can use this one", "en", "you can use this one"),
        ("I have two kids", "en", "I have two kids"),
        ("a double sink", "en", "a double sink"),
        ("Call O'Brien at four oh three", "en", "Call O'Brien at 403"),
        # French.
        ("quatre zéro trois, cinq cinq cinq, zéro un neuf neuf", "fr", "403 555 0199"),
        ("double cinq", "fr", "55"),
        ("triple deux", "fr", "222"),
        ("soixante-dix-sept", "fr", "77"),
        ("quatre-vingt-dix-neuf", "fr", "99"),
        ("quatre-vingts", "fr", "80"),
        ("vingt et un", "fr", "21"),
        ("cinq cent cinquante-cinq", "fr", "555"),
        ("j'ai un problème", "fr", "j'ai un problème"),
    ],
)
def test_spoken_digits(spoken: str, lang: str, written: str) -> None:
    assert spoken_digits_to_text(spoken, lang) == written


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("jordan dot lee at example dot com", "jordan.lee@example.com"),
        ("my email is jordan dot lee at example dot com", "my email is jordan.lee@example.com"),
        ("jordan underscore lee at shaw dot ca.", "jordan_lee@shaw.ca."),
        ("jordan dash lee at example dot org", "jordan-lee@example.org"),
        ("jordan hyphen lee at example dot org", "jordan-lee@example.org"),
        ("jordan at sign example dot net", "jordan@example.net"),
        ("bob at my dash site dot com", "bob@my-site.com"),
        ("j o r d a n at gmail dot com", "jordan@gmail.com"),
        ("email me at jordan dot lee at example dot com", "email me at jordan.lee@example.com"),
        ("jordan.lee at example.com", "jordan.lee@example.com"),
        ("jordan@example dot com", "jordan@example.com"),
        ("jordan point lee arobase exemple point com", "jordan.lee@exemple.com"),
        ("marie tiret bas roy arobase videotron point ca", "marie_roy@videotron.ca"),
        ("marie barre de soulignement roy arobase videotron point ca", "marie_roy@videotron.ca"),
        ("jean trait d'union paul arobase exemple point qc point ca", "jean-paul@exemple.qc.ca"),
        ("jean tiret paul arobase exemple point ca", "jean-paul@exemple.ca"),
        # Not addresses: ordinary sentences stay as they are.
        ("I'm at home", "I'm at home"),
        ("reach me at example.com", "reach me at example.com"),
        ("we meet at the park dot", "we meet at the park dot"),
        ("I'll dash over at noon", "I'll dash over at noon"),
        ("at this point, I'm at a loss", "at this point, I'm at a loss"),
    ],
)
def test_spoken_email(spoken: str, written: str) -> None:
    assert spoken_email_to_text(spoken) == written
