"""The caller's name, from a cue ("my name is…", "je m'appelle…") or a bare answer to "your name?".

No name model is available offline that handles lower-case texts and bare answers well (see the
offline-stack notes on spaCy), so this is a lexicon-and-shape heuristic. It is built to miss rather
than invent: a wrong name read back to a caller is worse than asking again. A candidate word must not
be a common English/French word (`lexicon.COMMON_WORDS`) unless it is a given name that is also a word
("Will", "Ben", "May": `lexicon.GIVEN_NAME_WORDS`) and has a name's shape there. After the weaker
cues ("it's", "this is", "I'm", "c'est") a lower-case word must also not look like an inflected word
(-ing, -tion…) and must end its clause ("c'est combien pour…" is a question, not a name), and not be a participle
("it's closed"). Nothing is read inside a civic address ("4471 w 12th ave, kerrisdale side"), but
a capitalised full name just before one is a name ("Tom Nguyen 3390 Garden City Rd").

Several candidates: a strong cue ("my name is") beats a weak one ("it's minus thirty out, my name is
Olga"), a fuller name beats one it contains ("Nwosu. Chidi Nwosu."), and after a correction the last
one wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tradeline.conversation.extract.lexicon import (
    CALL_WORDS,
    COMMON_WORDS,
    CORRECTION,
    FUNCTION_WORDS,
    GIVEN_NAME_WORDS,
    NAME_WORDS,
    TIME_WORDS,
    TRADE_WORDS,
    fold,
)
from tradeline.conversation.extract.lexicon import words as word_set
from tradeline.conversation.extract.normalize import spoken_email_to_text

__all__ = ["NameResult", "correct_name", "extract_name"]

_MAX_WORDS = 4  # name words, particles ("van der", "de la") not counted


@dataclass(frozen=True, slots=True)
class NameResult:
    full: str  # "First Last" as the caller gave it, title-cased when they typed it all in one case
    corrected: bool  # the caller corrected themselves: replace any name taken earlier


@dataclass(frozen=True, slots=True)
class _Tok:
    text: str
    low: str
    is_word: bool


def _cues(*phrases: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(phrase.split()) for phrase in phrases)


# Cues that announce a name and little else: the word after them is taken unless it is common.
_STRONG = _cues(
    "my name is", "my name's", "my full name is", "my first name is", "first name is",
    "first name's", "last name is", "the name is", "name is", "name's", "the name's",
    "je m'appelle", "j'm'appelle", "mon nom est", "mon nom c'est", "mon nom , c'est",
    "mon prénom est", "mon prénom c'est", "je me nomme", "moi c'est", "moi , c'est",
)  # fmt: skip
# Cues that just as often introduce something else ("it's urgent", "I'm not sure", "c'est pour…").
_WEAK = _cues(
    "this is", "it's", "its", "it is", "i'm", "im", "i am", "call me", "you can call me",
    "appelez-moi", "c'est", "ici", "je suis",
    # A restatement: "This is Jon, I mean John", "Marc, je veux dire Marcel".
    "i mean", "i meant", "or rather", "je veux dire", "je voulais dire", "plutôt", "ou plutôt",
)  # fmt: skip
# "Dave here", "Marie Tremblay speaking" at the start of a turn.
_POSTFIX = frozenset({"here", "speaking", "ici"})
_TITLES = word_set(
    "dr doctor docteur mr mister mrs ms miss mx mme madame mlle mademoiselle monsieur m prof sir"
)
_PARTICLES = word_set(
    "van der den de del della di da du des la le von dos das do ter ten bin ibn al st ste"
)
# Openers a caller puts before their name in a bare answer: "yeah, it's Dave", "oui, Marie".
_FILLERS = word_set("""
    yes yeah yep yup sure ok okay um umm uh uhh er hi hello hey oh well so sorry no nope oui ouais
    allô allo bonjour bonsoir salut euh ben bien sûr non pardon
    """)
# What may come before "Dave here" in the same turn.
_GREETINGS = _FILLERS | word_set("""
    good morning afternoon evening day there everyone folks all bonne journée matin après-midi
    """)
# What may follow a bare name: the end of the clause or the next clause starting.
_FOLLOWERS = word_set("""
    and here speaking calling from with again please thanks thank et ici de du merci
    """)
# After a weak cue, a lower-case name ends its clause: the end, punctuation, or one of these.
_CLAUSE_FOLLOWERS = _FOLLOWERS | word_set("""
    but so i i'm my we we're our us the at je j'ai mon ma mes nous on notre mais pis puis alors
    donc
    """)
# Words that end a name run whatever their case ("Sarah Chen and…", "Mike from…", "Dave Tomorrow").
_RUN_STOP = FUNCTION_WORDS | TIME_WORDS | CALL_WORDS
_SEGMENT_BREAKS = frozenset({".", ",", ";", "!", "?", "…", ":"})
_SENTENCE_BREAKS = frozenset({".", "!", "?", "…"})
_DASHES = frozenset({"-", "–", "—"})
# Words the shared lexicon lacks that follow "it's" / "this is" as often as a name does, or that
# name a thing or a place rather than a person: states ("it's closed", "it's open now"), doors and
# locks ("the garage", "the deadbolt"), and the parts of an address ("kerrisdale side").
_NOT_NAMES = COMMON_WORDS | word_set("""
    closed open opened shut unlocked jammed busted bent snapped sorted solved resolved handled
    alright secure secured safe loose tight stiff sticking squeaky slammed stolen lost missing
    cracked smashed pried kicked over ready closing opening locking sticky stuck-open
    door doors garage lock locks lockout lockouts locksmith key keys deadbolt deadbolts keypad
    latch handle knob hinge hinges spring springs opener remote gate gates window windows porch
    deck yard driveway car truck vehicle cell mobile landline townhouse suite unit
    side area neighbourhood neighborhood district uptown corner block near across behind front
    rear upper lower btw fyi lol omg pls plz thx tho idk nvm tbh imo rn
    im ive ur ya dont cant wont didnt doesnt isnt thats whats theres youre
    typo typos autocorrect autocorrected auto-correct autocorrection spellcheck oops whoops lol
    haha problem anyway anyways
    fermée barré barrée débarré débarrée verrouillé verrouillée réglé réglée parti partie perdu
    perdue volé volée porte portes serrure serrures clé clés clef clefs fenêtre cellulaire coin
    """)
# After a weak cue, a lower-case word in -ed is a participle ("it's closed", "I'm locked"), unless
# it is one of the given names that end that way.
_ED_NAMES = word_set("""
    ahmed hamed majed sayed syed javed jawed saeed zayed rashed khaled waleed rasheed naveed fareed
    mohammed muhammed mohamed muhamed mehmed jared fred ted ned ed reed alfred wilfred manfred
    winifred mildred siegfried obed zed jed
    """)
# A name restated after a slip: "sorry autocorrect, its Cate", "Cate with a C", "typo, I'm Jon".
_RESTATED = re.compile(
    r"\b(?:auto-?\s?correct\w*|typo|misspel\w*|spell(?:ed|t|s|ing)\b|with\s+an?\s+[a-z]\b(?![’'])"
    r"|correcteur|faute\s+de\s+frappe|avec\s+un\s+[a-z]\b(?![’'])|(?:ça\s+)?s'écrit"
    r"|(?:sorry|oops|whoops|my\s+bad|désolée?|pardon)\b[^.!?]{0,40}?"
    r"\b(?:it'?s|it\s+is|my\s+name|name'?s|i'?m|this\s+is|c'est|je\s+m'appelle|mon\s+nom))",
    re.IGNORECASE,
)
# A civic address: a number, then within a few words a street type ("4471 w 12th ave",
# "3390 Garden City Rd", "123, rue Principale"). Words from there to the end of the sentence are
# the address ("…vancouver, kerrisdale side"), never a name.
_STREET_TYPES = word_set("""
    street st avenue ave av road rd boulevard blvd boul bd drive dr crescent cres way lane ln court
    ct crt place pl trail trl highway hwy parkway pkwy terrace terr circle cir
    rue chemin ch route rang montée montee côte cote croissant impasse allée allee promenade
    """)
# Street types that end a bare "name" as a street ("Marine Dr", "Garden City Rd"): not lane, court…
# which are also surnames.
_STREET_ENDS = word_set("""
    street st avenue ave av road rd boulevard blvd boul drive dr crescent cres highway hwy parkway
    pkwy rue chemin
    """)
_STREET_REACH = 6  # tokens after the civic number in which the street type must come
_SUFFIXES = ("ing", "tion", "sion", "ness", "ment", "able", "ible", "ful", "ous")
# English contractions ("that's", "don't", "we're") as opposed to O'Brien, D'Angelo.
_CONTRACTION = re.compile(r"(?:n't|'(?:s|re|ll|ve|d|m|t))$")
_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*|\d+|[^\w\s]")
_EMAIL_OR_URL = re.compile(r"\S+@\S+|\bwww\.\S+|\bhttps?://\S+")


def _tokenise(text: str) -> list[_Tok]:
    text = _EMAIL_OR_URL.sub(" @ ", spoken_email_to_text(text))
    return [_Tok(m.group(), fold(m.group()), m.group()[0].isalpha()) for m in _TOKEN.finditer(text)]


def _plausible(tok: _Tok, *, strict: bool) -> bool:
    """Could `tok` be (part of) a person's name?"""
    if not tok.is_word or tok.low in _NOT_NAMES or _CONTRACTION.search(tok.low):
        return False
    letters = tok.low.replace("-", "").replace("'", "")
    if len(letters) < 2:
        return False
    if not (strict and tok.text.islower()):
        return True
    # After a weak cue, a lower-case inflected word is an adjective or a verb ("I'm wondering",
    # "it's closed").
    if len(letters) >= 5 and tok.low.endswith(_SUFFIXES):
        return False
    compound = "-" in tok.low or "'" in tok.low  # "al-sayed", "o'reed": a name's shape
    return compound or not (
        len(letters) >= 5 and tok.low.endswith("ed") and tok.low not in _ED_NAMES
    )


def _civic_at(toks: list[_Tok], k: int) -> bool:
    """A civic number starts an address at k: digits, then a street type within a few words of the
    same clause ("3390 Garden City Rd", "4471 w 12th ave"); not a phone number or "2 kids"."""
    if k >= len(toks) or not toks[k].text.isdigit() or len(toks[k].text) > 6:
        return False
    if k > 0 and toks[k - 1].text in {"-", "(", ")"}:
        return False  # inside a phone number
    j = k + 1
    if j < len(toks) and toks[j].text == ",":
        j += 1  # "123, rue Principale"
    if j >= len(toks) or not (toks[j].is_word or toks[j].text.isdigit()):
        return False
    for tok in toks[j : j + _STREET_REACH]:
        if tok.text in _SEGMENT_BREAKS or tok.text in {"-", "@"}:
            return False
        if tok.is_word and tok.low.rstrip(".") in _STREET_TYPES:
            return True
    return False


def _address_zone(toks: list[_Tok]) -> set[int]:
    """Indices of the tokens from a civic number to the end of its sentence."""
    zone: set[int] = set()
    k = 0
    while k < len(toks):
        if _civic_at(toks, k):
            end = k
            while end < len(toks) and toks[end].text not in _SENTENCE_BREAKS:
                zone.add(end)
                end += 1
            k = end
        k += 1
    return zone


def _is_capitalised(tok: _Tok) -> bool:
    return tok.text[:1].isupper()


@dataclass(frozen=True, slots=True)
class _Read:
    words: list[str]
    end: int  # index after the name
    lower: bool  # the name was typed in lower case (weaker evidence after a weak cue)


def _surname_follows(toks: list[_Tok], k: int, *, strict: bool) -> bool:
    """A surname-shaped word, after any particles, right after toks[k], in the same case:
    "Ben Carter", "Will van Dyke", "ben yoshida"; not "Will you", "Mark my words", "ben Marie"."""
    j = k + 1
    while j < len(toks) and toks[j].low in _PARTICLES:
        j += 1
    if j >= len(toks) or not toks[j].is_word or _CONTRACTION.search(toks[j].low):
        return False
    nxt = toks[j]
    if _is_capitalised(toks[k]):
        return _is_capitalised(nxt) and (_plausible(nxt, strict=strict) or nxt.low in NAME_WORDS)
    return nxt.text.islower() and _plausible(nxt, strict=strict)


def _clause_ends(toks: list[_Tok], k: int, followers: frozenset[str] = _FOLLOWERS) -> bool:
    return k >= len(toks) or not toks[k].is_word or toks[k].low in followers


def _given_name_at(toks: list[_Tok], k: int, *, strict: bool, strong: bool) -> bool:
    """Whether a given name that is also a word ("Will", "Ben", "May") is a name at k."""
    tok = toks[k]
    if tok.low not in GIVEN_NAME_WORDS:
        return False
    if strong or _surname_follows(toks, k, strict=strict):
        return True  # "my name is Will", "this is Will Grant"
    # "this is Will.", "It's May, my furnace…": capitalised and alone in its clause.
    return _is_capitalised(tok) and _clause_ends(toks, k + 1) and not _number_follows(toks, k + 1)


def _ends_alone(toks: list[_Tok], k: int) -> bool:
    """A name ends at k: the end, a full stop (not an ellipsis "..."), or "and"/"here"/"from"…"""
    if k >= len(toks):
        return True
    if toks[k].text in {".", "!"}:
        return k + 1 >= len(toks) or toks[k + 1].text != "."
    return toks[k].is_word and toks[k].low in _FOLLOWERS


def _number_follows(toks: list[_Tok], k: int) -> bool:
    return k < len(toks) and toks[k].text.isdigit()


def _read_name(toks: list[_Tok], k: int, *, strict: bool, strong: bool = False) -> _Read | None:
    """The name starting at k, or None when no name starts there."""
    titled = False
    while k < len(toks) and (toks[k].low in _FILLERS or toks[k].low in {",", "…"}):
        if toks[k].low in GIVEN_NAME_WORDS and (
            _surname_follows(toks, k, strict=strict)
            or ((_is_capitalised(toks[k]) or strong) and _ends_alone(toks, k + 1))
        ):
            break  # "Ben Carter", "Ben.", "my name is ben": a name; "ben, c'est Marie" a filler
        k += 1  # "my name is, uh, Dave"
    while k < len(toks) and toks[k].low in _TITLES:
        k += 1
        titled = True
        if k < len(toks) and toks[k].text == ".":
            k += 1
    if k >= len(toks):
        return None
    first = toks[k]
    if not (
        _plausible(first, strict=strict)
        or _given_name_at(toks, k, strict=strict, strong=strong)
        or (titled and first.low in NAME_WORDS and _is_capitalised(first))  # "Mrs. Little"
    ):
        return None
    words = [first.text]
    core = 1
    k += 1
    while k < len(toks) and core < _MAX_WORDS:
        tok = toks[k]
        if tok.low in _PARTICLES:
            # "van der Berg", "de la Cruz": keep particles only when a name word follows them,
            # so "Julie de la compagnie" stops at "Julie".
            end = k
            while end < len(toks) and toks[end].low in _PARTICLES:
                end += 1
            if (
                end < len(toks)
                and _plausible(toks[end], strict=strict)
                and (_is_capitalised(toks[end]) or toks[end].text.islower())
            ):
                words += [t.text for t in toks[k : end + 1]]
                k = end + 1
                core += 1
                continue
            break
        if (
            tok.is_word
            and len(tok.low) == 1
            and _is_capitalised(tok)
            and k + 2 < len(toks)
            and toks[k + 1].text == "."
            and _plausible(toks[k + 2], strict=strict)
        ):
            words.append(tok.text + ".")  # a middle initial, "John J. Smith"
            k += 2
            continue
        # A capitalised surname that is also a word: "Tom Price", "Mary Little", "John Day".
        surname = (
            tok.is_word
            and tok.low in NAME_WORDS
            and _is_capitalised(tok)
            and _is_capitalised(toks[k - 1])
        )
        if not tok.is_word or (tok.low in _RUN_STOP and not surname):
            break
        if tok.low in TRADE_WORDS and not surname:
            return None  # "this is Bow River Plumbing": a business, not a person
        if not _plausible(tok, strict=strict) and not _is_capitalised(tok):
            break
        words.append(tok.text)
        core += 1
        k += 1
    if k < len(toks) and toks[k].low in TRADE_WORDS and _is_capitalised(toks[k]):
        return None  # "Dave House Plumbing": the run stopped at the name limit inside a business
    if k < len(toks) and (
        toks[k].text == "@"
        or (
            toks[k].text.isdigit()
            and not _civic_at(toks, k)
            and not (_full_cased(words) and _phone_at(toks, k))
        )
    ):
        return None  # "it's jordan@…", "Dave4035550199": not a name answer
    return _Read(words, k, first.text.islower())


def _full_cased(words: list[str]) -> bool:
    """ "Marcel Doucet": two or more name words, each capitalised."""
    return len(words) >= 2 and all(w[:1].isupper() for w in words)


def _phone_at(toks: list[_Tok], k: int) -> bool:
    """A phone number starts at k: "902-555-0187", "902 555 0187", "9025550187"."""
    if k >= len(toks) or not toks[k].text.isdigit():
        return False
    digits = ""
    j = k
    while j < len(toks) and (toks[j].text.isdigit() or toks[j].text in {"-", "."}):
        digits += toks[j].text if toks[j].text.isdigit() else ""
        j += 1
    return len(digits) >= 10 or (len(toks[k].text) == 3 and len(digits) >= 7)


def _title(word: str) -> str:
    parts = []
    for part in word.split("-"):
        if len(part) > 2 and part[1] in "'’":
            parts.append(part[0].upper() + part[1] + part[2].upper() + part[3:].lower())  # O'Brien
        else:
            parts.append(part[:1].upper() + part[1:].lower())
    return "-".join(parts)


def _cased(words: list[str]) -> str:
    """Title-case words typed all in one case ("dave wilson", "DAVE"); keep the caller's own mixed
    casing (McDonald, DeShawn) and lower-case particles after the first word ("van der Berg")."""
    one_case = all(w.islower() for w in words) or all(w.isupper() for w in words)
    out = []
    for i, word in enumerate(words):
        if i and fold(word) in _PARTICLES and (one_case or word.islower()):
            out.append(word.lower())
        elif word.islower() or (word.isupper() and len(word.rstrip(".")) > 1):
            out.append(_title(word))
        else:
            out.append(word)
    return " ".join(out)


def _index(
    strong: tuple[tuple[str, ...], ...], weak: tuple[tuple[str, ...], ...]
) -> dict[str, list[tuple[tuple[str, ...], bool]]]:
    """Cues by their first word, strong before weak and longest first, so that each token costs one
    dict lookup instead of a scan of every cue."""
    index: dict[str, list[tuple[tuple[str, ...], bool]]] = {}
    for cues, strict in ((strong, False), (weak, True)):
        for cue in sorted(cues, key=len, reverse=True):
            index.setdefault(cue[0], []).append((cue, strict))
    return index


_CUES = _index(_STRONG, _WEAK)


@dataclass(frozen=True, slots=True)
class _Candidate:
    words: list[str]
    strong: bool  # after "my name is" / "je m'appelle", not "it's" / "c'est" / a bare answer


def _bare(toks: list[_Tok], expecting_name: bool) -> tuple[list[_Candidate], list[_Candidate]]:
    """Names standing alone as a sentence or clause: "Dave Wilson.", "Nwosu. Chidi Nwosu.", "Dave
    here". Returns (answers, clauses): answers count on their own (with the question; opening the
    turn, or as a sentence of their own, with a "here"/"speaking" after them; or a capitalised full
    name just before a civic address, "Tom Nguyen 3390 Garden City Rd"); clauses only ever lengthen
    a name found otherwise ("I'm Chidi, Chidi Nwosu"). Nothing is read inside an address
    ("4471 w 12th ave vancouver, kerrisdale side")."""
    answers: list[_Candidate] = []
    clauses: list[_Candidate] = []
    zone = _address_zone(toks)
    starts = [0] + [
        i + 1
        for i, t in enumerate(toks)
        if t.text in _SEGMENT_BREAKS or (t.text in _DASHES and i and not toks[i - 1].text.isdigit())
    ]
    for start in starts:
        if start >= len(toks) or start in zone:
            continue
        read = _read_name(toks, start, strict=True)
        if read is None or fold(read.words[-1]).rstrip(".") in _STREET_ENDS:
            continue  # "Marine Dr": a street
        follower = toks[read.end].low if read.end < len(toks) else None
        if follower in _STREET_ENDS:
            continue
        candidate = _Candidate(read.words, strong=False)
        full_cased = len(read.words) >= 2 and all(
            _is_capitalised(_Tok(w, w, True)) for w in read.words
        )
        # "Dave here" opens the turn, after a greeting at most ("Good afternoon, Pieter van der Berg
        # here"), or is a sentence of its own ("…a smart deadbolt. Raj Patel here."): "…gagné!
        # Cliquez ici pour réclamer" is not someone introducing themselves.
        opens = all(t.low in _GREETINGS or not t.is_word for t in toks[:start])
        sentence = start == 0 or toks[start - 1].text in _SENTENCE_BREAKS
        postfix = follower in _POSTFIX and (
            opens or (sentence and full_cased and _ends_sentence(toks, read.end + 1))
        )
        at = read.end + 1 if follower == "," else read.end  # "Tom Nguyen, 3390 Garden City Rd"
        before_address = _civic_at(toks, at) and (full_cased or expecting_name)
        # "…not urgent. Marcel Doucet 902-555-0187": a full name, then the number to call.
        before_phone = full_cased and sentence and _phone_at(toks, at)
        if (
            postfix
            or before_address
            or before_phone
            or _signs_off(toks, start, read)
            or (expecting_name and _clause_ends(toks, read.end))
        ):
            answers.append(candidate)
        elif _clause_ends(toks, read.end):
            clauses.append(candidate)
    return answers, clauses


# What comes before a name signing a message off: "…Thanks! Priya Raman", "Cheers, Dan Roy".
_SIGN_OFFS = word_set("""
    thanks thank thx ty cheers regards best sincerely merci salutations cordialement
    """)


def _signs_off(toks: list[_Tok], start: int, read: _Read) -> bool:
    """A capitalised full name alone as the last sentence, after "thanks"/"cheers" or a dash:
    "…27 Anchor Dr, Dartmouth. Thanks! Priya Raman", "…when you can - Dan Roy"."""
    if not _full_cased(read.words) or any(t.is_word for t in toks[read.end :]):
        return False
    if start >= 1 and toks[start - 1].text in _DASHES:
        return True
    j = start - 1
    while j >= 0 and not toks[j].is_word:
        j -= 1
    return j >= 0 and toks[j].low in _SIGN_OFFS


def _ends_sentence(toks: list[_Tok], k: int) -> bool:
    return k >= len(toks) or toks[k].text in _SEGMENT_BREAKS


def _candidates(toks: list[_Tok]) -> list[_Candidate]:
    """Names after a cue, in order."""
    found: list[_Candidate] = []
    lows = [t.low for t in toks]
    i = 0
    while i < len(toks):
        advanced = False
        for cue, strict in _CUES.get(lows[i], ()):
            if tuple(lows[i : i + len(cue)]) == cue:
                read = _read_name(toks, i + len(cue), strict=strict, strong=not strict)
                if read is None:
                    continue
                if strict and read.lower and not _clause_ends(toks, read.end, _CLAUSE_FOLLOWERS):
                    continue  # "c'est combien pour…", "I'm outside waiting"
                found.append(_Candidate(read.words, strong=not strict))
                i, advanced = read.end, True
                break
        if not advanced:
            i += 1
    return found


def _fuller(chosen: _Candidate, others: list[_Candidate]) -> _Candidate:
    """The longest candidate that contains every word of `chosen` ("Chidi Nwosu" over "Nwosu")."""
    mine = {fold(w) for w in chosen.words}
    best = chosen
    for other in others:
        if len(other.words) > len(best.words) and mine <= {fold(w) for w in other.words}:
            best = other
    return best


def extract_name(text: str, *, expecting_name: bool, lang: str = "en") -> NameResult | None:
    """The caller's name in `text`, or None.

    Cues in English and French find names anywhere in the turn; a bare name ("Dave Wilson",
    "priya") is accepted only when the receptionist has just asked for it (`expecting_name`).
    Titles are dropped, particles, hyphens, apostrophes and accents kept, trailing clauses cut
    ("My name is Sarah Chen and I need…" → "Sarah Chen"). `lang` is accepted for symmetry with the
    other extractors: both languages' cues are always tried, as callers switch mid-call.
    """
    del lang  # both languages' cues are always on; see the docstring
    toks = _tokenise(text)
    cued = _candidates(toks)
    bare, clauses = _bare(toks, expecting_name)
    found = cued or bare
    if not found:
        return None
    folded = fold(text)
    corrected = CORRECTION.search(folded) is not None or _RESTATED.search(folded) is not None
    # After a correction the last name wins; otherwise the first strong one, else the first.
    chosen = found[-1] if corrected else next((c for c in found if c.strong), found[0])
    chosen = _fuller(chosen, found + bare + clauses)
    return NameResult(full=_cased(chosen.words), corrected=corrected)


# "Whitehead not Whitmore", "it's Whitehead, not Whitmore", "pas Whitmore, Whitehead",
# "Whitehead et non Whitmore": one word of the name put right.
_WORD = r"([^\W\d_][\w'’-]*)"
_SWAPS = (
    re.compile(r"(?:^|[\s,.;:!])" + _WORD + r"\s*,?\s+(?:not|and\s+not|pas|et\s+non|non\s+pas)\s+"
               + _WORD + r"\s*[.!]*\s*$", re.IGNORECASE),
    re.compile(r"(?:^|[\s,.;:!])(?:not|pas)\s+" + _WORD + r"\s*[,;:.]\s*(?:(?:it'?s|it\s+is|c'est|"
               r"but|mais)\s+)?" + _WORD + r"\s*[.!]*\s*$", re.IGNORECASE),
)  # fmt: skip


def correct_name(text: str, stored: str) -> str | None:
    """`stored` with one word replaced, when `text` corrects it: after "Dan Whitmore", "sorry
    autocorrect, Whitehead not Whitmore" gives "Dan Whitehead". None unless the wrong word is one
    of the stored name's and the right one could be a name."""
    parts = stored.split()
    for number, pattern in enumerate(_SWAPS):
        match = pattern.search(text.strip())
        if match is None:
            continue
        right, wrong = match.groups() if number == 0 else match.groups()[::-1]
        tok = _Tok(right, fold(right), True)
        if not _plausible(tok, strict=False) or fold(right) == fold(wrong):
            continue
        for i, part in enumerate(parts):
            if fold(part) == fold(wrong):
                fixed = right if not right.islower() else _title(right)
                return " ".join([*parts[:i], fixed, *parts[i + 1 :]])
    return None
