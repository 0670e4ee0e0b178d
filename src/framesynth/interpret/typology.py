"""Where each partnership sits on the depth continuum and the levels it works at: as
recorded in the cases table, and as the coded evidence describes it.

The evidence is the partnership's segments (:mod:`framesynth.chart.evidence`: what its
two organisations' people say when they name the partner). framesynth reads them for
plain phrases that signal a depth (``on paper``, ``signed ... nothing since`` against
``every week``, ``co-located``) or a level (``front line``, ``managers``, ``board``).
The phrases are listed in :data:`DEPTH_SIGNALS` and :data:`LEVEL_SIGNALS`, and every
finding comes with the quotes that produced it, so an analyst can check it. A
partnership whose evidence sits two or more steps from its recorded depth, or whose
recorded levels the evidence does not show, is flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.chart.evidence import evidence_by_case
from framesynth.store.models import DEPTHS, LEVELS, Case, Partnership

DEPTH_SIGNALS: dict[str, list[str]] = {
    "on_paper": ["on paper", "in name only", "memorandum", "nothing since", "never met",
                 "one meeting", "logo", "tick box", "box-ticking", "signed and"],
    "shallow": ["now and again", "occasional", "signpost", "once or twice", "not much",
                "hardly", "managers' table", "nothing underneath"],
    "working": ["every week", "weekly", "regular", "rota", "shared cases", "joint",
                "we work together", "every month"],
    "deep": ["co-located", "same building", "shared staff", "one team", "written into",
             "back office", "two days a week", "in and out"],
}
LEVEL_SIGNALS: dict[str, list[str]] = {
    "delivery": ["front line", "frontline", "on the ground", "day to day", "caseworker",
                 "family worker", "families"],
    "management": ["manager", "management", "team leader", "line manager"],
    "strategic": ["board", "trustee", "strategy", "strategic", "steering group", "director"],
}
MIN_LEVEL_SIGNALS = 2


@dataclass
class PartnershipType:
    key: str
    name: str
    recorded_depth: str
    recorded_levels: list[str]
    evidence_depth: str | None
    evidence_levels: list[str]
    segments: int
    signals: dict[str, list[str]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)


def _patterns(signals: dict[str, list[str]]) -> dict[str, re.Pattern[str]]:
    return {key: re.compile(r"(?<!\w)(" + "|".join(re.escape(p) for p in phrases) + r")",
                            re.IGNORECASE) for key, phrases in signals.items()}


def typology(session: Session, *, coder: str | None = None) -> list[PartnershipType]:
    depth_patterns, level_patterns = _patterns(DEPTH_SIGNALS), _patterns(LEVEL_SIGNALS)
    found = evidence_by_case(session, "partnership", coder=coder)
    result = []
    for case in session.scalars(select(Case).where(Case.kind == "partnership")):
        link: Partnership | None = case.partnership
        if link is None:
            continue
        texts = list({e.turn_text for e in found.get(case.id, [])})
        signals: dict[str, list[str]] = {}
        counts: dict[str, int] = {}
        for key, pattern in {**depth_patterns, **level_patterns}.items():
            quotes = [t for t in texts if pattern.search(t)]
            if quotes:
                signals[key] = quotes
                counts[key] = sum(len(pattern.findall(t)) for t in quotes)
        item = PartnershipType(case.name, link.name, link.depth, link.levels,
                               _evidence_depth(counts), _evidence_levels(counts),
                               len(found.get(case.id, [])), signals)
        item.flags = _flags(item)
        result.append(item)
    return sorted(result, key=lambda t: t.key)


def _evidence_depth(counts: dict[str, int]) -> str | None:
    """The depth the phrases point to on average (weighted by how often they occur)."""
    weights = {depth: counts.get(depth, 0) for depth in DEPTHS}
    total = sum(weights.values())
    if not total:
        return None
    mean = sum(DEPTHS.index(d) * n for d, n in weights.items()) / total
    return DEPTHS[round(mean)]


def _evidence_levels(counts: dict[str, int]) -> list[str]:
    """Levels named at least twice in what is said about the partnership."""
    return [level for level in LEVELS if counts.get(level, 0) >= MIN_LEVEL_SIGNALS]


def _flags(item: PartnershipType) -> list[str]:
    flags = []
    if item.evidence_depth is None:
        flags.append("no evidence about its depth")
    elif abs(DEPTHS.index(item.evidence_depth) - DEPTHS.index(item.recorded_depth)) >= 2:
        flags.append(f"recorded as {item.recorded_depth.replace('_', ' ')}, described as "
                     f"{item.evidence_depth.replace('_', ' ')}")
    unseen = [level for level in item.recorded_levels if level not in item.evidence_levels]
    if unseen and item.segments:
        flags.append(f"recorded at {', '.join(unseen)} level, little evidence of it")
    extra = [level for level in item.evidence_levels if level not in item.recorded_levels]
    if extra:
        flags.append(f"evidence of {', '.join(extra)} level work not recorded")
    return flags
