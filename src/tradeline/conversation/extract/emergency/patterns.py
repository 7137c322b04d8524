"""What the emergency detector looks for: hazards (life safety, property, water and structure,
people shut in and premises that cannot be secured) and the context cues that cancel them
(resolved, hypothetical, negated, a question about the service). `detect` applies them."""

from __future__ import annotations

import re


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
# --- water coming into the home and structural damage (roofing, restoration, every trade) -------
# What a tree, a branch or a collapse can land on: the house itself, not the yard, a car or a fence.
_HOUSE_PART = (
    r"(?:house|home|roof|rooftop|garage|bedroom|kitchen|living\s+room|porch|addition|cottage|cabin"
    r"|building|place|attic|ceiling|bungalow|duplex|condo|townhouse|apartment|trailer|extension)s?"
)
_HOUSE_FILLER = (
    r"(?:(?:the|our|my|a|his|her|their|back|front|side|top|corner|part|edge|end|rear|of|main|whole"
    r"|kids'?|daughters?'?|sons?'?|upstairs|master|spare|new|old|neighbou?rs?'?|left|right|north|south"
    r"|east|west|lower|upper|second|third|middle)\s+){0,5}?"
)
_TREE = (
    r"(?:(?:tree|branch|limb|spruce|pine|maple|oak|birch|poplar|fir|elm|willow|cedar|hemlock|tamarack"
    r"|larch|aspen|chestnut|beech)(?:e?s)?|trees?\s+limbs?|half\s+(?:of\s+)?(?:a|the)\s+tree)"
)
_TREE_ON_HOUSE = _rx(
    r"\b(?:a|the)\s+(?:[\w']+\s+)?tree(?:'s)?\s+(?:down\s+)?(?:on|through|thru)\s+(?:the|our|my)\s+(?:\w+\s+)?"
    r"(?:roof|house|home|garage|cottage)\b"
    r"|\b"
    + _TREE
    + r"(?:'s)?(?:\s+(?:has|had|have|just|literally|partly|partially|is|was|are|got|now|went|all"
    r"|the\s+way|came|come|crashing|right|fully|completely|snapped\s+and))*"
    r"\s+(?:fell|fallen|falling|falls|fall|came\s+down|come\s+down|coming\s+down|crashed|crashing|landed"
    r"|landing|smashed|dropped|toppled|(?:blew|blown|went|gone|tipped)\s+over|is|are|sitting|lying|laying"
    r"|leaning|resting|went|gone|punched|broke\s+off|snapped\s+off|came\s+crashing(?:\s+down)?|down"
    r"|came|come|coming)"
    r"(?:\s+(?:down|right|straight|over|in|crashing))*"
    r"\s+(?:on|onto|into|through|thru|on\s+top\s+of|across|against|in\s+through)\s+"
    + _HOUSE_FILLER
    + _HOUSE_PART
    + r"\b"
    r"|\b" + _TREE + r"\s+(?:(?:has|just|literally)\s+)*(?:hit|smashed|crushed|punctured|pierced"
    r"|went\s+(?:right\s+)?through|punched\s+(?:a\s+hole\s+)?(?:in|through)|took\s+out|caved\s+in)\s+"
    + _HOUSE_FILLER
    + _HOUSE_PART
    + r"\b"
    r"|\b(?:hit|crushed|struck|smashed)\s+by\s+(?:a|the|an)\s+(?:\w+\s+)?" + _TREE + r"\b"
    r"|\b(?:arbres?|branches?|epinettes?|sapins?|pins?|erables?|bouleaux?|bouleau|peupliers?|chenes?"
    r"|cedres?|trembles?)(?:\s+(?!pas\b|plus\b)[\w']+){0,2}?\s+(?:est|sont|a|ont|vient|viennent)?\s*(?:de\s+)?"
    r"(?:tombee?s?|tomber|defonce|perce|ecrase|atterri|traverse|passe)\s+(?:\w+\s+)?(?:sur|dans|a\s+travers"
    r"|au\s+travers\s+de?)\s+(?:la|le|l'|notre|ma|mon|nos|mes)\s*(?:maison|toit|toiture|chalet|garage"
    r"|chambre|cuisine|salon|galerie|plafond|logement|bloc)\b"
)
_CEILING = (
    r"(?:ceilings?|roof|roofs|part\s+of\s+(?:the\s+|our\s+|my\s+)?(?:\w+\s+){0,2}?(?:ceiling|roof)"
    r"|(?:chunk|piece|section|half|bit)s?\s+of\s+(?:the\s+|our\s+|my\s+)?(?:\w+\s+)?(?:ceiling|roof))"
    r"(?!\s+(?:fans?|lights?|fixtures?|tiles?|paint|vents?|speakers?|hooks?|racks?|tops?|rake|line"
    r"|shingles?|heights?|prices?)\b)"
)
_COLLAPSE = _rx(
    r"\b"
    + _CEILING
    + r"(?:'s|\s+(?:has|have|had|just|partly|partially|literally|completely|now|totally"
    r"|kinda|kind\s+of|half|is|are|was|were|finally|basically|all|then|actually|pretty\s+much|started"
    r"|starting|about\s+to|going\s+to|gonna))*"
    r"\s+(?:c[oa]me|coming|fell|fallen|falling|falls)\s+(?:down|in|through|apart|off)\b"
    r"|\b"
    + _CEILING
    + r"(?:'s|\s+(?:has|have|had|just|partly|partially|literally|completely|now|totally"
    r"|kinda|half|is|are|was|finally|basically|all|then|actually|started|starting|about\s+to))*"
    r"\s+(?:cav(?:ed|ing|es|e)\s+in|collaps(?:ed|ing|es|e)|g[ai]ve(?:n)?\s+(?:way|in|out)|giving\s+(?:way|in)"
    r"|let\s+go|letting\s+go|buckl(?:ed|ing|es)|fell\b)"
    r"|\b(?:collapsed|caved[\s-]in|fallen)\s+(?:\w+\s+)?(?:ceiling|roof)\b"
    r"|\b(?:ceiling|roof)\s+(?:collapse|cave[\s-]in)\b"
    r"|\b(?:plafond|toit|toiture)s?(?:\s+(?!pas\b|plus\b)[\w']+){0,3}?\s+(?:s'est\s+)?(?:effondree?s?"
    r"|ecroulee?s?|affaissee?s?|a\s+cede|a\s+lache|est\s+tombee?s?|sont\s+tombee?s?|a\s+defonce"
    r"|est\s+defoncee?|a\s+creve|est\s+en\s+train\s+de\s+(?:tomber|ceder|s'effondrer)|va\s+(?:tomber"
    r"|ceder|lacher|s'effondrer))\b"
    r"|\b(?:effondrement|ecroulement)\s+du\s+(?:plafond|toit)\b"
)
_ROOF_TORN = _rx(
    r"\b(?:roof|part\s+of\s+(?:the\s+|our\s+|my\s+)?roof|(?:chunk|piece|section|half|corner)s?\s+of"
    r"\s+(?:the\s+|our\s+|my\s+)?roof)(?:\s+(?:has|have|just|got|was|were|is|partly|partially|literally"
    r"|completely|been))*\s+(?:blew|blown|torn|tore|ripped|peeled|lifted|came|come|flew|taken|ripping"
    r"|peeling|lifting|tearing)\s+(?:right\s+)?off\b"
    r"|\b(?:blew|blown|tore|torn|ripped|peeled|lifted|took|taken)\s+(?:right\s+)?(?:off\s+)?"
    r"(?:(?:part|half|some|most|a\s+(?:big\s+|huge\s+|good\s+)?(?:chunk|section|piece|part|corner))"
    r"\s+of\s+)?(?:the\s+|our\s+|my\s+)?(?:whole\s+|entire\s+)?roof\b(?!\s+(?:vents?|caps?|racks?)\b)"
    r"(?:\s+(?:right\s+)?off)?"
    r"|\b(?:lost|missing)\s+(?:part|half|a\s+(?:big\s+)?(?:chunk|section|piece|part|corner))\s+of\s+"
    r"(?:the\s+|our\s+|my\s+)?roof\b"
    r"|\broof\s+is\s+(?:gone|missing|wide\s+open|open\s+to\s+the\s+sky)\b"
    r"|\barrach\w*\s+(?:une\s+partie\s+du|le|la|un\s+bout\s+du|un\s+morceau\s+du|la\s+moitie\s+du"
    r"|une\s+section\s+du|tout\s+le|notre|mon)\s+(?:toit|toiture)\b"
    r"|\b(?:toit|toiture)(?:\s+(?!pas\b|plus\b)[\w']+){0,3}?\s+(?:a\s+ete\s+|est\s+|s'est\s+)?"
    r"(?:arrachee?|envolee?|parti|partie)\b"
)
# Water coming in now: "rain is coming in thru the ceiling", "water's coming right through", "the
# kitchen ceiling is bulging and dripping", "l'eau coule du plafond", "ça rentre dans la chambre".
_STRUCTURE_PART = (
    r"(?:ceilings?|roof|walls?|attic|skylights?|chimney|drywall|insulation|soffits?|eaves?|pot\s+lights?"
    r"|light|windows?|window\s+frames?|crown\s+moulding)"
)
_ROOM = (
    r"(?:bedrooms?|kitchen|living\s+room|house|home|rooms?|upstairs|hallway|bathroom|closet|dining\s+room"
    r"|family\s+room|den|office|stairwell|basement|attic)"
)
# Fixtures that drip on their own: "water from the kitchen tap", "the ceiling fan", "the window AC".
_NOT_STRUCTURE = (
    r"(?!\s+(?:taps?|faucets?|sinks?|toilets?|tubs?|bathtubs?|showers?|drains?|pipes?|cabinets?|counters?"
    r"|fans?|exhaust|vents?|fridge|dishwasher|appliances?|humidifier|a/?c|air\s+conditioner|units?"
    r"|heaters?|radiators?|hose|fixtures?|tiles?)\b)"
)
_WATER_FILLER = r"(?:'s|\s+(?:is|was|are|keeps|kept|just|started|starting|now|still|has|been|all|literally|actually))*"
_WATER_IN = _rx(
    r"\b(?:water|rain(?:water)?|it)"
    + _WATER_FILLER
    + r"\s+(?:coming|pouring|gushing|dripping|leaking"
    r"|running|streaming|pissing|flowing|seeping|trickling|raining|spilling|poured|came|comes|pours|drips"
    r"|leaks|leaked|dripped|gushed)(?:\s+(?:right|straight|down|in|all|out|everywhere|badly|bad|fast"
    r"|steadily|like\s+crazy))*\s+(?:through|thru|into|from|out\s+of|down)\s+(?:the\s+|our\s+|my\s+"
    r"|a\s+|his\s+|her\s+|their\s+)?(?:[\w']+\s+){0,2}?"
    + _STRUCTURE_PART
    + r"\b"
    + _NOT_STRUCTURE
    + r"|\b(?:water|rain(?:water)?)"
    + _WATER_FILLER
    + r"\s+(?:coming|pouring|gushing|streaming|pissing"
    r"|getting|came|comes|pours|poured|gushed|flowing|running)(?:\s+(?:right|straight|all))*"
    r"\s+(?:into|in|inside|in\s+to)\s+(?:the\s+|our\s+|my\s+|a\s+|his\s+|her\s+|their\s+)?(?:[\w']+\s+){0,2}?"
    + _ROOM
    + r"\b"
    + _NOT_STRUCTURE
    + r"|\b(?:water(?:'s|\s+(?:is|was|are|keeps|just|now|still|all))*\s+(?:coming|pouring|gushing|getting"
    r"|pissing|streaming|came|comes)\s+(?:right\s+|straight\s+)?(?:in|through|thru)"
    r"|rain(?:water)?(?:'s|\s+(?:is|was|are|keeps|just|now|still|all))*\s+(?:coming|pouring|gushing"
    r"|getting|pissing|streaming|came|comes)\s+(?:right\s+|straight\s+)?(?:in\s+)?(?:through|thru))\b"
    r"(?!\s+(?:the\s+)?(?:tap|taps|faucet|pipes?|hose|line|meter|filter|main|valve|softener|sink|toilet"
    r"|shower|drain|sump))"
    r"|\b(?:ceilings?|roof)(?!\s+(?:fans?|lights?|fixtures?|vents?|tiles?)\b)(?:'s|\s+(?:is|are|now|just"
    r"|started|starting|all|literally|kinda|kind\s+of))*\s+(?:(?:bulging|sagging|ballooning|bowing"
    r"|bubbling|drooping)\s+(?:and|&|with|from|,)\s+)?(?:dripping|pouring|gushing|raining|streaming"
    r"|pissing|leaking\s+(?:like\s+crazy|bad(?:ly)?|everywhere|a\s+lot|non[\s-]?stop|water\s+everywhere"
    r"|into|through|onto|on\s+(?:the|my|our))|full\s+of\s+water|filling\s+(?:up\s+)?with\s+water"
    r"|(?:bulging|sagging|ballooning|bowing|drooping)\s+(?:with|from)\s+(?:the\s+)?water)\b"
    r"|\b(?:dripping|pouring|leaking|gushing|raining|coming)\s+(?:in\s+)?(?:like\s+crazy|everywhere)?"
    r"\s*(?:through|thru|from|out\s+of)\s+(?:the\s+|our\s+|my\s+)?(?:\w+\s+)?(?:ceiling|roof)\b"
    r"(?!\s+(?:fans?|lights?|fixtures?|vents?)\b)"
    r"|\b(?:bulging|sagging|ballooning)\s+(?:\w+\s+)?ceiling\b(?=.*\b(?:water|drip\w*|leak\w*|wet|rain\w*)\b)"
    r"|\b(?:ceilings?)(?:'s|\s+(?:is|are|now|just|started|starting|all|literally))*\s+(?:bulging|sagging"
    r"|ballooning|bowing|drooping)\b(?=.*\b(?:water|drip\w*|leak\w*|wet|rain\w*)\b)"
    r"|(?<![\w-])(?:l'|de\s+l'|d')?eau\s+(?:qui\s+)?(?:coule|rentre|entre|degoutte|degoute|tombe|pisse"
    r"|passe|s'infiltre|sort|gicle|ruisselle|penetre|coulait|rentrait|arrive|s'en\s+vient)(?:\s+(?!pas\b|plus\b)[\w']+){0,2}?"
    r"\s+(?:du|de\s+la|des|par\s+le|par\s+la|par\s+les|dans\s+(?:la|le|les|ma|mon|mes|notre|nos)|a\s+travers"
    r"\s+(?:le|la|les)|au|sur\s+(?:le|la|les|mon|ma|mes))\s+(?:\w+\s+)?(?:plafonds?|toit|toiture|murs?"
    r"|maison|chambres?|cuisine|salon|grenier|entretoit|lucarnes?|puits\s+de\s+lumiere|fenetres?"
    r"|corridor|salle\s+de\s+bain|lit)\b"
    r"|\b(?:ca|ça)\s+(?:coule|rentre|degoutte|degoute|pisse|ruisselle)\s+(?:\w+\s+)?(?:du|de\s+la|par\s+le"
    r"|dans\s+(?:la|le|ma|mon|notre))\s+(?:\w+\s+)?(?:plafond|toit|maison|chambre|cuisine|salon|mur)\b"
    r"|\bil\s+pleut\s+(?:dans|a\s+l'interieur|en\s+dedans)\b"
    r"|(?<![\w-])(?:l'|de\s+l'|d')?eau\s+(?:qui\s+)?(?:rentre|entre|s'infiltre|penetre)\b(?!\s+(?:dans\s+"
    r"(?:le|la)\s+)?(?:reservoir|chauffe|tuyau|piscine|spa|bain))"
    r"|(?<![\w-])(?:l'|de\s+l'|d')eau\s+(?:partout\s+)?(?:dans|sur)\s+(?:le|la|l'|mon|ma|notre)\s*(?:plafond"
    r"|grenier|entretoit)\b"
    r"|\bplafond(?:\s+(?!pas\b|plus\b)[\w']+){0,2}?\s+(?:coule|degoutte|degoute|pisse|gonfle|fait\s+(?:une"
    r"\s+bosse|un\s+ventre|une\s+poche)|est\s+(?:tout\s+)?(?:mouille|trempe|bombe|gonfle|plein\s+d'eau))\b"
)
_WATER_WORDS = _rx(r"water|leak|pour|drip|flood|rain|gush|eau|coule|fuite|infiltr|degoutt")
_STRUCTURE_WORDS = _rx(
    r"tree|branch|collaps|cave|roof|ceiling|hole|arbre|branche|toit|plafond|effondr|ecroul|arrach"
)
# Context in the same message that cancels a hazard: "the tree fell in the yard and missed the house",
# "no leak or anything", "nothing came in", "bone dry now".
_STRUCTURE_OK = _rx(
    r"\b(?:missed|missing|spared|avoided|cleared)\s+(?:the|our|my)\s+(?:\w+\s+)?(?:house|home|roof"
    r"|place|garage|cottage|building)\b"
    r"|\b(?:didn't|did\s+not|never|don't\s+think\s+it)\s+(?:\w+\s+)?(?:hit|touch|damage|land\s+on|reach)"
    r"\s+(?:the|our|my|anything)\b"
    r"|\bno\s+(?:real\s+)?(?:damage|harm)\b|\bnothing\s+(?:\w+\s+)?(?:damaged|broken|hit)\b"
    r"|\bnot\s+(?:on|near)\s+(?:the|our|my)\s+(?:house|roof|home)\b|\bundamaged\b"
    r"|\b(?:a\s+)?(?:manque|evite)\s+(?:la|le|notre)\s+(?:maison|toit|chalet)\b"
    r"|\b(?:pas|aucun)\s+de\s+(?:dommages?|degats?)\b|\baucuns?\s+(?:dommages?|degats?)\b"
)
# Right after the hazard, where it landed: "the tree fell in the yard".
_LANDED_OUTSIDE = _rx(
    r"\s+(?:down\s+)?(?:in|into|on|onto|across|over)\s+(?:the\s+|our\s+|my\s+|a\s+|their\s+|the\s+)?"
    r"(?:back\s+|front\s+|side\s+|neighbou?rs?'?\s+)?(?:yard|lawn|driveway|road|street|field|woods|garden"
    r"|ditch|backyard|fence|grass|lot|ravine|park)\b"
    r"|\s+(?:dans|sur)\s+(?:la|le|l'|notre|ma|mon)\s*(?:cour|terrain|entree|rue|chemin|gazon|jardin"
    r"|champ|bois|cloture)\b"
)
_WATER_OK = _rx(
    r"\bno\s+(?:\w+\s+)?(?:leaks?|leaking|water\s+(?:came|got|is\s+coming|coming)\s+in)\b"
    r"|\b(?:not|isn't|is\s+not|wasn't|aren't)\s+(?:\w+\s+)?leaking\b|\bnot\s+a\s+drop\b"
    r"|\bnothing\s+(?:has\s+|is\s+)?(?:came|come|coming|got|getting|leaked|leaking)\s+(?:in|through)\b"
    r"|\b(?:still|bone|completely|totally|all|nice\s+and)\s+dry\b|\bdry\s+(?:now|inside)\b"
    r"|\bdried\s+(?:up|out)\b"
    r"|\b(?:pas|aucune?)\s+(?:de\s+)?fuite\b|\b(?:ca|ça)\s+coule\s+pas\b|\brien\s+(?:n'est|est)\s+"
    r"(?:entre|rentre)\b|\bc'est\s+(?:\w+\s+)?sec\b|\bsec\s+maintenant\b"
)
# Long past: "we had a tree fall last year", "l'an passé". "Last night" and "this morning" are now.
_LONG_AGO = _rx(
    r"\blast\s+(?:year|spring|summer|fall|autumn|winter|month|week|season)\b|\b(?:years?|months?|weeks?"
    r"|a\s+while)\s+(?:ago|back)\b|\bback\s+in\s+(?:\d{4}|the)\b|\bin\s+(?:19|20)\d\d\b"
    r"|\bthe\s+other\s+year\b|\bl'(?:an|annee)\s+(?:passee?|derniere?)\b"
    r"|\b(?:l'ete|l'hiver|l'automne|le\s+printemps|le\s+mois|la\s+semaine)\s+(?:passee?|derniere?)\b"
    r"|\b(?:il\s+y\s+a|ya|y'a)\s+(?:\w+\s+)?(?:ans?|mois|semaines)\b"
)
# A leak that comes and goes is not coming in now: "it drips from the skylight when it rains".
_HABITUAL = _rx(
    r"\bwhen(?:ever)?\s+(?:it|we\s+get\s+(?:a|heavy))\s+(?:\w+\s+)?(?:rains?|snows?|melts?|thaws?|storms?"
    r"|wind|rain|storm)\b|\b(?:every|each)\s+time\b|\bsometimes\b|\boccasionally\b|\bonce\s+in\s+a\s+while\b"
    r"|\bafter\s+(?:a\s+)?(?:heavy|big|hard)\s+(?:rain|storm)s?\b|\bquand\s+il\s+(?:pleut|neige|vente)\b"
    r"|\b(?:chaque|a\s+chaque)\s+fois\b|\bdes\s+fois\b|\bparfois\b"
)
# "The price of the roof came down": a price, not the roof.
_PRICE_OF = _rx(
    r"\b(?:price|cost|quote|estimate|bill|payment|rate)s?\s+(?:of|for|on)\s+(?:the\s+|our\s+|my\s+|a\s+|new\s+)*$"
)
_PAST_BREAK = _rx(
    r"[.!?;,]|\b(?:but|mais|and|et|pis|because|since|parce|car|so|donc|alors|then|puis|now|maintenant"
    r"|although|though)\b"
)
# "Does insurance cover a tree falling on the house?": the service, not a report.
_PROPERTY_SERVICE_OF = _rx(
    r"\b(?:after|for|following|from|of|about|cover(?:s|ed)?|insured?|repair(?:s|ing)?|fix(?:es|ing)?"
    r"|handle|deal\s+with)\s+(?:an?\s+|the\s+|with\s+)?$"
)
_STRUCTURAL: tuple[tuple[re.Pattern[str], str], ...] = (
    (_COLLAPSE, "ceiling or roof collapse"),
    (_TREE_ON_HOUSE, "tree on the house"),
    (_ROOF_TORN, "roof torn off"),
)


# --- people shut in, break-ins and doors that cannot be secured ---------------------------------
# Someone who cannot let themselves out: children, the elderly, pets (EN + FR).
_DEPENDENT = (
    # The noun only ("my 2 yr old" is found by "yr old"): a determiner or age in front adds nothing.
    r"(?:bab(?:y|ies)|infants?|newborns?|toddlers?|child(?:ren)?|kids?|little\s+ones?|sons?|daughters?"
    r"|grand(?:ma|pa|mother|father|son|daughter)s?|(?:yr|year|month|mo|week|wk)s?[\s-]*olds?"
    r"|elderly\s+(?:mom|mother|dad|father|parents?|neighbou?rs?|man|woman|lady|gentleman)"
    r"|dogs?|pupp(?:y|ies)|cats?|kittens?|pets?"
    r"|bebes?|enfants?|petite?s?|fille|fils|grand-(?:mere|pere)|chien(?:ne)?s?|chats?|chatons?|chiots?)"
    r"(?:'s|')?"
)
_DEPENDENT_FILLER = (
    r"(?:\s+(?:is|are|was|were|got|gets|has\s+been|have\s+been|still|just|now|all|alone|asleep|sleeping"
    r"|himself|herself|themselves|itself|est|sont|s'est|se\s+sont|reste|restee?s?|encore|seule?s?))*"
)
_SHUT_IN = _rx(
    r"\b"
    + _DEPENDENT
    + _DEPENDENT_FILLER
    + r"\s+(?:(?:locked|trapped|stuck|shut)\s+(?:\w+\s+)?in(?:side)?\b|trapped\b"
    r"|(?:enfermee?s?|coincee?s?|prise?s?|barree?s?|prisonniere?s?)\s+(?:a\s+l'interieur|dedans"
    r"|en\s+dedans|dans)\b)"
    r"|\b(?:locked|shut|trapped)\s+(?:\w+\s+){0,4}?" + _DEPENDENT + r"\s+in(?:side)?\b"
    r"|\b(?:barre|enferme|verrouille)\s+(?:\w+\s+){0,2}?"
    + _DEPENDENT
    + r"\s+(?:a\s+l'interieur|dedans|dans)\b"
)
# "My baby's inside" is only an emergency when nobody can get in: it needs a lockout cue too.
_INSIDE = _rx(
    r"\b"
    + _DEPENDENT
    + _DEPENDENT_FILLER
    + r"\s+(?:inside|in\s+there|in\s+(?:the|my|our)\s+(?:house|home|car|truck|van|suv|vehicle|apartment"
    r"|condo|unit|suite)|a\s+l'interieur|dedans|en\s+dedans|dans\s+(?:la\s+maison|l'auto|la\s+voiture"
    r"|le\s+char|l'appartement|le\s+logement))\b"
)
_NOT_A_CAR = (
    r"(?!\s+(?:the\s+|my\s+|our\s+|a\s+|his\s+|her\s+)?(?:car|truck|van|vehicle|suv|parkade))"
)


def _lockout(not_a_car: str) -> re.Pattern[str]:
    return _rx(
        r"\blocked\s+(?:(?:myself|ourselves|us|me|him|her|them|the\s+keys?|my\s+keys?)\s+)?out(?:side)?\b"
        r"|\block[\s-]?outs?\b"
        r"|\b(?:door|it)\s+(?:\w+\s+)?(?:shut|closed|locked|slammed|swung\s+shut|clicked\s+shut)\s+(?:\w+\s+)?"
        r"behind\s+(?:me|us|him|her|them)\b"
        r"|\bkeys?\s+(?:(?:are|is|were|was|still|got|left)\s+)*(?:locked\s+)?(?:inside|in\s+there|in\s+the\s+"
        r"(?:house|home|apartment|condo|car|truck|van)|on\s+the\s+(?:counter|table|kitchen\s+\w+)|locked\s+in)\b"
        + not_a_car
        + r"|\block(?:ed)?\s+(?:the\s+|my\s+|our\s+)?keys?\s+in(?:side)?\b"
        + not_a_car
        + r"|\b(?:can't|cannot|can\s+not)\s+get\s+(?:back\s+)?in(?:side|to)?\b"
        r"|\b(?:barree?s?|enfermee?s?|pris(?:e|es)?)\s+dehors\b"
        r"|\bcles\s+(?:sont\s+)?(?:(?:restees?|encore)\s+)*(?:a\s+l'interieur|dedans|en\s+dedans"
        r"|dans\s+(?:la\s+maison|l'auto|la\s+voiture|le\s+char))\b"
        r"|\bporte\s+s'est\s+(?:barree|refermee|fermee|verrouillee)\b"
    )


# Locked out of a building: the keys shut in a car are another trade's lockout.
_LOCKOUT = _lockout(_NOT_A_CAR)
# Anyone shut out with a child or a pet inside, a car included.
_ANY_LOCKOUT = _lockout("")
_FORCED_ENTRY = _rx(
    r"\b(?:broke|broken|breaking|busted)\s+in(?:to)?\b|\bbreak[\s-]?ins?\b|\bbreak\s+and\s+enter"
    r"|\bb\s*(?:&|and)\s*e\b|\bburglar(?:y|ies|ized|ised|s)?\b|\bburgled\b|\bintruders?\b"
    r"|\bforced\s+entry\b"
    r"|\b(?:pried|prised|prized|jimmied|jimmyed|forced|kicked)\s+(?:in\s+|open\s+|down\s+)?(?:\w+\s+){0,3}?"
    r"(?:doors?|locks?|deadbolts?|windows?|sliders?|frames?)\b"
    r"|\b(?:doors?|locks?|deadbolts?|windows?|sliders?)\s+(?:(?:was|were|has\s+been|have\s+been|got|been)\s+)?"
    r"(?:pried|prised|jimmied|forced|kicked\s+(?:in|down|open))\b"
    r"|\b(?:a|ont|avoir|ete)\s+(?:force|defonce|enfonce)\s+(?:la|notre|ma|les|nos)\s+portes?\b"
    r"|\bportes?\s+(?:(?:a|ont)\s+ete\s+|est\s+|sont\s+)?(?:forcee|defoncee|enfoncee)s?\b"
    r"|\beffraction\b|\bcambriol\w*|\bvoleurs?\s+(?:sont\s+)?entres?\b"
)
_CANNOT_SECURE = _rx(
    r"\b(?:can't|cannot|can\s+not|couldn't|unable\s+to|no\s+way\s+to)\s+(?:even\s+)?(?:secure|lock\s+up|lock)"
    r"\s+(?:(?:the|our|my|this)\s+(?:place|house|home|shop|store|building|premises|business|unit|apartment"
    r"|suite|doors?|front\s+door|back\s+door|garage|bakery|restaurant|office)|up|it\s+up)\b"
    r"|\b(?:house|home|place|shop|store|premises|building)\s+(?:is|will\s+be|would\s+be)\s+(?:left\s+)?"
    r"(?:unsecured|insecure|wide\s+open|unlocked\s+(?:all\s+night|overnight|tonight))\b"
    r"|\b(?:peux|peut|pouvons|pouvez|peuvent|pourra|pourrai)\s+(?:pas|plus)\s+(?:barrer|verrouiller|fermer"
    r"|securiser)\b|\b(?:impossible|pas\s+moyen)\s+de\s+(?:barrer|verrouiller|fermer|securiser)\b"
)
_DOOR = (
    r"\b(?=garage|doors?\b|deadbolt|locks?\b|slider)"
    r"(?<!shower\s)(?<!cabinet\s)(?<!closet\s)(?<!fridge\s)(?<!freezer\s)(?<!oven\s)(?<!dishwasher\s)"
    r"(?<!washer\s)(?<!dryer\s)(?<!microwave\s)(?<!car\s)(?<!truck\s)(?<!cupboard\s)(?<!screen\s)"
    r"(?<!bathroom\s)(?<!bedroom\s)(?<!furnace\s)(?<!stall\s)(?<!pantry\s)"
    r"(?:garage(?:\s+doors?)?|doors?|deadbolts?|locks?|sliders?)(?:'s)?"
)
_DOOR_WONT_CLOSE = _rx(
    _DOOR
    + r"(?:\s+(?!but\b|mais\b)[\w']+){0,5}?\s+(?:won't|will\s+not|can't|cannot|doesn't|does\s+not"
    r"|isn't|is\s+not|wouldn't|don't|do\s+not|no\s+longer|refuses?\s+to|fails?\s+to)\s+"
    r"(?:(?:fully|properly|even|ever|all|really)\s+)?(?:close|closing|shut(?!\s+off)|shutting(?!\s+off)|lock"
    r"|locking|latch|latching|come\s+down|coming\s+down|go\s+down|going\s+down|stay\s+(?:closed|shut"
    r"|down|locked)|secure)\b"
    r"|"
    + _DOOR
    + r"(?:\s+(?:is|was|got|has\s+been|been|still|now|all))*\s+(?:stuck|jammed|frozen)\s+"
    r"(?:wide\s+)?open\b"
    r"|\b(?:can't|cannot|can\s+not|unable\s+to)\s+(?:get\s+)?(?:the\s+|my\s+|our\s+)?(?:garage(?:\s+door)?"
    r"|(?:front\s+|back\s+|side\s+|patio\s+|entry\s+|main\s+)?door)\s+(?:to\s+)?(?:close|shut|lock|latch"
    r"|(?:to\s+)?(?:come|go)\s+down|down)\b"
    r"|\bportes?(?:\s+de\s+garage|\s+d'entree|\s+arriere|\s+avant|\s+patio)?(?:\s+(?!mais\b)[\w']+){0,3}?"
    r"\s+(?:ne\s+)?(?:se\s+)?(?:ferme|barre|verrouille|descend|referme)\s+(?:plus|pas)\b"
    r"|\b(?:porte|garage)(?:\s+de\s+garage)?\s+(?:est\s+|reste\s+)?(?:prise|bloquee|coincee|pognee)\s+"
    r"(?:grande\s+)?ouverte\b"
)
# A door that won't close is an emergency when it leaves a home open at night or alone.
_EXPOSED = _rx(
    r"\b(?:night|tonight|overnight|dark|evening|late|alone|by\s+myself|leaving|leave|away|vacation"
    r"|out\s+of\s+town|flight|unsecured|unlocked|wide\s+open|anyone\s+(?:can|could)|(?:[7-9]|1[0-2])\s*"
    r"(?::\d\d)?\s*p\.?m\b|midnight|nuit|soir|soiree|noirceur|noir|seule?|partir|vacances|grande\s+ouverte)\b"
)
# Hazards the caller says are over ("it was stuck open yesterday but it's fine now"): the matches before it.
_RESOLVED = _rx(
    r"\b(?:fine|ok|okay|good|sorted|fixed|resolved|handled|working(?:\s+(?:fine|again))?|under\s+control"
    r"|back\s+to\s+normal)\s+now\b|\bnow\s+(?:it'?s|its|it\s+is|everything'?s)\s+(?:fine|ok|okay|good|fixed"
    r"|working)\b|\b(?:got|managed\s+to\s+get)\s+(?:it|the\s+\w+)\s+(?:\w+\s+)?(?:fixed|closed|down|shut"
    r"|locked|sorted|open)\b|\b(?:c'est|ca\s+va|tout\s+(?:est|va))\s+(?:\w+\s+)?(?:correct|beau|bien|regle"
    r"|ok|reparee?)\s+(?:maintenant|la)\b|\bc'est\s+regle\b"
    r"|\b(?:(?:bone|all|completely|totally|nice\s+and)\s+)?dry\s+now\b|\bdried\s+(?:up|out)\s+now\b"
    r"|\b(?:stopped|quit)\s+(?:leaking|dripping|coming\s+in)\b|\bsec\s+maintenant\b"
    r"|\ba\s+arrete\s+de\s+(?:couler|degoutter|rentrer)\b"
)
# Paraphrases of a few common keyword concepts: the owner's "locked out" also means "the door shut
# behind me".
_CONCEPTS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (_rx(r"\block(?:ed)?[\s-]*out|\bbarre\s+dehors"), _LOCKOUT),
    (
        _rx(r"\bbreak[\s-]*in|\bbroken\s+into|\bburglar|\bforced\s+entry|\beffraction|\bcambriol"),
        _FORCED_ENTRY,
    ),
    (
        _rx(
            r"\bstuck\s+open|(?:won'?t|doesn'?t|can'?t|not)\s+(?:close|shut|lock|latch|come\s+down)"
            r"|\bne\s+ferme\s+plus"
        ),
        _DOOR_WONT_CLOSE,
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
