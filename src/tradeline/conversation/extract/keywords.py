"""SMS opt-out, opt-in and help keywords (carrier rules, CTIA / CRTC practice, Twilio's defaults).

A keyword counts only as the whole message (case, spacing, punctuation and accents ignored, with a
polite "please"/"merci" around it): "STOP", "Arrêt.", "opt-out", "stop texting me please". A keyword
inside a sentence is ordinary talk: "the water won't stop running", "cancel my appointment on
Friday" (an existing-job request, although CANCEL alone is an opt-out), "end of the driveway".
"YES" opts back in as carriers require; the SMS policy should act on it only for a number that is
opted out, since "yes" is also an ordinary answer. People also opt back in in their own words
("start again", "opt me back in", "you can text me again", "réabonnez-moi"), and put openers or
courtesy around a keyword ("OK so START again thanks"); those count too, still as whole messages.
"""

from __future__ import annotations

import re
from typing import Literal

from tradeline.conversation.extract.lexicon import fold, strip_accents

__all__ = ["Keyword", "classify_keyword"]

Keyword = Literal["stop", "start", "help"]


def _keys(*phrases: str) -> frozenset[str]:
    return frozenset(_squash(phrase) for phrase in phrases)


def _squash(text: str) -> str:
    """Lower-case, accent-free, no punctuation or spaces: "Opt-Out!" → "optout"."""
    return re.sub(r"[\W_]+", "", strip_accents(fold(text)))


_STOP = _keys(
    "stop", "stopall", "stop all", "unsubscribe", "cancel", "end", "quit", "revoke", "optout",
    "opt out", "arrêt", "arret", "arrête", "arrêtez", "désabonner", "désabonnement",
    "désinscrire", "désinscription", "stop texting me", "stop texting", "stop messaging me",
    "stop sending me texts", "stop sending me messages", "remove me from your list",
    "remove me from your mailing list", "remove me from this list", "remove me",
    "take me off your list", "don't text me", "do not text me", "don't text me anymore",
    "unsubscribe me", "arrêtez de m'écrire", "arrête de m'écrire", "ne m'écrivez plus",
    "arrêtez de me texter", "ne me textez plus", "désabonnez-moi", "retirez-moi de votre liste",
)  # fmt: skip
# Opting back in, as people actually write it; each also with "again"/"back"/"à nouveau" after it
# ("start again", "opt in again", "réabonner de nouveau"). Whole messages only, so "can you start
# the job Monday" and "when can you start?" stay conversation.
_START_ALONE = (
    "start", "unstop", "yes", "subscribe", "opt in", "optin", "resubscribe", "subscribe me",
    "resubscribe me", "opt me in", "opt back in", "opt me back in", "sign me back up",
    "start texting", "start texting me", "start messaging me", "start sending me texts",
    "start sending me messages", "resume texts", "resume texting", "resume messages",
    "recommencer", "réabonner", "me réabonner", "réabonnez-moi", "réabonne-moi", "réinscrire",
    "me réinscrire", "réinscrivez-moi", "m'abonner", "abonnez-moi", "réactiver", "début",
)  # fmt: skip
# …and those that are an opt-in only with "again" or "back" ("text me" alone is a request).
_START_WITH_AGAIN = (
    "text me", "you can text me", "you may text me", "you can message me",
    "you can send me texts", "send me texts", "i want texts", "i want to receive texts",
    "i want to get texts", "sign me up", "recommence", "recommencez", "reprendre",
    "vous pouvez m'écrire", "vous pouvez me texter",
    "écrivez-moi", "textez-moi", "abonner",
)  # fmt: skip
_AGAIN = ("again", "back", "à nouveau", "de nouveau")
_START = _keys(*_START_ALONE) | _keys(
    *(f"{phrase} {again}" for phrase in _START_ALONE + _START_WITH_AGAIN for again in _AGAIN)
)
_HELP = _keys("help", "info", "aide", "aidez-moi")
# Courtesy and openers around a keyword that do not change it: "OK so START again thanks",
# "ok stop", "oui, réabonnez-moi svp".
_LEADING = re.compile(
    r"^(?:please|pls|plz|svp|merci|actually|ok|okay|oh|um|uh|hi|hey|hello|so|well|bonjour|allo"
    r"|allô|salut|en\s+fait|finalement|euh|oui|yes|yeah|yep)\b[\s,.!]*",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"\s+(?:please|pls|plz|thanks|thank\s+you|thx|ty|svp|merci|s'il\s+vous\s+pla[iî]t"
    r"|s'il\s+te\s+pla[iî]t)$",
    re.IGNORECASE,
)
_MAX_LENGTH = 60  # longer messages are conversation, never a bare keyword


def classify_keyword(text: str) -> Keyword | None:
    """'stop', 'start' or 'help' when the whole message is such a keyword, else None."""
    if len(text) > _MAX_LENGTH:
        return None
    core = re.sub(r"[.!?,;:\s]+$", "", fold(text).strip())
    previous = None
    while previous != core:  # "please stop texting me, thanks"
        previous = core
        core = _TRAILING.sub("", core).strip(" ,.!")
        # Never strip the keyword itself: "YES" alone is the opt-in, "yes please" too.
        core = _LEADING.sub("", core).strip(" ,.!") or core
    key = _squash(core)
    if key in _STOP:
        return "stop"
    if key in _START:
        return "start"
    if key in _HELP:
        return "help"
    return None
