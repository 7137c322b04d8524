"""SMS opt-out / opt-in / help keywords: whole messages only."""

from __future__ import annotations

import pytest

from tradeline.conversation.extract.keywords import Keyword, classify_keyword


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STOP", "stop"),
        ("stop.", "stop"),
        (" Stop! ", "stop"),
        ("STOPALL", "stop"),
        ("stop all", "stop"),
        ("UNSUBSCRIBE", "stop"),
        ("Cancel", "stop"),
        ("END", "stop"),
        ("quit", "stop"),
        ("revoke", "stop"),
        ("OPTOUT", "stop"),
        ("OPT OUT", "stop"),
        ("opt-out", "stop"),
        ("ARRÊT", "stop"),
        ("arret", "stop"),
        ("DÉSABONNER", "stop"),
        ("desabonner", "stop"),
        ("désinscrire", "stop"),
        ("stop texting me", "stop"),
        ("please stop messaging me", "stop"),
        ("Remove me from your list", "stop"),
        ("don't text me", "stop"),
        ("Don’t text me", "stop"),
        ("unsubscribe me", "stop"),
        ("Arrêtez de m'écrire", "stop"),
        ("Ne m’écrivez plus", "stop"),
        ("stop texting me please, thanks", "stop"),
        ("START", "start"),
        ("unstop", "start"),
        ("YES", "start"),
        ("HELP", "help"),
        ("info", "help"),
        ("AIDE", "help"),
        ("help?", "help"),
        # Ordinary talk containing a keyword.
        ("the water won't stop running", None),
        ("can you stop by tomorrow", None),
        ("cancel my appointment on Friday", None),
        ("end of the driveway", None),
        ("I need help with my furnace", None),
        ("yes this number is good", None),
        ("start time is 9am?", None),
        ("", None),
    ],
)
def test_classify_keyword(text: str, expected: Keyword | None) -> None:
    assert classify_keyword(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Actually START again please", "start"),
        ("start again", "start"),
        ("Start again.", "start"),
        ("please start texting me again", "start"),
        ("resubscribe", "start"),
        ("opt me back in", "start"),
        ("opt in again", "start"),
        ("unstop", "start"),
        ("you can text me again", "start"),
        ("ok, you can text me again, thanks", "start"),
        ("recommencer", "start"),
        ("réabonner", "start"),
        ("Oui, réabonnez-moi svp", "start"),
        ("vous pouvez m'écrire à nouveau", "start"),
        ("yes please", "start"),
        ("ok stop", "stop"),
        ("actually, stop texting me", "stop"),
        # Conversation that mentions starting or texting.
        ("can you start the job Monday", None),
        ("when can you start?", None),
        ("text me", None),
        ("start the furnace again", None),
        ("ok", None),
        ("thanks", None),
    ],
)
def test_natural_opt_in_and_openers(text: str, expected: Keyword | None) -> None:
    assert classify_keyword(text) == expected
