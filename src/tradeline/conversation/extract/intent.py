"""What the caller wants, from keywords and patterns (English and French).

Checked in order, first hit wins: spam (so "get a free quote for SEO" is not a quote), an existing job
(an appointment, an invoice, "you were here last week"), a quote, a present problem (broken, leaking,
not working: a service request even when phrased as a question), a question about the business
(hours, prices, areas), then a plain request for work (fix, install, book), else other.
"""

from __future__ import annotations

import re
from typing import Literal

from tradeline.conversation.extract.lexicon import fold, strip_accents

__all__ = ["Intent", "classify_intent"]

Intent = Literal["service_request", "quote", "question", "existing_job", "spam", "other"]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# All patterns run on lower-cased, accent-stripped text.
_SPAM = _rx(
    r"\b(?:seo|search\s+engine\s+optimi[sz]ation|google\s+(?:ranking|rankings|listing|my\s+business|reviews?)"
    r"|first\s+page\s+(?:of|on)\s+google|rank\s+(?:higher|your\s+(?:website|business))"
    r"|website\s+(?:design|redesign)\s+(?:services?|offer|package)|business\s+(?:loans?|funding|financing|line\s+of\s+credit)"
    r"|merchant\s+(?:cash|services)|working\s+capital|pre-?approved|you'?ve\s+(?:won|been\s+selected)"
    r"|you\s+have\s+won|congratulations|claim\s+your\s+(?:prize|reward|gift)|gift\s+card|crypto\w*|bitcoin"
    r"|investment\s+opportunity|extended\s+(?:car\s+|auto\s+)?warranty|lower\s+your\s+(?:rates?|interest|credit)"
    r"|credit\s+card\s+processing|(?:more|qualified)\s+leads|social\s+media\s+marketing|click\s+(?:here|the\s+link)"
    r"|bit\.ly|limited\s+time\s+offer|act\s+now|referencement|pret\s+(?:d'affaires|commercial)"
    r"|vous\s+avez\s+gagne|cryptomonnaie|felicitations)"
)
_EXISTING_JOB = _rx(
    r"\b(?:follow(?:ing)?[\s-]+up|my\s+appointment|our\s+appointment|the\s+appointment|reschedul\w*"
    r"|cancel\s+(?:my|the|our)\s+(?:appointment|booking|visit|service\s+call)"
    r"|you\s+(?:guys\s+)?(?:were|came)\s+(?:here|out|by|over)|(?:your|the)\s+(?:tech|technician|guy|plumber|electrician)\s+"
    r"(?:was\s+here|came|left|said|did|fixed|installed)|invoice|(?:my|the|your)\s+bill\b|receipt|job\s+number"
    r"|work\s+order|warranty\s+on\s+(?:the|your|my)|last\s+(?:week|time)\s+you|you\s+(?:fixed|installed|replaced)"
    r"|is\s+(?:someone|the\s+tech(?:nician)?)\s+still\s+coming|running\s+late|\beta\b|when\s+(?:is|will)\s+(?:my|the)\s+"
    r"(?:tech|technician|appointment)|suivi|mon\s+rendez-vous|notre\s+rendez-vous|(?:annuler|deplacer|changer)\s+"
    r"(?:mon|le)\s+rendez-vous|facture|vous\s+etes\s+venus?|votre\s+technicien|le\s+technicien\s+est\s+venu)"
)
_QUOTE = _rx(
    r"\b(?:quotes?|estimates?|ballpark|soumissions?|estimations?|devis)\b"
    r"|\b(?:how\s+much|what\s+(?:would|will|does)\s+it\s+cost|what\s+would\s+you\s+charge|combien)\b"
    r".*\b(?:install\w*|replac\w*|put\s+in|new|upgrade|redo|installer|remplacer|changer|nouveau|nouvelle)"
)
_PROBLEM = _rx(
    r"\b(?:need\s+(?:someone|somebody|a\s+(?:plumber|electrician|tech|technician|repair)|help|service)"
    r"|broken|broke|busted|leak\w*|not\s+working|isn'?t\s+working|stopped\s+working|won'?t\s+(?:start|turn\s+on|work|drain|flush|stop)"
    r"|doesn'?t\s+work|clogged|plugged|backed\s+up|backing\s+up|no\s+(?:heat|hot\s+water|power)|flood\w*|burst"
    r"|dripping|making\s+(?:a\s+)?(?:weird\s+|loud\s+|strange\s+)?(?:noise|sound)|send\s+someone|can\s+(?:someone|somebody|you)\s+come"
    r"|come\s+(?:out|by|over|and\s+(?:fix|look))|emergency|smell\s+gas|besoin\s+(?:d'un|d'une|de\s+quelqu'un|d'aide)"
    r"|brise\w*|fuite|coule|ne\s+(?:fonctionne|marche)\s+(?:pas|plus)|bouche\w*|pas\s+de\s+(?:chauffage|chaleur|eau\s+chaude)"
    r"|en\s+panne|inond\w*|urgence)"
)
_QUESTION_START = _rx(
    r"^\s*(?:what|when|where|how|do|does|are|is|can|could|will|would|which|who|est-ce|quand|ou|combien"
    r"|quel|quelle|quels|quelles|avez-vous|etes-vous|faites-vous|offrez-vous|allez-vous)\b"
)
# "Open" in its opening-hours sense only: "are you open Sunday", not "open my car" / "door won't close".
_OPEN_HOURS = (
    r"(?:are|r)\s+(?:you|u)(?:\s+guys)?\s+(?:open|closed)|(?:open|closed)\s+(?:on|today|tonight|tomorrow|late|early|now"
    r"|this|next|weekends?|holidays?|(?:mon|tues|wednes|thurs|fri|satur|sun)days?)|(?:opening|closing)\s+(?:hours|time)"
    r"|(?:etes|etes-vous|vous\s+etes)\s+(?:vous\s+)?(?:ouverts?|fermes?)|(?:ouvrez|fermez)-vous"
    r"|ouverts?\s+(?:le|la|ce|demain|aujourd'hui|(?:lun|mar|mercre|jeu|vendre|same)di|dimanche)"
)
_BUSINESS_TOPIC = _rx(
    r"\b(?:hours|"
    + _OPEN_HOURS
    + r"|weekends?|service\s+area|areas?|serve|cover|charge|prices?|cost|rates?"
    r"|fees?|free|licensed|insured|warranty|located|location|heures|secteur|region|tarifs?"
    r"|prix|frais|couts?)\b"
)
_WORK = _rx(
    r"\b(?:fix|repair|install\w*|replac\w*|service|book|schedule|appointment|tune-?up|inspection|maintenance"
    r"|clean(?:ing)?|reparer|reparation|installer|remplacer|entretien|rendez-vous|nettoyage)\b"
)


def classify_intent(text: str, lang: str = "en") -> Intent:
    """One of service_request, quote, question, existing_job, spam, other.

    `lang` is accepted for symmetry; both languages' patterns are always tried.
    """
    del lang  # callers mix languages; every pattern set is always on
    low = strip_accents(fold(text))
    if _SPAM.search(low):
        return "spam"
    if _EXISTING_JOB.search(low):
        return "existing_job"
    if _QUOTE.search(low):
        return "quote"
    if _PROBLEM.search(low):
        return "service_request"
    if "?" in low or _QUESTION_START.search(low):
        return "question"
    if _WORK.search(low):
        return "service_request"
    if _BUSINESS_TOPIC.search(low) and len(low.split()) <= 8:
        return "question"  # "hours on saturday" typed without a question mark
    return "other"
