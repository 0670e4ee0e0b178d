"""Codings: a code applied to a span of a source by a coder.

Spans are Unicode code-point offsets into the immutable source text, end exclusive.
Overlapping and nested codings are allowed; the same coder applying the same code to the
same span twice is not (it returns the existing coding). Every change is logged.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from framesynth.errors import FramesynthError, InvalidArgument, NotFound
from framesynth.familiarise.context import Where, load_context
from framesynth.familiarise.sources import get_source
from framesynth.frame.framework import MAIN, code_path, find_code
from framesynth.store.events import log_event
from framesynth.store.ids import get_by_id
from framesynth.store.models import Code, Coding, Source, Turn


class CodingError(FramesynthError):
    """A coding that cannot be stored (bad range, retired or heading code)."""

    code = "FS301"


def check_range(source: Source, start: int, end: int) -> None:
    if not 0 <= start < end <= len(source.text):
        raise CodingError(f"range {start}-{end} is outside {source.name!r} "
                          f"(0-{len(source.text)}) or empty")


def check_codable(code: Code) -> None:
    if code.retired:
        raise CodingError(f"code {code_path(code)!r} is retired")
    if not code.codable:
        raise CodingError(f"{code_path(code)!r} is a heading, not a codable code")
    if code.framework != MAIN:
        raise CodingError(f"code {code_path(code)!r} belongs to draft {code.framework!r}; "
                          "merge the draft first")


def apply_code(session: Session, source: Source, start: int, end: int, code: Code, *,
               coder: str, memo: str | None = None, score: float | None = None,
               status: str | None = None) -> Coding:
    """Code ``source[start:end]`` with ``code`` as ``coder``; returns the coding."""
    check_range(source, start, end)
    check_codable(code)
    existing = session.scalar(select(Coding).where(
        Coding.source_id == source.id, Coding.start == start, Coding.end == end,
        Coding.code_id == code.id, Coding.coder == coder))
    if existing is not None:
        return existing
    coding = Coding(source=source, start=start, end=end, code=code, coder=coder, memo=memo,
                    score=score, status=status, text=source.text[start:end])
    session.add(coding)
    session.flush()
    if status is None:
        log_event(session, "code", actor=coder, coding=coding.id, source=source.name,
                  start=start, end=end, code=code_path(code))
    return coding


def remove_coding(session: Session, coding_id: int, *, actor: str) -> None:
    """Delete one coding (the only way a coding goes; logged with its content)."""
    coding = get_by_id(session, Coding, coding_id)
    if coding is None:
        raise NotFound(f"no coding with id {coding_id}")
    log_event(session, "uncode", actor=actor, coding=coding_id, source=coding.source.name,
              start=coding.start, end=coding.end, code=code_path(coding.code),
              coder=coding.coder)
    session.delete(coding)


def code_turn(session: Session, turn: Turn, code: Code, *, coder: str) -> Coding:
    """Code a whole speaker turn."""
    return apply_code(session, turn.source, turn.start, turn.end, code, coder=coder)


@dataclass(frozen=True)
class Segment:
    """A coded segment with what is known about who said it."""

    coding_id: int
    source: str
    start: int
    end: int
    code: str
    coder: str
    score: float | None
    text: str
    attributes: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.coding_id, "source": self.source, "start": self.start,
                "end": self.end, "code": self.code, "coder": self.coder, "score": self.score,
                "text": self.text, **{f"attr:{k}": v for k, v in self.attributes.items()}}


def segments(session: Session, *, code: str | None = None, coder: str | None = None,
             where: Where | None = None, include_children: bool = True,
             include_suggestions: bool = False) -> list[Segment]:
    """Coded segments (for ``code`` and, by default, its sub-codes), with the attributes
    of the speaker of the turn they start in; filterable like search."""
    query = select(Coding).options(selectinload(Coding.code), selectinload(Coding.source))
    if code is not None:
        root = find_code(session, code)
        ids = [root.id] + ([c.id for c in descendants(root)] if include_children else [])
        query = query.where(Coding.code_id.in_(ids))
    if coder is not None:
        query = query.where(Coding.coder == coder)
    if not include_suggestions:
        query = query.where(Coding.status.is_(None))
    context = load_context(session)
    where = where or {}
    context.check(where)
    speakers = turn_speakers(session)
    found = []
    for coding in session.scalars(query.order_by(Coding.source_id, Coding.start, Coding.id)):
        speaker = speaker_at(speakers.get(coding.source_id, []), coding.start)
        if not context.matches(coding.source_id, speaker, where):
            continue
        found.append(Segment(coding.id, coding.source.name, coding.start, coding.end,
                             code_path(coding.code), coding.coder, coding.score, coding.text,
                             context.attributes(coding.source_id, speaker)))
    return sorted(found, key=lambda s: (s.source, s.start, s.coding_id))


def descendants(code: Code) -> list[Code]:
    found = []
    for child in code.children:
        found += [child, *descendants(child)]
    return found


def turn_speakers(session: Session) -> dict[int, list[tuple[int, int, int | None]]]:
    """Per source, its turns as (start, end, speaker id), in order."""
    found: dict[int, list[tuple[int, int, int | None]]] = {}
    query = select(Turn.source_id, Turn.start, Turn.end, Turn.speaker_id).order_by(
        Turn.source_id, Turn.start)
    for source_id, start, end, speaker in session.execute(query):
        found.setdefault(source_id, []).append((start, end, speaker))
    return found


TurnRow = TypeVar("TurnRow", bound=tuple[Any, ...])


def turn_at(turns: Sequence[TurnRow], offset: int) -> TurnRow | None:
    """Of ``turns`` (tuples starting with the turn's start, sorted by it), the one holding
    ``offset``, or the nearest one before it."""
    index = bisect_right([turn[0] for turn in turns], offset)
    return turns[index - 1] if index else None


def speaker_at(turns: Sequence[tuple[int, int, int | None]], offset: int) -> int | None:
    """The speaker of the turn holding ``offset`` (or the nearest turn before it)."""
    turn = turn_at(turns, offset)
    return turn[2] if turn else None


def code_span(session: Session, source: str, start: int, end: int, code: str, *, coder: str,
              memo: str | None = None) -> Coding:
    """:func:`apply_code` by names, as the CLI and importers call it."""
    if start < 0 or end < 0:
        raise InvalidArgument("offsets cannot be negative")
    return apply_code(session, get_source(session, source), start, end,
                      find_code(session, code), coder=coder, memo=memo)
