"""Intent classification by keywords and patterns, English and French."""

from __future__ import annotations

import pytest

from tradeline.conversation.extract.intent import Intent, classify_intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Can I get a quote for a new water heater?", "quote"),
        ("How much would it cost to install a furnace?", "quote"),
        ("I'd like an estimate to replace my panel", "quote"),
        ("J'aimerais une soumission pour un chauffe-eau", "quote"),
        ("Combien ça coûterait pour installer une thermopompe?", "quote"),
        ("I'm following up on my appointment", "existing_job"),
        ("You were here last week and it's leaking again", "existing_job"),
        ("I have a question about my invoice", "existing_job"),
        ("I need to reschedule", "existing_job"),
        ("cancel my appointment on Friday", "existing_job"),
        ("C'est au sujet de ma facture", "existing_job"),
        ("What are your hours?", "question"),
        ("Do you service Airdrie?", "question"),
        ("How much do you charge for a service call?", "question"),
        ("Do you install tankless water heaters?", "question"),
        ("Est-ce que vous êtes ouverts samedi?", "question"),
        ("hours on saturday", "question"),
        ("open on sunday", "question"),
        ("ouverts dimanche", "question"),
        ("open the old safe in the basement", "other"),
        ("the garage door won't close all the way", "other"),
        ("My furnace is broken", "service_request"),
        ("I need someone to fix my sink", "service_request"),
        ("The toilet is not working, are you open today?", "service_request"),
        ("I'd like to book a furnace tune-up", "service_request"),
        ("Ma fournaise ne fonctionne plus", "service_request"),
        ("J'ai une fuite sous l'évier", "service_request"),
        ("We can get you on the first page of Google", "spam"),
        ("Business loans, pre-approved, no credit check", "spam"),
        ("Congratulations, you've won a cruise!", "spam"),
        ("Invest in crypto today", "spam"),
        ("Free quote for SEO services", "spam"),
        ("Hi", "other"),
        ("Thanks, bye", "other"),
        ("", "other"),
    ],
)
def test_classify_intent(text: str, intent: Intent) -> None:
    assert classify_intent(text, "en") == intent
