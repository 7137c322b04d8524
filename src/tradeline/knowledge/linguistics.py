"""Small, deterministic text tools for English and French: language, sentences, lexemes.

Pure functions with no model behind them: language detection is a stop-word vote (the business
content we see is English or French, and a vote over function words is right on any passage of a
sentence or more); lexemes are accent-folded, stop-word-free, lightly stemmed words; concepts fold a
small hand-made vocabulary of the trades (synonyms and English/French translations: charge, fee,
prix and "$129" are one concept) over them, to measure how much of a question a passage covers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Literal

Lang = Literal["en", "fr"]
LANGS: tuple[Lang, ...] = ("en", "fr")

EN_STOP = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "s",
        "t",
        "don",
        "ll",
        "ve",
        "re",
        "d",
        "m",
        "o",
        "y",
        "also",
        "may",
        "might",
        "must",
        "shall",
        "us",
        "let",
        "get",
        "got",
    ]
)
FR_STOP = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "c",
        "ça",
        "cette",
        "d",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "elles",
        "en",
        "est",
        "et",
        "étaient",
        "était",
        "être",
        "eu",
        "il",
        "ils",
        "j",
        "je",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "lui",
        "m",
        "ma",
        "mais",
        "me",
        "mes",
        "moi",
        "mon",
        "même",
        "n",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ont",
        "ou",
        "où",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "quel",
        "quelle",
        "quelles",
        "quels",
        "qui",
        "s",
        "sa",
        "sans",
        "se",
        "ses",
        "si",
        "son",
        "sont",
        "sur",
        "t",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "y",
        "été",
        "sommes",
        "êtes",
        "suis",
        "es",
        "fait",
        "faire",
        "peut",
        "peuvent",
        "avez",
        "avons",
        "ai",
        "as",
        "cet",
        "chez",
        "comme",
        "plus",
        "moins",
        "très",
        "aussi",
        "donc",
        "alors",
        "puis",
        "lors",
        "quand",
        "comment",
        "combien",
        "pourquoi",
        "tout",
        "tous",
        "toute",
        "toutes",
    ]
)
# Words that only one of the two languages writes: they settle short passages.
_EN_MARKERS = frozenset(
    ["the", "and", "is", "are", "you", "we", "our", "with", "what", "how", "do", "does", "of"]
)
_FR_MARKERS = frozenset(
    [
        "le",
        "la",
        "les",
        "est",
        "et",
        "vous",
        "nous",
        "avec",
        "des",
        "du",
        "une",
        "pour",
        "que",
        "qui",
        "pas",
    ]
)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased words, apostrophes split (l'eau → l, eau)."""
    out: list[str] = []
    for match in _WORD.finditer(text.lower()):
        out.extend(part for part in re.split(r"['’]", match.group()) if part)
    return out


def detect_language(text: str, default: Lang = "en") -> Lang:
    """'en' or 'fr' by a vote of function words and French diacritics; `default` on a tie."""
    tokens = words(text)
    en = sum(1 for w in tokens if w in _EN_MARKERS) + 0.5 * sum(1 for w in tokens if w in EN_STOP)
    fr = sum(1 for w in tokens if w in _FR_MARKERS) + 0.5 * sum(1 for w in tokens if w in FR_STOP)
    fr += 0.5 * len(re.findall(r"[éèêàùâîôûçœ]", text.lower()))
    if en == fr:
        return default
    return "fr" if fr > en else "en"


def fold(text: str) -> str:
    """Lower case without diacritics (é → e), for lexical comparison."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_EN_SUFFIXES = (
    "ations",
    "ation",
    "ments",
    "ment",
    "ings",
    "ing",
    "ied",
    "ies",
    "ers",
    "er",
    "ed",
    "es",
    "ly",
    "s",
)
_FR_SUFFIXES = (
    "ements",
    "ement",
    "ations",
    "ation",
    "euses",
    "euse",
    "eurs",
    "eur",
    "ées",
    "ée",
    "és",
    "es",
    "er",
    "ez",
    "é",
    "s",
    "x",
    "e",
)


def stem(word: str) -> str:
    """A light suffix strip, the same for both languages (stems only need to agree)."""
    for suffix in (*_FR_SUFFIXES, *_EN_SUFFIXES):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


_STOP_FOLDED = frozenset(fold(w) for w in EN_STOP | FR_STOP)


# Conversational filler: words a caller adds around a question that no passage answers
# ("hi, what do you guys charge…", "Bonjour, c'est combien…"). Left out of lexemes only (the
# language vote still counts the stop words above).
_FILLER_WORDS = (
    "hi hello hey allo bonjour bonsoir salut guys folks thanks thank please pls plz ok okay "
    "roughly approximately approx ballpark somebody someone anybody anyone still wondering "
    "quick actually maybe probably like wanna gonna btw merci svp quelqu quelqu'un voudrais "
    "aimerais savoir environ approximativement offer offers offering something anything"
)
_FILLER = frozenset(fold(w) for w in _FILLER_WORDS.split())

# Several words, one concept, in either language: rewritten to one token before stemming.
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), token)
    for pattern, token in (
        (
            r"\b(24 ?/ ?7|24 ?h(eures)? ?(sur|/) ?24|7 ?j(ours)? ?(sur|/) ?7|around the clock|"
            r"24 hours a day|7 days a week|sept jours sur sept|"
            r"jour et nuit|day (and|or) night|en tout temps|any ?time)\b",
            " xx247 ",
        ),
        (r"\bafter[- ]hours?\b|\bhors (des )?heures\b", " afterhours "),
        (
            r"\b(business|office|regular|opening) hours\b|\bheures (d'ouverture|normales|"
            r"de bureau)\b",
            " businesshours ",
        ),
        (r"\bfin(s)? de semaine\b|\bweek-?ends?\b", " weekend "),
        (r"\b(jours? )?feries?\b|\bstat(utory)? holidays?\b", " holiday "),
        (r"\block(ed|s)? (me |myself |us |ourselves )?out\b|\block-?outs?\b", " lockout "),
        (r"\bheat ?pumps?\b|\bpompes? a chaleur\b", " thermopompe "),
        (r"\bwater heaters?\b|\bhot water tanks?\b|\bchauffe-?eau\b", " chauffeeau "),
        (r"\bair condition(ing|ers?)\b|\ba/c\b|\bclimatis(eur|eurs|ation)\b", " aircond "),
        (r"\bservice calls?\b|\bappels? de service\b|\bservice visits?\b", " servicecall "),
        (r"\bservice areas?\b|\bwhere (do )?you (go|work)\b", " servicearea "),
        (r"\bhow much\b", " howmuch "),
        # "Do you charge for the estimate?" is answered by "estimates are free".
        (
            r"\bcharge (anything |extra )?for\b|\bis there a (fee|charge) for\b|\bpayante?s?\b",
            " xxcharge ",
        ),
        (r"\btune-?ups?\b", " entretien "),
        (r"\bapres-?midi\b", " afternoon "),
    )
)

# Synonyms and translations of the trades' everyday vocabulary: every word of a group (and
# the phrase tokens above) stands for the group's concept, so "charge", "cost", "prix" and a
# dollar amount cover each other, "house" covers "residential", "Sunday night" covers "after
# hours, Sundays and holidays". A word may stand for two concepts ("charge for" is asked of a
# price or of something free, "come" is being available or going to an area): a question's word is covered by either. Groups are
# deliberately narrow: a word with unrelated senses ("business", "service", "hours") is in none.
_CONCEPT_WORDS: dict[str, str] = {
    "price": (
        "price prices pricing priced cost costs costing charge charges charged fee fees rate "
        "rates howmuch expensive cheap cheaper prix coût coûts coûte coûtent coûter tarif tarifs "
        "frais combien cher chère xxcharge"
    ),
    "home": "house houses home homes residential residence maison maisons résidentiel "
    "residentielle domicile",
    "daytime": (
        "businesshours weekday weekdays daytime afternoon morning mornings monday tuesday "
        "wednesday thursday friday mon tue wed thu fri lundi mardi mercredi jeudi vendredi matin "
        "jour journée"
    ),
    "offhours": (
        "afterhours night nights overnight tonight evening evenings weekend sunday sundays "
        "holiday holidays nuit nuits soir soirs soirée dimanche dimanches xx247"
    ),
    "anytime": (
        "xx247 anytime available availability come coming venir dispatch disponible disponibles"
    ),
    "emergency": "emergency emergencies urgent urgence urgences urgent urgente",
    "area": (
        "servicearea cover covers serve serves served area areas travel desservez desservons "
        "dessert desservi secteur secteurs région régions territoire allez aller go jusqu come "
        "venir"
    ),
    "guarantee": "guarantee guarantees guaranteed warranty warranties garantie garanties "
    "garanti garantis",
    "diagnosis": (
        "servicecall troubleshooting troubleshoot diagnostic diagnostics diagnosis diagnose "
        "depannage"
    ),
    "lockout": "lockout lockouts",
    "extra": "extra additional surcharge surcharges supplement supplément suppléments",
    "breakdown": "breakdown breakdowns broke broken panne pannes lâche lâché brisé brisée",
    "furnace": "furnace furnaces fournaise fournaises",
    "heatpump": "thermopompe thermopompes",
    "waterheater": "chauffeeau",
    "aircond": "aircond",
    "efficiency": "efficiency efficient efficacité efficace",
    "high": "high haute haut",
    "new": "new neuf neuve neufs nouveau nouvelle",
    "install": "install installs installed installing installation installations installer "
    "installe installée installés",
    "replace": "replace replaced replacing replacement remplacer remplacé remplacement",
    "repair": "repair repairs repaired fix fixed réparer réparation réparations réparé",
    "maintenance": "maintenance entretien entretiens",
    "quote": "quote quotes estimate estimates soumission soumissions estimation estimations devis",
    # "come look at it" is how callers ask for the inspection a price list names.
    "inspect": (
        "inspection inspections inspect inspected look checkup assessment assess inspecter "
        "vérification vérifier évaluation"
    ),
    "free": "free gratuit gratuite gratuits gratuites xxcharge",
    "cancel": "cancel cancels cancelled canceled cancellation annuler annulation annulé",
    "pay": (
        "pay paying payment payments payer paiement paiements accept accepts accepted acceptez "
        "acceptons take takes prenez"
    ),
    "discount": "discount discounts rabais remise escompte",
    "breaker": "breaker breakers disjoncteur disjoncteurs",
    "panel": "panel panels panneau panneaux",
    "outlet": "outlet outlets receptacle prise prises",
    "leak": "leak leaks leaking fuite fuites",
    "clog": (
        "clog clogs clogged blocked unclog unclogging bouché bouchon bouchons bloqué déboucher "
        "débouchage"
    ),
    "pipe": "pipe pipes tuyau tuyaux",
    "door": "door doors porte portes",
    "key": "key keys clé clés",
    "spring": "spring springs ressort ressorts",
    "appointment": "appointment appointments booking book rendez",
    "electrician": "electrician electricians électricien électriciens",
    "plumber": "plumber plumbers plombier plombiers",
    "technician": "technician technicians tech techs technicien techniciens",
    "hour": "hour hours hourly heure heures horaire horaires",
    "year": "year years an ans année années",
    "senior": "senior seniors aîné aînés",
}


def _concept_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for concept, members in _CONCEPT_WORDS.items():
        for member in members.split():
            for word in words(fold(member)):
                index.setdefault(stem(word), set()).add(f"~{concept}")
    return {key: frozenset(value) for key, value in index.items()}


_CONCEPTS = _concept_index()
_MONEY = re.compile(r"\$\s?\d|\d\s?\$|\d\s?(€|dollars?\b)")


def _phrased(text: str) -> str:
    folded = fold(text).replace("’", "'")
    for pattern, token in _PHRASES:
        folded = pattern.sub(token, folded)
    return folded


def lexemes(text: str) -> set[str]:
    """Content-word stems of a text: numbers kept, stop words of both languages and
    conversational filler dropped."""
    out: set[str] = set()
    for word in words(_phrased(text)):
        if word in _STOP_FOLDED or word in _FILLER or (len(word) < 2 and not word.isdigit()):
            continue
        out.add(word if word.isdigit() else stem(word))
    return out


def concept_groups(text: str) -> set[frozenset[str]]:
    """Per content word, what stands for it: its concepts when it belongs to groups of
    _CONCEPT_WORDS ("come" → {~anytime, ~area}), else its lexeme; a money amount ("$129",
    "119 $") adds `~price`. A question's word is covered by a passage holding any of them."""
    out: set[frozenset[str]] = set()
    for word in words(_phrased(text)):
        if word == "combien":  # a French stop word, but the whole question ("how much")
            out.add(frozenset({"~price"}))
            continue
        if word in _STOP_FOLDED or word in _FILLER or (len(word) < 2 and not word.isdigit()):
            continue
        key = word if word.isdigit() else stem(word)
        out.add(_CONCEPTS.get(key, frozenset({key})))
    if _MONEY.search(text):
        out.add(frozenset({"~price"}))
    return out


def concepts(text: str) -> set[str]:
    """Lexemes with synonyms and translations folded into shared concepts (see _CONCEPT_WORDS):
    each lexeme of a group becomes its concepts (`~price`), the others stay as they are. For
    coverage, where a paraphrase or the other language must still count as the same word."""
    return set().union(*concept_groups(text))


def glosses(text: str) -> str:
    """The other-language (and synonym) words of the text's concepts, for the lexical search
    arm: "furnace cost" → "fournaise prix coût …". Empty when the text names none."""
    found = {c for c in concepts(text) if c.startswith("~")}
    extra = [
        member
        for concept in sorted(found)
        for member in _CONCEPT_WORDS[concept[1:]].split()
        if not member.startswith("xx") and member.isalpha() and len(member) > 3
    ]
    return " ".join(dict.fromkeys(extra))


def coverage(query: Iterable[str | frozenset[str]], passage: set[str]) -> float:
    """Share of the query's lexemes present in the passage (0 when the query has none); an
    alternative set (from concept_groups) counts when any of its members is present."""
    wanted = set(query)
    if not wanted:
        return 0.0
    found = sum(
        1 for w in wanted if (w in passage if isinstance(w, str) else not w.isdisjoint(passage))
    )
    return found / len(wanted)


# Sentence ends: . ! ? (and …) followed by space and a capital, digit, quote or bracket. Common
# abbreviations and initials are protected first.
_ABBREVIATIONS = (
    "e.g.",
    "i.e.",
    "etc.",
    "approx.",
    "vs.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "St.",
    "Ave.",
    "No.",
    "a.m.",
    "p.m.",
    "M.",
    "Mme.",
    "env.",
    "ex.",
    "incl.",
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”»)]*\s+(?=[\"'“«(\[]?[A-ZÀ-ÖØ-Þ0-9$])")
_PLACEHOLDER = "\x00"


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; line breaks inside a paragraph are separators too when the
    line before ends a sentence (lists, addresses)."""
    text = re.sub(r"[ \t]+", " ", text.strip())
    if not text:
        return []
    protected = text
    for abbreviation in _ABBREVIATIONS:
        protected = re.sub(
            rf"(?<![\w.]){re.escape(abbreviation)}",
            abbreviation.replace(".", _PLACEHOLDER),
            protected,
            flags=re.IGNORECASE,
        )
    # Single-letter initials ("J. Smith") and decimals ("$1.50") never end a sentence.
    protected = re.sub(r"\b([A-Z])\.(?=\s+[A-Z])", rf"\1{_PLACEHOLDER}", protected)
    pieces: list[str] = []
    for line in re.split(r"\s*\n\s*", protected):
        pieces.extend(_SENTENCE_END.split(line))
    return [p.replace(_PLACEHOLDER, ".").strip() for p in pieces if p.strip()]


def normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
