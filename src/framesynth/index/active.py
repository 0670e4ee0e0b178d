"""Active learning: which units to code next so the model learns most.

A model cannot learn a code from fewer than ``min_examples`` coded units, so the first
thing to find is examples of every code; after that, the units the model is least sure
about. For each code, every uncoded unit gets a *likelihood* of carrying it
(:func:`code_likelihoods`): a logistic regression's probability once the code has
``min_examples`` coded units and as many without (classes balanced, so 0.5 is where it
cannot decide), before that the zero-shot score of the unit against the code's
description (:class:`EmbeddingCoder`: works before anyone has coded). Each code ranks the
pool (:func:`code_rankings`): likeliest first until it has ``target`` examples, then
nearest 0.5 first. Then the codes take turns (:func:`pick_balanced`): the code nearest to
being learnt takes its next unit, so that in a batch of 20 four codes become learnable
rather than twenty codes getting one example each; once all can be learnt, the code with
fewest examples goes first. A unit whose embedding is a near-duplicate (cosine >=
``near``) of one taken is skipped (diversity). Ties go in a seeded random order, so a seed
makes the list the same every time. bench/bench_active.py measures this against random
choice (README, docs/autocode.md).

Each unit listed carries an *uncertainty* for the reader: that of its least certain
learnt code, ``1 - |2p - 1|``, or before any code is learnt ``1 -`` the zero-shot margin
between its two best codes. Only the units auto-coding codes are offered or learnt from
(:func:`~framesynth.index.eligible.eligible_units`: never the research team's turns,
back-channel turns or fragments), and never a unit a person has coded.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.embeddings import Embedder, embed
from framesynth.familiarise.units import Unit
from framesynth.frame.framework import MAIN, framework_codes
from framesynth.index.autocode import (
    EmbeddingCoder,
    LabelledUnits,
    uncovered_sources,
)
from framesynth.index.eligible import eligible_units
from framesynth.index.review import labelled_units
from framesynth.store.models import Code, Coding, Source, Turn

NEAR_DUPLICATE = 0.9
TARGET = 8  # coded examples a code needs before its uncertainty counts


@dataclass(frozen=True)
class NextUnit:
    unit: Unit
    source: str
    turn: int  # the turn's number in its source, from 1
    uncertainty: float
    basis: str  # "supervised" or "zero-shot"

    @property
    def link(self) -> str:
        """Where the web reader shows the unit."""
        return f"/sources/{self.unit.source_id}#o{self.unit.start}"

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "turn": self.turn, "start": self.unit.start,
                "end": self.unit.end, "link": self.link,
                "uncertainty": round(self.uncertainty, 4), "basis": self.basis,
                "text": self.unit.text}


def supervised_uncertainty(probabilities: np.ndarray) -> np.ndarray:
    """units x codes probabilities -> each unit's uncertainty on its least certain code."""
    if probabilities.size == 0:
        return np.zeros(len(probabilities))
    return (1.0 - np.abs(2.0 * probabilities - 1.0)).max(axis=1)


def margin_uncertainty(scores: np.ndarray) -> np.ndarray:
    """units x codes zero-shot scores -> 1 - the margin between each unit's two best."""
    if scores.shape[1] < 2:
        return np.zeros(len(scores))
    top = -np.sort(-scores, axis=1)
    return np.clip(1.0 - (top[:, 0] - top[:, 1]), 0.0, 1.0)


def uncertainties(codes: Sequence[Code], labelled: LabelledUnits, pool: Sequence[Unit], *,
                  embedder: Embedder, seed: int = 0, min_examples: int = 5,
                  session: Session | None = None) -> tuple[np.ndarray, str]:
    """Each pool unit's uncertainty, and its basis (supervised once it can learn)."""
    likely, learnt, zero_shot = code_likelihoods(codes, labelled, pool, embedder=embedder,
                                                 seed=seed, min_examples=min_examples,
                                                 session=session)
    if learnt.any():
        return supervised_uncertainty(likely[:, learnt]), "supervised"
    return margin_uncertainty(zero_shot), "zero-shot"


def code_likelihoods(codes: Sequence[Code], labelled: LabelledUnits, pool: Sequence[Unit], *,
                     embedder: Embedder, seed: int = 0, min_examples: int = 5,
                     session: Session | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pool x codes: how likely each unit is to carry each code, which codes were learnt,
    the zero-shot scores): a logistic regression's probability (balanced classes, so 0.5 is
    its decision boundary) for a code with ``min_examples`` coded units and as many
    without, else the code's zero-shot score."""
    from sklearn.linear_model import LogisticRegression

    zero_shot = EmbeddingCoder(embedder).fit(codes, (), session=session).scores(pool, session)
    likely = zero_shot.copy()
    truth = np.array([[c.id in applied for c in codes] for _, applied in labelled],
                     dtype=int).reshape(len(labelled), len(codes))
    learnt = np.array([bool(labelled) and min_examples <= truth[:, j].sum()
                       <= len(labelled) - min_examples for j in range(len(codes))], dtype=bool)
    if learnt.any():
        train = embed(session, embedder, [u.text for u, _ in labelled])
        vectors = embed(session, embedder, [u.text for u in pool])
        for j in np.flatnonzero(learnt):
            model = LogisticRegression(class_weight="balanced", max_iter=1000,
                                       random_state=seed).fit(train, truth[:, j])
            likely[:, j] = model.predict_proba(vectors)[:, 1]
    return likely, learnt, zero_shot


def code_rankings(likely: np.ndarray, learnt: np.ndarray, positives: np.ndarray,
                  target: int) -> list[np.ndarray]:
    """Per code, the pool in the order to ask about it: most likely first while it has
    fewer than ``target`` coded examples (or is not learnt yet), then most uncertain
    first (probability nearest 0.5)."""
    rankings = []
    for j in range(likely.shape[1]):
        if learnt[j] and positives[j] >= target:
            rankings.append(np.argsort(np.abs(likely[:, j] - 0.5), kind="stable"))
        else:
            rankings.append(np.argsort(-likely[:, j], kind="stable"))
    return rankings


def pick_balanced(vectors: np.ndarray, rankings: Sequence[np.ndarray], positives: np.ndarray,
                  n: int, *, min_examples: int = 5, seed: int = 0,
                  near: float = NEAR_DUPLICATE) -> list[int]:
    """Indices of ``n`` pool units, code by code. A code's examples are its coded units
    plus those picked for it; each turn goes to the code a model cannot learn yet (under
    ``min_examples``) that is closest to it, then, once every code can be learnt, to the
    code with the fewest (ties in a seeded order). That code takes the first unit of its
    ranking not yet picked nor a near-duplicate (cosine >= ``near``) of one picked."""
    counts = positives.astype(float)
    tie = np.random.default_rng(seed).random(len(rankings))
    cursor = [0] * len(rankings)
    live = set(range(len(rankings)))
    chosen: list[int] = []

    def turn(k: int) -> tuple[bool, float, float]:
        learnable = bool(counts[k] >= min_examples)
        return learnable, counts[k] if learnable else -counts[k], tie[k]

    while len(chosen) < n and live:
        j = min(live, key=turn)
        found = _next_in(rankings[j], cursor, j, chosen, vectors, near)
        if found is None:
            live.discard(j)
            continue
        chosen.append(found)
        counts[j] += 1
    return chosen


def _next_in(ranking: np.ndarray, cursor: list[int], j: int, chosen: list[int],
             vectors: np.ndarray, near: float) -> int | None:
    while cursor[j] < len(ranking):
        i = int(ranking[cursor[j]])
        cursor[j] += 1
        if i in chosen or (chosen and float((vectors[chosen] @ vectors[i]).max()) >= near):
            continue
        return i
    return None


def pick_diverse(pool: Sequence[Unit], vectors: np.ndarray, uncertainty: np.ndarray, n: int,
                 *, seed: int = 0, near: float = NEAR_DUPLICATE) -> list[int]:
    """Indices of ``n`` pool units, most uncertain first, no two near-duplicates, spread
    over sources (an even share each first, then whatever is left)."""
    tie = np.random.default_rng(seed).random(len(pool))
    order = [int(i) for i in np.lexsort((tie, -uncertainty))]
    share = math.ceil(n / max(1, len({u.source_id for u in pool})))
    chosen: list[int] = []
    per_source: Counter[int] = Counter()
    for cap in (share, None):
        for i in order:
            if len(chosen) >= n:
                return chosen
            if i in chosen or (cap is not None and per_source[pool[i].source_id] >= cap):
                continue
            if chosen and float((vectors[chosen] @ vectors[i]).max()) >= near:
                continue
            chosen.append(i)
            per_source[pool[i].source_id] += 1
    return chosen


def choose_next(codes: Sequence[Code], labelled: LabelledUnits, pool: Sequence[Unit], n: int,
                *, embedder: Embedder, seed: int = 0, min_examples: int = 5,
                target: int = TARGET, session: Session | None = None
                ) -> list[tuple[int, float, str]]:
    """(pool index, uncertainty, basis) of the ``n`` units to code next: per code in turn,
    the code nearest to being learnt first (:func:`pick_balanced`), its likeliest unit
    until it has ``target`` examples, then its most uncertain (:func:`code_rankings`)."""
    if not pool or n <= 0:
        return []
    likely, learnt, zero_shot = code_likelihoods(codes, labelled, pool, embedder=embedder,
                                                 seed=seed, min_examples=min_examples,
                                                 session=session)
    vectors = embed(session, embedder, [u.text for u in pool])
    if learnt.any():
        uncertainty, basis = supervised_uncertainty(likely[:, learnt]), "supervised"
    else:
        uncertainty, basis = margin_uncertainty(zero_shot), "zero-shot"
    if not len(codes):
        picked = pick_diverse(pool, vectors, uncertainty, n, seed=seed)
    else:
        positives = np.array([sum(c.id in applied for _, applied in labelled) for c in codes])
        rankings = code_rankings(likely, learnt, positives, target)
        picked = pick_balanced(vectors, rankings, positives, n,
                               min_examples=min_examples, seed=seed)
    return [(i, float(uncertainty[i]), basis) for i in picked]


def next_units(session: Session, n: int = 20, *, embedder: Embedder, coder: str | None = None,
               unit: str = "turn", seed: int = 0, min_words: int | None = None
               ) -> list[NextUnit]:
    """The ``n`` uncoded units whose coding would teach the model most.

    :param coder: learn from this coder's codings (default: every person's).
    :param min_words: shorter units are fragments (default: the ``autocode.min_words``
        setting, as for auto-coding).
    """
    codes = [c for c in framework_codes(session, MAIN) if c.codable]
    left_out = uncovered_sources(session, embedder)
    eligible = {(u.source_id, u.start, u.end)
                for u in eligible_units(session, unit, min_words=min_words).units
                if u.source_id not in left_out}
    labelled = [(u, c) for u, c in labelled_units(session, unit, coder=coder)
                if (u.source_id, u.start, u.end) in eligible]
    pool = [u for u in uncoded_units(session, unit, min_words=min_words)
            if u.source_id not in left_out]
    picks = choose_next(codes, labelled, pool, n, embedder=embedder, seed=seed, session=session)
    places = _places(session, [pool[i] for i, _, _ in picks])
    return [NextUnit(pool[i], *places[(pool[i].source_id, pool[i].start)], score, basis)
            for i, score, basis in picks]


def uncoded_units(session: Session, unit: str = "turn", *, min_words: int | None = None
                  ) -> list[Unit]:
    """The project's eligible units (:func:`eligible_units`) no person's coding touches."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for source_id, start, end in session.execute(
            select(Coding.source_id, Coding.start, Coding.end).where(Coding.status.is_(None))):
        spans.setdefault(source_id, []).append((start, end))
    return [u for u in eligible_units(session, unit, min_words=min_words).units
            if not any(u.touched_by(s, e) for s, e in spans.get(u.source_id, []))]


def _places(session: Session, chosen: Sequence[Unit]) -> dict[tuple[int, int], tuple[str, int]]:
    """(source id, start) -> (source name, number of the turn holding it)."""
    ids = {u.source_id for u in chosen}
    names = dict(session.execute(select(Source.id, Source.name).where(Source.id.in_(ids))).all())
    turns: dict[int, list[tuple[int, int]]] = {}
    for source_id, position, start in session.execute(
            select(Turn.source_id, Turn.position, Turn.start).where(Turn.source_id.in_(ids))
            .order_by(Turn.source_id, Turn.position)):
        turns.setdefault(source_id, []).append((start, position))
    found = {}
    for u in chosen:
        position = max(p for s, p in turns[u.source_id] if s <= u.start)
        found[(u.source_id, u.start)] = (names[u.source_id], position + 1)
    return found
