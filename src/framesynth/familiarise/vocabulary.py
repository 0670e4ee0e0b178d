"""Project vocabularies: the terms a study uses for sectors, partnership depth, levels ...

Nothing about a particular study is built into the schema. A *vocabulary* is a named list
of terms (``sector``: community, voluntary ...), each with a label for display and other
spellings (aliases) that mean it. An *ordered* vocabulary is a scale (depth: on paper <
shallow < working < deep, or 1-5); a *closed* one accepts only its terms, while an open
one (the default for a new vocabulary) takes a new term the first time it is used.

Templates seed a new project with vocabularies: ``partnership-evaluation`` holds the
lists framesynth's first studies used; ``blank`` holds none, and the cases table then
builds open vocabularies as it goes. This module is the one place that turns a value a
user wrote into a stored term (:func:`resolve_term`) and a term into words
(:func:`term_label`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.errors import InvalidArgument
from framesynth.store.models import Setting, Vocabulary, VocabularyTerm


@dataclass(frozen=True)
class TermSpec:
    term: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class VocabularySpec:
    name: str
    label: str
    ordered: bool = False
    closed: bool = False
    terms: tuple[TermSpec, ...] = field(default_factory=tuple)


PARTNERSHIP_EVALUATION = (
    VocabularySpec("sector", "Sector", closed=False, terms=(
        TermSpec("community", "Community"), TermSpec("voluntary", "Voluntary"),
        TermSpec("statutory", "Statutory"), TermSpec("funder", "Funder"))),
    VocabularySpec("formality", "Formality", closed=True, terms=(
        TermSpec("formal", "Formal"), TermSpec("informal", "Informal"))),
    VocabularySpec("depth", "Depth", ordered=True, closed=True, terms=(
        TermSpec("on_paper", "On paper", ("on paper", "paper", "partners on paper",
                                          "in name only")),
        TermSpec("shallow", "Shallow"), TermSpec("working", "Working"), TermSpec("deep", "Deep"))),
    VocabularySpec("level", "Level", ordered=True, closed=True, terms=(
        TermSpec("delivery", "Delivery", ("operational", "front line", "frontline")),
        TermSpec("management", "Management"),
        TermSpec("strategic", "Strategic", ("board", "board/strategic", "strategic/board")))),
)
TEMPLATES: dict[str, tuple[VocabularySpec, ...]] = {
    "partnership-evaluation": PARTNERSHIP_EVALUATION,
    "blank": (),
}
DEFAULT_TEMPLATE = "partnership-evaluation"


def fold(value: str) -> str:
    """The form terms and aliases are compared in: case-folded, ``_``/``-`` as spaces."""
    return " ".join(value.replace("_", " ").replace("-", " ").casefold().split())


def apply_template(session: Session, template: str) -> None:
    """Seed the project with a template's vocabularies and record the template's name."""
    if template not in TEMPLATES:
        raise InvalidArgument(f"unknown template {template!r}; use one of {', '.join(TEMPLATES)}")
    for spec in TEMPLATES[template]:
        if session.get(Vocabulary, spec.name) is None:
            define_vocabulary(session, spec.name, [t.term for t in spec.terms], label=spec.label,
                              ordered=spec.ordered, closed=spec.closed,
                              labels={t.term: t.label for t in spec.terms},
                              aliases={t.term: list(t.aliases) for t in spec.terms})
    set_setting(session, "template", template)


def define_vocabulary(session: Session, name: str, terms: Sequence[str], *,
                      label: str | None = None, ordered: bool = False, closed: bool = True,
                      labels: dict[str, str] | None = None,
                      aliases: dict[str, list[str]] | None = None) -> Vocabulary:
    """Create or replace vocabulary ``name`` with ``terms`` in this order.

    Terms are stored as given; ``labels`` default to the term with a capital letter.
    """
    if not terms and closed:
        raise InvalidArgument(f"a closed vocabulary {name!r} needs at least one term")
    vocabulary = session.get(Vocabulary, name) or Vocabulary(name=name)
    vocabulary.label = label or vocabulary.label or name.replace("_", " ").capitalize()
    vocabulary.ordered, vocabulary.closed = ordered, closed
    old = {term.term: term for term in vocabulary.terms}
    vocabulary.terms = []
    session.add(vocabulary)
    session.flush()
    for position, term in enumerate(dict.fromkeys(terms)):
        row = old.get(term) or VocabularyTerm(term=term, label="", aliases=[])
        row.position = position
        row.label = (labels or {}).get(term) or row.label or _default_label(term)
        row.aliases = list((aliases or {}).get(term, row.aliases))
        vocabulary.terms.append(row)
    session.flush()
    return vocabulary


def get_vocabulary(session: Session, name: str) -> Vocabulary | None:
    return session.get(Vocabulary, name)


def list_vocabularies(session: Session) -> list[Vocabulary]:
    return list(session.scalars(select(Vocabulary).order_by(Vocabulary.name)))


def terms(session: Session, name: str) -> list[str]:
    """The terms of vocabulary ``name`` in order; [] when the project has no such list."""
    vocabulary = session.get(Vocabulary, name)
    return [term.term for term in vocabulary.terms] if vocabulary else []


def term_label(session: Session, name: str, term: str) -> str:
    """How ``term`` of vocabulary ``name`` is written for readers."""
    vocabulary = session.get(Vocabulary, name)
    for row in vocabulary.terms if vocabulary else []:
        if row.term == term:
            return row.label
    return _default_label(term)


def term_position(session: Session, name: str, term: str) -> int | None:
    """The rank of ``term`` on an ordered vocabulary's scale (0 first); None if unknown."""
    listed = terms(session, name)
    return listed.index(term) if term in listed else None


def resolve_term(session: Session, name: str, value: str, *, add: bool = True) -> str | None:
    """The stored term a user's ``value`` means in vocabulary ``name``, or None.

    Matches a term or an alias, compared :func:`fold`-ed. An open (or missing) vocabulary
    takes an unknown value as a new term when ``add`` is true.
    """
    wanted = fold(value)
    if not wanted:
        return None
    vocabulary = session.get(Vocabulary, name)
    for row in vocabulary.terms if vocabulary else []:
        if wanted in {fold(row.term), fold(row.label), *(fold(a) for a in row.aliases)}:
            return row.term
    if vocabulary is not None and vocabulary.closed:
        return None
    if not add:
        return None
    term = wanted
    if vocabulary is None:
        vocabulary = Vocabulary(name=name, label=_default_label(name), ordered=False, closed=False)
        session.add(vocabulary)
        session.flush()
    vocabulary.terms.append(VocabularyTerm(term=term, label=_default_label(value.strip()),
                                           position=len(vocabulary.terms), aliases=[]))
    session.flush()
    return term


def describe_terms(session: Session, name: str) -> str:
    """``a, b, c`` for error messages: the labels of the terms a closed vocabulary accepts."""
    vocabulary = session.get(Vocabulary, name)
    return ", ".join(row.label.casefold() for row in vocabulary.terms) if vocabulary else ""


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return default if row is None else row.value


def set_setting(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key) or Setting(key=key)
    row.value = value
    session.add(row)
    session.flush()


def _default_label(term: str) -> str:
    text = " ".join(term.replace("_", " ").split())
    return text[:1].upper() + text[1:]
