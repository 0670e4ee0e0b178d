"""What is known about who said a turn: the attributes ``--where`` filters on.

Every turn gets a flat attribute map from its source (``source``, ``kind``, ``format``
and the source's own attributes such as ``theme``), its speaker (``speaker``,
``interviewer``) and, when the speaker is linked and not the research team, the
participant (``participant``, ``role``, ``pseudonym`` and case attributes) and their
organisation (``organisation``, ``sector`` and case attributes): the team's turns match
no participant attribute, so ``--where role=...`` never picks them. Keys and values
compare case-insensitively; a key given twice matches either value, different keys must
all match.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select, true
from sqlalchemy.orm import Session, selectinload

from framesynth.errors import InvalidArgument
from framesynth.store.models import (
    Case,
    CaseAttribute,
    Organisation,
    Participant,
    Source,
    Speaker,
    Turn,
)

Where = dict[str, list[str]]


def parse_where(items: Iterable[str]) -> Where:
    """``["sector=statutory", "role=project lead"]`` -> ``{"sector": ["statutory"], ...}``."""
    where: Where = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidArgument(f"--where {item!r} must look like KEY=VALUE")
        where.setdefault(key.strip().casefold(), []).append(value.strip().strip('"').casefold())
    return where


@dataclass
class ContextIndex:
    """Attribute maps for sources and speakers, loaded once per query."""

    sources: dict[int, dict[str, str]]
    speakers: dict[int, dict[str, str]]

    def attributes(self, source_id: int, speaker_id: int | None) -> dict[str, str]:
        speaker = self.speakers.get(speaker_id, {}) if speaker_id is not None else {}
        return {**self.sources.get(source_id, {}), **speaker}

    def known_keys(self) -> set[str]:
        keys = {key for attrs in self.sources.values() for key in attrs}
        keys |= {key for attrs in self.speakers.values() for key in attrs}
        return keys | ALWAYS_KNOWN

    def check(self, where: Where) -> None:
        _refuse_unknown(where, self.known_keys())

    def matches(self, source_id: int, speaker_id: int | None, where: Where) -> bool:
        if not where:
            return True
        attrs = self.attributes(source_id, speaker_id)
        return all(attrs.get(key, "\0").casefold() in values for key, values in where.items())


ALWAYS_KNOWN = frozenset({"participant", "role", "organisation", "sector", "speaker"})
SOURCE_KEYS = ("source", "kind", "format")  # every source has these (and its meta's keys)


def _refuse_unknown(where: Where, known: set[str]) -> None:
    unknown = sorted(set(where) - known)
    if unknown:
        raise InvalidArgument(f"unknown attribute {unknown[0]!r} in --where; known: "
                              f"{', '.join(sorted(known))}")


class TurnFilter:
    """``where`` over turns, for a search: a condition its query narrows the turns with
    (:attr:`condition`), and :meth:`keep` for the turns it reads.

    A participant's attributes (their own, their case's and organisation's) override the
    speaker's and the source's, so a linked speaker whose participant has a key with
    another value never matches: :attr:`condition` leaves their turns out (None: nothing
    to leave out), from the participants, organisations and case attributes, the small
    tables, read once here in Python (so values are case folded as Python does, on
    every database). Whether the other turns match (the research team's, speakers not
    linked, keys only a source has) rests on the source's attributes, which lie beside
    its text: :meth:`keep` reads those of only the sources and speakers of the turns it is
    given, each once. Together they answer exactly what :meth:`ContextIndex.matches`
    answers over every source's and speaker's attributes, which a first page no longer
    has to read. Unknown keys are refused as :meth:`ContextIndex.check` does.
    """

    def __init__(self, session: Session, where: Where) -> None:
        self.session, self.where = session, where
        self.people = people_attributes(session)
        _refuse_unknown(where, _known_keys(session, where, self.people))
        self.index = ContextIndex({}, {})
        conditions = []
        for key, values in where.items():
            against = [pid for pid, attrs in self.people.items()
                       if key in attrs and attrs[key].casefold() not in values]
            if against:
                decided = select(Speaker.id).where(Speaker.participant_id.in_(against),
                                                   Speaker.is_interviewer.is_(False))
                conditions.append(or_(Turn.speaker_id.is_(None),
                                      Turn.speaker_id.not_in(decided)))
        self.condition: ColumnElement[bool] | None = (
            and_(true(), *conditions) if conditions else None)

    def keep(self, rows: list[Any]) -> list[Any]:
        """The rows (``(turn id, source id, speaker id, ...)``) whose turn matches."""
        sources = {row[1] for row in rows} - self.index.sources.keys()
        speakers = {row[2] for row in rows if row[2] is not None} - self.index.speakers.keys()
        if sources:
            self.index.sources |= source_attributes(self.session, sources)
        if speakers:
            self.index.speakers |= speaker_attributes(self.session, speakers, self.people)
        return [row for row in rows if self.index.matches(row[1], row[2], self.where)]


def _known_keys(session: Session, where: Where, people: dict[int, dict[str, str]]
                ) -> set[str]:
    """The keys :meth:`ContextIndex.known_keys` lists, or (when those met so far hold
    every key of ``where``) as many of them: the sources' own attributes are read only
    for a key none of the cheaper places has."""
    known = set(ALWAYS_KNOWN)
    if set(where) <= known:
        return known
    if session.scalar(select(exists().where(Speaker.id.is_not(None)))):
        known |= {"speaker", "interviewer"}
    linked = select(Speaker.participant_id).where(Speaker.is_interviewer.is_(False),
                                                  Speaker.participant_id.is_not(None)).distinct()
    known |= {key for pid in session.scalars(linked) if pid is not None
              for key in people.get(pid, {})}
    if set(where) - known and session.scalar(select(exists().where(Source.id.is_not(None)))):
        known |= set(SOURCE_KEYS)
        known |= {key.casefold() for meta in session.scalars(select(Source.meta))
                  for key, value in (meta or {}).items()
                  if value is not None and not isinstance(value, dict)}
    return known


def load_context(session: Session, source_ids: Collection[int] | None = None,
                 speaker_ids: Collection[int] | None = None) -> ContextIndex:
    """Attribute maps of every source and speaker (column queries: no transcript text),
    or of only those given."""
    sources = source_attributes(session, source_ids)
    speaker_query = select(Speaker.participant_id).where(Speaker.participant_id.is_not(None))
    if speaker_ids is not None:
        speaker_query = speaker_query.where(Speaker.id.in_(speaker_ids))
    people = people_attributes(session, None if speaker_ids is None else
                               {pid for pid in session.scalars(speaker_query) if pid is not None})
    return ContextIndex(sources, speaker_attributes(session, speaker_ids, people))


def source_attributes(session: Session, ids: Collection[int] | None = None
                      ) -> dict[int, dict[str, str]]:
    """Each source's own attributes (every source's, or those of ``ids``)."""
    query = select(Source.id, Source.name, Source.kind, Source.format, Source.meta)
    if ids is not None:
        query = query.where(Source.id.in_(ids))
    return {
        source_id: {"source": name, "kind": kind, "format": fmt,
                    **{k.casefold(): str(v) for k, v in (meta or {}).items()
                       if v is not None and not isinstance(v, dict)}}
        for source_id, name, kind, fmt, meta in session.execute(query)
    }


def people_attributes(session: Session, ids: Collection[int] | None = None
                      ) -> dict[int, dict[str, str]]:
    """Each participant's attributes (every participant's, or those of ``ids``)."""
    cases = case_attributes(session)
    query = select(Participant).options(selectinload(Participant.organisation))
    if ids is not None:
        query = query.where(Participant.id.in_(ids))
    return {person.id: participant_attributes(person, cases) for person in session.scalars(query)}


def speaker_attributes(session: Session, ids: Collection[int] | None,
                       people: dict[int, dict[str, str]]) -> dict[int, dict[str, str]]:
    """Each speaker's attributes (every speaker's, or those of ``ids``): its label,
    whether it is the research team and, for others, its participant's from ``people``."""
    query = select(Speaker.id, Speaker.label, Speaker.is_interviewer, Speaker.participant_id)
    if ids is not None:
        query = query.where(Speaker.id.in_(ids))
    speakers = {}
    for speaker_id, label, is_interviewer, participant_id in session.execute(query):
        attrs = {"speaker": label, "interviewer": "true" if is_interviewer else "false"}
        if participant_id is not None and not is_interviewer:
            attrs |= people.get(participant_id, {})
        speakers[speaker_id] = attrs
    return speakers


def participant_attributes(person: Participant, cases: dict[tuple[str, int], dict[str, str]]
                           ) -> dict[str, str]:
    attrs = dict(cases.get(("organisation", person.organisation_id or 0), {}))
    attrs |= cases.get(("participant", person.id), {})
    attrs |= {"participant": person.name, "participant_id": person.key}
    if person.role:
        attrs["role"] = person.role
    if person.pseudonym:
        attrs["pseudonym"] = person.pseudonym
    if person.organisation is not None:
        attrs |= organisation_attributes(person.organisation)
    return attrs


def organisation_attributes(org: Organisation) -> dict[str, str]:
    return {"organisation": org.name, "organisation_id": org.key, "sector": org.sector}


def case_attributes(session: Session) -> dict[tuple[str, int], dict[str, str]]:
    """Case attributes keyed by (kind, participant or organisation id)."""
    found: dict[tuple[str, int], dict[str, str]] = {}
    query = select(Case.kind, Case.participant_id, Case.organisation_id, CaseAttribute.name,
                   CaseAttribute.value).join(CaseAttribute)
    for kind, participant_id, organisation_id, name, value in session.execute(query):
        owner = participant_id if kind == "participant" else organisation_id
        if owner is not None:
            found.setdefault((kind, owner), {})[name.casefold()] = value
    return found
