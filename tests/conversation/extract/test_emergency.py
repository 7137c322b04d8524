"""Emergencies: the hazard lexicon in both languages, profile keywords, negation, mundane cases."""

from __future__ import annotations

import pytest

from tradeline.conversation.extract.emergency import EmergencyResult, detect_emergency

KEYWORDS = ["flood", "burst", "gas smell", "no heat"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("I smell gas in the basement", "gas smell"),
        ("there's a gas smell near the furnace", "gas smell"),
        ("ça sent le gaz, odeur de gaz partout", "gas smell"),
        ("not an emergency but I smell gas", "gas smell"),  # life safety wins over "not urgent"
        ("sparks coming from the outlet", "sparks"),
        ("des étincelles dans le panneau", "sparks"),
        ("smoke coming out of the furnace", "smoke"),
        ("il y a de la fumée", "smoke"),
        ("there's no smoke, just a burning smell", "burning smell"),
        ("odeur de brûlé", "burning smell"),
        ("the panel is on fire", "fire"),
        ("I got an electric shock from the switch", "electric shock"),
        ("mon fils s'est électrocuté", "electric shock"),
        ("choc électrique", "electric shock"),
        ("carbon monoxide alarm going off", "carbon monoxide"),
        ("le détecteur de monoxyde de carbone sonne", "carbon monoxide"),
        ("CO alarm is going off", "carbon monoxide"),
        ("the basement is flooding", "flooding"),
        ("basement flooded overnight", "flooding"),
        ("sous-sol inondé", "flooding"),
        ("we have a burst pipe", "burst pipe"),
        ("pipes bursting in the crawlspace", "burst pipe"),
        ("un tuyau éclaté", "burst pipe"),
        ("sewage backup in the basement", "sewage backup"),
        ("refoulement d'égout", "sewage backup"),
        ("water pouring through the ceiling", "water pouring in"),
        ("there's water everywhere", "water pouring in"),
        ("de l'eau partout", "water pouring in"),
        ("no heat and it's -30", "no heat"),
        ("my furnace is out", "no heat"),
        ("pas de chauffage", "no heat"),
        ("il n'y a plus de chauffage", "no heat"),
        ("This is an emergency", "caller says emergency"),
        ("c'est une urgence", "caller says emergency"),
    ],
)
def test_emergency(text: str, reason: str) -> None:
    assert detect_emergency(text, keywords=KEYWORDS, lang="en") == EmergencyResult(True, reason)


@pytest.mark.parametrize(
    "text",
    [
        "no leak, just a slow drain",
        "not an emergency",
        "it's not an emergency, the basement flooded last spring",
        "no sparks or anything",
        "I don't smell gas or anything",
        "pas urgent",
        "il n'y a pas de fuite",
        "il n'y a pas d'inondation",
        "smoke detector needs a battery",
        "the smoke alarm keeps chirping",
        "détecteur de fumée sans pile",
        "CO detector needs new batteries",
        "I want to install a carbon monoxide detector",
        "the water won't stop running in the toilet",
        "the flood light is broken",
        "the pilot flame is yellow",
        "need a spark plug for the generator",
        "my faucet is dripping",
        "can I get a quote",
        "",
    ],
)
def test_not_an_emergency(text: str) -> None:
    assert detect_emergency(text, keywords=KEYWORDS, lang="en") == EmergencyResult(False, None)


def test_no_heat_depends_on_the_season() -> None:
    assert not detect_emergency("no heat", keywords=[], lang="en", cold_season=False).is_emergency
    assert detect_emergency("no heat", keywords=[], lang="en", cold_season=True).is_emergency


def test_profile_keywords_always_count_and_tolerate_inflection() -> None:
    # The owner listed "no heat": it counts in July too.
    assert detect_emergency("no heat", keywords=KEYWORDS, cold_season=False).reason == "no heat"
    assert detect_emergency("the tank is leaking", keywords=["leak"]) == EmergencyResult(
        True, "leak"
    )
    assert detect_emergency("no leak", keywords=["leak"]) == EmergencyResult(False, None)
    assert detect_emergency("the AC is smoking", keywords=[]).reason == "smoke"
    assert detect_emergency("panne électrique", keywords=["panne"]).reason == "panne"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # Rotten eggs / sulphur: the odorant in natural gas and propane.
        ("ça sent l'œuf pourri à côté de la fournaise", "gas smell"),
        ("odeur d'oeuf pourri dans le sous-sol", "gas smell"),
        ("ça sent le soufre dans la cuisine", "gas smell"),
        ("it smells like sulphur near the furnace", "gas smell"),
        ("there's a sulfur smell in the basement", "gas smell"),
        ("rotten egg smell by the stove", "gas smell"),
        # Downed lines.
        ("wires down in the backyard", "downed power line"),
        ("power line down across the driveway", "downed power line"),
        ("a line came down on the car", "downed power line"),
        ("the line came down on our fence", "downed power line"),
        (
            "a branch ripped the power line off my house, live wires lying on the lawn",
            "downed power line",
        ),
        ("the hydro line is down in the backyard", "downed power line"),
        ("fils électriques tombés sur la clôture", "downed power line"),
        ("la ligne électrique est tombée", "downed power line"),
        # Water reaching something live.
        ("water dripping out of the ceiling light and it's flickering", "water in electrical"),
        ("there's water in the outlet", "water in electrical"),
        ("water leaking into the electrical panel", "water in electrical"),
        ("water coming from the pot lights", "water in electrical"),
        ("the outlet is wet", "water in electrical"),
        ("de l'eau dans la boîte électrique", "water in electrical"),
        ("l'eau coule du luminaire", "water in electrical"),
        ("la prise est mouillée", "water in electrical"),
        # Life safety stays an emergency even with "not urgent".
        ("not urgent but water is dripping into the light fixture", "water in electrical"),
        # A real hazard with a question about the service.
        ("My furnace broke down, do you do emergency calls?", "no heat"),
        ("la fournaise est tombée en panne", "no heat"),
        ("la fournaise a lâché", "no heat"),
        ("do you offer emergency service? my basement is flooding", "flooding"),
        ("I need emergency service", "caller says emergency"),
        ("it's an emergency, can you come now?", "caller says emergency"),
    ],
)
def test_more_hazards(text: str, reason: str) -> None:
    assert detect_emergency(text, keywords=[], lang="en") == EmergencyResult(True, reason)


@pytest.mark.parametrize(
    "text",
    [
        # Asking about emergency service, fees or hours is not an emergency.
        "Avez-vous un service d'urgence la nuit si la fournaise lâche?",
        "Do you do emergency calls on weekends?",
        "Is there an after-hours emergency fee?",
        "how much is an emergency call",
        "c'est quoi vos frais d'urgence?",
        "est-ce que vous faites des urgences la fin de semaine?",
        # Hypothetical and conditional hazards.
        "What if my furnace breaks down at night?",
        "if the basement floods can you come?",
        "si le tuyau éclate, vous venez?",
        "in case of a gas leak what do I do",
        "I don't know if the pipe burst",
        # Negated new hazards, and look-alikes.
        "no water in the outlet, it's fine",
        "ça sent pas l'œuf pourri",
        "the phone line is down",
        "the clothesline came down on the fence",
        "the water heater is next to the electrical panel",
        "replace the outlet near the water heater",
        "I need a new light fixture and a water filter",
        "the wires are old",
        "ma fournaise arrête pas de partir pis de s'arrêter aux 5 minutes",
    ],
)
def test_not_an_emergency_when_asking_or_hypothetical(text: str) -> None:
    assert detect_emergency(text, keywords=[], lang="en") == EmergencyResult(False, None)


LOCK_KEYWORDS = [
    "locked out",
    "child inside",
    "baby inside",
    "break-in",
    "won't close",
    "stuck open",
]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # Someone who cannot let themselves out, with the caller shut out.
        ("my toddler's in the house and the door slammed behind me", "someone locked inside"),
        ("the kids r inside n the door locked behind us", "someone locked inside"),
        (
            "our 18 month old is still inside and my keys are on the kitchen table",
            "someone locked inside",
        ),
        ("my elderly mother is inside and i cant get back in", "someone locked inside"),
        ("the puppy is locked in the car at the mall", "someone locked inside"),
        ("I locked my keys and my son in the car", "someone locked inside"),
        ("mon bébé est enfermé à l’intérieur de l'appartement", "someone locked inside"),
        ("ma fille est dans la maison pis je suis barrée dehors", "someone locked inside"),
        # Break-ins and premises that cannot be secured, without the word "break-in".
        ("somebody kicked in our side door last night", "break-in"),
        ("the slider was jimmied and the latch is bent", "break-in"),
        ("we got burglarized over the weekend, need the locks changed", "break-in"),
        ("quelqu'un a forcé la porte arrière du commerce", "break-in"),
        ("the frame is cracked and we can't lock the front door", "cannot secure premises"),
        ("the lock is ruined, no way to secure the shop", "cannot secure premises"),
        ("on peut pas barrer la porte, le cadre est fendu", "cannot secure premises"),
        # A door that won't close, at night or alone.
        ("garage door won't go down and I'm leaving for the airport", "door won't close"),
        ("the front door doesnt latch anymore and it's almost 10pm", "door won't close"),
        ("la porte de garage ne ferme plus et c'est la nuit", "door won't close"),
    ],
)
def test_people_and_security(text: str, reason: str) -> None:
    assert detect_emergency(text, keywords=[], lang="en") == EmergencyResult(True, reason)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # The owner's keywords tolerate possessives, small words, SMS and spelled-out negatives.
        ("babys inside pls hurry", "baby inside"),
        ("the children are still inside", "child inside"),
        ("I locked myself out", "locked out"),
        ("locked ourselves out of the condo", "locked out"),
        ("the door swung shut behind me, keys are inside", "locked out"),
        ("the garage door will not close", "won't close"),
        ("the garage door wont close", "won't close"),
        ("garage door is jammed open", "won't close"),  # the first keyword of the concept
        ("the door just doesn't close anymore", "won't close"),
        ("a break in at the store", "break-in"),
    ],
)
def test_keywords_are_tolerant(text: str, reason: str) -> None:
    assert detect_emergency(text, keywords=LOCK_KEYWORDS, lang="en") == EmergencyResult(
        True, reason
    )


@pytest.mark.parametrize(
    "text",
    [
        "not locked out or anything, just need a spare key cut",
        "I'm not locked out, I'd like the locks rekeyed",
        "the garage was stuck open on Tuesday but it's working fine now",
        "it wouldn't close last week but my husband got it fixed",
        "what if my kid locks himself in the bathroom, can you open it?",
        "in case I get locked out on a Sunday, what does it cost?",
        "if the garage door won't close at night, do you come out?",
        "my daughter is inside, so she can let your tech in on Friday",
        "quote for a new deadbolt please, the kids are home all day",
        "I broke my key in the lock, it's not urgent",
        "my car keys are locked in the car at the parkade",
        "the garage door won't open, no rush, we park outside",
        "can't lock my phone screen lol wrong number",
        "do you do strike plate repairs after forced entry?",
        "how much for a lockout on a weekday?",
    ],
)
def test_security_look_alikes(text: str) -> None:
    assert detect_emergency(text, keywords=[], lang="en") == EmergencyResult(False, None)


@pytest.mark.parametrize(
    "text",
    [
        "not locked out, just want a spare key",
        "was stuck open last night, it's closed and locking fine now",
        "what do you charge for a lockout?",
        "if I'm ever locked out, do you do homes?",
        "the shower door won't close",  # not the owner's general hazard without a keyword
    ],
)
def test_security_keywords_negated_or_resolved(text: str) -> None:
    keywords = [k for k in LOCK_KEYWORDS if k != "won't close"]
    assert detect_emergency(text, keywords=keywords, lang="en") == EmergencyResult(False, None)


ROOF_KEYWORDS = [
    "tree on the roof",
    "tree fell",
    "roof collapse",
    "ceiling collapse",
    "water pouring",
    "leaking through the ceiling",
    "roof blew off",
    "hole in the roof",
]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # Water coming into the home now, without the word "flood" or "pouring".
        ("rain is coming in thru the ceiling in my daughters room, asap", "water coming in"),
        ("water coming into the bedroom from the attic", "water coming in"),
        ("water's coming right through, what do I do", "water coming in"),
        ("water is dripping from the ceiling in the hallway", "water coming in"),
        ("the kitchen ceiling is bulging and dripping like crazy", "water coming in"),
        ("the ceiling is sagging with water", "water coming in"),
        ("the roof's leaking into the bedroom", "water coming in"),
        ("it's coming through the skylight like crazy", "water coming in"),
        ("l'eau coule du plafond en ce moment", "water coming in"),
        ("l'eau rentre dans la chambre par le plafond", "water coming in"),
        ("ça coule du plafond dans le salon", "water coming in"),
        ("il pleut dans la maison!", "water coming in"),
        ("le plafond est tout bombé pis ça dégoutte", "water coming in"),
        # Structural damage: collapses, trees on the house, roofs torn off.
        ("part of the living room ceiling just came down", "ceiling or roof collapse"),
        ("i think the roof let go over the kitchen", "ceiling or roof collapse"),
        ("the garage roof caved in under the snow", "ceiling or roof collapse"),
        ("a chunk of the ceiling fell in the bathroom", "ceiling or roof collapse"),
        ("le plafond s'est effondré dans la cuisine", "ceiling or roof collapse"),
        ("le toit a cédé sous la neige", "ceiling or roof collapse"),
        ("huge branch came down on our roof in the wind", "tree on the house"),
        ("a big spruce just came down on the back of the house", "tree on the house"),
        ("a maple came crashing down on the garage roof", "tree on the house"),
        ("there's a tree on our roof", "tree on the house"),
        ("our house got hit by a tree last night", "tree on the house"),
        ("un arbre est tombé sur la maison", "tree on the house"),
        ("une grosse branche vient de tomber sur le toit", "tree on the house"),
        ("the storm tore off part of the roof", "roof torn off"),
        ("the wind ripped the roof right off the garage", "roof torn off"),
        ("la tempête a arraché une partie du toit", "roof torn off"),
        ("le toit a été arraché par le vent", "roof torn off"),
    ],
)
def test_water_coming_in_and_structural_damage(text: str, reason: str) -> None:
    assert detect_emergency(text, keywords=[], lang="en") == EmergencyResult(True, reason)


@pytest.mark.parametrize(
    "text",
    [
        "hey theres a huge branch came down on our roof in the wind and now rain is coming in "
        "thru the ceiling in my daughters room, need someone asap",
        "kitchen ceiling is bulging and dripping like crazy, i think the roof let go",
        "a big spruce just came down on the back of the house… water coming into the bedroom",
        "part of the living room ceiling just came down and water's coming right through",
        "la tempête a arraché une partie du toit pis l'eau coule du plafond… en ce moment",
        "the tree fell on the garage",  # the owner's keyword, as written
    ],
)
def test_roofing_emergencies(text: str) -> None:
    assert detect_emergency(text, keywords=ROOF_KEYWORDS, lang="en").is_emergency


@pytest.mark.parametrize(
    "text",
    [
        # The rest of the message cancels the hazard, or it is long over.
        "no leak or anything, the tree fell in the yard and missed the house",
        "the big pine fell across the driveway, didn't hit the house",
        "a branch came down in the backyard, no damage to the house",
        "l'arbre est tombé dans la cour, pas de dommages",
        "we had a tree fall last year, want a quote for the roof",
        "a tree fell on our roof last summer, insurance paid, now we want new shingles",
        "my neighbour's roof collapsed last winter, want ours inspected",
        "water stain on the ceiling from last spring, dry now",
        "water was coming in through the ceiling but it's bone dry now",
        "il y a eu une fuite au plafond l'an passé, c'est sec maintenant",
        "the storm blew some shingles off, no leaks though",
        "we lost a bunch of shingles in the storm but its not leaking",
        "water comes in around the basement window whenever it rains, want it sealed",
        "ça coule du puits de lumière quand il pleut fort, pas pressé",
        # Questions, conditions and look-alikes.
        "the ceiling fan is dripping condensation? no",
        "does insurance cover a tree falling on the house?",
        "what if a tree falls on the roof?",
        "si jamais un arbre tombe sur la maison, vous venez?",
        "the roof didn't collapse, just want an inspection",
        "the ceiling fan came down, need a new one installed",
        "the ceiling light fixture fell, can you hang a new one",
        "the price of the roof came down, so we're ready to book",
        "the water coming in the tap is brown",
        "my roof is leaking a bit around the chimney, can someone look",
        "branches on the roof need clearing",
    ],
)
def test_roofing_look_alikes(text: str) -> None:
    assert detect_emergency(text, keywords=ROOF_KEYWORDS, lang="en") == EmergencyResult(False, None)
