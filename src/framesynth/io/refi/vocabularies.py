"""A project's vocabularies inside a ``.qdpx``: the Description of a REFI ``<Variable>``.

REFI-QDA has no place for a list of allowed values, but every ``<Variable>`` may carry a
free-text ``<Description>``. framesynth writes each vocabulary there, on the case
variable whose values it holds (``sector``, ``depth``, ``formality``; the ``level``
vocabulary on ``levels``) or on a variable of its own name, as lines a person can read::

    framesynth vocabulary: depth
    Label: Depth of partnership
    Ordered: yes
    Closed: yes
    Terms:
    - 1 = One
    - 2 = Two (aliases: two; ii)

Terms come in order (the scale's order when ordered). Importing defines the vocabulary
again (:func:`framesynth.familiarise.vocabulary.define_vocabulary`) before any case is read.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from framesynth.familiarise.vocabulary import (
    TermSpec,
    VocabularySpec,
    define_vocabulary,
    list_vocabularies,
)
from framesynth.store.models import Vocabulary

HEADER = "framesynth vocabulary:"
# vocabulary name -> the case variable whose values are its terms
VOCABULARY_FIELDS = {"sector": "sector", "depth": "depth", "formality": "formality",
                     "level": "levels"}


def variable_name(vocabulary: str) -> str:
    """The case variable a vocabulary is written on."""
    return VOCABULARY_FIELDS.get(vocabulary, vocabulary)


def describe_vocabulary(vocabulary: Vocabulary) -> str:
    """The Description text for ``vocabulary`` (the format in this module's docstring)."""
    lines = [f"{HEADER} {vocabulary.name}", f"Label: {vocabulary.label}",
             f"Ordered: {'yes' if vocabulary.ordered else 'no'}",
             f"Closed: {'yes' if vocabulary.closed else 'no'}", "Terms:"]
    for term in sorted(vocabulary.terms, key=lambda t: t.position):
        aliases = f" (aliases: {'; '.join(term.aliases)})" if term.aliases else ""
        lines.append(f"- {term.term} = {term.label}{aliases}")
    return "\n".join(lines)


def project_vocabularies(session: Session) -> dict[str, str]:
    """``{variable name: description}`` for every vocabulary of the project."""
    return {variable_name(v.name): describe_vocabulary(v) for v in list_vocabularies(session)}


def parse_vocabulary(text: str | None) -> VocabularySpec | None:
    """The vocabulary a Description holds, or None if it holds none."""
    lines = (text or "").replace("\r\n", "\n").split("\n")
    if not lines or not lines[0].startswith(HEADER):
        return None
    fields = {"label": "", "ordered": "no", "closed": "no"}
    terms: list[TermSpec] = []
    for line in lines[1:]:
        if line.startswith("- "):
            terms.append(_term(line[2:]))
        elif ":" in line:
            key, _, value = line.partition(":")
            fields[key.strip().casefold()] = value.strip()
    name = lines[0][len(HEADER):].strip()
    return VocabularySpec(name, fields["label"] or name, ordered=fields["ordered"] == "yes",
                          closed=fields["closed"] == "yes", terms=tuple(terms))


def _term(text: str) -> TermSpec:
    term, _, label = text.partition(" = ")
    aliases: tuple[str, ...] = ()
    if label.endswith(")") and " (aliases: " in label:
        label, _, listed = label[:-1].rpartition(" (aliases: ")
        aliases = tuple(a.strip() for a in listed.split(";") if a.strip())
    return TermSpec(term.strip(), label.strip() or term.strip(), aliases)


def restore_vocabularies(session: Session, specs: list[VocabularySpec]) -> None:
    """Define each vocabulary a file carried (replacing the template's of the same name)."""
    for spec in specs:
        existing = session.get(Vocabulary, spec.name)
        if existing is not None:  # define_vocabulary cannot yet reuse a removed term row
            session.delete(existing)
            session.flush()
        define_vocabulary(session, spec.name, [t.term for t in spec.terms], label=spec.label,
                          ordered=spec.ordered, closed=spec.closed and bool(spec.terms),
                          labels={t.term: t.label for t in spec.terms},
                          aliases={t.term: list(t.aliases) for t in spec.terms})
