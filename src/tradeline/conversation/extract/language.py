"""English or French? A vote of distinctive function words, with accents as a tie-breaker.

Words that both languages use ("a", "on", "me", "plus", "service", "ok", numbers) vote for neither, so
short ambiguous turns keep the conversation's current language (`default`). A lone "oui", "non",
"merci" or "bonjour" is French. Accents count once, so a name like "José" in an English sentence does
not flip it, and a bare accented name ("Hélène") does not count as French at all.
"""

from __future__ import annotations

import re
from typing import Literal

from tradeline.conversation.extract.lexicon import fold
from tradeline.conversation.extract.lexicon import words as word_set

__all__ = ["detect_language"]

_FRENCH = word_set("""
    je j' j'ai j'aurais j'appelle c'est c'était ça ca est pas le la les un une des du de d' et ou
    mais pour avec dans sur chez mon ma mes votre vos notre nos bonjour bonsoir merci oui non allo
    allô salut demain aujourd'hui hier chauffage fournaise fuite eau plombier électricien besoin svp
    s'il vous plait plaît il elle nous vous ils elles sont suis avez avoir faire fait peut peux veux
    voudrais pouvez rendez-vous numéro courriel adresse matin soir après-midi semaine lundi mardi
    mercredi jeudi vendredi samedi dimanche très bien beaucoup aussi encore toujours rien quelqu'un
    maison sous-sol cuisine salle bain toilette douche chauffe-eau qui que quoi quand comment
    pourquoi combien quel quelle n'est n'ai n'y y a-t-il est-ce parce puis alors ouais d'accord
    bonne journée soumission prix heures ouvert fermé désolé désolée parfait correct exactement
    """)
_ENGLISH = word_set("""
    the an i i'm i've i'll is are was were be have has had my your you we they it it's this that
    these those with for from at in of to and or but not no yes yeah hi hello thanks thank please
    need want can could would will tomorrow today morning afternoon evening furnace water heater
    leak leaking plumber number name call calling broken working there what when where how why
    who which do does did don't can't won't just about some any get got come here sure okay
    hey yep nope open hours price quote appointment
    """)
_ACCENTS = re.compile(r"[àâçéèêëîïôûùüÿœæ]")
# A one- or two-word turn with accents is usually a name ("Hélène", "José García"), not French.
_MIN_WORDS_FOR_ACCENTS = 3
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")


def detect_language(text: str, default: str) -> Literal["en", "fr"]:
    """'fr' or 'en' for `text`; `default` (the conversation's language) when it cannot tell."""
    low = fold(text)
    words = _WORD.findall(low)
    french = sum(word in _FRENCH for word in words)
    english = sum(word in _ENGLISH for word in words)
    # Elisions ("j'ai", "qu'il", "l'eau") are French even when the word itself is not listed.
    french += sum(
        1 for word in words if re.match(r"^(?:[jlmntsd]|qu)'", word) and word not in _FRENCH
    )
    if len(words) >= _MIN_WORDS_FOR_ACCENTS and _ACCENTS.search(low):
        french += 1
    if french > english:
        return "fr"
    if english > french:
        return "en"
    return "fr" if default.lower().startswith("fr") else "en"
