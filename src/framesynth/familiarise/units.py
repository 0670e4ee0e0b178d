"""Units of analysis: speaker turns, paragraphs and sentences.

Units are what auto-coding suggests codes for and what agreement compares coders on.

- ``turn``: each speaker turn (its words, without the label).
- ``paragraph``: the blank-line separated blocks inside each turn.
- ``sentence``: the sentences inside each turn, found by pysbd (a rule-based sentence
  boundary detector that knows abbreviations, numbers and quotes).

Interviewer and facilitator turns are left out unless asked for; speakerless turns
(headers, documents without speakers) are kept, headers aside.

A coding counts for a unit when it touches it: ``coding.start < unit.end`` and
``coding.end > unit.start``.

pysbd takes a few milliseconds a turn, so sentence spans are cached: in the process by
turn text, and in the project (setting ``units.sentence_spans.v1``: spans by a hash of
the turn's text, which never changes) whenever the project is writable.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.errors import InvalidArgument
from framesynth.store.engine import is_read_only
from framesynth.store.models import Setting, Source, Speaker, Turn

UNIT_KINDS = ("turn", "paragraph", "sentence")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
SPAN_CACHE_KEY = "units.sentence_spans.v1"
Spans = list[tuple[int, int]]


@dataclass(frozen=True)
class Unit:
    source_id: int
    start: int
    end: int
    text: str
    speaker_id: int | None

    def touched_by(self, start: int, end: int) -> bool:
        return start < self.end and end > self.start


def units(session: Session, kind: str = "turn", *, source_ids: set[int] | None = None,
          include_interviewer: bool = False) -> list[Unit]:
    """The units of every source (or of ``source_ids``), in text order."""
    if kind not in UNIT_KINDS:
        raise InvalidArgument(f"unit {kind!r} is not one of: {', '.join(UNIT_KINDS)}")
    kept = _turns(session, source_ids, include_interviewer)
    known = _stored_spans(session, [text for *_, text in kept]) if kind == "sentence" else {}
    found: list[Unit] = []
    for source_id, start, speaker, text in kept:
        if text in known:
            found += [Unit(source_id, start + a, start + b, text[a:b], speaker)
                      for a, b in known[text]]
        else:
            found += split_turn(source_id, start, text, speaker, kind)
    return found


def _turns(session: Session, source_ids: set[int] | None, include_interviewer: bool
           ) -> list[tuple[int, int, int | None, str]]:
    """(source, start, speaker, text) of the turns that have units, in text order."""
    interviewers = set(session.scalars(select(Speaker.id).where(Speaker.is_interviewer)))
    has_speakers = set(session.scalars(select(Speaker.source_id).distinct()))
    query = select(Turn.source_id, Turn.position, Turn.start, Turn.speaker_id, Turn.text)
    if source_ids is not None:
        query = query.where(Turn.source_id.in_(source_ids))
    return [(source_id, start, speaker, text)
            for source_id, position, start, speaker, text
            in session.execute(query.order_by(Turn.source_id, Turn.position))
            if (include_interviewer or speaker not in interviewers)
            and not (speaker is None and position == 0 and source_id in has_speakers)]


def cache_sentence_spans(session: Session, source_ids: set[int]) -> None:
    """Find and store the sentence spans of these sources' turns now (pysbd: about a
    second per 600 turns), so that later sentence units need not wait for it. Not done at
    import, whose throughput it would cut several times; the first sentence-level command
    of a project pays it once."""
    if source_ids:
        units(session, "sentence", source_ids=source_ids, include_interviewer=True)


def _span_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _stored_spans(session: Session, texts: Iterable[str]) -> dict[str, Spans]:
    """The sentence spans of ``texts`` from the project's cache; those not cached yet are
    found now and added to it when the project is writable."""
    row = session.get(Setting, SPAN_CACHE_KEY)
    stored: dict[str, list[list[int]]] = dict(row.value) if row is not None and row.value else {}
    known, added = {}, 0
    for text in dict.fromkeys(texts):
        key = _span_key(text)
        if key not in stored:
            stored[key] = [list(span) for span in sentence_spans(text)]
            added += 1
        known[text] = [(a, b) for a, b in stored[key]]
    if added and _writable(session):
        session.merge(Setting(key=SPAN_CACHE_KEY, value=stored))
        session.flush()
    return known


def _writable(session: Session) -> bool:
    """False for a project opened read-only (SQLite ``query_only``, a read-only
    PostgreSQL transaction)."""
    return not is_read_only(session.connection())


def split_turn(source_id: int, start: int, text: str, speaker: int | None,
               kind: str) -> list[Unit]:
    """The units of one turn whose text begins at ``start`` in its source."""
    if kind == "turn":
        spans = [(0, len(text))]
    elif kind == "paragraph":
        spans = _paragraphs(text)
    else:
        spans = sentence_spans(text)
    return [Unit(source_id, start + a, start + b, text[a:b], speaker) for a, b in spans]


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, position = [], 0
    for brk in [*PARAGRAPH_BREAK.finditer(text), None]:
        stop = brk.start() if brk else len(text)
        spans.append(_strip(text, position, stop))
        position = brk.end() if brk else len(text)
    return [span for span in spans if span[0] < span[1]]


@lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    import pysbd

    # pysbd builds some 2,700 distinct regular expressions over a project's turns; re's
    # cache keeps 512, so without more room it recompiles them for every turn (~20% of
    # its time on the demo).
    if getattr(re, "_MAXCACHE", 4096) < 4096:
        re._MAXCACHE = 4096  # type: ignore[attr-defined]
    return pysbd.Segmenter(language="en", clean=False)


def sentence_spans(text: str) -> Spans:
    """``(start, end)`` of each sentence in ``text``, whitespace trimmed.

    pysbd returns the sentences; each is located in ``text`` after the previous one, so
    repeated sentences get their own offsets.
    """
    return list(_sentence_spans(text))


@lru_cache(maxsize=8192)
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans, position = [], 0
    for sentence in segment(text):
        piece = sentence.strip()
        found = text.find(piece, position) if piece else -1
        if found < 0:
            continue
        spans.append((found, found + len(piece)))
        position = found + len(piece)
    return tuple(spans)


def segment(text: str) -> list[str]:
    """pysbd's ``Segmenter.segment(text)`` (non-destructive: each sentence with its
    trailing whitespace), its sentences located with ``str.find`` where pysbd compiles a
    regular expression for each one (half its time)."""
    if not text:
        return []
    sentences = _segmenter().processor(text).process()
    if not all(sentences):
        return list(_segmenter().segment(text))
    found, prior_end = [], 0
    for sentence in sentences:
        start = text.find(sentence)
        while start >= 0:  # re.finditer: non-overlapping matches, left to right
            end = _whitespace_end(text, start + len(sentence))
            if end > prior_end:
                found.append(text[start:end])
                prior_end = end
                break
            start = text.find(sentence, end)
    return found


def _whitespace_end(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def source_ids_by_name(session: Session, names: list[str]) -> set[int]:
    found = dict(session.execute(select(Source.name, Source.id).where(Source.name.in_(names))).all())
    missing = sorted(set(names) - set(found))
    if missing:
        raise InvalidArgument(f"no source named {missing[0]!r}")
    return set(found.values())
