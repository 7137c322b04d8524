"""Small built-in word lists and cue patterns shared by the extractors (English and Canadian French).

We may not download word lists or models, and a name/address heuristic only needs to know the words
callers actually use around them: function words, the trades' vocabulary and everyday call talk.
Words that are also common given names (Mark, Bill, Frank, Grace, Hope, Rose, Guy, April, June,
August…) are left out of these lists where possible; the few that must stay in ("will", "may", the
French filler "ben") are listed in `GIVEN_NAME_WORDS`, and the name extractor accepts them by their
shape ("this is Will Grant", "Ben Carter").
"""

from __future__ import annotations

import re
import unicodedata


def words(blob: str) -> frozenset[str]:
    """A frozen set of the whitespace-separated words in `blob` (word lists stay readable)."""
    return frozenset(blob.split())


# Words that glue a sentence together: they never start a name or a street name.
FUNCTION_WORDS: frozenset[str] = words(
    """
    a an the this that these those it its it's is am are was were be been being do does did done
    have has had having will would shall should can could might must not no nor yes yeah yep yup
    nope and or but so if then than because as at by for from in into of off on onto out over to up
    with without about above after again against all any before below between both during each few
    more most other some such only own same too very just now here there when where why how what
    which who whom whose i i'm i've i'll i'd me my mine myself we us our ours you your yours he him
    his she her hers they them their theirs one ones someone somebody anyone anybody everyone
    nobody nothing something anything everything also really actually still even please thanks
    thank sorry hi hello hey okay ok sure well oh um uh hmm like
    je j' tu il elle on nous vous ils elles le la les l' un une des du de d' au aux ce cet cette ces
    mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs et ou mais donc car ni que qui
    quoi quand comment pourquoi où est suis es sommes êtes sont ai as avons avez ont était été être
    avoir pas ne plus très bien oui non merci bonjour bonsoir allô allo salut pour avec sans dans sur
    sous à en y ici là c'est j'ai qu'il chez
    """
)

WEEKDAYS: frozenset[str] = words(
    """
    monday tuesday wednesday thursday friday saturday sunday
    lundi mardi mercredi jeudi vendredi samedi dimanche
    """
)

# Months that are not also given names (April, June, August are left out on purpose; May stays
# because "I'm may…" and "it may…" are far commoner on a call than the name).
MONTHS: frozenset[str] = words(
    """
    january february march may july september october november december
    janvier février fevrier mars mai juillet septembre octobre novembre décembre decembre
    """
)

TIME_WORDS: frozenset[str] = (
    words(
        """
        today tomorrow tonight yesterday morning afternoon evening night noon midnight week weekend
        month year day days time times asap soon later now earlier
        aujourd'hui demain hier matin soir soirée après-midi midi minuit semaine fin mois an année
        jour jours heure heures bientôt tantôt maintenant
        """
    )
    | WEEKDAYS
    | MONTHS
)

# Words naming a trade, a business or a thing in a house: after "this is" they describe the call
# ("this is Bow River Plumbing", "c'est la fournaise"), never a person.
TRADE_WORDS: frozenset[str] = words(
    """
    plumber plumbers plumbing heating heater heaters heat furnace furnaces boiler water tank pipe
    pipes drain drains toilet toilets sink faucet tap shower bath bathtub tub basement kitchen
    bathroom laundry washer dryer dishwasher leak leaks leaking leaky flood flooding flooded sewer
    sewage backup gas smell smoke fire sparks spark outlet breaker panel wire wiring electrical
    electric electrician electricians light lights switch roof roofing gutter gutters ac air
    conditioner conditioning thermostat vent duct ducts hvac service services repair repairs
    installation estimate quote price cost appointment job invoice company inc ltd llc corp
    co contractor contractors technician owner landlord tenant customer client property unit
    apartment condo building street avenue road mechanical construction renovations renovation
    solutions group enterprises home homes house
    plombier plomberie chauffage fournaise chauffe-eau eau fuite tuyau tuyaux toilette évier drain
    égout sous-sol cuisine salle bain maison électricien électricité compagnie entreprise soumission
    prix problème thermopompe climatiseur rendez-vous facture numéro téléphone courriel adresse
    """
)

# Everyday call talk that a heuristic might otherwise mistake for a first name.
CALL_WORDS: frozenset[str] = words(
    """
    calling call called calls need needs needed want wanted looking look trying try wondering
    hoping having getting got get going go gone come coming came see saw say said tell told know
    knew think thought make made take took give gave work working works worked broke broken break
    fix fixed fixing repaired install installed replace replaced running run stopped stop help
    helping wait waiting texting text email emails phone phones number numbers address
    urgent emergency fine good bad great okay available free busy new old cold hot freezing warm
    wet dry ready happy glad worried afraid frustrated concerned interested late early able unable
    right wrong back quite pretty super kind little bit lot lots sure certain gonna wanna gotta
    still just cool awesome perfect nope correct absolutely definitely probably maybe yes no
    about regarding concerning following calling texting writing reaching
    whenever anytime anywhere directly instead first last next asap soonest please thanks
    locked stuck confused scared tired married retired based located done finished covered insured
    booked scheduled flooded leaking dripping clogged plugged blocked overflowing
    whatever nah idk lol thx ty np k kk hmm mhm sup bye goodbye yo dear sir madam
    pardon quoi hein ben bah voilà ouais ouin oké
    click visit dial reply claim cliquez visitez composez rappelez écrivez textez contactez envoyez
    répondez réclamez profitez téléchargez venez allez appelez
    congratulations congrats félicitations bravo welcome bienvenue attention notice reminder rappel
    alert alerte promo offer offre winner gagnant gagnante
    besoin appelle appeler appelé appelais appel fait faire peux peut pouvez veux veut voulez
    correct parfait d'accord urgente urgence sûr sure vraiment juste aussi encore déjà peut-être
    rien tout toute tous quelqu'un personne bon bonne froid chaud brisé brisée cassé
    """
)

# Numbers spelled out, temperatures and the weather: "it's minus thirty out", "c'est moins trente",
# "it's freezing", "il fait frette". Never a name, whatever follows.
NUMBER_WORDS: frozenset[str] = words(
    """
    zero two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred thousand million half quarter dozen couple several minus plus negative below above
    degree degrees celsius fahrenheit percent
    zéro deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize
    vingt trente quarante cinquante soixante cent cents mille demi demie quart moins degré degrés
    pourcent
    """
)
WEATHER_WORDS: frozenset[str] = words(
    """
    weather temperature temp outside cold colder coldest freezing frozen frigid chilly icy ice snow
    snowing snowy snowed raining rainy rain windy wind storm stormy blizzard sleet hail humid
    muggy boiling sweltering heatwave
    météo température dehors froid frette gelé gelée gèle glacial neige neiger pluie pleut vent
    venteux tempête verglas canicule humide
    """
)

# Words that follow "it's" / "c'est" / "I'm" far more often than a name does: questions, answers,
# judgements and states ("c'est combien", "c'est correct", "it's how much", "I'm outside").
ANSWER_WORDS: frozenset[str] = words(
    """
    how what whatever why where when who which much many possible impossible important serious
    critical terrible awful horrible weird strange odd normal expensive cheap pricey affordable
    kinda sorta totally completely fairly rather too enough simple easy hard difficult
    complicated obvious true false fine incorrect alright all-right ok okay gone dead off on down
    up low high full empty loud noisy quiet slow fast quick stuck leaky damaged soaked soaking
    outside inside upstairs downstairs downtown nearby close far away home out
    combien comment quoi quel quelle quels quelles lequel laquelle lesquels pourquoi où ça ca
    cela ceci celui celle ceux celles moi toi lui eux elle elles possible correct correcte grave
    important importante normal normale pressant pressante pressé pressée dispendieux dispendieuse
    cher chère gratuit gratuite compliqué compliquée simple facile difficile vrai faux fini finie
    prêt prête clair claire ouvert ouverte fermé fermée disponible assez trop peu beaucoup
    tellement vraiment toujours souvent encore même autre chaque plusieurs alors puis ensuite
    mouillé mouillée bloqué bloquée coincé coincée brisé brisée cassé cassée bouché bouchée
    dommage bizarre étrange ben bon
    """
)

# Given names that are also everyday words, some of them in the lists above ("will", "may", the
# French filler "ben"). The name extractor takes one only by its shape: capitalised and followed by
# a capitalised surname ("Ben Carter", "Will Grant"), both in lower case ("ben yoshida"), alone and
# capitalised at the end of a clause ("this is Will."), or anyhow straight after "my name is".
GIVEN_NAME_WORDS: frozenset[str] = words(
    """
    ben will bill mark grant rose hope faith dawn sandy pat guy art bob don jean sue lee jack joy
    grace frank may june april august ray rich rob robin drew gene max miles penny holly iris ivy
    lily chase carol cliff dale dean earl gil hank harry jay kit lance luke mike nick norm pete
    rick rod roy russ sam stan sunny summer autumn winter sky river storm rusty buddy duke king
    prince angel honey candy ginger heather jade ruby amber crystal pearl daisy violet olive clay
    colt hunter mason carter cooper parker taylor tucker sage scout reed wren ty
    marie claude rené andré réal france line lise gaby dominique camille blanche claire aurore
    """
)
# Surnames that are also everyday words: kept after a capitalised first name ("Tom Price", "Mary
# Little", "John Day") instead of ending the name or marking a business.
SURNAME_WORDS: frozenset[str] = words(
    """
    day little early long young house price hall bell love black white brown green gray grey bird
    bush cook baker best hill wood stone field marsh lake page good goode wells waters snow frost
    rich king may will march
    """
)
NAME_WORDS: frozenset[str] = GIVEN_NAME_WORDS | SURNAME_WORDS

# Everything that is not a name, for the name extractor.
COMMON_WORDS: frozenset[str] = (
    FUNCTION_WORDS
    | TIME_WORDS
    | TRADE_WORDS
    | CALL_WORDS
    | NUMBER_WORDS
    | WEATHER_WORDS
    | ANSWER_WORDS
)

_APOSTROPHES = re.compile(r"[’‘`´]")


def fold(word: str) -> str:
    """Lower-case with typographic apostrophes unified (speech-to-text and phones emit ’)."""
    return _APOSTROPHES.sub("'", word).lower()


def strip_accents(text: str) -> str:
    """'Arrêt' → 'Arret': texters often drop accents, so keyword tables compare accent-free."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# A caller correcting what they just said: the value after it replaces any earlier one. Bare
# "sorry"/"actually" are too common ("sorry to bother you", "actually I need a plumber") to count;
# they must be followed by a restatement.
CORRECTION: re.Pattern[str] = re.compile(
    r"\b(?:"
    r"actually,?\s+(?:it'?s|it\s+is|that'?s|make\s+(?:it|that)|(?:my|the)\s+\w+\s+is|use|call|\d)"
    r"|sorry,?\s+(?:i\s+mean|i\s+meant|it'?s|it\s+is|that'?s|make\s+(?:it|that)|wrong|no\b)"
    r"|i\s+meant?\b|correction|scratch\s+that|no\s+wait|wait,?\s+no|let\s+me\s+correct"
    r"|no,\s+(?:it'?s|it\s+is|my|that'?s)|no,?\s+actually|actually,?\s+(?:make\s+it|let'?s\s+(?:say|do))"
    r"|plutôt|je\s+veux\s+dire|je\s+voulais\s+dire|en\s+fait,?\s+c'est|non,?\s+c'est"
    r"|pardon,?\s+c'est|désolée?,?\s+c'est"
    # "wait", "hold on", "oops", "attendez" and the like, before a restatement.
    r"|(?:wait|hold\s+on|hang\s+on|oops|whoops|oups|my\s+bad|sorry),?\s+(?:no\b|it'?s|it\s+is|that'?s"
    r"|make\s+(?:it|that)|i\s+mean|actually|the\s+right\s+one|\d)"
    r"|(?:oops|whoops|oups|my\s+bad)\b|let\s+me\s+(?:correct|rephrase|start\s+over)"
    r"|non,?\s+(?:attend(?:ez|s)?|pardon|désolée?|en\s+fait|plutôt)|attend(?:ez|s)?,?\s+(?:non|c'est"
    r"|plutôt|je\s+(?:me\s+)?(?:trompe|veux|voulais)|\d)|je\s+me\s+(?:suis\s+)?tromp(?:e|é|ée)\b"
    r"|erreur,|(?:pardon|désolée?|excusez(?:-moi)?),?\s+(?:non|je\s+veux\s+dire|plutôt|\d)"
    r")",
    re.IGNORECASE,
)
