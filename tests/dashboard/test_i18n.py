"""Every string the dashboard shows has its Canadian French, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

from tradeline.dashboard import i18n, web
from tradeline.dashboard.business.service import EVENT_LABELS, METRICS
from tradeline.dashboard.catalogue_fr import FR
from tradeline.dashboard.settings.endpoints import DAY_NAMES

PACKAGE = Path(web.__file__).parent
# _("…"), page.t("…"), t("…"), translator("…") and Translator(…)("…") calls with a literal.
CALL = re.compile(r"""(?:\b_|\bt|\.t|translator|\)\))\(\s*(['"])((?:\\.|(?!\1).)+)\1""")


def _literals() -> set[str]:
    found: set[str] = set()
    for path in [*PACKAGE.rglob("*.html"), *PACKAGE.rglob("*.py")]:
        for match in CALL.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(2).replace("\\'", "'"))
    return found


def _shown() -> set[str]:
    dynamic = {
        *i18n.EN_LABELS.values(),
        *(label for _, label in METRICS),
        *EVENT_LABELS.values(),
        *DAY_NAMES.values(),
        *(label for _, label, _who in web.NAV),
        *web.ERROR_TITLES.values(),
        "Something went wrong",
        "call started",
        "call ended",
        "no reply",
        "Email or password is incorrect.",
        "That code did not work.",
    }
    return _literals() | dynamic


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_shown_string_has_french() -> None:
    missing = sorted(text for text in _shown() if text not in FR)
    assert missing == [], f"add to catalogue_fr.FR: {missing}"


def test_french_keeps_the_placeholders() -> None:
    wrong = {k: v for k, v in FR.items() if _fields(k) != _fields(v)}
    assert wrong == {}


def test_translation_falls_back_and_fills_values() -> None:
    assert i18n.translate("fr", "Call {number}", number="+15875550100") == (
        "Appeler le +15875550100"
    )
    assert i18n.translate("en", "no-answer") == "No answer"
    assert i18n.translate("fr", "no-answer") == "Sans réponse"
    assert i18n.translate("fr", "a sentence nobody translated") == "a sentence nobody translated"


def test_language_choice() -> None:
    assert i18n.normalise("fr_CA") == "fr" and i18n.normalise("en-US") == "en"
    assert i18n.normalise(None) == "en"
    assert i18n.from_accept_language("fr-CA,fr;q=0.9,en;q=0.8") == "fr"
    assert i18n.from_accept_language("de-DE,en;q=0.5,fr;q=0.4") == "en"
    assert i18n.from_accept_language("de-DE, fr;q=0.7") == "fr"
    assert i18n.from_accept_language(None) == "en"
    assert i18n.html_lang("fr") == "fr-CA"
