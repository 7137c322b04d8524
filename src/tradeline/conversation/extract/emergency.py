"""Is this an emergency? Hazards of the trades in English and French, plus the business's keywords.

Matching runs on lower-cased, accent-stripped text, so "odeur de gaz" and "odeur de gâz" or a
texter's "inonde" all match. A hazard counts unless it is negated in its own clause ("no sparks or
anything", "il n'y a pas d'inondation"). Life-safety hazards (gas, carbon monoxide, sparks, smoke,
fire, shock) stay emergencies even when the caller says "not an emergency": we would rather call the
on-call tech than leave someone in a house with a gas smell. Property hazards (flooding, a burst pipe,
sewage, no heat) respect the caller's "not urgent" / "pas pressé".

Life safety includes a rotten-egg / sulphur smell (the odorant in natural gas and propane), downed or
live wires, and water reaching something electrical ("water dripping out of the ceiling light", "de
l'eau dans la boîte électrique"). A hazard in a condition is not happening now ("what if my furnace
breaks down at night?", "si la fournaise lâche"), and a question about emergency *service* ("do you
do emergency calls on weekends?", "is there an after-hours emergency fee?") is not a report; a real
hazard in the same message still counts ("my furnace broke down, do you do emergency calls?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tradeline.conversation.extract.lexicon import fold, strip_accents

__all__ = ["EmergencyResult", "detect_emergency"]


@dataclass(frozen=True, slots=True)
class EmergencyResult:
    is_emergency: bool
    reason: str | None  # a short English label for the owner's alert ("gas smell", "flood")


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# (pattern on accent-stripped lower-case text, reason). Order = seriousness: the first hit names it.
_LIFE_SAFETY: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        _rx(
            r"\bsmell(?:s|ing|ed)?\s+(?:of\s+|like\s+)?(?:natural\s+|propane\s+)?gas\b|\bgas\s+(?:smell|odou?r)s?\b"
            r"|\b(?:leak(?:s|ing)?\s+gas|gas\s+(?:is\s+)?leak(?:s|ing)?|gas\s+leak)\b|\brotten\s+eggs?\b"
            r"|\b(?:odeur|senteur)\s+de\s+(?:gaz|propane)\b|\bsent\s+le\s+(?:gaz|propane)\b|\bfuite\s+de\s+gaz\b"
            # Rotten eggs / sulphur: the smell added to natural gas and propane (mercaptan).
            r"|\brotten[\s-]+eggs?\b|\bsul(?:ph|f)ur(?:ous|ic)?(?:[\s-]+like)?\s+(?:smell|odou?r|stench)s?\b"
            r"|\b(?:smell|stink|stench|reek)(?:s|ing|ed|y)?\s+(?:of\s+|like\s+)?sul(?:ph|f)ur\b|\bmercaptan\b"
            r"|\b(?:oe|œ)ufs?\s+pourris?\b|\bsoufre\b"
        ),
        "gas smell",
    ),
    (
        _rx(
            r"\bcarbon\s+monoxide\b|\bco\s+(?:alarm|detector)s?\b|\bmonoxyde(?:\s+de\s+carbone)?\b"
            r"|\b(?:detecteur|alarme|avertisseur)\s+de\s+(?:co|monoxyde)\b"
        ),
        "carbon monoxide",
    ),
    (
        _rx(
            r"\bon\s+fire\b|\b(?:caught|catch(?:ing)?)\s+(?:on\s+)?fire\b|(?<!pilot )\bflames?\b|\ba\s+fire\b"
            r"|\ben\s+feu\b|\bflammes?\b|\bun\s+feu\b|\bincendie\b"
        ),
        "fire",
    ),
    (_rx(r"\bspark(?:s|ing|ed|y)?\b(?!\s+plugs?)|\barcing\b|\betincelles?\b"), "sparks"),
    (
        _rx(
            r"\bburning\s+smell\b|\bsmell(?:s|ing)?\s+(?:of\s+|like\s+)?(?:something\s+)?(?:burn(?:ing|t)|melting)\b"
            r"|\b(?:electrical|plastic)\s+(?:burning\s+)?smell\b|\bodeur\s+de\s+(?:brule|brulee|plastique\s+brule)\b"
            r"|\bsent\s+le\s+brule\b"
        ),
        "burning smell",
    ),
    (
        _rx(
            r"\bsmok(?:e|ing|y)\b(?!\s+(?:detector|alarm)s?)"
            r"|(?<!detecteur de )(?<!avertisseur de )\bfumee\b"
        ),
        "smoke",
    ),
    (
        _rx(
            r"\belectric(?:al)?\s+shock\b|\bgot\s+(?:a\s+)?shock(?:ed)?\b|\bshocked\s+(?:me|him|her|us|my)\b"
            r"|\belectrocut\w*|\bgot\s+zapped\b|\bzapped\s+me\b|\bchoc\s+electrique\b"
            r"|\bdecharge\s+electrique\b|\belectrocute\w*"
        ),
        "electric shock",
    ),
    (
        _rx(
            r"\b(?:power|hydro|electric(?:al)?|utility|service|live|overhead|high[\s-]voltage)\s+(?:lines?|wires?|cables?|drop)"
            r"\s+(?:(?:is|are|has|have|just|got|been|came|come|coming|went)\s+)*(?:down|fell|fallen|falling|hanging"
            r"|snapped|ripped|torn|pulled|sparking|on\s+(?:the|my|our)\s+\w+|across)\b"
            r"|\bwires?\s+(?:(?:is|are|just|came|come|coming|went|lying|laying|sitting|dangling|hanging|all)\s+)*"
            r"(?:down|fell|fallen|hanging\s+(?:down|low)|on\s+the\s+(?:ground|road|street|driveway|lawn|yard|grass|deck))\b"
            r"|\blive\s+wires?\s+(?:(?:is|are|just|now)\s+)*(?:lying|laying|hanging|dangling|exposed|down|sparking"
            r"|on\s+the|everywhere|in\s+the)\b|\bexposed\s+live\s+wires?\b"
            r"|\b(?:ripped|tore|torn|pulled|knocked|took|brought)\s+(?:down\s+|off\s+)?(?:the\s+|my\s+|our\s+)?"
            r"(?:power|hydro|service|electrical|electric)\s+(?:lines?|wires?|mast|drop|cables?)\b"
            r"|\bdowned\s+(?:power\s+|hydro\s+|electrical\s+)?(?:lines?|wires?)\b"
            r"|(?<!phone\s)(?<!internet\s)(?<!cable\s)(?<!clothes\s)(?<!telephone\s)(?<!fishing\s)\blines?\s+"
            r"(?:(?:just|has|have|is|are)\s+)?(?:came|come|coming|fell|fallen|went)\s+(?:down\s+)?(?:on|onto|across|over)"
            r"\s+(?:the|my|our|a|his|her|their)\s+(?:\w+\s+)?(?:car|truck|van|fence|house|roof|deck|garage|yard"
            r"|driveway|street|road|shed|tree|lawn|porch|vehicle)s?\b"
            r"|\bfils?\s+(?:electriques?\s+|d'hydro\s+|hydro\s+|de\s+(?:la\s+)?ligne\s+)?(?:(?:est|sont|a|ont)\s+)?"
            r"(?:tombee?s?|a\s+terre|par\s+terre|au\s+sol|arrachee?s?|pendent)\b"
            r"|\blignes?\s+(?:electriques?|d'hydro|hydro|a\s+haute\s+tension|de\s+courant)\s+(?:(?:est|sont)\s+)?"
            r"(?:tombee?s?|a\s+terre|par\s+terre|au\s+sol|arrachee?s?|cassee?s?)\b"
        ),
        "downed power line",
    ),
    (
        _rx(
            # Water reaching something live: "water dripping out of the ceiling light", "water in the
            # outlet", "de l'eau dans la boîte électrique". Not "the water heater by the panel".
            r"\bwater(?!\s+(?:heater|tank|softener|meter|pump|line|main|bill|filter|pressure|supply))"
            r"(?:\s+[\w']+){0,4}?\s+(?:in|into|inside|out\s+of|from|through|on|onto|around|behind|near|over|by)"
            r"\s+(?:the\s+|my\s+|a\s+|an\s+|our\s+|one\s+of\s+the\s+|some\s+of\s+the\s+)?"
            r"(?:ceiling\s+|kitchen\s+|bathroom\s+|basement\s+|wall\s+|hallway\s+|recessed\s+)?"
            r"(?:lights?|light\s+fixtures?|pot\s+lights?|potlights?|outlets?|sockets?|receptacles?|switch(?:es)?"
            r"|light\s+switch(?:es)?|(?:electrical|breaker|fuse|junction)\s+(?:panel|box)(?:es)?|panels?|breakers?"
            r"|wiring|electrical\s+(?:wires|wiring|outlets?))\b"
            r"|\b(?:outlets?|sockets?|receptacles?|light\s+fixtures?|pot\s+lights?|(?:electrical|breaker|fuse)\s+"
            r"(?:panel|box)|panel)\s+(?:(?:is|are|got|getting|has|have|been|all)\s+)*(?:wet|soaked|soaking|full\s+of\s+water"
            r"|under\s+water|submerged|dripping|leaking\s+water|flooded|filling\s+(?:up\s+)?with\s+water)\b"
            r"|\b(?:wet|flooded|soaked)\s+(?:outlets?|electrical\s+panel|panel|breaker\s+box|light\s+fixtures?)\b"
            r"|(?<![\w-])eau(?:\s+[\w']+){0,4}?\s+(?:dans|sur|de|du|des|par|derriere|autour\s+d[ue']|pres\s+d[ue']"
            r"|a\s+cote\s+d[ue'])\s*(?:la\s+|le\s+|les\s+|l'|mon\s+|ma\s+|mes\s+|notre\s+|un\s+|une\s+)?"
            r"(?:boite\s+(?:electrique|de\s+(?:disjoncteurs|fusibles|jonction))|boitier\s+electrique"
            r"|panneau\s+(?:electrique|de\s+(?:disjoncteurs|distribution))|luminaires?|plafonniers?"
            r"|prises?(?!\s+d'eau)(?:\s+de\s+courant|\s+electriques?)?|lumieres?|interrupteurs?|disjoncteurs?"
            r"|fils\s+electriques|filage|spots?\s+encastres?)\b"
            r"|\b(?:prises?(?:\s+electriques?|\s+de\s+courant)?|luminaires?|plafonniers?|panneau\s+electrique"
            r"|boite\s+electrique)\s+(?:(?:est|sont)\s+)?(?:mouillee?s?|trempee?s?|pleine?s?\s+d'eau|dans\s+l'eau"
            r"|inondee?s?)\b"
        ),
        "water in electrical",
    ),
)
_PROPERTY: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        _rx(
            r"\b(?:burst(?:ing|s)?|broken|split|cracked|frozen\s+and\s+burst)\s+(?:water\s+)?(?:pipe|line|main)s?\b"
            r"|\bpipes?\s+(?:has\s+|have\s+|just\s+|is\s+|are\s+)?(?:burst|bursted|bursting|broke|exploded|split)\b"
            r"|\b(?:tuyau|conduite)s?\s+(?:a\s+|ont\s+)?(?:eclate|eclatee|eclates|pete|fendu|creve)\b"
        ),
        "burst pipe",
    ),
    (
        _rx(
            r"\bflood(?:s|ed|ing)?\b(?!\s*lights?)|\binond(?:e|ee|es|ees|ation|er)\b|\bdegats?\s+d'eau\b"
        ),
        "flooding",
    ),
    (
        _rx(
            r"\bsew(?:age|er)\s+(?:is\s+|keeps\s+)?(?:back(?:ing|ed|s)?\s*-?\s*up|backup|coming\s+up|everywhere)\b"
            r"|\bsew(?:age|er)\s+back-?up\b|\brefoulement\s+d'egouts?\b|\begouts?\s+(?:qui\s+)?refoul\w*"
            r"|\b(?:refoule|refoulent)\b"
        ),
        "sewage backup",
    ),
    (
        _rx(
            r"\bwater\s+(?:is\s+|keeps\s+)?(?:pouring|gushing|spraying|spewing|everywhere|all\s+over)\b"
            r"|\bwater\s+(?:is\s+)?coming\s+(?:through|in\s+through|down\s+through)\s+the\s+(?:ceiling|wall|floor)\b"
            r"|\b(?:pouring|gushing|spraying)\s+(?:out\s+)?water\b|\beau\s+partout\b|\bcoule\s+partout\b"
            r"|\bl'eau\s+(?:gicle|jaillit|sort\s+de\s+partout)\b"
        ),
        "water pouring in",
    ),
)
_NO_HEAT = _rx(
    r"\bno\s+heat(?:ing)?\b|\b(?:furnace|boiler|heat(?:ing)?|heater)\s+(?:is\s+|has\s+|went\s+|just\s+)?"
    r"(?:out|dead|died|stopped(?:\s+working)?|not\s+working|isn'?t\s+working|quit|broken|broke\s+down"
    r"|breaks\s+down|broken\s+down|gave\s+out|gives\s+out|conked\s+out|went\s+out|goes\s+out|shut\s+(?:off|down))\b"
    r"|\b(?:furnace|heat)'s\s+out\b|\b(?:furnace|boiler|heat)\s+won'?t\s+(?:turn\s+on|start|come\s+on|work)\b"
    r"|\b(?:pas|plus)\s+de\s+(?:chauffage|chaleur)\b"
    r"|\b(?:fournaise|chauffage|chaudiere)\s+(?:ne\s+(?:fonctionne|marche|part)\s+(?:plus|pas)|est\s+"
    r"(?:brisee|morte|en\s+panne|arretee)|brisee|en\s+panne|lache|a\s+lache|(?:est\s+)?tombee?\s+en\s+panne"
    r"|s'est\s+arretee?|a\s+arrete)\b(?!\s+(?:pas|plus\s+de|de\s+partir))"
    r"|\b(?:house|home)\s+is\s+freezing\b"
)
_CALLER_SAYS = _rx(r"\bemergency\b|\burgence\b|\b911\b")
# Emergency as a *service* the caller asks about: "do you do emergency calls on weekends?", "is there
# an after-hours emergency fee?", "avez-vous un service d'urgence la nuit?". Not a hazard by itself.
_SERVICE_TOPIC = _rx(
    r"\bemergenc(?:y|ies)\s+(?:calls?|service|services|fees?|rates?|charges?|surcharges?|pricing|prices?|costs?"
    r"|hours|line|number|availability|visits?|dispatch|plumbers?|electricians?|techs?|technicians?|repairs?"
    r"|coverage|work|jobs?|appointments?|policy)\b"
    r"|\b(?:services?|frais|tarifs?|taux|appels?|ligne|numero|prix|couts?|visites?|depannages?|plombiers?"
    r"|electriciens?|techniciens?|interventions?)\s+(?:d'|en\s+|de\s+)urgence\b"
    r"|\burgences?\s+(?:la\s+nuit|de\s+nuit|le\s+soir|la\s+fin\s+de\s+semaine|les\s+fins\s+de\s+semaine"
    r"|le\s+week-end|les\s+week-ends)\b|\bafter[\s-]hours?\b|\bapres\s+les\s+heures\b|\bhors\s+des\s+heures\b"
)
_FEE = _rx(
    r"\b(?:fees?|rates?|charges?|surcharges?|pricing|prices?|costs?|how\s+much|frais|tarifs?|prix|couts?"
    r"|combien)\b"
)
_ASKING = _rx(
    r"\?|^\W*(?:(?:hi|hello|hey|bonjour|allo|yes|oui|ok|okay|so|and|et|also|aussi)\W+)*(?:do|does|did|are|is"
    r"|can|could|will|would|what|how|when|which|avez-vous|faites-vous|offrez-vous|etes-vous|est-ce"
    r"|y\s+a-t-il|combien|quel|quelle|quels|quelles)\b"
    r"|\b(?:wondering|curious|want(?:ed)?\s+to\s+(?:know|ask|check)|just\s+asking|je\s+me\s+demand\w*"
    r"|savoir\s+si|je\s+voulais\s+savoir)\b"
)
# A hazard in a condition is not happening now: "what if my furnace breaks down at night?", "si la
# fournaise lâche". The strong forms only ("what if", "in case", "si jamais") for life-safety hazards:
# "check if it's a gas leak" still sends someone.
_STRONG_HYPOTHETICAL = _rx(
    r"\b(?:what\s+if|in\s+case|au\s+cas\s+(?:ou|qu)|en\s+cas\s+d|si\s+jamais|if\s+ever|supposing"
    r"|hypothetically|(?:what|que)\s+(?:do|should|would|faire|dois-je\s+faire|doit-on\s+faire)\s+(?:\w+\s+){0,2}(?:if|si))"
)
_HYPOTHETICAL = _rx(
    r"\b(?:if|si|s'il|s'ils|whether|suppose|should\s+(?:my|the|our|it|a)|what\s+happens\s+(?:if|when)"
    r"|what\s+if|in\s+case|au\s+cas|en\s+cas\s+d|si\s+jamais)\b"
)
_CONDITION_BREAK = _rx(
    r"[.!?;,]|\b(?:but|mais|and|et|because|since|parce|car|so|donc|alors|then|puis|although|though)\b"
)
_CONDITION_WINDOW = 6  # words before a hazard that can still put it in a condition
# The caller's own "it can wait".
_NOT_URGENT = _rx(
    r"\bnot\s+(?:an?\s+|really\s+an?\s+)?(?:emergency|urgent)\b|\bno\s+(?:rush|hurry|emergency)\b"
    r"|\bnon[-\s]?urgent\b|\bpas\s+(?:une\s+|vraiment\s+)?urgen(?:ce|t|te)\b|\bpas\s+presse\b"
    r"|\brien\s+d'urgent\b|\baucune\s+urgence\b|\bnot\s+in\s+a\s+hurry\b|\bwhenever\s+works\b"
)
# Routine upkeep of a detector is not a hazard: "the CO detector needs a battery".
_MUNDANE = _rx(
    r"\b(?:batter(?:y|ies)|chirp\w*|beep\w*|install\w*|replac\w*|new|buy|expired|piles?|remplacer"
    r"|installer|changer)\b"
)
# A hazard word naming a device: "flood light", "smoke detector", "spark plug", "gas stove".
_DEVICE_AFTER = _rx(
    r"\s*-?\s*(?:lights?|lamps?|detectors?|alarms?|plugs?|stoves?|range|bbq|fireplace)\b"
)
_NEGATOR = _rx(
    r"\b(?:no|not|never|without|nothing|none|isn'?t|aren'?t|wasn'?t|don'?t|doesn'?t|didn'?t"
    r"|haven'?t|hasn'?t|pas|aucune?|sans|jamais|ni)\b|n't\b"
)
_CLAUSE_BREAK = _rx(r"[.!?;,]|\b(?:but|mais|although|though|except|however|cependant|sauf)\b")
_NEGATION_WINDOW = 5  # words before a hazard that can still negate it


def _clause_before(text: str, start: int) -> str:
    """The words of the hazard's own clause before it (a negation further back is someone else's)."""
    before = text[:start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    return " ".join(before.split()[-_NEGATION_WINDOW:])


def _clause_after(text: str, end: int) -> str:
    stop = _CLAUSE_BREAK.search(text, end)
    return text[end : stop.start() if stop else len(text)]


def _conditional(text: str, start: int, hypothetical: re.Pattern[str]) -> bool:
    """Whether the hazard at `start` sits in an "if…" / "si…" clause."""
    before = text[:start]
    breaks = list(_CONDITION_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    return hypothetical.search(" ".join(before.split()[-_CONDITION_WINDOW:])) is not None


def _hit(
    pattern: re.Pattern[str],
    text: str,
    *,
    mundane_check: bool = False,
    hypothetical: re.Pattern[str] = _HYPOTHETICAL,
) -> bool:
    for match in pattern.finditer(text):
        if _DEVICE_AFTER.match(text, match.end()) and not mundane_check:
            continue
        before = _clause_before(text, match.start())
        if _NEGATOR.search(before) or _conditional(text, match.start(), hypothetical):
            continue
        if mundane_check and _MUNDANE.search(f"{before} {_clause_after(text, match.end())}"):
            continue
        return True
    return False


def _asks_about_service(text: str) -> bool:
    """ "Do you do emergency calls?", "emergency fees?": a question about the service, not a report."""
    topic = _SERVICE_TOPIC.search(text)
    if topic is None:
        return False
    return _ASKING.search(text) is not None or _FEE.search(text) is not None


@lru_cache(maxsize=512)
def _keyword_pattern(keyword: str) -> re.Pattern[str] | None:
    """A business's keyword, tolerant of inflection: "flood" also matches "flooded", "flooding";
    "burst pipe" matches "bursting pipes"; a final e may drop ("smoke" → "smoking")."""
    words = strip_accents(fold(keyword)).split()
    if not words:
        return None
    parts = []
    for word in words:
        stem = re.escape(word[:-1] if word.endswith("e") and len(word) > 3 else word)
        last = re.escape(word[-1])
        parts.append(stem + rf"(?:{last})?(?:e|es|s|ed|d|ing|er|ers|y|ee|ees|ation)?")
    return _rx(r"\b" + r"[\s-]+".join(parts) + r"\b")


def detect_emergency(
    text: str, *, keywords: list[str], lang: str = "en", cold_season: bool = True
) -> EmergencyResult:
    """Whether `text` describes an emergency, and why.

    `keywords` are the business profile's `emergency_keywords`; they always count (the owner chose
    them), season or not. No heat is an emergency only in the `cold_season` (the caller decides
    the season from the date and the business's climate). `lang` is accepted for symmetry: both
    languages' hazards are always checked, since callers mix them.
    """
    del lang  # both languages always: "my fournaise is out" happens
    low = strip_accents(fold(text))
    for pattern, reason in _LIFE_SAFETY:
        if _hit(
            pattern,
            low,
            mundane_check=reason == "carbon monoxide",
            hypothetical=_STRONG_HYPOTHETICAL,
        ):
            return EmergencyResult(True, reason)
    if _NOT_URGENT.search(low):
        return EmergencyResult(False, None)
    for pattern, reason in _PROPERTY:
        if _hit(pattern, low):
            return EmergencyResult(True, reason)
    if cold_season and _hit(_NO_HEAT, low):
        return EmergencyResult(True, "no heat")
    for keyword in keywords:
        compiled = _keyword_pattern(keyword)
        if compiled is not None and _hit(compiled, low):
            return EmergencyResult(True, keyword)
    if _hit(_CALLER_SAYS, low) and not _asks_about_service(low):
        return EmergencyResult(True, "caller says emergency")
    return EmergencyResult(False, None)
