"""E-mail addresses, typed or spoken, validated and lower-cased."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tradeline.conversation.extract.email import extract_email


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Typed.
        ("my email is Jordan.Lee@Example.com.", "jordan.lee@example.com"),
        ("jordan.lee@example.com", "jordan.lee@example.com"),
        ("JORDAN@EXAMPLE.CA", "jordan@example.ca"),
        ("email: (jordan@example.com)", "jordan@example.com"),
        ("it's sam+plumbing@example.org, thanks", "sam+plumbing@example.org"),
        ("O'Brien@Example.ca", "o'brien@example.ca"),
        ("write to pat_o-neil99@mail.example.co.uk!", "pat_o-neil99@mail.example.co.uk"),
        ("jo@exämple.ca", "jo@exämple.ca"),
        ("mon courriel: marie.roy@videotron.ca", "marie.roy@videotron.ca"),
        # Spoken.
        ("jordan dot lee at example dot com", "jordan.lee@example.com"),
        ("my email is Jordan dot Lee at Gmail dot com", "jordan.lee@gmail.com"),
        ("it's jordan underscore lee at shaw dot ca", "jordan_lee@shaw.ca"),
        ("jordan dash lee at example dot net", "jordan-lee@example.net"),
        ("jordan hyphen lee at example dot net", "jordan-lee@example.net"),
        ("jordan at sign example dot org", "jordan@example.org"),
        ("j o r d a n at gmail dot com", "jordan@gmail.com"),
        ("email me at jordan dot lee at example dot com", "jordan.lee@example.com"),
        ("jordan.lee at example.com", "jordan.lee@example.com"),
        ("jordan@gmail dot com please", "jordan@gmail.com"),
        ("bob at my dash site dot com", "bob@my-site.com"),
        ("jordan point lee arobase exemple point com", "jordan.lee@exemple.com"),
        ("marie tiret bas roy arobase videotron point ca", "marie_roy@videotron.ca"),
        ("marie barre de soulignement roy arobase videotron point ca", "marie_roy@videotron.ca"),
        ("jean trait d'union paul arobase exemple point qc point ca", "jean-paul@exemple.qc.ca"),
        # Spoken numbers in the local part, FR connectors.
        ("Email's r dot singh underscore forty one at hotmail dot com.", "r.singh_41@hotmail.com"),
        ("it's tam dash nineteen ninety at telus dot net", "tam-1990@telus.net"),
        ("k dot wu seventy seven at gmail dot com", "k.wu77@gmail.com"),
        ("luc point roy quatre-vingt-deux arobase videotron point ca", "luc.roy82@videotron.ca"),
        ("anne souligné roy arobase bell point ca", "anne_roy@bell.ca"),
        ("paul tiret roy arobase bell point ca", "paul-roy@bell.ca"),
        ("I have twenty two doors at home", None),
        # Corrections: the last one wins; otherwise the first.
        ("a@example.com, sorry, I meant b@example.com", "b@example.com"),
        ("a@example.com or b@example.com", "a@example.com"),
        # Not (valid) addresses.
        ("I'm at home", None),
        ("meet me at the park", None),
        ("email me at example.com", None),
        ("a@b", None),
        ("x@localhost", None),
        ("bad..dots@example.com", None),
        ("test@example.test", None),  # special-use domain
        ("my email is jordan at gmail", None),  # no domain ending: ask again
        ("no email, sorry", None),
        ("", None),
    ],
)
def test_extract_email(text: str, expected: str | None) -> None:
    assert extract_email(text) == expected


# Words that are connectors or ordinary "at" talk in the spoken form; a real local part or domain
# label equal to one of them is ambiguous when dictated, so the generator avoids them.
_RESERVED = {
    "at", "dot", "point", "dash", "hyphen", "tiret", "underscore", "arobase", "arrobase", "arobas",
    "sign", "symbol", "under", "score", "bas", "trait", "barre", "de", "soulignement", "du",
    "souligné", "a", "commercial", "me", "us", "him", "her", "them", "it", "you", "i", "we", "is",
    "was", "are", "email", "mail", "courriel", "here", "there", "home", "work", "address",
    "reach", "contact", "someone", "anyone", "everyone",
}  # fmt: skip
_LABEL = st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True).filter(lambda w: w not in _RESERVED)
_SEPARATORS = {
    ".": ["dot", "point"],
    "_": ["underscore", "tiret bas", "barre de soulignement"],
    "-": ["dash", "hyphen", "tiret"],
}
_AT = ["at", "at sign", "arobase"]
_TLDS = ["com", "ca", "net", "org", "io", "co"]


@st.composite
def spoken_emails(draw: st.DrawFn) -> tuple[str, str]:
    """(address, the address as a caller dictates it)."""
    labels = draw(st.lists(_LABEL, min_size=1, max_size=3))
    seps = draw(st.lists(st.sampled_from(list(_SEPARATORS)), min_size=2, max_size=2))
    local = labels[0] + "".join(sep + label for sep, label in zip(seps, labels[1:], strict=False))
    host = draw(st.lists(_LABEL, min_size=1, max_size=2))
    hyphen = draw(st.booleans()) and len(host) == 2
    domain = ("-" if hyphen else ".").join(host) + "." + draw(st.sampled_from(_TLDS))
    address = f"{local}@{domain}"
    assume(len(local) <= 64)

    spoken: list[str] = []
    for char_group in _split_keep(address):
        if char_group == "@":
            spoken.append(draw(st.sampled_from(_AT)))
        elif char_group in _SEPARATORS:
            spoken.append(draw(st.sampled_from(_SEPARATORS[char_group])))
        else:
            spoken.append(char_group)
    return address, " ".join(spoken)


def _split_keep(address: str) -> list[str]:
    out: list[str] = []
    word = ""
    for char in address:
        if char in "@._-":
            out += [word, char]
            word = ""
        else:
            word += char
    return [*out, word]


@given(spoken_emails(), st.sampled_from(["my email is {}", "{}", "it's {} thanks", "c'est {}"]))
def test_spoken_email_round_trips(email: tuple[str, str], frame: str) -> None:
    address, spoken = email
    assert extract_email(frame.format(spoken)) == address


@given(spoken_emails())
def test_typed_email_in_any_case_is_lower_cased(email: tuple[str, str]) -> None:
    address, _ = email
    assert extract_email(f"Email: {address.upper()}.") == address
