"""How well candidate themes agree with a framework a person built.

The yardstick is a set of units with known codes (human codings, or labelled turns):
each unit's human label is the code (or the code's theme) that covers most of its
characters, ties going to the code listed first in the framework; units nobody coded
are clustered but not scored. Against those labels:

- adjusted Rand index and normalised mutual information of the candidates' clusters;
- each candidate's purity: the share of its scored members carrying its most common
  human label (its *matching* theme);
- recognisability: the share of candidates whose top keywords include a word of the
  matching theme's name or definition (words compared by a light stem, stop-words out).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from framesynth.familiarise.units import Unit

WORD = re.compile(r"[a-z]+")
SUFFIXES = ("ing", "ed", "s")


@dataclass(frozen=True)
class Span:
    """A labelled stretch of a source: a coding, or a labelled turn."""
    source_id: int
    start: int
    end: int
    label: int


@dataclass
class Quality:
    ari: float
    nmi: float
    purity: float
    recognised: float
    scored: int
    per_candidate: list[tuple[int | None, float]] = field(default_factory=list)


def unit_labels(units: Sequence[Unit], spans: Sequence[Span],
                order: Sequence[int]) -> list[int | None]:
    """Each unit's human label: the one covering most of its characters (or None)."""
    rank = {label: position for position, label in enumerate(order)}
    by_source: dict[int, list[Span]] = defaultdict(list)
    for span in spans:
        by_source[span.source_id].append(span)
    found: list[int | None] = []
    for unit in units:
        cover: Counter[int] = Counter()
        for span in by_source.get(unit.source_id, []):
            overlap = min(unit.end, span.end) - max(unit.start, span.start)
            if overlap > 0:
                cover[span.label] += overlap
        best = sorted(cover.items(), key=lambda item: (-item[1], rank.get(item[0], 1 << 30)))
        found.append(best[0][0] if best else None)
    return found


def adjusted_rand(truth: Sequence[int], predicted: Sequence[int]) -> float:
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(truth, predicted))


def normalised_mutual_info(truth: Sequence[int], predicted: Sequence[int]) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    return float(normalized_mutual_info_score(truth, predicted))


def purity(truth: Sequence[int | None], predicted: Sequence[int]
           ) -> dict[int, tuple[int | None, float]]:
    """Each cluster's matching label and the share of its scored members carrying it."""
    members: dict[int, Counter[int]] = defaultdict(Counter)
    for label, cluster in zip(truth, predicted, strict=True):
        members[cluster]  # a cluster with no scored member still gets a row
        if label is not None:
            members[cluster][label] += 1
    result: dict[int, tuple[int | None, float]] = {}
    for cluster, counts in sorted(members.items()):
        if not counts:
            result[cluster] = (None, 0.0)
            continue
        label, count = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0]
        result[cluster] = (label, count / sum(counts.values()))
    return result


def stem(word: str) -> str:
    """A light English stem: lower case, one common suffix off (kept 4+ letters long)."""
    word = word.lower()
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[:-len(suffix)]
    return word


def content_stems(text: str) -> set[str]:
    from framesynth.familiarise.frequencies import stop_words

    stops = stop_words()
    return {stem(w) for w in WORD.findall(text.lower()) if w not in stops and len(w) > 2}


def recognised(keywords: Sequence[str], description: str) -> bool:
    """Whether a keyword (or a word of a two-word keyword) is a word of ``description``."""
    wanted = content_stems(description)
    return any(stem(word) in wanted for keyword in keywords for word in WORD.findall(
        keyword.lower()))


def quality(truth: Sequence[int | None], predicted: Sequence[int],
            keywords: dict[int, list[str]], descriptions: dict[int, str],
            top: int = 8) -> Quality:
    """ARI, NMI, mean purity and recognisability of ``predicted`` clusters.

    :param keywords: each cluster's keywords, most distinctive first;
    :param descriptions: each human label's name and definition.
    """
    scored = [(t, p) for t, p in zip(truth, predicted, strict=True) if t is not None]
    truth_scored = [t for t, _ in scored]
    predicted_scored = [p for _, p in scored]
    rows = purity(truth, predicted)
    known = sum(recognised(keywords.get(cluster, [])[:top], descriptions.get(label, ""))
                for cluster, (label, _) in rows.items() if label is not None)
    return Quality(
        ari=adjusted_rand(truth_scored, predicted_scored) if scored else 0.0,
        nmi=normalised_mutual_info(truth_scored, predicted_scored) if scored else 0.0,
        purity=sum(share for _, share in rows.values()) / max(len(rows), 1),
        recognised=known / max(len(rows), 1), scored=len(scored),
        per_candidate=[rows[c] for c in sorted(rows)])
