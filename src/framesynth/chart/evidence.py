"""Which coded segments belong to which case.

- a **participant** owns the segments that start in turns they speak;
- an **organisation** owns its participants' segments;
- a **partnership** owns the segments of participants of either partner organisation
  whose turn names the other partner (by name or alias): what people say about that
  partnership.

Only people's codings count (not pending suggestions). A segment that starts in a turn
of the research team (``Speaker.is_interviewer``) belongs to no case, and team members
(``Participant.team``) are not participant cases.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from framesynth.errors import InvalidArgument
from framesynth.familiarise.context import case_attributes, participant_attributes
from framesynth.familiarise.vocabulary import in_order
from framesynth.index.coding import turn_at
from framesynth.store.models import (
    Case,
    Coding,
    Organisation,
    Participant,
    Partnership,
    Speaker,
    Turn,
)

ROW_KINDS = ("participant", "organisation", "partnership")


@dataclass(frozen=True)
class Evidence:
    """A coded segment and who said it."""

    coding_id: int
    source_id: int
    source: str
    start: int
    end: int
    code_id: int
    coder: str
    text: str
    participant_id: int | None
    turn_text: str
    turn_start: int = 0
    turn_time: float | None = None
    media_start: float | None = None  # a coding of a recording's time range: its times
    media_end: float | None = None


@dataclass
class CaseRow:
    case_id: int
    kind: str
    key: str
    label: str
    attributes: dict[str, str] = field(default_factory=dict)


def case_rows(session: Session, kind: str) -> list[CaseRow]:
    """The cases of one kind, with the attributes matrices group and order them by."""
    if kind not in ROW_KINDS:
        raise InvalidArgument(f"rows must be one of: {', '.join(ROW_KINDS)}")
    known = case_attributes(session)
    rows = []
    query = select(Case).where(Case.kind == kind).options(selectinload(Case.attributes))
    for case in session.scalars(query):
        attrs = {a.name.casefold(): a.value for a in case.attributes}
        if kind == "participant" and case.participant is not None and case.participant.team:
            continue
        if kind == "participant" and case.participant is not None:
            person = case.participant
            attrs |= participant_attributes(person, known)
            attrs.setdefault("role", person.role or "")
            label = person.name
        elif kind == "organisation" and case.organisation is not None:
            attrs |= {"sector": case.organisation.sector}
            label = case.organisation.name
        elif case.partnership is not None:
            link = case.partnership
            attrs |= {"depth": link.depth.replace("_", " "), "formality": link.formality,
                      "levels": ", ".join(in_order(session, "level", link.levels))}
            label = link.name
        else:
            continue
        rows.append(CaseRow(case.id, kind, case.name, label, attrs))
    return sorted(rows, key=lambda r: r.key)


def evidence(session: Session, *, coder: str | None = None) -> list[Evidence]:
    """Every person's coded segment with the participant whose turn it starts in (None in
    a turn of the research team)."""
    turns: dict[int, list[tuple[int, int, int | None, str, float | None]]] = defaultdict(list)
    for source_id, start, end, speaker, text, at in session.execute(
        select(Turn.source_id, Turn.start, Turn.end, Turn.speaker_id, Turn.text,
               Turn.started_at).order_by(Turn.source_id, Turn.start)
    ):
        turns[source_id].append((start, end, speaker, text, at))
    speakers = dict(session.execute(select(Speaker.id, Speaker.participant_id)
                                    .where(Speaker.is_interviewer.is_(False))).all())
    query = (select(Coding).where(Coding.status.is_(None)).order_by(Coding.id)
             .options(selectinload(Coding.source)))  # coding order on every backend
    if coder is not None:
        query = query.where(Coding.coder == coder)
    found = []
    for coding in session.scalars(query):
        turn = turn_at(turns[coding.source_id], coding.start)
        participant = speakers.get(turn[2]) if turn and turn[2] is not None else None
        found.append(Evidence(coding.id, coding.source_id, coding.source.name, coding.start,
                              coding.end, coding.code_id, coding.coder, coding.text,
                              participant, turn[3] if turn else "",
                              turn[0] if turn else coding.start, turn[4] if turn else None,
                              coding.media_start, coding.media_end))
    return found


def evidence_by_case(session: Session, kind: str, *, coder: str | None = None
                     ) -> dict[int, list[Evidence]]:
    """Case id -> the segments that belong to it (see the module docstring)."""
    items = evidence(session, coder=coder)
    cases = {c.participant_id or c.organisation_id or c.partnership_id: c.id
             for c in session.scalars(select(Case).where(Case.kind == kind))}
    people = {p.id: p for p in session.scalars(select(Participant))}
    result: dict[int, list[Evidence]] = defaultdict(list)
    if kind == "participant":
        for item in items:
            if item.participant_id in cases:
                result[cases[item.participant_id]].append(item)
    elif kind == "organisation":
        for item in items:
            person = people.get(item.participant_id or 0)
            if person is not None and person.organisation_id in cases:
                result[cases[person.organisation_id]].append(item)
    else:
        for link in session.scalars(select(Partnership)):
            if link.id not in cases:
                continue
            mentions = {link.organisation_a_id: _mention(link.organisation_b),
                        link.organisation_b_id: _mention(link.organisation_a)}
            for item in items:
                person = people.get(item.participant_id or 0)
                pattern = mentions.get(person.organisation_id or 0) if person else None
                if pattern is not None and pattern.search(item.turn_text):
                    result[cases[link.id]].append(item)
    return result


def case_counts(session: Session, kind: str, *, coder: str | None = None
                ) -> dict[int, dict[int, int]]:
    """Case id -> code id -> how many segments of that code belong to the case: the
    counts of :func:`evidence_by_case`, aggregated in SQL (no row per coding)."""
    cases = {c.participant_id or c.organisation_id or c.partnership_id: c.id
             for c in session.scalars(select(Case).where(Case.kind == kind))}
    if kind == "partnership":
        return _partnership_counts(session, cases, coder)
    result: dict[int, dict[int, int]] = defaultdict(dict)
    owner = Participant.organisation_id if kind == "organisation" else Participant.id
    query = _owned(select(owner, Coding.code_id, func.count()), _turn_ranges(), coder)
    for key, code_id, count in session.execute(query.group_by(owner, Coding.code_id)):
        if key in cases:
            result[cases[key]][code_id] = count
    return result


def _turn_ranges() -> Any:
    """Each turn with the start of the next in its source: a coding starting in
    ``[start, next)`` belongs to it (the nearest turn before, as ``turn_at``)."""
    following = func.lead(Turn.start).over(partition_by=Turn.source_id, order_by=Turn.start)
    return select(Turn.id, Turn.source_id, Turn.start, Turn.speaker_id,
                  func.coalesce(following, 2**62).label("next")).subquery()


def _owned(query: Any, turns: Any, coder: str | None) -> Any:
    """``query`` over people's codings, each joined to the participant of its turn."""
    query = (query.select_from(turns)
             .join(Coding, and_(Coding.source_id == turns.c.source_id,
                                Coding.start >= turns.c.start, Coding.start < turns.c.next))
             .join(Speaker, Speaker.id == turns.c.speaker_id)
             .join(Participant, Participant.id == Speaker.participant_id)
             .where(Coding.status.is_(None), Speaker.is_interviewer.is_(False)))
    return query.where(Coding.coder == coder) if coder is not None else query


def _partnership_counts(session: Session, cases: dict[int | None, int], coder: str | None
                        ) -> dict[int, dict[int, int]]:
    """Counts per turn and code in SQL; the turn's text is matched against each link."""
    turns = _turn_ranges()
    query = _owned(select(turns.c.id, Participant.organisation_id, Coding.code_id,
                          func.count()), turns, coder).group_by(
        turns.c.id, Participant.organisation_id, Coding.code_id)  # one organisation per turn
    found = session.execute(query).all()
    texts = dict(session.execute(select(Turn.id, Turn.text)).all()) if found else {}
    result: dict[int, dict[int, int]] = defaultdict(dict)
    for link in session.scalars(select(Partnership)):
        if link.id not in cases:
            continue
        mentions = {link.organisation_a_id: _mention(link.organisation_b),
                    link.organisation_b_id: _mention(link.organisation_a)}
        counts = result[cases[link.id]]
        for turn_id, organisation_id, code_id, count in found:
            pattern = mentions.get(organisation_id or 0)
            if pattern is not None and pattern.search(texts[turn_id]):
                counts[code_id] = counts.get(code_id, 0) + count
    return {case: counts for case, counts in result.items() if counts}


def _mention(org: Organisation) -> re.Pattern[str]:
    names = sorted({org.name, *org.aliases}, key=len, reverse=True)
    words = [r"\s+".join(re.escape(w) for w in name.split()) for name in names if name.strip()]
    return re.compile(r"(?<!\w)(" + "|".join(words) + r")(?!\w)", re.IGNORECASE)
