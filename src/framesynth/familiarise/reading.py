"""The reader: one source's turns cut into pieces where codings begin and end.

``reader_view(session, source_id)`` gathers what the workbench's reader page shows (turns
with their speaker, role and organisation, the pieces of each turn with the codings that
cover them, a stripe per code, the source's memos and speakers), so the page only renders.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from framesynth.errors import NotFound
from framesynth.familiarise.context import load_context
from framesynth.store.ids import get_by_id
from framesynth.store.models import Code, Coding, Memo, Source, Speaker, Turn


@dataclass(frozen=True)
class Piece:
    """A stretch of a turn with the same codings all through; ``start`` is its offset."""

    start: int
    text: str
    codes: list[Coding]


@dataclass(frozen=True)
class ReaderTurn:
    turn: Turn
    speaker: Speaker | None
    role: str | None
    organisation: str | None
    pieces: list[Piece]
    stripes: list[Code]


@dataclass(frozen=True)
class ReaderView:
    source: Source
    turns: list[ReaderTurn]
    memos: list[Memo]
    speakers: list[Speaker]


def cut_pieces(start: int, end: int, text: str, codings: list[Coding]) -> list[Piece]:
    """The turn's ``text`` (spanning ``start``-``end``) cut where codings begin and end."""
    cuts = {start, end}
    for coding in codings:
        if coding.start < end and coding.end > start:
            cuts |= {max(start, coding.start), min(end, coding.end)}
    edges = sorted(cuts)
    return [Piece(left, text[left - start:right - start],
                  [c for c in codings if c.start < right and c.end > left])
            for left, right in zip(edges, edges[1:], strict=False)]


def reader_view(session: Session, source_id: int) -> ReaderView:
    """Everything the reader shows of one source; its codings exclude suggestions."""
    source = get_by_id(session, Source, source_id)
    if source is None:
        raise NotFound(f"no source with id {source_id}")
    codings = list(session.scalars(select(Coding).where(
        Coding.source_id == source.id, Coding.status.is_(None)).options(
        selectinload(Coding.code)).order_by(Coding.start, Coding.id)))
    speakers = {s.id: s for s in session.scalars(select(Speaker).where(
        Speaker.source_id == source.id))}
    memos = list(session.scalars(select(Memo).where(Memo.source_id == source.id).order_by(
        Memo.id)))
    turns = _reader_turns(session, source, codings, speakers)
    return ReaderView(source, turns, memos, sorted(speakers.values(), key=lambda s: s.id))


def _reader_turns(session: Session, source: Source, codings: list[Coding],
                  speakers: dict[int, Speaker]) -> list[ReaderTurn]:
    context = load_context(session)
    turns = []
    for turn in source.turns:
        inside = [c for c in codings if c.start < turn.end and c.end > turn.start]
        attrs = context.speakers.get(turn.speaker_id or -1, {})
        turns.append(ReaderTurn(
            turn, speakers.get(turn.speaker_id or -1), attrs.get("role"),
            attrs.get("organisation"), cut_pieces(turn.start, turn.end, turn.text, inside),
            list({c.code_id: c.code for c in inside}.values())))
    return turns
