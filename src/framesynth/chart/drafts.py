"""Extractive draft summaries for matrix cells, made of whole sentences.

A cell's draft is built from the sentences its coded segments touch: each segment is
widened to the whole sentences of its turn that it overlaps (``sentence_spans`` on the
turn's text), so a coded fragment never becomes a draft on its own. Then:

- sentences with fewer than :data:`MIN_CONTENT_WORDS` content words (back-channel and
  filler such as "Mm-hmm." or "Yeah, yeah."; see :mod:`framesynth.chart.fillers`) are left
  out, and so are repeats (the same words after case folding);
- the rest are embedded and chosen greedily, most central first (closest to the centroid),
  each next one by centrality less :data:`DIVERSITY` times its nearest chosen sentence's
  similarity; a near-duplicate (cosine above :data:`NEAR_DUPLICATE` to a chosen one) is
  never chosen;
- at most ``sentences`` sentences and ``max_words`` words in all: a sentence that does not
  fit the words left is skipped. Only when no sentence fits at all is the most central one
  cut at its last clause boundary (``,;:`` or a dash) within the budget, ending in "…".

The chosen sentences are given in the order they were said, and each keeps where it came
from (``{source_id, start, end}`` code-point offsets, stored with the cell) so the reader can
open it. A draft is marked ``draft`` until a person accepts or edits it, and drafting never
overwrites a summary a person accepted or wrote, even one saved while the drafts were
being made: each draft is written only over the version of the cell it was made from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.chart.evidence import Evidence
from framesynth.chart.fillers import content_words
from framesynth.chart.matrix import Cell, Matrix, edit_cell
from framesynth.embeddings import Embedder, embed
from framesynth.errors import EditConflict, InvalidArgument
from framesynth.familiarise.units import sentence_spans
from framesynth.store.models import Case, Code, Source, Turn

MIN_CONTENT_WORDS = 3
MAX_WORDS = 60
SENTENCES = 3
NEAR_DUPLICATE = 0.9
DIVERSITY = 0.5
WORDS = re.compile(r"\w+")
CLAUSE_BREAK = re.compile(r"\s*[,;:\u2013\u2014]\s")


@dataclass(frozen=True)
class Sentence:
    """One drafted sentence: ``raw`` is ``Source.text[start:end]``."""

    source_id: int
    source: str
    start: int
    end: int
    raw: str
    cut: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.raw.split()) + ("\u2026" if self.cut else "")

    @property
    def words(self) -> int:
        return len(self.raw.split())


@dataclass
class Draft:
    sentences: list[Sentence]

    @property
    def text(self) -> str:
        return " ".join(f"\u201c{s.text}\u201d" for s in self.sentences)

    @property
    def evidence(self) -> list[dict[str, int]]:
        return [{"source_id": s.source_id, "start": s.start, "end": s.end}
                for s in self.sentences]


@lru_cache(maxsize=4096)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(sentence_spans(text))


def segment_sentences(segment: Evidence) -> list[Sentence]:
    """The whole sentences of the segment's turn that the segment touches (of the
    segment's own text when it lies outside any turn's words)."""
    return (_touched(segment, segment.turn_text, segment.turn_start)
            or _touched(segment, segment.text, segment.start))


def _touched(segment: Evidence, text: str, base: int) -> list[Sentence]:
    return [Sentence(segment.source_id, segment.source, base + a, base + b, text[a:b])
            for a, b in _spans(text) if base + a < segment.end and base + b > segment.start]


def cell_sentences(cell: Cell, languages: dict[int, str | None] | None = None
                   ) -> list[Sentence]:
    """The cell's candidate sentences: whole, with content, each once."""
    found: dict[str, Sentence] = {}
    for segment in cell.segments:
        language = (languages or {}).get(segment.source_id)
        for sentence in segment_sentences(segment):
            words = content_words(sentence.raw, language)
            if len(words) >= MIN_CONTENT_WORDS:
                found.setdefault(" ".join(WORDS.findall(sentence.raw.casefold())), sentence)
    return list(found.values())


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def centrality(vectors: np.ndarray) -> np.ndarray:
    """Each vector's cosine to the centroid of all of them."""
    unit = _unit(vectors)
    centre = unit.mean(axis=0)
    return unit @ (centre / max(float(np.linalg.norm(centre)), 1e-9))


def choose(vectors: np.ndarray, words: list[int], *, sentences: int, max_words: int
           ) -> list[int]:
    """Indexes chosen greedily by centrality then diversity, within the budgets."""
    unit = _unit(vectors)
    central, similar = centrality(vectors), unit @ unit.T
    chosen: list[int] = []
    left, budget = list(range(len(words))), max_words
    while left and len(chosen) < sentences:
        nearest = [max((float(similar[i, j]) for j in chosen), default=0.0) for i in left]
        scores = [float(central[i]) - DIVERSITY * near for i, near in zip(left, nearest,
                                                                          strict=True)]
        pick = int(np.argmax(scores))
        index = left.pop(pick)
        if nearest[pick] <= NEAR_DUPLICATE and words[index] <= budget:
            chosen.append(index)
            budget -= words[index]
    return chosen


def cut(sentence: Sentence, max_words: int) -> Sentence:
    """``sentence`` shortened to its last clause boundary within ``max_words`` words (or
    to ``max_words`` words where it has none), marked to end in "…"."""
    words = list(re.finditer(r"\S+", sentence.raw))
    limit = words[max_words - 1].end() if 0 < max_words < len(words) else len(sentence.raw)
    stops = [brk.start() for brk in CLAUSE_BREAK.finditer(sentence.raw)
             if brk.start() <= limit and len(sentence.raw[:brk.start()].split()) > 1]
    stop = stops[-1] if stops else limit
    while stop > 1 and sentence.raw[stop - 1] in ",;:":
        stop -= 1
    return Sentence(sentence.source_id, sentence.source, sentence.start,
                    sentence.start + stop, sentence.raw[:stop], cut=True)


def draft(session: Session | None, cell: Cell, embedder: Embedder, *,
          sentences: int = SENTENCES, max_words: int = MAX_WORDS) -> Draft:
    """The cell's draft: its most central whole sentences within the budgets."""
    candidates = cell_sentences(cell, _languages(session, cell))
    if not candidates:
        return Draft([])
    vectors = embed(session, embedder, [s.text for s in candidates])
    picked = choose(vectors, [s.words for s in candidates], sentences=sentences,
                    max_words=max_words)
    chosen = [candidates[i] for i in picked] or [
        cut(candidates[int(np.argmax(centrality(vectors)))], max_words)]
    return Draft(sorted(chosen, key=lambda s: (s.source, s.start)))


def draft_summary(session: Session | None, cell: Cell, embedder: Embedder, *,
                  sentences: int = SENTENCES, max_words: int = MAX_WORDS) -> str:
    """The text of :func:`draft`: its sentences, each in quotation marks."""
    return draft(session, cell, embedder, sentences=sentences, max_words=max_words).text


def _languages(session: Session | None, cell: Cell) -> dict[int, str | None]:
    ids = {s.source_id for s in cell.segments}
    if session is None or not ids:
        return {}
    return dict(session.execute(select(Source.id, Source.language)
                                .where(Source.id.in_(ids))).all())


def draft_cells(session: Session, matrix: Matrix, embedder: Embedder, *, actor: str,
                sentences: int = SENTENCES, max_words: int = MAX_WORDS) -> int:
    """Fill empty or draft cells that have segments; returns how many were drafted.

    A cell someone changed since ``matrix`` was read is left as they wrote it."""
    if sentences < 1 or max_words < 1:
        raise InvalidArgument("a draft needs at least one sentence and one word")
    drafted = 0
    for row in matrix.rows:
        for column in matrix.columns:
            cell = matrix.cell(row, column)
            if not cell.segments or cell.status in {"accepted", "edited"}:
                continue
            made = draft(session, cell, embedder, sentences=sentences, max_words=max_words)
            if made.sentences and (made.text, made.evidence) != (cell.summary, cell.evidence):
                try:
                    stored = edit_cell(session, session.get_one(Case, row.case_id),
                                       session.get_one(Code, column.id), made.text,
                                       actor=actor, status="draft", evidence=made.evidence,
                                       expected_version=cell.version)
                except EditConflict:
                    continue
                cell.summary, cell.status, cell.evidence = made.text, "draft", made.evidence
                cell.version = stored.version
                drafted += 1
    return drafted


@dataclass(frozen=True)
class Origin:
    """Where one drafted sentence came from, for a link or a "from:" note."""

    source_id: int
    source: str
    start: int
    end: int
    line: int
    at: float | None

    @property
    def label(self) -> str:
        if self.at is not None:
            minutes, seconds = divmod(int(self.at), 60)
            return f"{self.source}, {minutes:02d}:{seconds:02d}"
        return f"{self.source}, line {self.line}"


def origins(session: Session, evidence: list[dict[str, int]] | None) -> list[Origin]:
    """The stored ``evidence`` of a cell as sources, lines and turn times."""
    found = []
    for item in evidence or []:
        source = session.get(Source, item["source_id"])
        if source is None:
            continue
        at = session.scalar(select(Turn.started_at).where(
            Turn.source_id == source.id, Turn.start <= item["start"])
            .order_by(Turn.start.desc()).limit(1))
        found.append(Origin(source.id, source.name, item["start"], item["end"],
                            source.text.count("\n", 0, item["start"]) + 1, at))
    return found
