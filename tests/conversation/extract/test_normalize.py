"""Spoken digits and spoken e-mail addresses → written forms."""

from __future__ import annotations

import pytest

from tradeline.conversation.extract.normalize import (
    spoken_address_to_text,
    spoken_digits_to_text,
    spoken_email_to_text,
)


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


@pytest.mark.parametrize(
    ("spoken", "lang", "written"),
    [
        # House numbers read in pairs, digit by digit, with hundreds and thousands.
        ("Forty one twenty two Elm Road", "en", "4122 Elm Road"),
        ("thirty three oh seven Birch Lane", "en", "3307 Birch Lane"),
        ("seventeen ninety Pine Crescent", "en", "1790 Pine Crescent"),
        ("five oh six Cedar Street", "en", "506 Cedar Street"),
        ("twelve hundred Main", "en", "1200 Main"),
        ("twenty one hundred Birch", "en", "2100 Birch"),
        ("three hundred and five Elm St", "en", "305 Elm St"),
        ("one thousand two hundred Elm", "en", "1200 Elm"),
        ("four thousand one hundred twenty two Fir St", "en", "4122 Fir St"),
        ("nine fifteen Cotton Drive", "en", "915 Cotton Drive"),
        ("unit five, sixty six Larch Way", "en", "unit 5, 66 Larch Way"),
        ("Apartment two", "en", "Apartment 2"),
        ("West thirty second Avenue", "en", "West 32nd Avenue"),
        ("Twenty first Street", "en", "21st Street"),
        ("eleventh avenue", "en", "11th avenue"),
        # Ordinary words stay words.
        ("I need one of your guys", "en", "I need one of your guys"),
        ("just one", "en", "just one"),
        ("a second opinion", "en", "a second opinion"),
        ("the first time it jammed", "en", "the first time it jammed"),
        ("a thousand thanks", "en", "a thousand thanks"),
        ("oh, the unit is fine", "en", "oh, the unit is fine"),
        # French.
        ("quarante-deux rue des Érables", "fr", "42 rue des Érables"),
        ("mille deux cent boulevard Laurier", "fr", "1200 boulevard Laurier"),
        ("deux mille quatre-vingt-deux rue Lavoie", "fr", "2082 rue Lavoie"),
        ("trois cent cinq chemin du Lac", "fr", "305 chemin du Lac"),
        ("appartement trois", "fr", "appartement 3"),
        ("troisième avenue", "fr", "3e avenue"),
        ("première rue", "fr", "1re rue"),
        ("j'en ai un", "fr", "j'en ai un"),
        ("la deuxième fois", "fr", "la deuxième fois"),
    ],
)
def test_spoken_address_numbers(spoken: str, lang: str, written: str) -> None:
    assert spoken_address_to_text(spoken, lang) == written


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("Forty four oh nine Maple Street", "4409 Maple Street"),
        ("quarante-deux rue Principale", "42 rue Principale"),
        ("Sept fifteen", "Sept 15"),  # "fifteen" is two digits: a number in any language
    ],
)
def test_spoken_address_numbers_without_language(spoken: str, written: str) -> None:
    assert spoken_address_to_text(spoken) == written


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("al dot lin underscore forty one at shaw dot ca", "al.lin_41@shaw.ca"),
        ("sam dash nineteen eighty at telus dot net", "sam-1980@telus.net"),
        ("k dot wu seventy seven at gmail dot com", "k.wu77@gmail.com"),
        ("luc point roy quatre-vingt-deux arobase videotron point ca", "luc.roy82@videotron.ca"),
        ("anne souligné deux mille arobase bell point ca", "anne_2000@bell.ca"),
        ("b o b one two at gmail dot com", "bob12@gmail.com"),
        # A lone number word stays a word; no address, no change.
        ("tom dot one at gmail dot com", "tom.one@gmail.com"),
        ("I have twenty two doors at home", "I have twenty two doors at home"),
    ],
)
def test_spoken_email_numbers(spoken: str, written: str) -> None:
    assert spoken_email_to_text(spoken) == written
