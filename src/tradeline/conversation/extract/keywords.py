"""SMS opt-out, opt-in and help keywords (carrier rules, CTIA / CRTC practice, Twilio's defaults).

Two ways in. A carrier keyword counts as the whole message (case, spacing, punctuation and accents
ignored, with a polite "please"/"merci" around it): "STOP", "Arrêt.", "opt-out". Bare words that are
also ordinary talk ("CANCEL", "END", "QUIT", "FIN", "ANNULER", "REMOVE") count only that way:
"cancel my appointment on Friday" is a job request, "end of the driveway" an address.

The law also honours an opt-out made by "any reasonable means" (TCPA, CASL), so a message whose
intent is "stop contacting me" is an opt-out wherever it sits and however long it is: a stop verb
applied to a contact object ("please stop texting me, I already hired someone", "no more texts",
"Arrêtez de m'envoyer des messages", "Ne me contactez plus", "No más mensajes"), a list removal
("take me off this list", "lose my number", "retirez-moi de votre liste"), an unsubscription
("opt me out", "Je veux me désabonner") or a strong keyword as a sentence of its own ("who is
this? STOP"). Without a contact object a stop verb is trade talk ("can you stop by Tuesday", "how
do I stop the leak", "stop the water first?"), and a negated or conditional one is not a request
("don't stop the texts", "I don't want to opt out", "what happens if I unsubscribe?").

"YES" opts back in as carriers require; the SMS policy should act on it only for a number that is
opted out, since "yes" is also an ordinary answer. People also opt back in in their own words
("start again", "opt me back in", "you can text me again", "réabonnez-moi"), and put openers or
courtesy around a keyword ("OK so START again thanks"); those count too, as whole messages only.
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


# Bare words that are opt-outs only as the whole message: inside a sentence they are ordinary talk.
_WEAK_STOP = _keys(
    "cancel", "end", "quit", "revoke", "remove", "annuler", "fin", "cancelar", "alto", "baja",
    "parar", "no more", "no mas",
)  # fmt: skip
# Keywords that are opt-outs even as one sentence among others ("who is this? STOP").
_STRONG_STOP = _keys(
    "stop", "stopall", "stop all", "unsubscribe", "unsub", "optout", "opt out", "opt me out",
    "arrêt", "arret", "arrête", "arrêtez", "stoppez",
    "désabonner", "désabonnement", "désinscrire", "désinscription", "désabonnez-moi",
    "désinscrivez-moi", "remove me", "take me off", "retirez-moi", "enlevez-moi",
)  # fmt: skip
# Whole-message phrases (the phrase patterns below find them inside longer messages too).
_STOP_WORDS = _keys(
    "stop it", "stop now", "arrêter", "stop texting me", "stop texting", "stop messaging me",
    "stop sending me texts", "stop sending me messages", "remove me from your list",
    "remove me from your mailing list", "remove me from this list", "take me off your list",
    "don't text me", "do not text me", "don't text me anymore", "unsubscribe me",
    "arrêtez de m'écrire", "arrête de m'écrire", "ne m'écrivez plus", "arrêtez de me texter",
    "ne me textez plus", "retirez-moi de votre liste",
)  # fmt: skip
_STOP = _WEAK_STOP | _STRONG_STOP | _STOP_WORDS
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
    r"\s+(?:please|pls|plz|(?:and\s+)?thanks|(?:and\s+)?thank\s+you|thx|ty|svp|merci"
    r"|s'il\s+vous\s+pla[iî]t|s'il\s+te\s+pla[iî]t|por\s+favor|gracias)$",
    re.IGNORECASE,
)
_MAX_LENGTH = 60  # longer messages are conversation, never a bare keyword
_MAX_SCAN = 1000  # opt-out phrases are looked for in the first 1000 characters

# --- Opt-out phrases. Patterns run on folded, accent-free, space-collapsed text. ---------------
# Something sent to this phone: the object that turns "stop" from trade talk into an opt-out.
# Device messages ("error messages", "messages vocaux", "messages d'erreur") are not ours.
_NOUN = (
    r"(?:(?:text|txt|sms|marketing|promo(?:tional)?|automated|spam)\s+)?"
    r"(?:text\s+messages|messages|msgs|texts|txts|sms(?:es)?|spam|robo-?texts|robocalls"
    r"|(?:text|txt|sms)\s+(?:alerts|notifications|reminders|updates))\b"
)
_DEICTIC = r"(?:these|those|your|ur|yr|all\s+(?:(?:of\s+)?(?:these|those|your|the)\s+)?)"
_ADJ = r"(?:(?!error|warning|alarm|fault|voice|system|code)\w+\s+)?"  # "these stupid texts"
_CONTACT = (
    rf"(?:(?:(?:the|any|any\s+more|more|further|this)\s+)?{_NOUN}"
    rf"|{_DEICTIC}\s*{_ADJ}(?:{_NOUN}|(?:alerts|notifications|reminders|updates|promotions|promos"
    r"|ads|offers|calls)\b)"
    r"|(?:all|any|any\s+further|further|more)\s+(?:contact|communications?)\b)"
)
_FR_NOUN = (
    r"(?:textos?|messages(?!\s+(?:vocaux|d'erreur|d'alerte))|sms|textes|courriels|pubs?|publicites)"
)
_VERB = r"(?:stop|stahp|quit|cease|halt|discontinue)"
# Contact gerunds take "me" anywhere ("you guys need to stop texting me"); annoyances only as an
# imperative ("stop bothering me"), since "the noise won't stop bugging me" is a complaint.
_GERUND = (
    r"(?:texting|txting|texing|messaging|msging|contacting|calling|phoning|emailing|spamming"
    r"|soliciting)"
)
_ANNOY = r"(?:bugging|bothering|harass?ing|pestering|hounding)"
_ME = (
    r"(?:me|us|my\s+(?:cell\s*phone|phone(?:\s+number)?|number|cell|mobile)"
    r"|this\s+(?:phone\s+)?number|this\s+phone|here)\b"
)
_CLAUSE_END = r"(?=\s*(?:$|[.!?,;:\n)]|please\b|pls\b|plz\b|thanks?\b|thx\b|svp\b|merci\b|asap\b))"
# Each word once per position, no alternative a prefix of a sequence of others ("ever again" is
# "ever" then "again"): overlapping alternatives under "*" backtrack exponentially on a message
# like "stop texting ever again ever again … x" (measured 0.5 s at 234 characters).
_AGAIN_WORDS = r"(?:\s+(?:again|anymore|any\s+more|ever|no\s+more|at\s+all|now))*"
# The start of a clause, with openers: "please just stop texting", "can you quit calling me".
_OPENER = (
    r"(?:^|[.!?;,:\n]\s*)(?:(?:please|pls|plz|ok|okay|so|just|kindly|seriously|hey|hi|guys|and"
    r"|can\s+you|could\s+you|would\s+you|will\s+you|can\s+u|(?:i\s+)?(?:need|want|asked|told)"
    r"\s+(?:you|u)\s+to|you\s+(?:need|have|got|must|should|better)(?:\s+to)?)\s+)*"
)
_SPANISH_VERBS = (
    r"(?:enviarme|mandarme|escribirme|textearme|llamarme|contactarme|molestarme)"
    r"|(?:escrib|mand|envi|llam|contact|molest)[ae]n?s?\s+(?:mas|mensajes|textos)"
)
_STOP_PHRASES = [
    # English: a stop verb on a contact gerund with "me": "stop texting me", "quit calling us".
    rf"\b{_VERB}\s+(?:with\s+(?:the\s+)?)?{_GERUND}\s+{_ME}",
    rf"\b{_VERB}\s+blowing\s+up\s+my\s+phone",
    # …or as a bare imperative: "Stop texting.", "ok, quit messaging please", "stop bugging me".
    rf"{_OPENER}{_VERB}\s+{_GERUND}{_AGAIN_WORDS}{_CLAUSE_END}",
    rf"{_OPENER}{_VERB}\s+{_ANNOY}(?:\s+{_ME})?{_AGAIN_WORDS}{_CLAUSE_END}",
    # …on a contact noun: "stop these messages", "quit the texts", "cancel text alerts".
    rf"\b(?:{_VERB}|cancel|(?<!the\s)end)\s+(?:with\s+)?{_CONTACT}",
    rf"\b(?:want|wish|like|how\s+(?:do|can)\s+i|how\s+to|need|please|pls)\s+(?:to\s+)?{_VERB}"
    rf"\s+(?:receiving|getting)\s+{_CONTACT}",
    rf"{_OPENER}enough\s+(?:with\s+)?{_CONTACT}",
    # …on sending: "please stop sending these", "stop sending me reminders".
    rf"\b{_VERB}\s+sending\s+(?:(?:me|us)\s+)?(?:(?:any\s+)?more\s+|any\s+)?"
    rf"(?:{_CONTACT}|(?:reminders|notifications|alerts|updates|promotions|promos|ads|offers|deals"
    rf"|junk|stuff|crap)\b|(?:these|those|them|this|that|it){_AGAIN_WORDS}{_CLAUSE_END})",
    rf"{_OPENER}no\s+(?:more|further)\s+(?:texting|messaging|contacting|contact|calls"
    rf"|communications?|{_CONTACT})",
    # "don't text me", "never message this number again"; a call is refused only for good
    # ("don't call me again"), since "don't call me, I'll call you" is scheduling.
    r"\b(?:don'?t|do\s+not|never)\s+(?:ever\s+)?(?:text|txt|message|msg|sms|spam|contact)"
    rf"(?:\s+{_ME}{_AGAIN_WORDS}|(?:\s+(?:again|anymore|any\s+more|ever))+){_CLAUSE_END}"
    # "Please don't text." as an order, not "sorry, I don't text".
    rf"|{_OPENER}(?:don'?t|do\s+not|never)\s+(?:text|txt|message|sms|contact)"
    r"(?=\s*(?:please|pls)?[\s.!]*$)",
    r"\b(?:don'?t|do\s+not|never)\s+(?:ever\s+)?(?:call|phone|ring|bother|bug|harass|email)"
    rf"\s+{_ME}(?:{_AGAIN_WORDS}(?:\s+(?:again|anymore|any\s+more|ever)){_CLAUSE_END}"
    r"|(?=\s*(?:please|pls|thanks|thx)?[\s.!]*$))",
    rf"\b(?:don'?t|do\s+not|never)\s+(?:ever\s+)?send\s+(?:me|us)\s+(?:(?:any\s+)?more\s+|any\s+)?"
    rf"(?:{_CONTACT}|anything\s+(?:else\s+)?(?:again|anymore)|(?:texts?|messages?)\b)",
    # "I don't want these texts", "I no longer wish to receive text messages".
    r"\b(?:don'?t|do\s+not|no\s+longer|never)\s+(?:want|wish|need|care\s+for)\s+"
    rf"(?:to\s+(?:receive|get|be\s+sent|have|see)\s+)?(?:{_CONTACT}|(?:any|more)\s+{_NOUN})",
    r"\b(?:don'?t|do\s+not|no\s+longer|never)\s+(?:want|wish)\s+to\s+(?:be\s+(?:contacted|texted"
    r"|messaged|called|bothered|spammed)|hear\s+from\s+(?:you|u|your)|receive|get)\b"
    r"(?!\s+(?:a|an|the|my|this|that|any\s+(?!more)|calls?)\b)",
    # Subscription negated: "unsub", "opt me out", "I'd like to unsubscribe".
    r"\b(?:unsub(?:scrib\w*|s|bed|bing)?|opt(?:\s*-\s*|\s+)?(?:me\s+)?out|opt(?:ed|ing)\s+out"
    r"|optout)\b",
    r"\b(?:revok\w*|withdraw\w*|rescind\w*)\s+(?:my\s+|all\s+)?consent|\b(?:do\s+not|don'?t"
    r"|no\s+longer)\s+consent\b|\bcease\s+and\s+desist\b|\bleave\s+(?:me|us)\s+(?:alone|be)\b",
    # "I said STOP", "I already replied stop twice".
    r"\b(?:said|told\s+you|replied|texted|sent|typed|wrote)\s+(?:you\s+)?[\"'“]?(?:stop|stopall"
    r"|unsubscribe|unsub|remove|cancel|end|quit|optout|opt\s+out)\b"
    r"(?![\s\"']*(?:by|the|a|my|it)\b)",
    # List removal: "take me off this list", "remove my number from your contacts".
    r"\b(?:(?:take|remove|delete|drop|scratch|strike|cross|erase|kick|unlist)\s+(?:me|my\s+"
    r"(?:phone\s+|cell\s+)?(?:number|#|info|contact(?:\s+info)?|details|name)|this\s+(?:phone\s+)?"
    r"number)\s+(?:off|from|out\s+of)|get\s+me\s+(?:off|out\s+of))\s+(?:of\s+)?"
    r"(?:(?:your|this|the|ur|yr|that|these|all|any)\s+)?"
    r"(?:(?!waiting|wait|job|work|service|schedule|appointment|booking|priority)\w+\s+)?"
    r"(?:list|lists|database|contacts|mailing|texts|messages|sms|registry|rolodex)\b",
    rf"\b(?:take\s+me\s+off|remove\s+me|delete\s+me|unlist\s+me){_CLAUSE_END}",
    r"\bwant\s+off\s+(?:of\s+)?(?:your|this|the|ur)\s+(?:\w+\s+)?list\b",
    r"\b(?:delete|lose|erase|forget|remove|drop|trash|toss|burn|scrap)\s+(?:my|this)\s+"
    r"(?:phone\s+|cell\s+)?(?:number|#|digits)\b",
    # French: "arrêtez de m'écrire", "cessez de me texter", "arrêtez d'envoyer des textos".
    r"\b(?:arret(?:e|ez|er|es)|cess(?:e|ez|er|es)|stopp(?:e|ez|er)|finis(?:sez)?)\s+(?:de\s+|d')"
    r"(?:(?:me\s+|m')(?:texter|textoter|ecrire|contacter|appeler|joindre|relancer|harceler|deranger"
    r"|spammer|solliciter)\b|(?:me\s+|m')?envoyer\s+(?:des\s+|de\s+|d'|vos\s+|ces\s+|les\s+)?"
    rf"{_FR_NOUN})",
    # "arrêtez les textos", "stop aux messages", "plus de messages svp".
    r"\b(?:arret(?:e|ez|er)?|cess(?:e|ez|er)|stopp?(?:e|ez|er)?|fini)\s+(?:avec\s+)?"
    rf"(?:(?:les|vos|ces|tous\s+(?:les|vos|ces)|aux|des)\s+{_FR_NOUN}"
    r"|(?:vos|ces)\s+(?:appels|notifications|rappels))",
    r"(?:^|[.!?;,:\n]\s*)(?:(?:svp|merci|bonjour|ok)\s+)*(?:plus\s+(?:jamais\s+)?de|assez\s+de"
    rf"|fini\s+les)\s+(?:{_FR_NOUN}|appels)",
    # "ne me contactez plus", "ne m'envoyez plus de messages", "veuillez ne plus m'écrire".
    r"\bne\s+(?:me\s+|m')(?:texte[zs]?|ecri(?:vez|s)|contacte[zs]?|appele[zs]|appelle[zs]?"
    r"|relance[zs]?|derange[zs]?|harcele[zs]?|sollicite[zs]?|joigne[zs]?)\s+plus\b",
    r"\bne\s+(?:me\s+|m')envoye[zs]?\s+plus\s+(?:jamais\s+)?(?:de\s+|d'|vos\s+|ces\s+)?"
    rf"(?:{_FR_NOUN}|rien)",
    r"\bne\s+plus\s+(?:jamais\s+)?(?:me\s+|m')(?:texter|ecrire|contacter|appeler|relancer"
    rf"|deranger|joindre|solliciter|envoyer\s+(?:de\s+|d'|des\s+)?{_FR_NOUN})",
    rf"\bne\s+(?:me\s+|m')(?:texte[zs]?|ecri(?:vez|s)|contacte[zs]?)\s+pas{_CLAUSE_END}",
    # "je ne veux plus recevoir vos textos", "je ne souhaite plus être contacté".
    r"\b(?:ne\s+|n')(?:veux|voulons|veut|souhaite|souhaitons|desire|desirons)\s+(?:plus|pas)\s+"
    rf"(?:recevoir\s+|avoir\s+)?(?:de\s+|d')?(?:vos\s+|ces\s+|les\s+|des\s+)?{_FR_NOUN}",
    r"\b(?:ne\s+|n')(?:veux|voulons|veut|souhaite|souhaitons)\s+plus\s+etre\s+(?:contacte|texte"
    r"|sollicite|derange|appele|relance)e?s?\b",
    # Unsubscribing: "je veux me désabonner", "désabonnez-moi", "je me désinscris".
    r"\b(?:desabonn\w*|desinscri\w*)",
    r"\b(?:retire[zr]?|enleve[zr]?|supprime[zr]?|efface[zr]?|ote[zr]?|sorte[zr]?|raye[zr]?"
    r"|radie[zr]?)(?:\s*-\s*|\s+)moi\s+(?:de|des|du)\s+(?:votre\s+|vos\s+|la\s+|cette\s+|ta\s+"
    r"|tes\s+)?(?:liste|listes|fichier|base\s+de\s+donnees|repertoire|contacts|envois)\b",
    r"\bme\s+(?:retirer|enlever|rayer|radier|supprimer|sortir)\s+(?:de|des|du)\s+(?:votre\s+|vos\s+"
    r"|la\s+|cette\s+|ta\s+|tes\s+)?(?:liste|listes|fichier|base\s+de\s+donnees|repertoire|contacts"
    r"|envois)\b",
    rf"\b(?:retire[zr]?|enleve[zr]?|ote[zr]?|raye[zr]?|radie[zr]?)(?:\s*-\s*|\s+)moi{_CLAUSE_END}",
    r"\b(?:retire[zr]?|enleve[zr]?|supprime[zr]?|efface[zr]?|oublie[zr]?|ote[zr]?)\s+(?:mon|ce)"
    r"\s+(?:numero|no|#|cellulaire|cell)\b",
    r"\b(?:revoque|retire)\s+mon\s+consentement\b|\b(?:laissez|fichez|foutez|lachez)(?:\s*-\s*|\s+)"
    r"moi\s+(?:tranquille|la\s+paix)\b",
    # Spanish, the commonest forms: "no más mensajes", "dejen de escribirme", "no me llamen más".
    r"\b(?:no\s+mas|basta\s+de)\s+(?:mensajes|textos|sms|msjs?|llamadas)\b",
    rf"\b(?:deja|dejen|dejes|deje|dejar|para|paren|pare|parar)\s+de\s+(?:{_SPANISH_VERBS})\b",
    rf"\bno\s+me\s+(?:{_SPANISH_VERBS})\b",
    r"\b(?:sacame|saquenme|quitame|quitenme|borrenme|borrame)\s+de\s+(?:la|su|tu|esta)\s+lista\b"
    r"|\b(?:darme|dame|denme|deme)\s+de\s+baja\b",
]
# Every phrase above starts at a clause start or at one of these stems. Trying the phrases only
# there makes the scan about four times faster; a new phrase needs its first word here.
_STEMS = (
    "stop", "stahp", "quit", "cease", "halt", "discontinu", "cancel", "end", "enough", "want",
    "wish", "like", "how", "need", "please", "pls", "no", "don", "dont", "do", "never", "unsub",
    "opt", "revok", "withdraw", "rescind", "leave", "said", "told", "replied", "texted", "sent",
    "typed", "wrote", "take", "remove", "delete", "drop", "get", "scratch", "strike", "cross",
    "erase", "kick", "unlist", "lose", "forget", "trash", "toss", "burn", "scrap", "arret",
    "cess", "fini", "plus", "assez", "ne", "me", "desabonn", "desinscri", "retir", "enlev",
    "supprim", "effac", "ote", "sort", "raye", "radi", "oubli", "revoque", "laissez", "fichez",
    "foutez", "lachez", "basta", "dej", "par", "sac", "saqu", "borr", "dar", "dam", "den",
)  # fmt: skip
_STOP_PHRASE = re.compile(
    rf"(?=\b(?:{'|'.join(_STEMS)})|[.!?;,:\n]|^)(?:{'|'.join(f'(?:{p})' for p in _STOP_PHRASES)})"
)

# Guards: the words around a matched phrase that take the request back.
# Negated: "don't stop the texts", "I don't think I want to opt out", "didn't ask you to stop
# texting me", "je ne pense pas vouloir me désabonner", "n'arrêtez pas", "sans me désinscrire".
_NEGATED = re.compile(
    r"(?:\b(?:don'?t|dont|do\s+not|did\s+not|didn'?t|doesn'?t|does\s+not|never|not|shouldn'?t"
    r"|no\s+need\s+to|without)\s+(?:\S+\s+){0,4}"
    r"|\b(?:ne|n')\s*(?:\S+\s+){0,2}(?:pas|plus|jamais|point)\s+(?:\S+\s+){0,2}|\bn'"
    r"|\bne\s+(?:me\s+|m')?|\bsans\s+(?:\S+\s+)?)$"
)
# …unless the negation was about us, in a run-on message: "I don't know you stop texting me",
# "not interested stop", "je ne vous connais pas arrêtez de m'écrire".
_RUN_ON = re.compile(
    r"(?:\b(?:know|recognize|recognise)\s+(?:you|u|this\s+number)|\bwho\s+(?:this|you)\s+(?:is|are)"
    r"|\binterested|\b(?:connais|connait|reconnais)\s+pas|\binteressee?s?"
    r"|\bqui\s+(?:vous\s+etes|c'est|est-ce))\s+$"
)
# A failed unsubscription is a request all the same: "I can't unsubscribe", "j'arrive pas à me
# désabonner".
_TRIED = re.compile(
    r"(?:n'?arrive\s+pas\s+a|ne\s+(?:peux|pouvons)\s+pas|can'?t|cannot|unable\s+to|tried\s+to"
    r"|couldn'?t|doesn'?t\s+let\s+me|won'?t\s+let\s+me)\s+(?:me\s+)?$"
)
_SUBSCRIPTION = re.compile(r"unsub|opt|desabonn|desinscri")
# Someone else who won't stop: "my ex won't stop texting me", "the alarm keeps calling me".
# "Why won't you stop texting me" is addressed to us, so it stays an opt-out.
_NOT_US = re.compile(r"\b(?:won'?t|wont|doesn'?t|does\s+not|keeps?|can'?t|cant)\s+$")
_YOU = re.compile(r"\b(?:you|u|y'all|ya|your)\b")
# A hypothesis, a mention or a question about meaning, not a request: "what happens if I
# unsubscribe?", "reply STOP to opt out", "what does opt out mean", "si je me désabonne". A polite
# "if you could stop texting me" is still a request.
_CONDITIONAL = re.compile(
    r"\b(?:if|whether|unless|what\s+happens|in\s+case|si|reply|replying|respond|what\s+does"
    r"|what\s+is|what's|should\s+i|do\s+i\s+(?:have|need)\s+to|will\s+i|would\s+i|que\s+veut"
    r"|qu'est-ce\s+que\s+(?:veut|signifie)|c'est\s+quoi)\b"
    r"(?!\s+(?:you|u|vous|tu)\s+(?:could|can|would|please|pouv|pourr|voul))"
    r"|\b(?:text|texting|send|sending|type|typing|write|say|saying|answer|keyword|mot"
    r"|repondre|reponds|repondez|ecrire|ecrivez|envoyer|envoyez|texter)\s*[\"'“]?$"
)
# Passive: "I got unsubscribed?", "je suis désabonné?" describe a state, they ask for nothing.
_PASSIVE = re.compile(
    r"\b(?:got|get|been|be|was|were|am|is|are|being|etre|ete|suis|es|est|serai|sera)\s+"
    r"(?:(?:i|je|we|it)\s+)?(?:(?:still|already|now|deja|bien)\s+)?$"
)
# Only some contact, something else than contact, or not now: "don't text me after 8pm", "stop
# texting me so early", "opt out of the extended warranty", "the email had an unsubscribe link",
# "can I opt out later if I change my mind?".
_PARTIAL = re.compile(
    r"^\s*(?:(?:texts?|messages?|calls?)\s+)?(?:before|after|until|till|til|during|between"
    r"|in\s+the\s+(?:morning|evening|night|afternoon)|so\s+(?:early|late)|at\s+(?:work|night|\d)"
    r"|on\s+(?:weekends?|sundays?|saturdays?|holidays?)|(?:on|in)\s+(?:the|my|our)\s+(?!cell|phone"
    r"|number|mobile)|avant|apres|jusqu|pendant|entre|le\s+(?:matin|soir|dimanche|samedi)"
    r"|la\s+nuit|au\s+travail|si\s+(?:tot|tard)|antes|despues|hasta"
    r"|link|button|option|page|form|code|keyword|instructions|lien|bouton"
    r"|needed|necessary|required|necessaires?|\?\s*(?:no|non|nope|nah)"
    r"|later|eventually|some\s*day|one\s+day|in\s+the\s+future|down\s+the\s+road|any\s*time"
    r"|at\s+any\s+time|whenever|if\s+(?:i|we)\s+(?:want|wish|need|decide|change|like|choose)"
    r"|plus\s+tard|un\s+jour|en\s+tout\s+temps|n'importe\s+quand|quand\s+je\s+veux"
    r"|si\s+(?:je|on)\s+(?:veux|veut|change|decide)"
    r"|(?:of|from|for)\s+(?!(?:(?:these|this|your|the|ur|all|my|any|that)\s+)*"
    r"(?:texts?|text\s+messages?|messages?|sms|list|mailing|contact\s+list|marketing|everything"
    r"|notifications|alerts|communications?|promotions?|promos?|this\s+number|it|that|them|you"
    r"|texting|messaging|company|all|business|team|guys|people|office|shop|number|system)\b))\b"
)
# Messages from a device in the house: "stop these messages on the thermostat display".
_DEVICE = re.compile(
    r"\b(?:thermostat|display|screen|panel|furnace|alarm|detector|app|router|boiler|heater|tv"
    r"|detecteur|alarme|systeme|appareil|fournaise|chauffe-eau|thermopompe|ecran)\b"
)
_TO_ME = re.compile(r"\b(?:me|us)\b|\bm'")
# Not for good: "don't text me, I'm driving", "stop texting me for now", "je conduis".
_TEMPORARY = re.compile(
    r"\b(?:driving|in\s+a\s+meeting|for\s+now|for\s+the\s+moment|for\s+a\s+(?:few|couple|bit"
    r"|while)|in\s+\d+\s*(?:min|h)\w*|i'?ll\s+call\s+you|call\s+you\s+back|i'?ll\s+text\s+you"
    r"|pour\s+(?:le\s+moment|l'instant)|je\s+conduis|en\s+reunion|je\s+vous\s+rappelle)\b"
)
# An unsubscription or a STOP sent by mistake: "I opted out by accident, can I get back in?".
_ACCIDENT = re.compile(
    r"\b(?:by\s+(?:mistake|accident)|accidentally|mistakenly|didn'?t\s+mean|par\s+(?:erreur"
    r"|accident)|sans\s+faire\s+expres)\b"
)
_SUBSCRIPTION_OR_SENT = re.compile(
    r"unsub|opt|desabonn|desinscri|said|told|replied|sent|typed|wrote"
)
# A number being replaced, not withdrawn: "delete my number, use my wife's instead".
_NUMBER_CHANGE = re.compile(
    r"\b(?:use|instead|new|replace|update|change|switch|typo|correct|fix|old|plutot|nouveau"
    r"|utilisez|remplace\w*|change\w*|ancien)\b"
)
_NUMBER_WORD = re.compile(r"(?:number|#|digits|numero|no|cellulaire|cell)$")
# A call refused in favour of texts is not an SMS opt-out: "stop calling me, just text".
_CALL = re.compile(r"\b(?:call\w*|phon\w*|ring|appel\w*|llam\w*)\b")
_TEXT_INSTEAD = re.compile(
    r"\b(?:text|message|txt|sms)\s+(?:me|only|instead)\b|\binstead\b|\bplutot\b"
    r"|\b(?:just|only)\s+(?:text|message|sms)\b|\bprefer\s+(?:to\s+)?(?:text|sms)"
    r"|\btexts?\s+(?:is|are)\s+(?:better|fine|ok|okay|good)"
    r"|\b(?:textez|ecrivez|texte)(?:\s*-\s*|\s+)moi\b"
)
# "No more texts?" and "Plus de messages pour moi?" ask whether more are coming.
_NOMINAL = re.compile(r"\b(?:no\s+(?:more|further)|plus\s+(?:jamais\s+)?de|assez|fini|enough)\b")
_ASKED = re.compile(r"^[^.!;\n]*\?")
_CLAUSE_BREAK = re.compile(r"[.!?;,:\n]|\b(?:but|mais|pero)\b")
# Sentences, for a strong keyword standing alone among others ("who is this? STOP").
_SENTENCE = re.compile(r"([.!?;\n]+)")
# A stranger's message: there even the weak keywords stand for opting out ("Not interested.
# Remove.", "wrong number, quit").
_STRANGER = re.compile(
    r"\b(?:wrong\s+(?:number|person)|not\s+interested|who\s+is\s+this|who'?s\s+this|who\s+dis"
    r"|don'?t\s+know\s+you|never\s+signed\s+up|pas\s+interesse|mauvais\s+numero"
    r"|ne\s+vous\s+connais\s+pas|qui\s+est-ce|c'est\s+qui)\b"
)
# …unless the rest is about the job: "no wait, stop", "Stop! Don't send the tech".
_HESITATION = re.compile(r"\b(?:wait|hold\s+on|hang\s+on|never\s+mind|nvm|attends|attendez)\b")
_COUNTER_ORDER = re.compile(
    r"\b(?:don'?t|do\s+not)\s+(?:come|send|go|start|touch|turn|shut|cut|drill|dig|install|replace"
    r"|do|open|close|move|leave|worry|cancel|bother\s+coming)\b"
    r"|\bwrong\s+(?:address|time|day|date|house|unit|door|street|part)\b"
    r"|\b(?:ne|n')\s*(?:venez|viens|envoyez"
    r"|faites|touchez|coupez|commencez|fermez|ouvrez|annulez|bougez|partez|installez)\s+pas\b"
    # The job settled itself: "Stop, we found the leak", "Stop! It's working again".
    r"|\b(?:found|fixed|solved|sorted)\s+(?:it|the)\b|\b(?:it'?s|is)\s+(?:fixed|fine|working)\b"
    r"|\bworking\s+again\b|\bfalse\s+alarm\b|\bon\s+a\s+trouve\b|\bc'est\s+(?:regle|repare)\b"
    r"|\b(?:ca|ça)\s+(?:marche|fonctionne)\b"
)


def _normal(text: str) -> str:
    """Folded, accent-free, one space between words: what the phrase patterns expect."""
    return re.sub(r"\s+", " ", strip_accents(fold(text[:_MAX_SCAN]))).strip()


def _core(text: str) -> str:
    """The message without openers and courtesy around it: "ok, stop please" → "stop"."""
    core = re.sub(r"[.!?,;:\s]+$", "", fold(text).strip())
    previous = None
    while previous != core:  # "please stop texting me, thanks"
        previous = core
        core = _TRAILING.sub("", core).strip(" ,.!")
        # Never strip the keyword itself: "YES" alone is the opt-in, "yes please" too.
        core = _LEADING.sub("", core).strip(" ,.!") or core
    # "STOP STOP STOP" is one STOP.
    return re.sub(r"\b(\w+)(?:\W+\1\b)+", r"\1", core)


def _genuine(text: str, match: re.Match[str]) -> bool:
    """Whether a matched opt-out phrase is meant, judged by the words around it."""
    clause = _CLAUSE_BREAK.split(text[: match.start()])[-1]
    after = text[match.end() :]
    phrase = match.group()
    negated = bool(_NEGATED.search(clause)) and not _RUN_ON.search(clause)
    someone_else = bool(_NOT_US.search(clause)) and not _YOU.search(clause)
    if (negated or someone_else) and not (_SUBSCRIPTION.search(phrase) and _TRIED.search(clause)):
        return False
    if _CONDITIONAL.search(clause) or _PARTIAL.match(after) or _TEMPORARY.search(after):
        return False
    if _SUBSCRIPTION_OR_SENT.search(phrase) and _ACCIDENT.search(text):
        return False
    if _PASSIVE.search(clause) and not phrase.endswith("ing"):
        return False
    if not _TO_ME.search(phrase) and _DEVICE.search(_CLAUSE_BREAK.split(after)[0]):
        return False  # "stop these messages on the thermostat"; "stop texting me about…" is ours
    if _NOMINAL.search(phrase) and _ASKED.match(after):
        return False
    if _NUMBER_WORD.search(phrase) and _NUMBER_CHANGE.search(after):
        return False
    if _WRONG_CONTENT.match(after) or _TEXT_ME.search(after):
        return False  # "stop texting me the wrong address"; "no more texting the landlord, text me"
    return not (_CALL.search(phrase) and _TEXT_INSTEAD.search(after))


# A complaint about what was texted, not about texting: "stop texting me the wrong address".
_WRONG_CONTENT = re.compile(r"^\s*(?:the|a|an|that|those|these)\s+wrong\b")
# Asking for texts later in the same message: whatever was stopped, it was not our texts.
_TEXT_ME = re.compile(
    r"\b(?<!don't )(?<!do not )(?<!never )(?:text|message|txt)\s+me\b(?!\s+(?:again|anymore))"
    r"|\b(?:textez|ecrivez)(?:\s*-\s*|\s+)moi\b"
)


def _opts_out(text: str) -> bool:
    """A stop-contacting-me phrase anywhere, or a strong keyword as a sentence of its own."""
    normal = _normal(text)
    if any(_genuine(normal, m) for m in _STOP_PHRASE.finditer(normal)):
        return True
    # Split with the punctuation kept: a keyword asked about ("opt out? no way") is no request.
    pieces = _SENTENCE.split(normal)
    sentences = [
        (sentence, "?" in end)
        for sentence, end in zip(pieces[::2], [*pieces[1::2], ""], strict=True)
        if sentence.strip()
    ]
    keywords = _STOP if _STRANGER.search(normal) else _STRONG_STOP
    for index, (sentence, asked) in enumerate(sentences):
        if asked and len(sentences) > 1:
            continue
        parts = sentence.split(",")
        for part, rest in ((parts[0], parts[1:]), (parts[-1], parts[:-1])):
            if _squash(_core(part)) not in keywords:
                continue
            after = [*rest, *(s for s, _ in sentences[index + 1 :])]
            around = " ".join([*(s for s, _ in sentences[:index]), *after])
            if _HESITATION.search(" ".join(after)) or _COUNTER_ORDER.search(" ".join(after)):
                continue
            if _about_the_job(around):
                continue  # "Stop!! Water is everywhere, come now" is a caller who needs us
            return True
    return False


def _about_the_job(text: str) -> bool:
    """Whether the rest of a message asks for service: then a "Stop!" in it is an exclamation,
    not an opt-out. A missed opt-out here is answered by a person reading a job request; a false
    one silently drops a caller who needs help (an emergency, at worst)."""
    if not text.strip() or _STRANGER.search(text):
        return False  # "who is this? STOP"
    from tradeline.conversation.extract.emergency import detect_emergency
    from tradeline.conversation.extract.intent import classify_intent

    if detect_emergency(text, keywords=[]).is_emergency:
        return True
    return classify_intent(text) in ("service_request", "quote", "existing_job")


def classify_keyword(text: str) -> Keyword | None:
    """'stop', 'start' or 'help' for a keyword message or an opt-out in words, else None."""
    if len(text) <= _MAX_LENGTH:
        key = _squash(_core(text))
        if key in _STOP:
            return "stop"
        if key in _START:
            return "start"
        if key in _HELP:
            return "help"
    return "stop" if _opts_out(text) else None
