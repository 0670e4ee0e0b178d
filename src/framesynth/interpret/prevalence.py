"""Prevalence of codes across groups of cases, and comparisons between two groups.

Prevalence counts **cases**, not codings: a participant (or organisation, partnership)
"mentions" a code when at least one of their segments is coded with it or one of its
sub-codes. Each figure comes with its group size. Two groups are compared code by code
with Fisher's exact test (small samples are the norm here) and Cohen's h as the effect
size; comparisons where either group has fewer than 10 cases are flagged exploratory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy.orm import Session

from framesynth.chart.evidence import case_rows, evidence_by_case
from framesynth.errors import InvalidArgument
from framesynth.frame.framework import code_path, framework_codes
from framesynth.index.coding import descendants

SMALL_GROUP = 10


@dataclass
class Prevalence:
    code: str
    group: str
    cases: int
    size: int

    @property
    def share(self) -> float:
        return self.cases / self.size if self.size else 0.0


@dataclass
class Comparison:
    code: str
    first: Prevalence
    second: Prevalence
    p_value: float
    cohens_h: float
    exploratory: bool


def prevalence(session: Session, *, by: str, rows: str = "participant",
               level: str = "codes", coder: str | None = None) -> list[Prevalence]:
    """For each code (``level="codes"``) or theme (``"themes"``) and each value of the
    attribute ``by``: how many cases mention it, out of how many."""
    cases = case_rows(session, rows)
    key = by.casefold()
    if cases and not any(key in c.attributes for c in cases):
        raise InvalidArgument(f"cannot group {rows}s by {by!r}")
    groups: dict[str, set[int]] = {}
    for case in cases:
        groups.setdefault(case.attributes.get(key, "(none)"), set()).add(case.case_id)
    found = evidence_by_case(session, rows, coder=coder)
    codes_of = {case_id: {e.code_id for e in items} for case_id, items in found.items()}
    result = []
    for code in _targets(session, level):
        members = {code.id, *(d.id for d in descendants(code))}
        for group in sorted(groups):
            mentioning = sum(1 for case_id in groups[group] if codes_of.get(case_id, set()) & members)
            result.append(Prevalence(code_path(code), group, mentioning, len(groups[group])))
    return result


def _targets(session: Session, level: str):  # type: ignore[no-untyped-def]
    codes = framework_codes(session)
    if level == "themes":
        return [c for c in codes if c.parent_id is None]
    if level == "codes":
        return [c for c in codes if c.codable]
    raise InvalidArgument("level must be themes or codes")


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h, the difference of arcsine-transformed proportions."""
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


def compare_groups(figures: list[Prevalence], first: str, second: str) -> list[Comparison]:
    """Fisher's exact test and Cohen's h for each code, ``first`` against ``second``."""
    from scipy.stats import fisher_exact

    by_code: dict[str, dict[str, Prevalence]] = {}
    for item in figures:
        by_code.setdefault(item.code, {})[item.group] = item
    missing = [g for g in (first, second) if not any(g in v for v in by_code.values())]
    if missing:
        names = sorted({g for v in by_code.values() for g in v})
        raise InvalidArgument(f"no group {missing[0]!r}; the groups are: {', '.join(names)}")
    result = []
    for code, groups in by_code.items():
        a, b = groups[first], groups[second]
        table = [[a.cases, a.size - a.cases], [b.cases, b.size - b.cases]]
        p_value = float(fisher_exact(table)[1])
        result.append(Comparison(code, a, b, p_value, cohens_h(a.share, b.share),
                                 min(a.size, b.size) < SMALL_GROUP))
    return result
