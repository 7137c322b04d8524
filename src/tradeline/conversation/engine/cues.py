"""What the engine recognises in a caller's words beyond the extractors: yes and no, closings,
wrong numbers, spam, refusals, requests, and the words that make a booking."""

from __future__ import annotations

import re

_AFFIRM = re.compile(
    r"^\s*(?:yes|yeah|yep|yup|ya|sure|correct|right|exactly|absolutely|definitely|that'?s (?:right|correct|fine|good|it)|"
    r"it is|this one|this number|that number|that works|works|perfect|ok(?:ay)?|oui|ouais|exact|c'est (?:ça|bon|correct|exact|parfait)|"
    r"parfait|d'accord|bien sûr)\b",
    re.IGNORECASE,
)
_DENY = re.compile(
    r"^\s*(?:no|nope|nah|not really|no thanks|no thank you|non|pas vraiment|non merci)\b",
    re.IGNORECASE,
)
_NO_EMAIL = re.compile(
    r"\b(?:no|don'?t have|rather not|prefer not|skip|pas de|pas d'|aucun)\b.{0,20}\b(?:e-?mail|courriel)\b"
    r"|^\s*(?:no|nope|non|skip|rather not|pass)\W*$",
    re.IGNORECASE,
)
_FLEXIBLE = re.compile(
    r"\b(?:whenever|any ?time|any day|no preference|doesn'?t matter|don'?t mind|flexible|asap|as soon as possible|"
    r"n'importe quand|quand vous voulez|peu importe|le plus tôt possible|dès que possible)\b",
    re.IGNORECASE,
)
_PERSON = re.compile(
    r"\b(?:(?:speak|talk)\s+(?:to|with)\s+(?:a\s+)?(?:person|human|someone|somebody|real person|representative|agent|operator|the owner)"
    r"|(?:a|real)\s+(?:person|human)|representative|operator|parler à (?:quelqu'un|une personne|un humain))\b",
    re.IGNORECASE,
)
_INJECTION = re.compile(
    r"\b(?:ignore (?:all |your |the )?(?:previous|prior|above) (?:instructions|prompts?)|system prompt|"
    r"your (?:instructions|prompt|configuration|settings|api key)|(?:last|previous|other) (?:caller|customer|client)s?'?s?\b.{0,30}"
    r"(?:number|phone|name|email|address)|list (?:all )?(?:of )?(?:your |the )?(?:customers|callers|clients|leads|contacts)|developer mode|jailbreak|"
    r"ignore(?:z)? (?:les|tes|vos) instructions|dernier client)",
    re.IGNORECASE,
)
_NUMBER_OK = re.compile(
    r"\b(?:number|numéro|one|celui-là|celui)\b.{0,40}\b(?:good|fine|works|ok(?:ay)?|correct|right|perfect|bon|parfait|correct)\b",
    re.IGNORECASE,
)
_GAS_HAZARD = re.compile(
    r"\b(?:gas|gaz|propane|carbon monoxide|monoxyde|co alarm|co detector|alarme (?:de )?co|rotten egg|"
    r"œuf pourri|oeuf pourri|sulph?ur|soufre)\b",
    re.IGNORECASE,
)
# A word list reads better as prose than as sixty quoted items.
_BOOKING_WORDS = frozenset(
    (  # noqa: SIM905
        "book booking appointment schedule visit someone come like want would please great perfect "
        "okay sounds good then let's lets set that up need go ahead yes sure "
        "rendez vous rendez-vous prendre voudrais aimerais parfait alors réserver fixer visite "
        "quelqu'un venir merci bien d'accord oui"
    ).split()
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")
_REQUEST_ONLY = re.compile(
    r"^\W*(?:(?:hi|hello|hey|bonjour)\W+)?(?:can|could|would|will)\s+(?:you|someone|somebody)\s+(?:please\s+)?"
    r"(?:come|send|stop by|swing by|drop by|be here|make it|get here)\b.*\?\s*$",
    re.IGNORECASE,
)
_CONTENT_WORD = re.compile(r"[^\W\d_]{3,}")
# Words of answers about contact details, never a description of the job.
_SLOT_WORDS = frozenset(
    [
        "this",
        "that",
        "the",
        "number",
        "phone",
        "cell",
        "mobile",
        "email",
        "mail",
        "address",
        "name",
        "works",
        "work",
        "good",
        "fine",
        "best",
        "okay",
        "yes",
        "yeah",
        "sure",
        "correct",
        "right",
        "same",
        "one",
        "reach",
        "call",
        "text",
        "back",
        "anytime",
        "time",
        "day",
        "tomorrow",
        "today",
        "morning",
        "afternoon",
        "evening",
        "after",
        "before",
        "around",
        "please",
        "thanks",
        "thank",
        "you",
        "can",
        "use",
        "here",
        "there",
        "numéro",
        "téléphone",
        "cellulaire",
        "courriel",
        "adresse",
        "nom",
        "correct",
        "oui",
        "bon",
        "bien",
        "même",
        "demain",
        "matin",
        "après-midi",
        "soir",
        "merci",
        "ici",
        "vous",
        "pouvez",
        "appeler",
        "rappeler",
    ]
)
_GENERIC_URGENCY = frozenset(
    {"emergency", "urgent", "urgence", "urgent service", "urgences", "emergencies"}
)
# "That's all I needed", "no that's it, thanks": the caller is done, whatever we last asked.
_CLOSING = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|alright|all right|great|perfect|cool|no|nope|non|oh|thanks?|thank you|merci|"
    r"parfait|d'accord|bon)\b[\s,.!]*)*(?:that'?s (?:all|everything|it)(?: (?:i|we) (?:needed|need|wanted))?"
    r"(?: for (?:now|today))?|nothing else|i'?m (?:all )?good|all good|(?:good)?bye|have a (?:good|great|nice) "
    r"(?:day|night|one|evening)|c'est tout|ce sera tout|rien d'autre|au revoir|bonne (?:journée|soirée))\b"
    r"[^?]*$",
    re.IGNORECASE,
)
_WRONG_NUMBER = re.compile(
    r"\b(?:wrong (?:number|person|place|company)|misdialed|misdialled|dialed the wrong|mauvais numéro|"
    r"faux numéro|trompé de numéro)\b",
    re.IGNORECASE,
)
_NO_NAME = re.compile(
    r"\b(?:rather not|prefer not to|don'?t want to|won'?t|not going to|no need for)\s+(?:give|say|share|leave|tell)"
    r"(?:\s+(?:you|u))?\s+(?:my\s+)?name\b|\b(?:préfère|aime mieux)\s+ne\s+pas\s+(?:donner|dire)\s+mon\s+nom\b",
    re.IGNORECASE,
)
# "Okay thanks, I'll talk it over with my wife and call back", "thanks anyway": the caller is done
# for now, whatever we last asked.
_DEFERRING = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|alright|all right|oh|no|nope|non|well|great|cool|sure|thanks?|thank you|"
    r"no problem|no worries|merci|d'accord|ah|bon|pas de problème)\b[\s,.!]*)*"
    r"(?:thanks?(?: you)? anyway|merci quand même|i'?ll (?:have to )?(?:talk (?:it )?over|think (?:it )?over|"
    r"think about it|discuss it|check with|call (?:you )?back|get back to you|let you know)|we'?ll (?:talk it over|"
    r"think about it|call (?:you )?back|get back to you|let you know)|je vais (?:y penser|en parler|vous rappeler|"
    r"rappeler)|on va (?:y penser|en parler|vous rappeler|rappeler))\b[^?]*$",
    re.IGNORECASE,
)
# Not for the business: prize, loan, crypto and listing spam ("You've won a cruise! call…",
# "Your Google Business Profile will be suspended…").
_SPAM = re.compile(
    r"\b(?:you(?:'ve| have)? (?:won|been selected)|winner|claim your (?:prize|reward|gift)|free cruise|"
    r"gift card|pre-?approved|(?:business|personal) loan|loan offer|low interest|debt relief|crypto\w*|"
    r"bitcoin|forex|investment opportunity|google (?:business )?(?:profile|listing)|verify your listing|"
    r"(?:seo|ranking|first page of google)\b.{0,40}\b(?:services?|ranking|google)|final notice|"
    r"extended (?:car |vehicle )?warranty|vous avez gagné|gagnant|réclamez votre|prêt pré-?approuvé|"
    r"cryptomonnaie|référencement)\b",
    re.IGNORECASE,
)
# A message meant for someone else: "is this jenna?", "hey jenna it's me", "hi mom".
_FOR_SOMEONE = re.compile(
    r"^\W*(?:(?:hey|hi|hello|yo|allo|salut|bonjour)\W+)?(?:is (?:this|that|it) (?:you,? )?|"
    r"c'est (?:toi|bien|vous),? |es-tu )(?P<who>[^\W\d_]{2,})\s*\?",
    re.IGNORECASE,
)
_FAMILY = re.compile(
    r"^\W*(?:hey|hi|yo|salut)?\W*(?:mom|mum|dad|babe|honey|hon|sweetie|bro|sis|grandma|grandpa|maman|papa|"
    r"chéri|chérie)\b",
    re.IGNORECASE,
)
# A correction of a number or an email: "sorry typo, its 902-555-0178" answers no name question.
_CONTACT_FIX = re.compile(
    r"\b(?:typo|auto-?\s?correct\w*|sorry|oops|whoops|my bad|actually|i mean|i meant|correction|wrong|"
    r"mistake|désolée?|pardon|plutôt|erreur|je veux dire)\b",
    re.IGNORECASE,
)
# A request to come with a day or time is a booking, not a question for the knowledge base:
# "can u guys come look this thursday after 3", "pouvez-vous venir demain?".
_COME_REQUEST = re.compile(
    r"^\W*(?:(?:hi|hello|hey|bonjour|so|and|also|ok(?:ay)?|well|et|alors)\W+)*"
    r"(?:(?:can|could|would|will)\s+(?:you|u|y'?all|someone|somebody|anyone|your guys?|one of your guys|"
    r"you guys|u guys|ya)\s+(?:guys\s+)?(?:please\s+)?(?:come|send|stop by|swing by|drop by|pop by|look|"
    r"take a look|have a look|check|be here|make it|get here)"
    r"|(?:pouvez|pourriez|pourrais|peux)[- ](?:vous|tu)\s+(?:venir|passer|envoyer)"
    r"|(?:est-ce que )?quelqu'un (?:peut|pourrait) (?:venir|passer))\b",
    re.IGNORECASE,
)
_WEEK_ONLY = re.compile(
    r"\b(?:next week|the week after|la semaine prochaine|semaine prochaine)\b", re.IGNORECASE
)
_DAY_NAMED = re.compile(
    r"\b(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b|\b(?:lundi|mardi|mercredi|jeudi|"
    r"vendredi|samedi|dimanche|tomorrow|demain|today|aujourd'hui)\b|\d{1,2}(?:st|nd|rd|th)\b",
    re.IGNORECASE,
)
_THANKS_BYE = re.compile(
    r"^\s*(?:(?:no|nope|non)[,.!]?\s*)?(?:that'?s (?:all|it)|nothing else|thanks?(?: you)?|thank you|merci|c'est tout|"
    r"bye|goodbye|au revoir|all good|i'?m good|rien d'autre)\b",
    re.IGNORECASE,
)
