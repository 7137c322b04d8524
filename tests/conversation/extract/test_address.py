"""Street addresses: English and French shapes, units, quadrants, towns; never times or counts."""

from __future__ import annotations

import pytest

from tradeline.conversation.extract.address import extract_address


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I live at 123 Main St NW, Calgary", "123 Main St NW, Calgary"),
        ("123 Main Street", "123 Main Street"),
        ("it's 12 Oak St.", "12 Oak St"),
        ("12 Oak St. NW, Calgary", "12 Oak St. NW, Calgary"),
        ("unit 4, 123 Main St", "unit 4, 123 Main St"),
        ("4-123 Main St", "4-123 Main St"),
        ("123 Main St apt 12B", "123 Main St apt 12B"),
        ("Suite 300, 500 Centre St SE", "Suite 300, 500 Centre St SE"),
        ("#302 - 99 Elm Crescent", "#302 - 99 Elm Crescent"),
        ("123 Main St, #302", "123 Main St, #302"),
        ("1234 17 Ave SW", "1234 17 Ave SW"),
        ("88 Evergreen Park SW", "88 Evergreen Park SW"),
        ("my address is 742 Evergreen Terrace", "742 Evergreen Terrace"),
        ("55 Lake Shore Dr. Come tomorrow", "55 Lake Shore Dr"),
        ("123 Main St NW, Calgary, AB T2P 1J9", "123 Main St NW, Calgary, AB T2P 1J9"),
        ("123 main st nw", "123 main st nw"),
        ("this is Mike from 12 Oak St", "12 Oak St"),
        ("10 Royal Oak Way NW", "10 Royal Oak Way NW"),
        ("This is Ben Carter from 14 Elm Street NW", "14 Elm Street NW"),
        ("123 Main St., Unit 5", "123 Main St., Unit 5"),
        ("123 Main St., Calgary", "123 Main St., Calgary"),
        ("French: 123 rue Principale", "123 rue Principale"),
        ("45, boulevard Saint-Joseph, app. 3", "45, boulevard Saint-Joseph, app. 3"),
        ("1200 avenue des Pins Ouest, Montréal", "1200 avenue des Pins Ouest, Montréal"),
        ("12 chemin du Lac, Laval", "12 chemin du Lac, Laval"),
        ("123 rue principale et je suis là demain", "123 rue principale"),
        ("123 rue Principale est inondée", "123 rue Principale"),
    ],
)
def test_extract_address(text: str, expected: str) -> None:
    assert extract_address(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "3pm",
        "tomorrow at 3pm",
        "at 10:30",
        "I have 2 kids and a dog in the park",
        "2 big green trees",
        "we have a 2 way valve",
        "call 403-555-0199",
        "4035550199",
        "$95 for the visit",
        "unit 4",
        "the furnace is 10 years old",
        "it's been 2 days",
        "",
    ],
)
def test_not_an_address(text: str) -> None:
    assert extract_address(text) is None
