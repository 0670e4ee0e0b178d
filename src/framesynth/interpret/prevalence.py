"""Prevalence of codes across groups of cases, and comparisons between two groups.

Prevalence counts **cases**, not codings: a participant (or organisation, partnership)
"mentions" a code when at least one of their segments is coded with it or one of its
sub-codes. Each figure comes with its group size. Two groups are compared code by code
with Fisher's exact test (small samples are the norm here) and Cohen's h as the effect
size; comparisons where either group has fewer than 10 cases are flagged exploratory.

Groups come from any attribute a case has (``role``, ``site``, ``sector`` when there are
organisations) or, for participants, from the sources they speak in (``kind``,
``theme`` ...: a participant heard in two kinds of source counts in both). ``by=None``
(``"none"`` on the command line) puts every case in one group, ``all``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.chart.evidence import CaseRow, case_rows, evidence_by_case
from framesynth.errors import InvalidArgument
from framesynth.familiarise.context import load_context
from framesynth.frame.framework import code_path, framework_codes
from framesynth.index.coding import descendants
from framesynth.store.models import Case, Organisation, Participant, Speaker

SMALL_GROUP = 10
ALL = "all"
NO_GROUPING = "none"


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


def prevalence(session: Session, *, by: str | None, rows: str = "participant",
               level: str = "codes", coder: str | None = None) -> list[Prevalence]:
    """For each code (``level="codes"``) or theme (``"themes"``) and each value of the
    attribute ``by``: how many cases mention it, out of how many."""
    groups: dict[str, set[int]] = {}
    for case_id, values in case_groups(session, rows, by).items():
        for value in values:
            groups.setdefault(value, set()).add(case_id)
    found = evidence_by_case(session, rows, coder=coder)
    codes_of = {case_id: {e.code_id for e in items} for case_id, items in found.items()}
    result = []
    for code in _targets(session, level):
        members = {code.id, *(d.id for d in descendants(code))}
        for group in sorted(groups):
            mentioning = sum(1 for case_id in groups[group] if codes_of.get(case_id, set()) & members)
            result.append(Prevalence(code_path(code), group, mentioning, len(groups[group])))
    return result


@dataclass
class PrevalenceTable:
    """Prevalence figures laid out as codes (rows, in the figures' order) by groups
    (columns, sorted); ``cell(code, group)`` is that figure. The CLI, the web page and the
    report draw their tables from this one layout."""

    codes: list[str]
    groups: list[str]
    cells: dict[tuple[str, str], Prevalence]

    @classmethod
    def of(cls, figures: list[Prevalence]) -> PrevalenceTable:
        return cls(list(dict.fromkeys(f.code for f in figures)), sorted({f.group for f in figures}),
                   {(f.code, f.group): f for f in figures})

    def cell(self, code: str, group: str) -> Prevalence:
        return self.cells[(code, group)]

    def size(self, group: str) -> int:
        """How many cases the group has."""
        return self.cells[(self.codes[0], group)].size


def grouping(by: str | None) -> str | None:
    """The attribute ``by`` names, or None for ``"none"`` (or nothing): one group."""
    if by is None or not by.strip() or by.strip().casefold() == NO_GROUPING:
        return None
    return by.strip().casefold()


def default_group_by(session: Session) -> str | None:
    """``sector`` when participants belong to organisations that have sectors, else None."""
    query = (select(Participant.id).join(Organisation, Participant.organisation_id
                                         == Organisation.id)
             .where(Organisation.sector.is_not(None), Organisation.sector != "").limit(1))
    return "sector" if session.scalar(query) is not None else None


def case_groups(session: Session, rows: str, by: str | None) -> dict[int, list[str]]:
    """Case id -> the groups it belongs to, by attribute ``by`` (see the module
    docstring); every case is in group ``all`` when ``by`` is None or ``none``."""
    cases = case_rows(session, rows)
    key = grouping(by)
    if key is None:
        return {case.case_id: [ALL] for case in cases}
    if not cases or any(key in case.attributes for case in cases):
        return {case.case_id: [case.attributes.get(key) or "(none)"] for case in cases}
    heard = _source_attributes(session, cases) if rows == "participant" else {}
    if not any(key in attrs for values in heard.values() for attrs in values):
        known = sorted({k for c in cases for k in c.attributes}
                       | {k for values in heard.values() for attrs in values for k in attrs})
        raise InvalidArgument(f"cannot group {rows}s by {by!r}; known: {', '.join(known)} "
                              "(or none)")
    return {case.case_id: sorted({attrs.get(key) or "(none)" for attrs in
                                  heard.get(case.case_id, [])}) or ["(none)"] for case in cases}


def _source_attributes(session: Session, cases: list[CaseRow]) -> dict[int, list[dict[str, str]]]:
    """Participant case id -> the attributes of each source they speak in."""
    sources = load_context(session).sources
    person_case = dict(session.execute(select(Case.participant_id, Case.id).where(
        Case.kind == "participant", Case.participant_id.is_not(None))).all())
    wanted = {case.case_id for case in cases}
    heard: dict[int, dict[int, dict[str, str]]] = {}
    for source_id, participant_id in session.execute(select(
            Speaker.source_id, Speaker.participant_id).where(Speaker.participant_id.is_not(None))):
        case_id = person_case.get(participant_id)
        if case_id in wanted:
            heard.setdefault(case_id, {})[source_id] = sources.get(source_id, {})
    return {case_id: list(found.values()) for case_id, found in heard.items()}


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
