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

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from framesynth.errors import InvalidArgument, NotFound
from framesynth.store.events import log_event
from framesynth.store.models import (
    CaseAttribute,
    Organisation,
    Partnership,
    PartnershipLevel,
    Setting,
    Source,
    SourceProfile,
    Vocabulary,
    VocabularyTerm,
)


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
# Where the terms of the built-in vocabularies are stored, besides attributes of that name.
STORED: dict[str, tuple[tuple[str, Any], ...]] = {
    "sector": (("organisations", Organisation.sector),),
    "formality": (("partnerships", Partnership.formality),),
    "depth": (("partnerships", Partnership.depth),),
    "level": (("partnership levels", PartnershipLevel.level),),
}


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

    Terms are stored as given; ``labels`` default to the term with a capital letter. A
    term left out is dropped (callers check it is unused: :func:`set_vocabulary`).
    """
    if not terms and closed:
        raise InvalidArgument(f"a closed vocabulary {name!r} needs at least one term")
    vocabulary = session.get(Vocabulary, name) or Vocabulary(name=name)
    vocabulary.label = label or vocabulary.label or _default_label(name)
    vocabulary.ordered, vocabulary.closed = ordered, closed
    old = {term.term: term for term in vocabulary.terms}
    rows = []
    for position, term in enumerate(dict.fromkeys(terms)):
        row = old.get(term) or VocabularyTerm(term=term, label="", aliases=[])
        row.position = position
        row.label = (labels or {}).get(term) or row.label or _default_label(term)
        row.aliases = list((aliases or {}).get(term, row.aliases))
        rows.append(row)
    vocabulary.terms = rows
    session.add(vocabulary)
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


def in_order(session: Session, name: str, values: Sequence[str]) -> list[str]:
    """``values`` sorted in vocabulary ``name``'s order (unknown values last, as given)."""
    listed = terms(session, name)
    rank = {term: position for position, term in enumerate(listed)}
    return sorted(dict.fromkeys(values), key=lambda v: rank.get(v, len(listed)))


def scale_fraction(session: Session, name: str, term: str) -> float | None:
    """Where ``term`` sits on ordered vocabulary ``name``: 0.0 (first) to 1.0 (last).

    None when the vocabulary is not ordered or does not hold ``term``.
    """
    vocabulary = session.get(Vocabulary, name)
    position = term_position(session, name, term)
    if vocabulary is None or not vocabulary.ordered or position is None:
        return None
    return position / (len(vocabulary.terms) - 1) if len(vocabulary.terms) > 1 else 1.0


def require_term(session: Session, name: str, value: str, *, add: bool = True) -> str:
    """:func:`resolve_term`, or InvalidArgument ``depth 'x' is not one of: a, b``."""
    term = resolve_term(session, name, value, add=add)
    if term is None:
        listed = describe_terms(session, name)
        raise InvalidArgument(f"{name} {value!r} is not one of: {listed}" if listed
                              else f"{name} {value!r} is not a term of the project")
    return term


def need_vocabulary(session: Session, name: str) -> Vocabulary:
    vocabulary = session.get(Vocabulary, name)
    if vocabulary is None:
        known = ", ".join(v.name for v in list_vocabularies(session)) or "none yet"
        raise NotFound(f"no vocabulary {name!r} (the project has: {known})")
    return vocabulary


def vocabulary_dict(vocabulary: Vocabulary) -> dict[str, Any]:
    """A vocabulary as plain data (``vocab list --json``, the web API)."""
    return {"name": vocabulary.name, "label": vocabulary.label, "ordered": vocabulary.ordered,
            "closed": vocabulary.closed,
            "terms": [{"term": t.term, "label": t.label, "aliases": list(t.aliases)}
                      for t in vocabulary.terms]}


def term_uses(session: Session, name: str, term: str) -> dict[str, int]:
    """How many stored values are ``term``: ``{"organisations": 2, "attributes": 1}``."""
    uses: dict[str, int] = {}
    for what, column in STORED.get(name, ()):
        uses[what] = session.scalar(select(func.count()).where(column == term)) or 0
    uses["attributes"] = session.scalar(select(func.count(CaseAttribute.id)).where(
        CaseAttribute.name == name, CaseAttribute.value == term)) or 0
    uses["sources"] = sum(1 for meta in session.scalars(select(Source.meta))
                          if (meta or {}).get(name) == term)
    return {what: count for what, count in uses.items() if count}


def set_vocabulary(session: Session, name: str, terms: Sequence[str], *, actor: str,
                   ordered: bool | None = None, closed: bool | None = None,
                   labels: Sequence[str] = (), label: str | None = None) -> Vocabulary:
    """Define vocabulary ``name`` as ``terms`` (in scale order when ordered), logged.

    ``labels`` go with the terms in order; ``ordered``/``closed`` left as None keep the
    vocabulary's setting (a new one: unordered, closed). Dropping a used term is refused.
    """
    terms = [term.strip() for term in terms if term.strip()]
    if len(labels) > len(terms):
        raise InvalidArgument(f"{len(labels)} labels for {len(terms)} terms of {name!r}")
    _check_distinct(name, terms)
    current = session.get(Vocabulary, name)
    for term in (t.term for t in current.terms) if current else ():
        if term not in terms:
            _refuse_if_used(session, name, term, "drop")
    vocabulary = define_vocabulary(
        session, name, terms, label=label,
        ordered=_keep(ordered, current.ordered if current else False),
        closed=_keep(closed, current.closed if current else True),
        labels=dict(zip(terms, labels, strict=False)))
    log_event(session, "vocabulary.set", actor=actor, vocabulary=name, terms=list(terms),
              ordered=vocabulary.ordered, closed=vocabulary.closed)
    return vocabulary


def add_term(session: Session, name: str, term: str, *, actor: str, label: str | None = None,
             aliases: Sequence[str] = ()) -> VocabularyTerm:
    """Add ``term`` at the end of vocabulary ``name`` (created, open, if missing), logged."""
    term = term.strip()
    vocabulary = session.get(Vocabulary, name)
    if vocabulary is None:
        vocabulary = define_vocabulary(session, name, [], ordered=False, closed=False)
    _check_new(session, name, term, *aliases)
    row = VocabularyTerm(term=term, label=label or _default_label(term),
                         position=len(vocabulary.terms), aliases=list(aliases))
    vocabulary.terms.append(row)
    session.flush()
    log_event(session, "vocabulary.add", actor=actor, vocabulary=name, term=term,
              label=row.label, aliases=list(aliases))
    return row


def rename_term(session: Session, name: str, old: str, new: str, *, actor: str
                ) -> VocabularyTerm:
    """Rename term ``old`` to ``new`` in the vocabulary and everywhere it is stored."""
    row = _term_row(session, name, old)
    new = new.strip()
    if new == row.term:
        return row
    _check_new(session, name, new, ignore=row)
    uses = term_uses(session, name, row.term)
    for _, column in STORED.get(name, ()):
        session.execute(update(column.class_).where(column == row.term).values(
            {column.key: new}))
    session.execute(update(CaseAttribute).where(CaseAttribute.name == name,
                                                CaseAttribute.value == row.term).values(value=new))
    _rename_in_meta(session, name, row.term, new)
    if row.label == _default_label(row.term):
        row.label = _default_label(new)
    old_term, row.term = row.term, new
    session.flush()
    session.expire_all()
    log_event(session, "vocabulary.rename", actor=actor, vocabulary=name, old=old_term,
              new=new, uses=uses)
    return _term_row(session, name, new)


def remove_term(session: Session, name: str, term: str, *, actor: str) -> None:
    """Remove an unused term from vocabulary ``name``, logged."""
    row = _term_row(session, name, term)
    _refuse_if_used(session, name, row.term, "remove")
    vocabulary = need_vocabulary(session, name)
    vocabulary.terms = [t for t in vocabulary.terms if t is not row]
    for position, other in enumerate(vocabulary.terms):
        other.position = position
    session.flush()
    log_event(session, "vocabulary.remove", actor=actor, vocabulary=name, term=row.term)


def reorder_terms(session: Session, name: str, order: Sequence[str], *, actor: str
                  ) -> Vocabulary:
    """Put vocabulary ``name``'s terms in ``order`` (every term, once), logged."""
    vocabulary = need_vocabulary(session, name)
    rows = {t.term: t for t in vocabulary.terms}
    if sorted(order) != sorted(rows) or len(set(order)) != len(order):
        raise InvalidArgument(f"a new order of {name!r} must list each of its terms once: "
                              f"{', '.join(rows)}")
    vocabulary.terms = [rows[term] for term in order]
    for position, row in enumerate(vocabulary.terms):
        row.position = position
    session.flush()
    log_event(session, "vocabulary.reorder", actor=actor, vocabulary=name, terms=list(order))
    return vocabulary


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return default if row is None else row.value


def set_setting(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key) or Setting(key=key)
    row.value = value
    session.add(row)
    session.flush()


def _keep(value: bool | None, current: bool) -> bool:
    return current if value is None else value


def _term_row(session: Session, name: str, term: str) -> VocabularyTerm:
    vocabulary = need_vocabulary(session, name)
    for row in vocabulary.terms:
        if row.term == term or fold(row.term) == fold(term):
            return row
    raise NotFound(f"vocabulary {name!r} has no term {term!r} "
                   f"(it has: {', '.join(t.term for t in vocabulary.terms) or 'none'})")


def _check_distinct(name: str, terms: Sequence[str]) -> None:
    seen: dict[str, str] = {}
    for term in terms:
        if fold(term) in seen and seen[fold(term)] != term:
            raise InvalidArgument(f"terms {seen[fold(term)]!r} and {term!r} of {name!r} "
                                  "are the same when case and spacing are ignored")
        seen[fold(term)] = term


def _check_new(session: Session, name: str, *spellings: str,
               ignore: VocabularyTerm | None = None) -> None:
    """Refuse a term or alias that is empty or means an existing term already."""
    vocabulary = need_vocabulary(session, name)
    for spelling in spellings:
        if not fold(spelling):
            raise InvalidArgument(f"a term of {name!r} cannot be empty")
        for row in vocabulary.terms:
            if row is not ignore and fold(spelling) in {
                    fold(row.term), fold(row.label), *(fold(a) for a in row.aliases)}:
                raise InvalidArgument(f"{spelling!r} already means term {row.term!r} of {name!r}")


def _refuse_if_used(session: Session, name: str, term: str, verb: str) -> None:
    uses = term_uses(session, name, term)
    if uses:
        counted = ", ".join(f"{count} {what}" for what, count in uses.items())
        raise InvalidArgument(f"cannot {verb} {term!r} of {name!r}: it is used ({counted}); "
                              "rename it instead or change those first")


def _rename_in_meta(session: Session, name: str, old: str, new: str) -> None:
    """Source attributes (and the source profiles they come from) named like the list."""
    for holder, attr in ((Source, "meta"), (SourceProfile, "attributes")):
        for row in session.scalars(select(holder)):
            values = getattr(row, attr) or {}
            if values.get(name) == old:
                setattr(row, attr, {**values, name: new})


def _default_label(term: str) -> str:
    text = " ".join(term.replace("_", " ").split())
    return text[:1].upper() + text[1:]
