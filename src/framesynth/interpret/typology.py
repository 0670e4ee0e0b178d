"""Where each partnership sits on the depth continuum and the levels it works at: as
recorded in the cases table, and as the coded evidence describes it.

The evidence is the partnership's segments (:mod:`framesynth.chart.evidence`: what its
two organisations' people say when they name the partner). framesynth reads them for
plain phrases that signal a depth (``on paper``, ``signed ... nothing since`` against
``every week``, ``co-located``) or a level (``front line``, ``managers``, ``board``).

Depth is compared as a *position* on the project's ordered ``depth`` vocabulary, whatever
its terms (on paper < shallow < working < deep, or 1-5): the default phrases in
:data:`DEPTH_SIGNALS` sit at fixed points of the scale (:data:`DEPTH_SIGNAL_POSITIONS`,
0 = shallowest, 1 = deepest), and their weighted mean is mapped onto the project's terms.
A project may give its own phrases per depth or level term in the settings
``typology.depth_signals`` and ``typology.level_signals`` (``{term: [phrases]}``). Every
finding comes with the quotes that produced it, so an analyst can check it. A
partnership whose evidence sits half the scale or more from its recorded depth (two
steps of four, two of five), or whose recorded levels the evidence does not show, is
flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.chart.evidence import evidence_by_case
from framesynth.familiarise.vocabulary import (
    get_setting,
    get_vocabulary,
    in_order,
    scale_fraction,
    term_label,
    term_position,
    terms,
)
from framesynth.store.models import Case, Partnership

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
DEPTH_SIGNAL_POSITIONS = {"on_paper": 0.0, "shallow": 1 / 3, "working": 2 / 3, "deep": 1.0}
LEVEL_SIGNALS: dict[str, list[str]] = {
    "delivery": ["front line", "frontline", "on the ground", "day to day", "caseworker",
                 "family worker", "families"],
    "management": ["manager", "management", "team leader", "line manager"],
    "strategic": ["board", "trustee", "strategy", "strategic", "steering group", "director"],
}
MIN_LEVEL_SIGNALS = 2
FLAG_DISTANCE = 0.5  # of the depth scale's length


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
    recorded_position: int | None = None
    evidence_position: int | None = None


@dataclass
class _Scale:
    """The project's depth scale and the phrases that point along it."""

    depths: list[str]
    ordered: bool
    depth_signals: dict[str, tuple[float, re.Pattern[str]]]
    level_signals: dict[str, re.Pattern[str]]


def _pattern(phrases: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(p) for p in phrases) + r")",
                      re.IGNORECASE)


def _scale(session: Session) -> _Scale:
    vocabulary = get_vocabulary(session, "depth")
    depths = terms(session, "depth")
    custom = get_setting(session, "typology.depth_signals")
    if custom:
        depth_signals = {term: (scale_fraction(session, "depth", term) or 0.0, _pattern(p))
                         for term, p in custom.items() if term in depths and p}
    else:
        depth_signals = {key: (DEPTH_SIGNAL_POSITIONS[key], _pattern(p))
                         for key, p in DEPTH_SIGNALS.items()}
    levels = get_setting(session, "typology.level_signals") or LEVEL_SIGNALS
    level_signals = {term: _pattern(levels[term]) for term in terms(session, "level")
                     if levels.get(term)}
    return _Scale(depths, bool(vocabulary and vocabulary.ordered), depth_signals, level_signals)


def typology(session: Session, *, coder: str | None = None) -> list[PartnershipType]:
    scale = _scale(session)
    found = evidence_by_case(session, "partnership", coder=coder)
    result = []
    for case in session.scalars(select(Case).where(Case.kind == "partnership")
                                    .order_by(Case.id)):
        link: Partnership | None = case.partnership
        if link is None:
            continue
        texts = list({e.turn_text for e in found.get(case.id, [])})
        signals: dict[str, list[str]] = {}
        depth_counts = _count(texts, {k: p for k, (_, p) in scale.depth_signals.items()},
                              signals)
        level_counts = _count(texts, scale.level_signals, signals)
        evidence = _evidence_position(scale, depth_counts)
        item = PartnershipType(
            case.name, link.name, link.depth, in_order(session, "level", link.levels),
            scale.depths[evidence] if evidence is not None else None,
            _evidence_levels(session, level_counts), len(found.get(case.id, [])), signals,
            recorded_position=term_position(session, "depth", link.depth) if scale.ordered
            else None, evidence_position=evidence)
        item.flags = _flags(session, item, scale, bool(depth_counts))
        result.append(item)
    return sorted(result, key=lambda t: t.key)


def _count(texts: list[str], patterns: dict[str, re.Pattern[str]],
           signals: dict[str, list[str]]) -> dict[str, int]:
    """How often each key's phrases occur; the quotes go into ``signals``."""
    counts: dict[str, int] = {}
    for key, pattern in patterns.items():
        quotes = [t for t in texts if pattern.search(t)]
        if quotes:
            signals[key] = quotes
            counts[key] = sum(len(pattern.findall(t)) for t in quotes)
    return counts


def _evidence_position(scale: _Scale, counts: dict[str, int]) -> int | None:
    """The depth the phrases point to on average (weighted by how often they occur), as a
    position on the project's scale; None without phrases or without an ordered scale."""
    total = sum(counts.values())
    if not total or not scale.ordered or not scale.depths:
        return None
    mean = sum(scale.depth_signals[key][0] * n for key, n in counts.items()) / total
    return round(mean * (len(scale.depths) - 1))


def _evidence_levels(session: Session, counts: dict[str, int]) -> list[str]:
    """Levels named at least twice in what is said about the partnership."""
    return [level for level in terms(session, "level")
            if counts.get(level, 0) >= MIN_LEVEL_SIGNALS]


def _words(session: Session, name: str, term: str) -> str:
    label = term_label(session, name, term)
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def _levels(session: Session, levels: list[str]) -> str:
    return ", ".join(_words(session, "level", level) for level in levels)


def _flags(session: Session, item: PartnershipType, scale: _Scale, described: bool
           ) -> list[str]:
    flags = []
    recorded, evidence = item.recorded_position, item.evidence_position
    if not described:
        flags.append("no evidence about its depth")
    elif recorded is None or evidence is None:
        flags.append("its depth is not on an ordered scale to compare with")
    elif abs(evidence - recorded) >= FLAG_DISTANCE * max(len(scale.depths) - 1, 1):
        flags.append(f"recorded as {_words(session, 'depth', item.recorded_depth)}, described "
                     f"as {_words(session, 'depth', scale.depths[evidence])}")
    unseen = [t for t in item.recorded_levels if t not in item.evidence_levels]
    if unseen and item.segments:
        flags.append(f"recorded at {_levels(session, unseen)} level, little evidence of it")
    extra = [t for t in item.evidence_levels if t not in item.recorded_levels]
    if extra:
        flags.append(f"evidence of {_levels(session, extra)} level work not recorded")
    return flags
