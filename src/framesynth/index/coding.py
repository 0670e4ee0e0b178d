"""Codings: a code applied to a span of a source by a coder.

Spans are Unicode code-point offsets into the immutable source text, end exclusive.
Overlapping and nested codings are allowed; the same coder applying the same code to the
same span twice is not (it returns the existing coding). Every change is logged.
"""

from __future__ import annotations

import re
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
               status: str | None = None,
               media: tuple[float, float] | None = None) -> Coding:
    """Code ``source[start:end]`` with ``code`` as ``coder``; returns the coding.
    ``media``: the recording's time range (seconds) the coding is of, when it is one;
    its span may then be empty (a recording without transcript words there)."""
    if media is None or start != end:
        check_range(source, start, end)
    check_codable(code)
    media_start, media_end = media or (None, None)
    existing = session.scalar(select(Coding).where(
        Coding.source_id == source.id, Coding.start == start, Coding.end == end,
        Coding.code_id == code.id, Coding.coder == coder,
        Coding.media_start.is_(None) if media_start is None
        else Coding.media_start == media_start,
        Coding.media_end.is_(None) if media_end is None else Coding.media_end == media_end))
    if existing is not None:
        return existing
    coding = Coding(source=source, start=start, end=end, code=code, coder=coder, memo=memo,
                    score=score, status=status, text=source.text[start:end],
                    media_start=media_start, media_end=media_end)
    session.add(coding)
    session.flush()
    if status is None:
        times = {} if media is None else {"media_start": media_start, "media_end": media_end}
        log_event(session, "code", actor=coder, coding=coding.id, source=source.name,
                  start=start, end=end, code=code_path(code), **times)
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


def code_time_range(session: Session, source_name: str, start_s: float, end_s: float,
                    code: str, *, coder: str, memo: str | None = None) -> Coding:
    """Code the part ``[start_s, end_s)`` (seconds) of a source's recording.

    The coding also gets a character span, so that the matrix, prevalence and the
    report count it as they count a text coding: the transcript words the range covers
    (:func:`covered_span`). A recording with no transcript gives the empty span 0-0.
    """
    source = get_source(session, source_name)
    if source.media_file is None or source.media_duration is None:
        raise CodingError(f"{source.name!r} has no recording to code a time range of")
    if not 0 <= start_s < end_s <= source.media_duration:
        raise CodingError(f"time range {start_s:g}-{end_s:g} s is outside {source.name!r}'s "
                          f"recording (0-{source.media_duration:g} s) or empty")
    start, end = covered_span(source.turns, start_s, end_s)
    return apply_code(session, source, start, end, find_code(session, code), coder=coder,
                      memo=memo, media=(start_s, end_s))


WORD = re.compile(r"\S+")


def covered_span(turns: Sequence[Turn], start_s: float, end_s: float) -> tuple[int, int]:
    """The character span of the transcript words spoken within ``[start_s, end_s)``.

    Turns carry times only as a whole (``started_at``/``ended_at``), so each turn that
    overlaps the range has its words placed evenly over the turn's time, by character
    position (a word's time is interpolated from where it sits in the turn), and the
    words whose middle falls inside the range are kept; where none does (a range
    shorter than a word), the word nearest the range's middle. (0, 0) when no timed turn
    overlaps the range.
    """
    spans: list[tuple[int, int]] = []
    for turn in sorted(turns, key=lambda t: t.start):
        if turn.started_at is None or turn.ended_at is None or turn.start == turn.end:
            continue
        if turn.ended_at <= start_s or turn.started_at >= end_s:
            continue
        spans += _words_within(turn, start_s, end_s)
    if not spans:
        return 0, 0
    return spans[0][0], spans[-1][1]


def _words_within(turn: Turn, start_s: float, end_s: float) -> list[tuple[int, int]]:
    """Source offsets of the words of ``turn`` whose interpolated time is in range."""
    length = len(turn.text)
    duration = (turn.ended_at or 0.0) - (turn.started_at or 0.0)
    words = [(m.start(), m.end()) for m in WORD.finditer(turn.text)]
    if not words:
        return []

    def at(word: tuple[int, int]) -> float:
        return (turn.started_at or 0.0) + duration * (word[0] + word[1]) / 2 / length

    inside = [w for w in words if start_s <= at(w) < end_s]
    if not inside:
        middle = (max(start_s, turn.started_at or 0.0) + min(end_s, turn.ended_at or 0.0)) / 2
        inside = [min(words, key=lambda w: abs(at(w) - middle))]
    return [(turn.start + a, turn.start + b) for a, b in inside]
