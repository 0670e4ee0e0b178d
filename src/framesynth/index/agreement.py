"""Inter-coder agreement on units (turns, paragraphs or sentences).

How codings become data: the sources compared are those every chosen coder has coded
(at least one coding each). For every unit of those sources and every code, each coder
either applied the code (one of their codings of it *touches* the unit: overlaps it by at
least one character) or did not. Per code that gives one yes/no decision per coder and
unit; "overall" pools the decisions of all codes.

- percent agreement: the share of units on which all coders made the same decision;
- Cohen's kappa (exactly two coders): agreement corrected for chance,
  scikit-learn's ``cohen_kappa_score``;
- Krippendorff's alpha (nominal, any number of coders): the ``krippendorff`` package.

Kappa and alpha are undefined (None) when every decision is the same (no variation).
Disagreements list each unit and code where coders differ, with who applied it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.errors import InvalidArgument
from framesynth.familiarise.units import Unit, units
from framesynth.frame.framework import code_path
from framesynth.store.models import Code, Coding, Source


@dataclass
class Figures:
    units: int
    percent: float
    kappa: float | None
    alpha: float | None


@dataclass
class Disagreement:
    source: str
    start: int
    end: int
    text: str
    code: str
    applied_by: list[str]
    not_by: list[str]


@dataclass
class AgreementReport:
    coders: list[str]
    unit: str
    sources: list[str]
    per_code: dict[str, Figures]
    overall: Figures
    disagreements: list[Disagreement] = field(default_factory=list)


def figures(decisions: np.ndarray) -> Figures:
    """Agreement figures for a coders x items array of 0/1 decisions."""
    coders, items = decisions.shape
    if items == 0:
        return Figures(0, 0.0, None, None)
    agree = float(np.mean(np.all(decisions == decisions[0], axis=0)))
    varied = len(np.unique(decisions)) > 1
    kappa = alpha = None
    if varied:
        import krippendorff

        alpha = float(krippendorff.alpha(reliability_data=decisions,
                                         level_of_measurement="nominal"))
        if coders == 2:
            from sklearn.metrics import cohen_kappa_score

            kappa = float(cohen_kappa_score(decisions[0], decisions[1]))
            kappa = None if np.isnan(kappa) else kappa
    return Figures(items, agree, kappa, alpha)


def agreement(session: Session, coders: Sequence[str], *, unit: str = "turn",
              codes: Sequence[Code] | None = None) -> AgreementReport:
    """Agreement of ``coders`` (two or more) on ``unit`` s, per code and overall."""
    coders = list(dict.fromkeys(coders))
    if len(coders) < 2:
        raise InvalidArgument("agreement needs at least two different coders")
    rows = session.execute(select(Coding.coder, Coding.source_id, Coding.start, Coding.end,
                                  Coding.code_id).where(Coding.coder.in_(coders),
                                                        Coding.status.is_(None))).all()
    coded = defaultdict(set)
    for coder, source_id, *_ in rows:
        coded[coder].add(source_id)
    missing = [c for c in coders if not coded[c]]
    if missing:
        raise InvalidArgument(f"coder {missing[0]!r} has no codings")
    shared = set.intersection(*(coded[c] for c in coders))
    if not shared:
        raise InvalidArgument("the coders have not coded any source in common")
    spans = defaultdict(list)
    for coder, source_id, start, end, code_id in rows:
        if source_id in shared:
            spans[(coder, source_id, code_id)].append((start, end))
    unit_list = units(session, unit, source_ids=shared)
    chosen = list(codes) if codes is not None else _codes_used(session, {r[4] for r in rows})
    names = dict(session.execute(select(Source.id, Source.name)).all())
    return _report(coders, unit, unit_list, chosen, spans, names)


def _codes_used(session: Session, ids: set[int]) -> list[Code]:
    return sorted(session.scalars(select(Code).where(Code.id.in_(ids))), key=code_path)


def _report(coders: list[str], unit: str, unit_list: list[Unit], codes: list[Code],
            spans: dict, names: dict[int, str]) -> AgreementReport:
    per_code: dict[str, Figures] = {}
    pooled = []
    disagreements = []
    for code in codes:
        decisions = np.array([[int(any(u.touched_by(s, e)
                                       for s, e in spans.get((coder, u.source_id, code.id), [])))
                               for u in unit_list] for coder in coders], dtype=int)
        per_code[code_path(code)] = figures(decisions)
        pooled.append(decisions)
        for column, item in enumerate(unit_list):
            votes = decisions[:, column]
            if votes.min() != votes.max():
                disagreements.append(Disagreement(
                    names[item.source_id], item.start, item.end, item.text, code_path(code),
                    [c for c, v in zip(coders, votes, strict=True) if v],
                    [c for c, v in zip(coders, votes, strict=True) if not v]))
    overall = figures(np.hstack(pooled)) if pooled else Figures(0, 0.0, None, None)
    overall.units = len(unit_list)
    sources = sorted({names[u.source_id] for u in unit_list})
    disagreements.sort(key=lambda d: (d.source, d.start, d.code))
    return AgreementReport(coders, unit, sources, per_code, overall, disagreements)
