"""Extractive draft summaries for matrix cells.

A cell's draft is its most representative sentences: the sentences of its segments are
embedded, and those closest to their centroid (embedding centrality) are kept, in the
order they were said. A draft is marked ``draft`` until a person accepts or edits it,
and drafting never overwrites a summary a person accepted or wrote.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from framesynth.chart.matrix import Cell, Matrix, edit_cell
from framesynth.embeddings import Embedder, embed
from framesynth.familiarise.units import sentence_spans
from framesynth.store.models import Case, Code

MIN_WORDS = 4


def draft_summary(session: Session | None, cell: Cell, embedder: Embedder, *,
                  sentences: int = 2) -> str:
    """The ``sentences`` most central sentences of the cell's segments."""
    pieces: list[tuple[str, int, int, str]] = []
    for segment in cell.segments:
        for start, end in sentence_spans(segment.text):
            text = " ".join(segment.text[start:end].split())
            if len(text.split()) >= MIN_WORDS:
                pieces.append((segment.source, segment.start + start, len(pieces), text))
    if not pieces:
        return ""
    unique = list({p[3]: p for p in pieces}.values())
    vectors = embed(session, embedder, [p[3] for p in unique])
    centre = vectors.mean(axis=0)
    centre = centre / max(float(np.linalg.norm(centre)), 1e-9)
    order = np.argsort(-(vectors @ centre), kind="stable")[:sentences]
    chosen = sorted((unique[i] for i in order), key=lambda p: (p[0], p[1]))
    return " ".join(f"\u201c{p[3]}\u201d" for p in chosen)


def draft_cells(session: Session, matrix: Matrix, embedder: Embedder, *, actor: str,
                sentences: int = 2) -> int:
    """Fill empty or draft cells that have segments; returns how many were drafted."""
    drafted = 0
    for row in matrix.rows:
        for column in matrix.columns:
            cell = matrix.cell(row, column)
            if not cell.segments or cell.status in {"accepted", "edited"}:
                continue
            text = draft_summary(session, cell, embedder, sentences=sentences)
            if text and text != cell.summary:
                edit_cell(session, session.get_one(Case, row.case_id),
                          session.get_one(Code, column.id), text, actor=actor, status="draft")
                cell.summary, cell.status = text, "draft"
                drafted += 1
    return drafted
