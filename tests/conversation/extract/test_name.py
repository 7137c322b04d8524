"""Caller names: cues in both languages, bare answers, casing, and never inventing a name."""

from __future__ import annotations

import pytest

from tradeline.conversation.extract.name import NameResult, correct_name, extract_name


@pytest.mark.parametrize(
    ("text", "expecting", "expected"),
    [
        # English cues, with trailing clauses cut.
        ("My name is Sarah Chen and I need a plumber", False, "Sarah Chen"),
        ("this is Mike from 12 Oak St", False, "Mike"),
        ("Hi, it's Dave Wilson, my furnace is out", False, "Dave Wilson"),
        ("name's Priya", False, "Priya"),
        ("I'm Dave and I'm freezing", False, "Dave"),
        ("you can call me Bob", False, "Bob"),
        ("call me Dave", False, "Dave"),
        ("hi its dave, my furnace is out", False, "Dave"),
        ("I'm calling about my furnace, my name is Tom Baker", False, "Tom Baker"),
        ("Dave here, my basement's flooding", False, "Dave"),
        ("my name is, uh, Sarah", False, "Sarah"),
        ("My name is Sarah Young", False, "Sarah Young"),
        # French cues.
        ("je m'appelle Jean-François Tremblay", False, "Jean-François Tremblay"),
        ("mon nom est Hélène Côté", False, "Hélène Côté"),
        ("mon nom c'est Zoë Gagnon", False, "Zoë Gagnon"),
        ("c'est Julie de la compagnie ABC", False, "Julie"),
        ("Bonjour, ici Marie Tremblay", False, "Marie Tremblay"),
        ("moi c'est Luc", False, "Luc"),
        # Bare answers when the receptionist just asked.
        ("Dave Wilson", True, "Dave Wilson"),
        ("dave wilson", True, "Dave Wilson"),
        ("DAVE WILSON", True, "Dave Wilson"),
        ("Priya", True, "Priya"),
        ("Jared", True, "Jared"),
        ("oui, Marie", True, "Marie"),
        ("Yeah, Dave Wilson.", True, "Dave Wilson"),
        ("José García", True, "José García"),
        # Titles dropped; hyphens, apostrophes, particles, accents kept.
        ("Dr. Amir Al-Sayed", True, "Amir Al-Sayed"),
        ("Mrs. O'Brien", True, "O'Brien"),
        ("Mme Hélène Tremblay", True, "Hélène Tremblay"),
        ("M. Tremblay", True, "Tremblay"),
        ("it's d'angelo", False, "D'Angelo"),
        ("it's o'brien", False, "O'Brien"),
        ("Pieter van der Berg", True, "Pieter van der Berg"),
        ("pieter van der berg", True, "Pieter van der Berg"),
        ("Juan de la Cruz", True, "Juan de la Cruz"),
        ("Ludwig von Trapp", True, "Ludwig von Trapp"),
        ("Marco di Stefano", True, "Marco di Stefano"),
        ("John J. Smith", True, "John J. Smith"),
        ("Fatima al-sayed", True, "Fatima Al-Sayed"),
        ("Angus McDonald", True, "Angus McDonald"),
    ],
)
def test_extracts_name(text: str, expecting: bool, expected: str) -> None:
    result = extract_name(text, expecting_name=expecting)
    assert result == NameResult(full=expected, corrected=False)


@pytest.mark.parametrize(
    "text",
    [
        "Yes this number is good",
        "Sure",
        "Yeah",
        "No",
        "Hi",
        "Hello there",
        "Thanks",
        "It's urgent",
        "This is an emergency",
        "It's my furnace",
        "this is about my water heater",
        "I'm not sure",
        "I'm calling about my furnace",
        "I'm at home",
        "I'm wondering if you can come",
        "Tomorrow at 3pm",
        "403-555-0199",
        "jordan@example.com",
        "it's jordan dot lee at example dot com",
        "plumber",
        "furnace",
        "leak",
        "This is Bow River Plumbing?",
        "c'est urgent",
        "c'est pour une fuite",
        "je suis pas sûr",
        "call me back at 403 555 0199",
        "call me whenever",
        "Dave needs a plumber",
        "It's Tuesday",
        "it's leaking",
        "okay",
        "",
    ],
)
def test_never_invents_a_name(text: str) -> None:
    assert extract_name(text, expecting_name=True) is None


def test_bare_name_needs_the_question() -> None:
    assert extract_name("Dave Wilson", expecting_name=False) is None
    assert extract_name("Dave Wilson", expecting_name=True) is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Actually it's Steven, not Stephen", "Steven"),
        ("This is Jon, sorry, I meant my name is John", "John"),
        ("mon nom c'est Marc, je veux dire mon nom c'est Marcel", "Marcel"),
    ],
)
def test_correction_marks_and_takes_the_last(text: str, expected: str) -> None:
    assert extract_name(text, expecting_name=False) == NameResult(full=expected, corrected=True)


@pytest.mark.parametrize(
    ("text", "expecting", "expected"),
    [
        # Given names that are also words ("Ben" is a French filler too) keep their surname.
        ("This is Ben Carter from 14 Elm Street NW", False, "Ben Carter"),
        ("Ben Yoshida", True, "Ben Yoshida"),
        ("ben yoshida", True, "Ben Yoshida"),
        ("Ben.", True, "Ben"),
        ("Ben, c'est Marie", True, "Marie"),  # the filler, then the name
        ("This is Will.", False, "Will"),
        ("call me Will", False, "Will"),
        ("my name is will", False, "Will"),
        ("I'm May Chen", False, "May Chen"),
        # Surnames that are also words, after a capitalised first name.
        ("Tom Price", True, "Tom Price"),
        ("this is Mary Little", False, "Mary Little"),
        ("John Day here", False, "John Day"),
        # A strong cue beats a weak one; numbers and the weather are never names.
        ("we have no heat and it's minus thirty out, my name is Olga Petrov", False, "Olga Petrov"),
        ("c'est moins trente dehors, je m'appelle Olga Petrov", False, "Olga Petrov"),
        ("it's freezing in here, name's Dmitri", False, "Dmitri"),
        ("I'm outside waiting, my name is Raj Patel", False, "Raj Patel"),
        # The fuller of two candidates when one contains the other.
        ("Nwosu. Chidi Nwosu.", True, "Chidi Nwosu"),
        ("Yes. Okafor. Amara Okafor.", True, "Amara Okafor"),
        ("I'm Chidi, Chidi Nwosu", False, "Chidi Nwosu"),
        ("the name's Bond, James Bond", False, "James Bond"),
        ("Sorry. Dave Wilson.", True, "Dave Wilson"),
        # Particles between capitalised parts, after cues and in bare answers.
        (
            "Hi, my name is Pieter van der Berg and I need an electrician",
            False,
            "Pieter van der Berg",
        ),
        ("my name is pieter van der berg and i need an electrician", False, "Pieter van der Berg"),
        ("Good afternoon, Pieter van der Berg here.", False, "Pieter van der Berg"),
        ("José de la Cruz.", True, "José de la Cruz"),
        ("je m'appelle Marie de la Fontaine", False, "Marie de la Fontaine"),
        ("Maria del Carmen de la Cruz", True, "Maria del Carmen de la Cruz"),
        ("this is Ahmed bin Rashid", False, "Ahmed bin Rashid"),
    ],
)
def test_extracts_harder_names(text: str, expecting: bool, expected: str) -> None:
    assert extract_name(text, expecting_name=expecting) == NameResult(
        full=expected, corrected=False
    )


GIVEN_NAMES_THAT_ARE_WORDS = [
    "Ben", "Will", "Bill", "Mark", "Grant", "Rose", "Hope", "Faith", "Dawn", "Sandy", "Pat", "Guy",
    "Art", "Bob", "Don", "Jean", "Sue", "Lee", "Jack", "May",
]  # fmt: skip


@pytest.mark.parametrize("first", GIVEN_NAMES_THAT_ARE_WORDS)
def test_given_names_that_are_words(first: str) -> None:
    full = NameResult(full=f"{first} Carter", corrected=False)
    assert (
        extract_name(f"This is {first} Carter from 14 Elm Street NW", expecting_name=False) == full
    )
    assert extract_name(f"{first} Carter", expecting_name=True) == full
    assert extract_name(f"{first.lower()} carter", expecting_name=True) == full
    assert extract_name(f"my name is {first}", expecting_name=False) == NameResult(first, False)


@pytest.mark.parametrize(
    "text",
    [
        # French and English questions, answers and states after "c'est" / "it's" / "I'm".
        "Bonjour, c'est combien pour une visite de dépannage?",
        "c'est quoi le prix?",
        "c'est correct",
        "c'est possible demain?",
        "c'est pour quand?",
        "c'est ça",
        "c'est moi",
        "c'est dispendieux",
        "it's how much?",
        "this is regarding my bill",
        "it's kinda expensive",
        "I'm outside waiting",
        # Numbers and the weather.
        "it's minus thirty out",
        "c'est moins trente dehors",
        "it's freezing outside",
        "it's twenty degrees below",
        # Given names that are words, used as words.
        "Will do",
        "Will you call me back?",
        "Mark my words",
        "ben oui",
        "Ben...",
        "It's May 5th",
        # A call to action in spam is not someone introducing themselves.
        "Félicitations! Vous avez gagné une carte-cadeau. Cliquez ici pour réclamer",
    ],
)
def test_never_invents_a_name_from_words(text: str) -> None:
    assert extract_name(text, expecting_name=True) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My name is Jon, sorry, it's John", "John"),
        ("This is Jon, I mean John", "John"),
        ("mon nom c'est Marc, je veux dire Marcel", "Marcel"),
        ("c'est Marc, non attendez, c'est Marcel", "Marcel"),
    ],
)
def test_restated_name_wins(text: str, expected: str) -> None:
    assert extract_name(text, expecting_name=False) == NameResult(full=expected, corrected=True)


@pytest.mark.parametrize(
    ("text", "expecting", "expected"),
    [
        # An address answer never lends a name, even right after "your name?".
        ("1208 Oak Bay Rd, fairfield end", True, None),
        ("55 rue Saint-Denis, Montréal, plateau side", True, None),
        ("908 Fernwood Crescent, James Bay", True, None),
        ("Collingwood Dr", True, None),
        ("12 Elm St. Nadia Okoye", True, "Nadia Okoye"),  # a sentence of its own after it
        ("Nadia Okoye, 12 Elm Street", True, "Nadia Okoye"),
        ("403-555-0199, Dave Wilson", True, "Dave Wilson"),  # a phone number is no address
        # A capitalised full name just before a civic address, in a run-on answer.
        ("sounds good. Lena Fischer 77 Beacon Hill Rd Victoria", False, "Lena Fischer"),
        ("ok Omar Haddad, 4120 Rue Sherbrooke", False, "Omar Haddad"),
        ("Sébastien Roy 1450 boulevard René-Lévesque", False, "Sébastien Roy"),
        ("omar haddad 4120 main st", True, "Omar Haddad"),
        ("Two Kids 12 Main St", False, None),
        ("omar haddad 4120 main st", False, None),  # lower case needs the question
        # "X here" as a sentence of its own, in English and French.
        ("Need a deadbolt changed on the side door. Lucia Ferreira here.", False, "Lucia Ferreira"),
        ("J'ai besoin d'un serrurier. Geneviève Caron ici.", False, "Geneviève Caron"),
        ("The spare key is right here.", False, None),
        ("The keypad is dead. Garage Door here.", False, None),
        # Restated names replace the first.
        ("typo sorry, it's Jon not John. Jon Eriksen", False, "Jon Eriksen"),
        ("ugh autocorrect, my name is Aoife", False, "Aoife"),
        ("désolé, c'est Maude avec un e. Maude Pelletier", False, "Maude Pelletier"),
        ("its Ines btw, Ines Moreau", False, "Ines Moreau"),
    ],
)
def test_addresses_run_ons_and_restatements(
    text: str, expecting: bool, expected: str | None
) -> None:
    result = extract_name(text, expecting_name=expecting)
    assert (result.full if result else None) == expected


@pytest.mark.parametrize(
    ("text", "corrected"),
    [
        ("sorry autocorrect, its Mira with an M", True),
        ("oops, my name is Tamsin", True),
        ("my bad, it's Declan", True),
        ("pardon, c'est Élodie avec un E", True),
        ("it's Declan", False),
        ("Hi, it's Declan, sorry to bother you", False),
    ],
)
def test_slips_mark_a_correction(text: str, corrected: bool) -> None:
    result = extract_name(text, expecting_name=False)
    assert result is not None
    assert result.corrected is corrected


@pytest.mark.parametrize(
    "text",
    [
        # States and participles after "it's" / "I'm" / "c'est", in any case.
        "its closed and latching fine now",
        "it's open again",
        "its jammed shut",
        "It's Locked.",
        "it's stuck",
        "its sorted, thanks",
        "I'm locked out",
        "im here",
        "its me again",
        "it's ok now",
        "c'est barré",
        "c'est fermée maintenant",
        "this is my cell",
        "it's the garage door",
        "its snapped, the spring",
        "its bolted shut",
    ],
)
def test_states_after_weak_cues_are_not_names(text: str) -> None:
    assert extract_name(text, expecting_name=False) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("its jared", "Jared"),
        ("its ahmed", "Ahmed"),
        ("it's fred", "Fred"),
        ("it's Closed-Smith here", "Closed-Smith"),
    ],
)
def test_names_ending_like_participles(text: str, expected: str) -> None:
    assert extract_name(text, expecting_name=False) == NameResult(full=expected, corrected=False)


# --- sign-offs, a name before a number, corrections of one word, slips that are not names --------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The flashing leaks by the chimney. 4 Elm St, Bedford. Thanks! Nora Quinlan",
            "Nora Quinlan",
        ),
        ("gutter came loose over the porch, cheers, Owen Pratt", "Owen Pratt"),
        ("Can someone look at the skylight this week - Fiona Marsh", "Fiona Marsh"),
        ("Le bardeau est parti au vent. Merci! Sylvie Arsenault", "Sylvie Arsenault"),
        ("dripping in the shed, not urgent. Yusuf Karim 902-555-0144", "Yusuf Karim"),
        ("le toit coule dans le garage. Hugo Bernier 418 555 0199", "Hugo Bernier"),
    ],
)
def test_a_full_name_signing_off_or_before_a_number(text: str, expected: str) -> None:
    result = extract_name(text, expecting_name=False)
    assert result is not None and result.full == expected


@pytest.mark.parametrize(
    "text",
    [
        "sorry typo, its 902-555-0178",
        "autocorrect, sorry",
        "oh okay, no problem, thanks anyway",
    ],
)
def test_slips_and_thanks_are_never_names(text: str) -> None:
    assert extract_name(text, expecting_name=True) is None


@pytest.mark.parametrize(
    "text",
    [
        "The roof leaks. thanks",  # a thanks with no name after it
        "it leaks when it rains. Thanks! nora",  # one lower-case word is no sign-off
        "Thanks! Priya Raman said you were good, the roof leaks",  # not the last sentence
    ],
)
def test_a_sign_off_needs_a_full_name_at_the_end(text: str) -> None:
    assert extract_name(text, expecting_name=False) is None


@pytest.mark.parametrize(
    ("text", "stored", "expected"),
    [
        ("sorry autocorrect, Lockhart not Lockwood", "Ian Lockwood", "Ian Lockhart"),
        ("it's Lockhart, not Lockwood", "Ian Lockwood", "Ian Lockhart"),
        ("pas Lockwood, Lockhart", "Ian Lockwood", "Ian Lockhart"),
        ("Lockhart et non Lockwood", "Ian Lockwood", "Ian Lockhart"),
        ("ewan not ian", "Ian Lockwood", "Ewan Lockwood"),
    ],
)
def test_one_word_of_the_name_corrected(text: str, stored: str, expected: str) -> None:
    assert correct_name(text, stored) == expected


@pytest.mark.parametrize(
    "text",
    ["tomorrow not friday", "Lockhart not Smith", "not today, tomorrow", "pas ce soir, demain"],
)
def test_a_correction_of_something_else_keeps_the_name(text: str) -> None:
    assert correct_name(text, "Ian Lockwood") is None
