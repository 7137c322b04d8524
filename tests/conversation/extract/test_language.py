"""English or French, with the conversation's language as the default for ambiguous turns."""

from __future__ import annotations

import pytest

from tradeline.conversation.extract.language import detect_language


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("Bonjour, j'ai une fuite", "en", "fr"),
        ("Ma fournaise ne marche plus", "en", "fr"),
        ("c'est urgent", "en", "fr"),
        ("demain matin svp", "en", "fr"),
        ("oui", "en", "fr"),
        ("non", "en", "fr"),
        ("merci", "en", "fr"),
        ("Il n'y a plus de chauffage", "en", "fr"),
        ("I need a plumber tomorrow", "fr", "en"),
        ("My name is José", "fr", "en"),
        ("Yes", "fr", "en"),
        ("The water heater is leaking", "fr", "en"),
        ("Hi, this is Dave", "fr", "en"),
        # Ambiguous: keep the conversation's language.
        ("ok", "en", "en"),
        ("ok", "fr", "fr"),
        ("403 555 0199", "fr", "fr"),
        ("403 555 0199", "en", "en"),
        ("Hélène", "en", "en"),
        ("José García", "en", "en"),
        ("", "fr", "fr"),
    ],
)
def test_detect_language(text: str, default: str, expected: str) -> None:
    assert detect_language(text, default) == expected
