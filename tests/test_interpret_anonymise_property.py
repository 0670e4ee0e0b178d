"""Property: a generated name, written any way people write names, inserted into a
sentence of ordinary words, never survives anonymisation, and the rest of the sentence is
unchanged."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from framesynth.interpret.anonymise import Anonymiser, Entity

ONSETS = ["Zv", "Kr", "Br", "Ql", "Vr", "Zh", "Dw", "Gw", "Kh", "Tr"]
VOWELS = ["a", "e", "i", "o", "u", "á", "é", "ö", "y"]
CODAS = ["rz", "qv", "xk", "zt", "vh", "ckz"]  # no English word ends like these
WORDS = ["the", "bread", "went", "up", "and", "we", "said", "it", "was", "good", "for", "all",
         "of", "them", "today", "again", "every", "week", "people", "came", "to", "with"]
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Cllr", "Rev", "Sister",
          "Father"]
PLACEHOLDER = "[person]"


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‐", "-"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


name_word = st.builds(lambda o, v, c: o + v + c, st.sampled_from(ONSETS),
                      st.sampled_from(VOWELS), st.sampled_from(CODAS))


@st.composite
def names(draw: st.DrawFn) -> tuple[str, str, str]:
    """(first, surname, full name in the cases table): plain, O'-, hyphenated or initials."""
    first = draw(name_word)
    shape = draw(st.sampled_from(["plain", "o", "hyphen", "initials"]))
    surname = draw(name_word)
    if shape == "o":
        surname = "O'" + surname
    elif shape == "hyphen":
        surname = f"{surname}-{draw(name_word)}"
    elif shape == "initials":
        first = f"{draw(st.sampled_from('ABCDJKMT'))}.{draw(st.sampled_from('ABCDJKMT'))}."
    return first, surname, f"{first} {surname}"


def mentions(first: str, surname: str) -> list[str]:
    """Every way the person may be written in a transcript."""
    found = [f"{first} {surname}", surname, f"{first}\n{surname}", f"{first} {surname}".upper(),
             fold(f"{first} {surname}"), surname.replace("'", "’").replace("-", "‐"),
             f"{first[0]}. {surname}", f"{first[0]} {surname}", f"{first} {surname[0]}."]
    found += [f"{title}{dot} {surname}" for title in TITLES for dot in ("", ".")]
    if "-" in surname:
        found += surname.split("-")
    if first.endswith("."):  # initials: A.J., A. J., AJ
        found += [first, f"{first[0]}. {first[2]}.", f"{first[0]}{first[2]}"]
    else:
        found += [first, first.lower(), fold(first)]
    return found


@settings(max_examples=200, deadline=None)
@given(name=names(), data=st.data(),
       words=st.lists(st.sampled_from(WORDS), min_size=2, max_size=10))
def test_anonymise_property_no_generated_name_survives(name, data, words):
    first, surname, full = name
    mention = data.draw(st.sampled_from(mentions(first, surname)), label="mention")
    possessive = "" if mention.endswith(".") else data.draw(
        st.sampled_from(["", "'s", "’s", "'"]), label="possessive")
    at = data.draw(st.integers(0, len(words) - 1), label="at")
    before, after = " ".join(words[:at]), " ".join(words[at:])
    sentence = f"{before} {mention}{possessive} {after}".strip()
    expected = f"{before} {PLACEHOLDER}{possessive} {after}".strip()

    output = Anonymiser.from_entities([Entity("person", PLACEHOLDER, full)])(sentence)

    assert output == expected
    for part in (first, *surname.replace("'", "-").split("-")):
        assert len(part) < 3 or fold(part) not in fold(output)
