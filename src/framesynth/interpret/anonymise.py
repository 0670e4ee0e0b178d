"""Anonymising quotes: names the project knows become bracketed role placeholders.

What is replaced:

- people (participants): full name, first name, surname, initial + surname
  (``M. Okafor``, ``M Okafor``), first name + initial (``Maureen O.``) and aliases
  become their role, e.g. ``[project lead]``;
- organisations: name and aliases become ``[statutory partner]``, ``[community
  partner]`` ... or ``[funder]``;
- places from the cases table become their kind: ``[town]``, ``[estate]``, ``[venue]``;
- e-mail addresses, UK phone numbers and postcodes become ``[email]``, ``[phone]``,
  ``[postcode]``.

Matching ignores case and line breaks (any whitespace may separate the words of a name)
and leaves a possessive in place (``Maureen's`` -> ``[project lead]'s``). A one-word name
that the transcripts also use as an ordinary lower-case word (``price``, ``dawn``) is
replaced only where it is capitalised, so "the price of bread" keeps its meaning.
Numbers are never replaced: a form with no letters (the ``11`` of "Participant 11") is
not a name, so counts such as "11 interviews" stay as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.store.models import Organisation, Participant, Place, Source

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?!\d)")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")


def _norm(text: str) -> str:
    return " ".join(text.replace(".", " ").replace("’", "'").split()).casefold()


@dataclass
class Anonymiser:
    """Replaces known names in text; build one with :meth:`from_project`."""

    names: dict[str, str]  # normalised name -> placeholder
    forms: list[tuple[str, bool]]  # (name as written, match ignoring case?)

    @classmethod
    def from_project(cls, session: Session) -> Anonymiser:
        entries: list[tuple[str, str]] = []
        shorter: list[tuple[str, str]] = []  # weaker forms: added last, never override
        corpus = " ".join(session.scalars(select(Source.text)))
        lower_words = set(re.findall(r"\b[a-z][a-z'-]+\b", corpus))
        for org in session.scalars(select(Organisation)):
            label = "[funder]" if org.sector == "funder" else f"[{org.sector} partner]"
            names = [org.name, *org.aliases]
            entries += [(name, label) for name in names]
            shorter += [(short, label) for short in short_forms(names, lower_words)]
        for place in session.scalars(select(Place)):
            label = f"[{place.kind or 'place'}]"
            entries.append((place.name, label))
            shorter += [(short, label) for short in short_forms([place.name], lower_words)]
        for person in session.scalars(select(Participant)):
            label = f"[{person.role or 'participant'}]"
            entries += [(form, label) for form in person_forms(person.name, person.aliases)]
        return cls.from_entries(entries + shorter)

    @classmethod
    def from_entries(cls, entries: list[tuple[str, str]]) -> Anonymiser:
        names: dict[str, str] = {}
        forms: list[tuple[str, bool]] = []
        for written, label in entries:
            key = _norm(written)
            if len(key) < 2 or key in names or not any(ch.isalpha() for ch in key):
                continue  # a form without letters ("11" of "Participant 11") is a number
            names[key] = label
            forms.append((written, _formal(written)))
        return cls(names, forms)

    def _pattern(self) -> re.Pattern[str]:
        parts = []
        for written, any_case in sorted(self.forms, key=lambda f: len(f[0]), reverse=True):
            variants = [written] if any_case else list(dict.fromkeys(
                [written, written[:1].upper() + written[1:], written.upper()]))
            for variant in variants:
                words = [re.escape(w) for w in variant.replace(".", " ").split()]
                body = r"\.?\s+".join(words) + (r"\." if len(words[-1]) == 1 else "")
                parts.append(f"(?i:{body})" if any_case else body)
        return re.compile(r"(?<![\w\[])(?:" + "|".join(parts) + r")(?![\w\]])")

    def __call__(self, text: str) -> str:
        text = EMAIL.sub("[email]", text)
        text = PHONE.sub("[phone]", text)
        text = POSTCODE.sub("[postcode]", text)
        if not self.forms:
            return text
        pattern = getattr(self, "_compiled", None)
        if pattern is None:
            pattern = self._pattern()
            self._compiled = pattern
        return pattern.sub(lambda m: self.names.get(_norm(m.group(0)), "[name]"), text)

    def leaks(self, text: str) -> list[str]:
        """Known names (as written in the cases data) still found in ``text``."""
        return [written for written, _ in self.forms
                if Anonymiser.from_entries([(written, "[x]")])(text) != text]


def short_forms(names: list[str], ordinary_words: set[str]) -> list[str]:
    """Shorter ways people say a name: "Quayside" for "Quayside Centre", "Hub" for "the
    Hub". Only distinctive words count: four letters or more, and never used in the
    transcripts as an ordinary lower-case word (so "Trust" in "the Trust" is not one)."""
    found = []
    for name in names:
        words = name.split()
        if len(words) >= 2 and words[0].casefold() == "the":
            found.append(" ".join(words[1:]))
        elif len(words) >= 2:
            found.append(words[0])
    return [word for word in found
            if len(word) >= 4 and " " not in word and word[:1].isupper()
            and word.casefold() not in ordinary_words]


def _formal(name: str) -> bool:
    """Match ignoring case? Yes for names of two or more capitalised words ("Maureen
    Okafor", "Pellwick Family Hub"); one word ("Dawn") or an alias that starts in lower
    case ("the Trust") must keep its capitals, so that ordinary words are left alone."""
    words = name.split()
    return len(words) >= 2 and words[0][:1].isupper()


def person_forms(full_name: str, aliases: Iterable[str] = ()) -> list[str]:
    """The ways a person's name may be written: full, first, last, initial + last,
    first + initial, parts of a double-barrelled surname, aliases."""
    words = full_name.split()
    forms = [full_name, *(a for a in aliases if a.strip())]
    if len(words) >= 2:
        first, last = words[0], words[-1]
        forms += [f"{first[0]}. {last}", f"{first} {last[0]}.", first, last]
        if "-" in last:
            forms += [part for part in last.split("-") if len(part) > 2]
    return list(dict.fromkeys(forms))
