"""Zero-shot scoring of units against codes, and the confidence of a ranked suggestion.

Pure numpy on unit-length vectors; :class:`framesynth.index.autocode.EmbeddingCoder`
embeds and ranks with it.

A code's prototypes are its name with its definition, each inclusion rule and each
example, embedded separately. A unit's raw score for a code aggregates its cosine
similarities to them (``mean``, ``max`` or a ``softmax``-weighted mean), less
:data:`EXCLUSION_WEIGHT` times any excess closeness to the code's exclusion rules. The
score is then centred per code over the units being coded (each code's mean score
subtracted): a code whose wording is close to everything no longer wins everywhere.

Measured on bench/labelled (104 turns, 19 codes; ``bench/bench_autocode.py``), ranked
top-1 accuracy / macro-F1 of the top code: nearest name+definition 0.516 / 0.367;
every prototype, max, no centring (the method before issue 13) 0.714 / 0.583; mean,
exclusions at 0.5, centred 0.813 / 0.649 (the default). Giving an answer the question
before it as context did not win measurably there (one turn either way), so it is not done.

Confidence: Platt scaling over two features of a ranked candidate, its centred score and
its margin to the best other code (positive for the top code, negative below it):
``p = 1 / (1 + exp(-(a * score + b * margin + c)))``. :data:`CALIBRATION` was fitted
by ``bench/bench_autocode.py --fit-calibration`` (logistic regression, C=100) on the
top-3 candidates of the 104 labelled turns with all-MiniLM-L6-v2; the bench prints
the expected calibration error of it, leaving each interview out in turn. With a
project's own human codings, :func:`fit_calibration` refits it on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

AGGREGATES = ("mean", "max", "softmax")
EXCLUSION_WEIGHT = 0.5
SOFTMAX_TEMPERATURE = 0.1
MIN_CENTRE_UNITS = 10  # fewer units than this: scores are not centred
CALIBRATION = (12.404, 13.376, -2.123)  # (a: score, b: margin, c), all-MiniLM-L6-v2
MIN_RECALIBRATION = 10  # right and wrong candidates each needed to refit on a project


def dot_rows(vectors: np.ndarray, prototypes: np.ndarray) -> np.ndarray:
    """``vectors @ prototypes.T``, each row computed from its own vector alone.

    numpy's own loops (``einsum``), not BLAS: a BLAS product's blocked sums change in the
    last bits with how many rows are multiplied together and on how many threads, so
    scoring the units in parts (``index.distributed``) would not give bitwise the rows of
    one product over all of them. This does, and costs about as much at our sizes.
    """
    return np.einsum("ij,kj->ik", vectors, prototypes)


def aggregate(similarities: np.ndarray, how: str = "mean") -> np.ndarray:
    """units x prototypes similarities -> one score per unit."""
    if how == "max":
        return similarities.max(axis=1)
    if how == "softmax":
        weights = np.exp((similarities - similarities.max(axis=1, keepdims=True))
                         / SOFTMAX_TEMPERATURE)
        return (weights * similarities).sum(axis=1) / weights.sum(axis=1)
    return similarities.mean(axis=1)


def code_scores(vectors: np.ndarray, positive: np.ndarray, negative: np.ndarray | None, *,
                how: str = "mean", exclusion_weight: float = EXCLUSION_WEIGHT) -> np.ndarray:
    """One code's raw score for each unit vector."""
    close = aggregate(dot_rows(vectors, positive), how)
    if negative is not None and exclusion_weight:
        excluded = dot_rows(vectors, negative).max(axis=1)
        close = close - exclusion_weight * np.maximum(0.0, excluded - close)
    return close


def segment_aggregate(similarities: np.ndarray, starts: np.ndarray, how: str = "mean"
                      ) -> np.ndarray:
    """units x stacked prototypes -> units x codes: :func:`aggregate` over each code's
    columns, ``starts[j]`` the first column of code ``j`` (each code has at least one)."""
    counts = np.diff(np.append(starts, similarities.shape[1]))
    if how == "max":
        return np.maximum.reduceat(similarities, starts, axis=1)
    if how == "softmax":
        top = np.maximum.reduceat(similarities, starts, axis=1)
        owner = np.repeat(np.arange(len(starts)), counts)
        weights = np.exp((similarities - top[:, owner]) / SOFTMAX_TEMPERATURE)
        return (np.add.reduceat(weights * similarities, starts, axis=1)
                / np.add.reduceat(weights, starts, axis=1))
    return np.add.reduceat(similarities, starts, axis=1) / counts


@dataclass(frozen=True)
class Prototypes:
    """Every code's prototype vectors stacked, so one matrix product scores all codes."""

    positive: np.ndarray  # rows: each code's positive prototypes in turn
    starts: np.ndarray  # first row of each code in ``positive``
    negative: np.ndarray  # rows: the exclusion prototypes of the codes that have some
    negative_starts: np.ndarray  # first row of each of those codes in ``negative``
    negative_codes: np.ndarray  # their columns

    @classmethod
    def stack(cls, vectors: np.ndarray, positive_counts: Sequence[int],
              negative_counts: Sequence[int]) -> Prototypes:
        """From the vectors of every code's positives, then every code's negatives."""
        split = int(sum(positive_counts))
        with_negatives = [j for j, n in enumerate(negative_counts) if n]
        return cls(vectors[:split], _starts(positive_counts), vectors[split:],
                   _starts([negative_counts[j] for j in with_negatives]),
                   np.array(with_negatives, dtype=np.intp))


def _starts(counts: Sequence[int]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.intp) if len(counts) \
        else np.zeros(0, dtype=np.intp)


def all_code_scores(vectors: np.ndarray, prototypes: Prototypes, *, how: str = "mean",
                    exclusion_weight: float = EXCLUSION_WEIGHT) -> np.ndarray:
    """units x codes raw scores, as :func:`code_scores` for each code, in two products;
    each unit's row depends on that unit alone (:func:`dot_rows`)."""
    close = segment_aggregate(dot_rows(vectors, prototypes.positive), prototypes.starts, how)
    columns = prototypes.negative_codes
    if exclusion_weight and len(columns):
        excluded = np.maximum.reduceat(dot_rows(vectors, prototypes.negative),
                                       prototypes.negative_starts, axis=1)
        close[:, columns] -= exclusion_weight * np.maximum(0.0, excluded - close[:, columns])
    return close


def centre(scores: np.ndarray) -> np.ndarray:
    """Each code's mean over the units subtracted (not with too few units to tell)."""
    if len(scores) < MIN_CENTRE_UNITS:
        return scores
    return scores - scores.mean(axis=0, keepdims=True)


def ranked(row: np.ndarray, top_k: int) -> list[tuple[int, float, float]]:
    """The best ``top_k`` columns of one unit: (column, score, margin to the best other)."""
    order = np.argsort(-row, kind="stable")
    found = []
    for rank, column in enumerate(order[:top_k]):
        other = row[order[1]] if rank == 0 and len(row) > 1 else row[order[0]]
        margin = float(row[column] - other) if len(row) > 1 else 0.0
        found.append((int(column), float(row[column]), margin))
    return found


def confidence(score: float, margin: float,
               calibration: tuple[float, float, float] = CALIBRATION) -> float:
    """The calibrated probability that a candidate is right, in [0, 1]."""
    a, b, c = calibration
    return float(1.0 / (1.0 + np.exp(-(a * score + b * margin + c))))


def features(scores: np.ndarray, truth: Sequence[set[int]], top_k: int
             ) -> tuple[np.ndarray, np.ndarray]:
    """(score, margin) of each unit's top-k candidates, and whether each is right
    (``truth``: the right columns per unit)."""
    rows, right = [], []
    for row, wanted in zip(scores, truth, strict=True):
        for column, score, margin in ranked(row, top_k):
            rows.append((score, margin))
            right.append(column in wanted)
    return np.array(rows).reshape(-1, 2), np.array(right, dtype=bool)


def fit_calibration(x: np.ndarray, right: np.ndarray) -> tuple[float, float, float] | None:
    """Platt parameters fitted on candidates; None where there are too few right or wrong
    ones, or the fit is not increasing in both score and margin."""
    if right.sum() < MIN_RECALIBRATION or (~right).sum() < MIN_RECALIBRATION:
        return None
    a, b, c = logistic_fit(x, right, c=100.0)
    if a <= 0 or b < 0:
        return None
    return a, b, c


def logistic_fit(x: np.ndarray, y: np.ndarray, *, c: float = 1.0, steps: int = 100
                 ) -> tuple[float, ...]:
    """L2-penalised logistic regression by Newton's method: the weights of ``x``'s columns
    and the intercept (not penalised) minimising ``C * log-loss + |w|^2 / 2``, the
    objective of scikit-learn's ``LogisticRegression(C=c)``, without importing it (seconds
    of a cold run)."""
    design = np.column_stack([np.asarray(x, dtype=np.float64), np.ones(len(x))])
    target = np.asarray(y, dtype=np.float64)
    penalty = np.full(design.shape[1], 1.0 / c)
    penalty[-1] = 0.0
    weights = np.zeros(design.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(design @ weights)))
        gradient = design.T @ (p - target) + penalty * weights
        hessian = (design.T * (p * (1.0 - p))) @ design + np.diag(penalty)
        step = np.linalg.solve(hessian + 1e-12 * np.eye(len(weights)), gradient)
        weights -= step
        if np.abs(step).max() < 1e-10:
            break
    return tuple(float(w) for w in weights)


def expected_calibration_error(probabilities: np.ndarray, right: np.ndarray,
                               bins: int = 10) -> float:
    """Mean |confidence - accuracy| over equal-width bins, weighted by their size."""
    which = np.minimum((probabilities * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            error += abs(probabilities[inside].mean() - right[inside].mean()) * inside.sum()
    return float(error / max(len(probabilities), 1))
