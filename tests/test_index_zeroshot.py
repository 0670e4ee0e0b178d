"""Zero-shot scoring in bulk: one product for every code, a Platt fit without sklearn."""

from __future__ import annotations

import numpy as np
import pytest

from framesynth.index import zeroshot


def _unit_rows(rng: np.random.Generator, n: int) -> np.ndarray:
    rows = rng.standard_normal((n, 16))
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.mark.parametrize("how", zeroshot.AGGREGATES)
def test_zeroshot_all_code_scores_match_each_code_scored_alone(how: str) -> None:
    rng = np.random.default_rng(7)
    vectors = _unit_rows(rng, 30)
    positives = [_unit_rows(rng, n) for n in (1, 4, 2, 3)]
    negatives = [None, _unit_rows(rng, 2), None, _unit_rows(rng, 1)]
    alone = np.column_stack([zeroshot.code_scores(vectors, p, n, how=how)
                             for p, n in zip(positives, negatives, strict=True)])
    stacked = zeroshot.Prototypes.stack(
        np.vstack([*positives, *(n for n in negatives if n is not None)]),
        [len(p) for p in positives], [0 if n is None else len(n) for n in negatives])
    together = zeroshot.all_code_scores(vectors, stacked, how=how)
    assert together.shape == (30, 4)
    np.testing.assert_allclose(together, alone, rtol=1e-12, atol=1e-12)
    assert not np.allclose(together[:, 1], zeroshot.aggregate(vectors @ positives[1].T, how))


def test_zeroshot_logistic_fit_matches_scikit_learn() -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 2)) * [0.05, 0.03]
    right = rng.random(400) < 1 / (1 + np.exp(-(12 * x[:, 0] + 13 * x[:, 1] - 1)))
    ours = zeroshot.logistic_fit(x, right, c=100.0)
    theirs = LogisticRegression(C=100.0, tol=1e-10, max_iter=10_000).fit(x, right)
    np.testing.assert_allclose(ours, [*theirs.coef_[0], theirs.intercept_[0]], rtol=1e-6)
    fitted = zeroshot.fit_calibration(x, right)
    assert fitted is not None and fitted == pytest.approx(ours)
