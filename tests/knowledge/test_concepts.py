"""Concept coverage: a caller's paraphrase covers the document's wording, in either language,
and unrelated words do not."""

from __future__ import annotations

import pytest

from tradeline.knowledge.answer import search_text
from tradeline.knowledge.linguistics import concept_groups, concepts, coverage, lexemes
from tradeline.knowledge.policy import question_concepts


def _cov(question: str, sentence: str, heading: str = "") -> float:
    return coverage(question_concepts(question), concepts(sentence) | concepts(heading))


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        (
            "what do you guys charge for a house lockout on a weekday afternoon?",
            "Residential lockout, business hours (Mon–Fri 7:30–18:00, Sat 9:00–15:00): $129",
        ),
        (
            "what if I'm locked out on a Sunday night, what does that cost?",
            "Residential lockout, after hours, Sundays and holidays: $189",
        ),
        (
            "if I get locked out on a Sunday, can somebody still come?",
            "A locksmith is available 24/7 for lockouts.",
        ),
        (
            "Bonjour, c'est combien pour une visite de dépannage? Mon disjoncteur saute.",
            "Troubleshooting and repair visits are $149 for the first hour.",
        ),
        ("Quel est votre tarif horaire?", "Labour: $150 per hour."),
        (
            "Is there a guarantee if the clog comes back?",
            "Drain cleaning warranty: if the drain clogs again within 30 days, we come back.",
        ),
        ("Avez-vous un service d'urgence la nuit?", "Emergency service 24 hours a day."),
    ],
)
def test_paraphrases_cover_the_documents_words(question: str, sentence: str) -> None:
    assert _cov(question, sentence) == 1.0, (question_concepts(question), concepts(sentence))


def test_business_hours_and_after_hours_stay_apart() -> None:
    weekday = "how much for a house lockout on a weekday afternoon?"
    assert _cov(weekday, "Residential lockout, after hours, Sundays and holidays: $189") < 1.0
    sunday = "how much is a lockout on Sunday night?"
    assert _cov(sunday, "Residential lockout, business hours (Mon–Fri 7:30–18:00): $129") < 1.0


def test_unrelated_words_do_not_cover() -> None:
    assert _cov("Can somebody come on a Sunday to mow my lawn?", "Lockouts: $189") <= 0.5
    assert _cov("What's the capital of France?", "Service call fee: $110") == 0.0


def test_statements_around_the_question_are_context() -> None:
    asked = question_concepts("Do you cover Gatineau? We're near the Casino.")
    assert asked == concept_groups("Do you cover Gatineau?")
    # A turn without a question mark is taken whole.
    assert question_concepts("price of a service call") == concept_groups("price of a service call")


def test_filler_is_not_a_lexeme() -> None:
    assert lexemes("hi, what do you guys charge roughly?") == {"charg"}


def test_search_text_adds_the_other_language() -> None:
    glossed = search_text("How much does a new high-efficiency furnace cost?")
    assert "fournaise" in glossed and "efficacité" in glossed and "prix" in glossed
    assert search_text("What's the capital of France?") == "What's the capital of France?"


def test_a_question_in_the_documents_is_never_an_answer() -> None:
    from tradeline.knowledge.policy import candidates

    faq = (
        "How long does a new roof take? Most homes are finished in one to two days. "
        "Do you offer financing? Yes, through our partner bank."
    )
    texts = [c.text for c in candidates([("FAQ", faq)])]
    assert texts == [
        "Most homes are finished in one to two days.",
        "Yes, through our partner bank.",
    ]
    # Their place in the passage is kept, so a short answer still takes its neighbour.
    assert [c.index for c in candidates([("FAQ", faq)])] == [1, 3]


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("how much to come look at my roof", "Roof inspection with written report: $149."),
        ("combien pour venir vérifier le toit", "Roof inspection: $149."),
    ],
)
def test_looking_at_it_is_an_inspection(question: str, passage: str) -> None:
    assert _cov(question, passage) > _cov(question, "Roof replacement: $149.")
