"""Codes that occur together in the same unit (turn, paragraph or sentence).

Two codes co-occur in a unit when codings of both touch it. The result is a symmetric
matrix of unit counts (the diagonal: units with the code at all) and a ranked list of
pairs with their count and Jaccard index (units with both / units with either).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.familiarise.units import units
from framesynth.frame.framework import code_path, framework_codes
from framesynth.store.models import Coding


@dataclass
class Cooccurrence:
    codes: list[str]
    counts: list[list[int]]
    pairs: list[tuple[str, str, int, float]]


def cooccurrence(session: Session, *, unit: str = "turn", coder: str | None = None
                 ) -> Cooccurrence:
    spans = defaultdict(list)
    query = select(Coding.source_id, Coding.start, Coding.end, Coding.code_id).where(
        Coding.status.is_(None))
    if coder is not None:
        query = query.where(Coding.coder == coder)
    for source_id, start, end, code_id in session.execute(query):
        spans[source_id].append((start, end, code_id))
    codes = [c for c in framework_codes(session) if c.codable]
    index = {c.id: n for n, c in enumerate(codes)}
    single: Counter[int] = Counter()
    double: Counter[tuple[int, int]] = Counter()
    for item in units(session, unit, source_ids=set(spans)):
        present = sorted({index[code] for start, end, code in spans[item.source_id]
                          if code in index and item.touched_by(start, end)})
        single.update(present)
        double.update(combinations(present, 2))
    names = [code_path(c) for c in codes]
    counts = [[single[i] if i == j else double[(min(i, j), max(i, j))] for j in range(len(codes))]
              for i in range(len(codes))]
    pairs = [(names[i], names[j], n, n / (single[i] + single[j] - n))
             for (i, j), n in double.items()]
    pairs.sort(key=lambda p: (-p[2], -p[3], p[0], p[1]))
    return Cooccurrence(names, counts, pairs)
