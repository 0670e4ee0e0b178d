"""Illustrative quotes for a theme: picked by the analyst, or ranked automatically.

Automatic ranking takes the theme's coded segments (people's codings of the theme or its
sub-codes, 12 to 90 words, or at least 4 where there are none so long; one copy of each
text), embeds them, and scores each by its
cosine similarity to their centroid (how representative it is). Quotes are then chosen
greedily: each next quote is the most representative one, less a penalty for a speaker
(0.15) or an organisation (0.10) already quoted, so the selection spreads across cases.

Every quote is attributed by role and relation, built from the case data:
"– Project lead on statutory sector partner"; a quote coded as a time range of a
recording adds that range: "– Project lead on statutory sector partner (12:04–12:31)".
The attribution is where every renderer (report, quotes page, ``quote list``) prints
it, so the time is added once, in :func:`as_quote`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from framesynth.chart.evidence import Evidence, evidence
from framesynth.embeddings import Embedder, embed
from framesynth.errors import InvalidArgument, NotFound
from framesynth.frame.framework import code_path
from framesynth.index.coding import descendants
from framesynth.index.timecodes import format_range
from framesynth.interpret.quote_text import normalise, sentence_bounded
from framesynth.store.events import log_event
from framesynth.store.ids import get_by_id
from framesynth.store.models import Code, Coding, Participant, PickedQuote, Source

SAME_SPEAKER_PENALTY = 0.15
SAME_ORGANISATION_PENALTY = 0.10
MIN_WORDS, MAX_WORDS = 12, 90
# the analyst's place first (unplaced picks after), then the order picked
PICK_ORDER = (PickedQuote.position.is_(None), PickedQuote.position, PickedQuote.id)


@dataclass
class Quote:
    text: str
    attribution: str
    source: str
    start: int
    end: int
    participant_id: int | None
    picked: bool = False
    edited: bool = False  # ``text`` is the analyst's edit of the coded span
    coding_id: int = 0
    coded: str = ""  # the coded span's own words, whitespace normalised
    media_start: float | None = None  # a time-range coding's range in its recording
    media_end: float | None = None


def attribution(person: Participant | None, *, focus_group: bool = False) -> str:
    """"– Project lead on statutory sector partner", from the person's role and
    organisation."""
    if person is None:
        return "– Participant"
    role = (person.role or "participant").capitalize()
    org = person.organisation
    if org is None:
        relation = ""
    elif org.sector == "funder":
        relation = " at the funder"
    else:
        relation = f" on {org.sector} sector partner"
    return f"– {role}{relation}" + (" (focus group)" if focus_group else "")


def pick_quote(session: Session, coding_id: int, theme: Code, *, actor: str) -> PickedQuote:
    """The analyst picks a coded segment to illustrate ``theme`` in the report."""
    coding = get_by_id(session, Coding, coding_id)
    if coding is None or coding.status is not None:
        raise NotFound(f"no coding with id {coding_id}")
    allowed = {theme.id, *(d.id for d in descendants(theme))}
    if coding.code_id not in allowed:
        raise InvalidArgument(f"coding {coding_id} is not coded with {code_path(theme)!r} "
                              "or its sub-codes")
    existing = session.scalar(select(PickedQuote).where(PickedQuote.coding_id == coding_id,
                                                        PickedQuote.code_id == theme.id))
    if existing:
        return existing
    picked = PickedQuote(coding_id=coding_id, code_id=theme.id, picked_by=actor)
    session.add(picked)
    session.flush()
    log_event(session, "quote.pick", actor=actor, coding=coding_id, theme=code_path(theme))
    return picked


def unpick_quote(session: Session, coding_id: int, theme: Code, *, actor: str) -> None:
    picked = session.scalar(select(PickedQuote).where(PickedQuote.coding_id == coding_id,
                                                      PickedQuote.code_id == theme.id))
    if picked is None:
        raise NotFound(f"coding {coding_id} is not picked for {code_path(theme)!r}")
    session.delete(picked)
    log_event(session, "quote.unpick", actor=actor, coding=coding_id, theme=code_path(theme))


def theme_quotes(session: Session, theme: Code, embedder: Embedder, *, count: int = 3,
                 items: list[Evidence] | None = None) -> list[Quote]:
    """The analyst's picks among the segments of ``theme`` and its sub-codes (all of
    them, in the order picked) or, where there are none, the ``count`` best ranked."""
    return code_quotes(session, theme, embedder, count=count, own_only=False,
                       items=items if items is not None else evidence(session))


@dataclass(frozen=True)
class Speakers:
    """What attributing a quote needs, read once: participants with their organisations,
    and each source's kind (a focus group's quotes say so)."""

    people: dict[int, Participant]
    kinds: dict[int, str]

    @classmethod
    def of(cls, session: Session) -> Speakers:
        return cls({p.id: p for p in session.scalars(
                        select(Participant).options(selectinload(Participant.organisation)))},
                   dict(session.execute(select(Source.id, Source.kind)).all()))


def code_quotes(session: Session, code: Code, embedder: Embedder, *, count: int,
                items: list[Evidence], own_only: bool,
                speakers: Speakers | None = None) -> list[Quote]:
    """Quotes for one section of the report: every segment coded with ``code`` that the
    analyst picked (under ``code`` or any theme above it), in the order they were picked;
    where there are none, the ``count`` best ranked. ``own_only``: only segments coded
    with ``code`` itself (its sub-codes have sections of their own), else also theirs.
    ``speakers``: read once by a caller that asks for many sections."""
    speakers = speakers or Speakers.of(session)
    people, kinds = speakers.people, speakers.kinds
    members = {code.id} if own_only else {code.id, *(d.id for d in descendants(code))}
    pool = [e for e in items if e.code_id in members]
    by_coding = {e.coding_id: e for e in pool}
    picks = session.scalars(select(PickedQuote).where(
        PickedQuote.coding_id.in_(by_coding)).order_by(*PICK_ORDER))
    first: dict[int, PickedQuote] = {}
    for pick in picks:
        first.setdefault(pick.coding_id, pick)
    if first:
        return [as_quote(by_coding[c], people, kinds, picked=True, edit=p.display_text)
                for c, p in first.items()]
    return [as_quote(e, people, kinds) for e in rank_quotes(session, pool, people, embedder,
                                                          count=count)]


def rank_quotes(session: Session | None, pool: list[Evidence], people: dict[int, Participant],
                embedder: Embedder, *, count: int) -> list[Evidence]:
    spoken = [e for e in pool if e.participant_id is not None]
    sized = [e for e in spoken if MIN_WORDS <= len(e.text.split()) <= MAX_WORDS]
    shorter = [e for e in spoken if len(e.text.split()) >= 4]  # when nothing longer exists
    candidates = list({" ".join(e.text.split()): e for e in (sized or shorter)}.values())
    if not candidates:
        return []
    vectors = embed(session, embedder, [" ".join(e.text.split()) for e in candidates])
    centre = vectors.mean(axis=0)
    centre = centre / max(float(np.linalg.norm(centre)), 1e-9)
    score = vectors @ centre
    chosen: list[Evidence] = []
    while len(chosen) < min(count, len(candidates)):
        speakers = {e.participant_id for e in chosen}
        orgs = {people[e.participant_id].organisation_id for e in chosen
                if e.participant_id in people}
        best = max((i for i in range(len(candidates)) if candidates[i] not in chosen),
                   key=lambda i: score[i]
                   - SAME_SPEAKER_PENALTY * (candidates[i].participant_id in speakers)
                   - SAME_ORGANISATION_PENALTY * (
                       people[candidates[i].participant_id or 0].organisation_id in orgs))
        chosen.append(candidates[best])
    return chosen


def as_quote(item: Evidence, people: dict[int, Participant], kinds: dict[int, str], *,
           picked: bool = False, edit: str | None = None) -> Quote:
    person = people.get(item.participant_id or 0)
    said = attribution(person, focus_group=kinds.get(item.source_id) == "focus_group")
    if item.media_start is not None and item.media_end is not None:
        said += f" ({format_range(item.media_start, item.media_end)})"
    return Quote(edit or display_text(item), said, item.source, item.start, item.end,
                 item.participant_id, picked, edited=bool(edit), coding_id=item.coding_id,
                 coded=normalise(item.text), media_start=item.media_start,
                 media_end=item.media_end)


def display_text(item: Evidence) -> str:
    """The coded span trimmed to sentence boundaries within its turn (see
    ``quote_text.sentence_bounded``); a span that leaves its turn is printed as coded,
    with "…" where it starts in lower case."""
    start = item.start - item.turn_start
    end = start + len(item.text)
    if start >= 0 and item.turn_text[start:end] == item.text:
        return sentence_bounded(item.turn_text, start, end)
    text = normalise(item.text)
    return "…" + text if text[:1].islower() else text
