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


@pytest.mark.parametrize(
    "text",
    [
        # English, in the customer's own words and inside longer messages.
        "Please stop texting me, we went with another company last week",
        "can you quit messaging this number",
        "You guys need to stop calling me",
        "how do I stop getting these texts?",
        "stop sending me promos",
        "I don't want any more text messages from you",
        "I no longer wish to be contacted",
        "Never text this number again.",
        "do not contact me",
        "please unsubscribe me from everything",
        "I'm opting out",
        "cross me off your mailing list",
        "Delete this number from your contacts",
        "forget my number please",
        "I already replied STOP twice, why am I still getting these?",
        "Not interested. Remove.",
        "who's this?? stop",
        "stop. STOP!! stop",
        "Why won't you stop texting me",
        "I withdraw my consent to be contacted",
        "Leave me alone please",
        # French.
        "Arrête de me texter stp, j'ai déjà trouvé un plombier",
        "Cessez de me contacter",
        "Veuillez ne plus m'écrire",
        "Ne m'envoyez plus de textos",
        "Je ne veux plus recevoir vos messages",
        "Enlevez-moi de votre liste d'envoi",
        "Effacez mon numéro svp",
        "Plus de textos svp",
        "comment je fais pour me désinscrire?",
        "Laissez-moi tranquille",
        # Spanish.
        "Ya no me manden mensajes",
        "Dejen de escribirme por favor",
    ],
)
def test_opt_out_in_words(text: str) -> None:
    assert classify_keyword(text) == "stop"


@pytest.mark.parametrize(
    "text",
    [
        # A stop verb without a contact object is trade talk.
        "Can you stop by Thursday after lunch?",
        "the toilet won't stop running",
        "should I stop using the dishwasher until you come?",
        "How do I stop the drip under the sink",
        "is there a way to stop the banging in the pipes",
        "Stop the water at the main first?",
        "Should we stop the job until the part arrives?",
        "I'll stop by the shop for the part",
        "please stop the leak asap, it's soaking the carpet",
        "How do I stop the error messages on the thermostat?",
        # Negated, conditional, mentioned, partial or someone else's contact.
        "Don't stop the work, we're fine with the noise",
        "Please don't stop the texts, they're useful",
        "I don't think I want to unsubscribe",
        "If I unsubscribe do I still get the invoice?",
        "What does opt out mean on your form?",
        "Could I opt out later on if I change my mind?",
        "Do I reply STOP to cancel the visit?",
        "I unsubscribed by mistake, can you text me again?",
        "don't text me before 9am please",
        "Don't call me, I'll call you back after lunch",
        "Stop calling me, just text",
        "My neighbour won't stop texting me about your truck lol",
        "I want to opt out of the extended warranty",
        "Take me off the waiting list, I found a slot",
        "Delete my number and use my wife's instead",
        "No more leaks since you came, thanks!",
        "Stop! Don't send the tech, we fixed it",
        "Cancel the Friday visit please",
        "the end of the street, blue house",
        # French.
        "N'arrêtez pas les travaux svp",
        "Ne pas arrêter l'eau avant mon retour",
        "Le chauffe-eau n'arrête pas de faire du bruit",
        "Je ne veux pas me désabonner, juste changer l'heure",
        "Est-ce que je pourrai me désinscrire plus tard?",
        "Ne m'écrivez plus après 20 h",
        "Arrêtez de m'appeler, écrivez-moi plutôt",
        "Pouvez-vous arrêter de m'envoyer la facture papier?",
        "Annulez le rendez-vous de mardi",
        "Plus de messages d'erreur depuis la réparation",
        # A "Stop!" inside a request for help is an exclamation: dropping the caller would
        # silence an emergency.
        "Stop!! Water is everywhere, come now",
        "Stop, stop! it's flooding",
        "Stop. Emergency, pipe burst",
        "Hey stop. I need someone for a leak",
        "Arrêtez! L'eau coule partout",
        "Please stop. The tech broke my pipe",
        "Stop. Wait, actually can you come at 3?",
        # A complaint about what was texted, or texts wanted after all.
        "Stop texting me the wrong address, it's 12 Main St",
        "no more texting the landlord, text me",
    ],
)
def test_not_an_opt_out(text: str) -> None:
    assert classify_keyword(text) != "stop"


@pytest.mark.parametrize(
    "base", ["stop texting", "stop bugging me", "don't text me", "stop sending these"]
)
def test_no_catastrophic_backtracking(base: str) -> None:
    """A hang guard, not a performance figure: overlapping alternatives under a repetition once
    took 0.5 s at 234 characters and doubled with every two words, so one text could block
    the process for minutes. Linear matching does this in milliseconds."""
    import time

    message = base + " ever again" * 28 + " x"  # the old patterns: ~8 s
    started = time.perf_counter()
    classify_keyword(message)
    assert time.perf_counter() - started < 2.0
