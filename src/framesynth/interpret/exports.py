"""Anonymised exports: the matrix and the codings through the report's anonymiser.

Text from the data (summaries, quotes, coded text, group values) goes through
:class:`~framesynth.interpret.anonymise.Anonymiser`; cases are named by their id in the
cases table (``P01``, ``ORG02``), never by name; sources, whose file names often hold a
name (``int01-maureen-okafor.txt``), become ``source 01``, ``source 02`` ... in the
order they were imported. The caller then audits the written file
(:func:`framesynth.interpret.audit.refuse_leaks`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.chart.matrix import Matrix
from framesynth.interpret.anonymise import Anonymiser
from framesynth.store.models import Source


def source_aliases(session: Session) -> dict[str, str]:
    """Source file name -> ``source NN`` by import order."""
    names = session.scalars(select(Source.name).order_by(Source.id))
    return {name: f"source {number:02d}" for number, name in enumerate(names, start=1)}


def anonymise_matrix(session: Session, matrix: Matrix) -> Matrix:
    """A copy of ``matrix`` with cases by id and every text anonymised."""
    clean = Anonymiser.from_project(session)
    sources = source_aliases(session)
    rows = [replace(row, label=row.key, attributes={k: clean(v) for k, v in
                                                    row.attributes.items()})
            for row in matrix.rows]
    cells = {key: replace(cell, summary=clean(cell.summary), loaded=[
        replace(s, text=clean(s.text), source=sources.get(s.source, "source"))
        for s in cell.segments]) for key, cell in matrix.cells.items()}
    return replace(matrix, rows=rows, cells=cells, title=clean(matrix.title))


def anonymise_coding_rows(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The codings export's rows with sources by number and the coded text anonymised."""
    clean = Anonymiser.from_project(session)
    sources = source_aliases(session)
    return [{**row, "source": sources.get(row["source"], "source"), "text": clean(row["text"])}
            for row in rows]
