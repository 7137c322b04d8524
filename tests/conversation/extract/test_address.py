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
        # Spoken civic numbers (speech-to-text writes them out).
        ("Thirty one fifteen Birch Street in Surrey.", "3115 Birch Street"),
        ("It's seventeen oh two Fir Avenue, Burnaby.", "1702 Fir Avenue, Burnaby"),
        ("The suite is three oh one, at twelve ten Alder Road.", "suite 301, 1210 Alder Road"),
        ("Apartment four, fifty five Larch Crescent", "Apartment 4, 55 Larch Crescent"),
        ("six hundred and twelve West thirty third Avenue", "612 West 33rd Avenue"),
        ("quarante-deux rue des Érables, Gatineau", "42 rue des Érables, Gatineau"),
        ("mille deux cent boulevard Laurier", "1200 boulevard Laurier"),
        # No street type, but clearly a street.
        ("2150 Kingsway", "2150 Kingsway"),
        ("we're at 3300 Broadway E", "3300 Broadway E"),
        ("1877 E Pender, upper and lower units", "1877 E Pender"),
        ("4471 W 12th, near the school", "4471 W 12th"),
        ("unit 3, 2150 Granville, Vancouver", "unit 3, 2150 Granville, Vancouver"),
        ("610 Granville, Vancouver", "610 Granville, Vancouver"),
        ("Twenty one fifty Kingsway, Vancouver.", "2150 Kingsway, Vancouver"),
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
        "my 2 yr old is inside",
        "3 units upstairs",
        "3 Units, Vancouver",
        "it was $129 last time",
        "come at 10 30 Tuesday",
        "call 604 555 0142 Vancouver",
        "I need one of your guys",
        "the door is twenty years old",
        "twenty two Doors",
        "a second opinion on the Main door",
        "since 2019 Honda",
        "j'ai deux portes",
        "",
    ],
)
def test_not_an_address(text: str) -> None:
    assert extract_address(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Street names that open with an ordinary adjective.
        ("Sandra Coolen, 9 Old Sambro Rd, Halifax", "9 Old Sambro Rd, Halifax"),
        ("its 9 old sambro rd", "9 old sambro rd"),
        ("12 Little Lake Dr", "12 Little Lake Dr"),
        # One-digit civic numbers spelled out by speech-to-text.
        ("nine Maple Drive in Fall River", "9 Maple Drive"),
        ("Yeah it is nine Maple Drive, Fall River.", "9 Maple Drive, Fall River"),
        ("c'est neuf rue des Érables", "9 rue des Érables"),
        # Rural addresses: numbered highways, routes, concessions and rural routes.
        (
            "4521 Hwy 3, RR 2 Head of St Margarets Bay",
            "4521 Hwy 3, RR 2 Head of St Margarets Bay",
        ),
        (
            "4521 Highway 3, RR 2 Head of St Margarets Bay, NS B3Z 1Z1",
            "4521 Highway 3, RR 2 Head of St Margarets Bay, NS B3Z 1Z1",
        ),
        ("4521 Hwy. 3 R.R. #2 Tantallon", "4521 Hwy. 3 R.R. #2 Tantallon"),
        ("my address is 12 Highway 7", "12 Highway 7"),
        ("2345 Concession 4", "2345 Concession 4"),
        ("88 County Road 12, Picton", "88 County Road 12, Picton"),
        ("3456 6th Concession", "3456 6th Concession"),
        ("5678 4e Rang Ouest", "5678 4e Rang Ouest"),
        ("1500 route 132, Saint-Jean", "1500 route 132, Saint-Jean"),
        ("125 rang Saint-Joseph", "125 rang Saint-Joseph"),
        ("345 chemin du Lac-Clair", "345 chemin du Lac-Clair"),
    ],
)
def test_more_address_shapes(text: str, expected: str) -> None:
    assert extract_address(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I need 2 new drive belts",
        "I have two Main Street properties",
        "one of your guys came by",
        "the sun is up at six on the Drive",
        "we have 2 Highway trucks",
        "2 people rang the bell",
        "RR 2",
    ],
)
def test_more_non_addresses(text: str) -> None:
    assert extract_address(text) is None
