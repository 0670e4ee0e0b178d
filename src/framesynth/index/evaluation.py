"""Evidence before trust: how well each auto-coding method agrees with one coder.

Every method of :data:`framesynth.index.review.METHODS` (built by ``make_coder``, so a
method added there is evaluated too) is cross-validated by source against one coder's
codings: the coder's sources are split into folds with scikit-learn's ``GroupKFold``
(grouped by source, so no unit of a held-out source is ever trained on); each method is
fitted on the other folds and suggests codes for the held-out one. The held-out
suggestions of all folds are then compared, unit by unit and code by code, with what the
coder applied (a coding *touches* a unit, as in :mod:`framesynth.index.agreement`):

- precision, recall and F1 of the suggestions per code, and Cohen's kappa of the yes/no
  decisions (None where both are constant, so chance agreement is total);
- macro figures: the mean over the codes evaluated;
- per code, the best method: highest F1, ties broken by kappa (none where every F1 is 0).

Codes the coder applied to fewer than ``min_examples`` units are listed as too few and
not scored. Nothing is written to the project's codings; :func:`save_evaluation` keeps the
latest result in the ``settings`` table for the web page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.embeddings import Embedder
from framesynth.errors import FramesynthError, InvalidArgument
from framesynth.familiarise.units import Unit
from framesynth.familiarise.vocabulary import get_setting, set_setting
from framesynth.frame.framework import MAIN, code_path, framework_codes
from framesynth.index.autocode import uncovered_sources
from framesynth.index.review import METHODS, check_method, labelled_units, make_coder, needs_embedder
from framesynth.store.models import Code, Coding

MIN_EXAMPLES = 3
SETTING = "autocode.evaluation"
Progress = Callable[[int, int, str], None]


@dataclass
class CodeFigures:
    positives: int  # units the coder applied the code to
    predicted: int  # units the method suggested it for
    precision: float
    recall: float
    f1: float
    kappa: float | None


@dataclass
class MethodEvaluation:
    method: str
    per_code: dict[str, CodeFigures] = field(default_factory=dict)
    macro_precision: float = 0.0
    macro_recall: float = 0.0
    macro_f1: float = 0.0
    macro_kappa: float | None = None
    error: str | None = None  # why the method could not be evaluated


@dataclass
class Evaluation:
    coder: str
    unit: str
    folds: int
    sources: int
    units: int
    methods: list[MethodEvaluation]
    best: dict[str, str | None]  # code path -> best method (None: no method finds it)
    too_few: dict[str, int]  # code path -> its positives, below the minimum

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def best_figures(self) -> list[tuple[str, int, str | None, CodeFigures | None]]:
        """(code path, coded units, best method, its figures) for each code evaluated."""
        by_method = {m.method: m for m in self.methods if m.error is None}
        rows = []
        for path, best in self.best.items():
            positives = next(m.per_code[path].positives for m in by_method.values())
            rows.append((path, positives, best, by_method[best].per_code[path] if best else None))
        return rows

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evaluation:
        methods = [MethodEvaluation(**{**m, "per_code": {
            path: CodeFigures(**f) for path, f in m["per_code"].items()}})
            for m in data["methods"]]
        return cls(**{**data, "methods": methods})


def code_figures(truth: np.ndarray, guess: np.ndarray) -> CodeFigures:
    """Figures of one code's 0/1 suggestions ``guess`` against the coder's ``truth``."""
    tp = int((truth & guess).sum())
    predicted, positives = int(guess.sum()), int(truth.sum())
    precision = tp / predicted if predicted else 0.0
    recall = tp / positives if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return CodeFigures(positives, predicted, precision, recall, f1, kappa(truth, guess))


def kappa(first: np.ndarray, second: np.ndarray) -> float | None:
    """Cohen's kappa of two 0/1 decision arrays; None where chance agreement is total."""
    if not len(first):
        return None
    observed = float(np.mean(first == second))
    p1, p2 = float(first.mean()), float(second.mean())
    chance = p1 * p2 + (1 - p1) * (1 - p2)
    return None if chance >= 1.0 else (observed - chance) / (1 - chance)


def source_folds(labelled: Sequence[tuple[Unit, set[int]]], folds: int
                 ) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index arrays, grouped by source: a source is never on both sides."""
    from sklearn.model_selection import GroupKFold

    groups = np.array([unit.source_id for unit, _ in labelled])
    splits = min(folds, len(set(groups.tolist())))
    if splits < 2:
        raise InvalidArgument("evaluation needs the coder's codings in at least two sources")
    return list(GroupKFold(n_splits=splits).split(groups, groups=groups))


def evaluate(session: Session, coder: str, *, unit: str = "turn",
             methods: Sequence[str] | None = None, folds: int = 5,
             embedder: Embedder | None = None, min_examples: int = MIN_EXAMPLES,
             progress: Progress | None = None) -> Evaluation:
    """Cross-validate each method against ``coder``'s codings, folds grouped by source.

    :param methods: default: every method there is (those needing an embedder only
        when one is given).
    :param progress: called with (done, total, what) after each method's fold.
    """
    chosen_methods = _methods(methods, embedder)
    labelled = _labelled(session, coder, unit, embedder)
    codes = [c for c in framework_codes(session, MAIN) if c.codable]
    truth = np.array([[int(c.id in applied) for c in codes] for _, applied in labelled],
                     dtype=int).reshape(len(labelled), len(codes))
    counts = truth.sum(axis=0)
    scored = [i for i, count in enumerate(counts) if count >= min_examples]
    too_few = {code_path(codes[i]): int(counts[i]) for i in range(len(codes)) if i not in scored}
    splits = source_folds(labelled, folds)
    total, results = len(chosen_methods) * len(splits), []
    for number, method in enumerate(chosen_methods):
        def step(fold: int, method: str = method, number: int = number) -> None:
            if progress is not None:
                progress(number * len(splits) + fold, total, f"{method}, fold {fold}")

        results.append(_evaluate_method(session, method, codes, labelled, truth, scored,
                                        splits, embedder, step))
    return Evaluation(coder, unit, len(splits), len({u.source_id for u, _ in labelled}),
                      len(labelled), results, best_methods(results), too_few)


def _methods(methods: Sequence[str] | None, embedder: Embedder | None) -> list[str]:
    if methods:
        chosen = [check_method(m) for m in dict.fromkeys(methods)]
        if embedder is None and any(needs_embedder(m) for m in chosen):
            raise InvalidArgument("the embedding methods need an embedder")
        return chosen
    return [m for m in METHODS if embedder is not None or not needs_embedder(m)]


def _labelled(session: Session, coder: str, unit: str, embedder: Embedder | None
              ) -> list[tuple[Unit, set[int]]]:
    """The coder's units in the languages the embedder covers."""
    if session.scalar(select(Coding.id).where(Coding.coder == coder,
                                              Coding.status.is_(None)).limit(1)) is None:
        raise InvalidArgument(f"coder {coder!r} has no codings to evaluate against")
    labelled = labelled_units(session, unit, coder=coder)
    if embedder is not None:
        left_out = uncovered_sources(session, embedder)
        labelled = [(u, codes) for u, codes in labelled if u.source_id not in left_out]
    return labelled


def _evaluate_method(session: Session, method: str, codes: list[Code],
                     labelled: list[tuple[Unit, set[int]]], truth: np.ndarray,
                     scored: list[int], splits: list[tuple[np.ndarray, np.ndarray]],
                     embedder: Embedder | None, step: Callable[[int], None]
                     ) -> MethodEvaluation:
    try:
        guess = _held_out(session, method, codes, labelled, splits, embedder, step)
    except FramesynthError as error:
        return MethodEvaluation(method, error=str(error))
    result = MethodEvaluation(method)
    for column in scored:
        result.per_code[code_path(codes[column])] = code_figures(truth[:, column],
                                                                 guess[:, column])
    _macro(result)
    return result


def _held_out(session: Session, method: str, codes: list[Code],
              labelled: list[tuple[Unit, set[int]]],
              splits: list[tuple[np.ndarray, np.ndarray]], embedder: Embedder | None,
              step: Callable[[int], None]) -> np.ndarray:
    """units x codes 0/1: what the method suggested for each unit while its source was
    held out."""
    guess = np.zeros((len(labelled), len(codes)), dtype=int)
    column = {code.id: i for i, code in enumerate(codes)}
    for fold, (train, test) in enumerate(splits, start=1):
        estimator = make_coder(method, embedder=embedder if needs_embedder(method) else None,
                               threshold=None, top_k=3)
        estimator.fit(codes, [labelled[i] for i in train], session=session)
        row = {(labelled[i][0].source_id, labelled[i][0].start): i for i in test}
        for suggestion in estimator.suggest([labelled[i][0] for i in test], session=session):
            key = (suggestion.unit.source_id, suggestion.unit.start)
            if key in row and suggestion.code_id in column:
                guess[row[key], column[suggestion.code_id]] = 1
        step(fold)
    return guess


def _macro(result: MethodEvaluation) -> None:
    figures = list(result.per_code.values())
    if not figures:
        return
    result.macro_precision = float(np.mean([f.precision for f in figures]))
    result.macro_recall = float(np.mean([f.recall for f in figures]))
    result.macro_f1 = float(np.mean([f.f1 for f in figures]))
    kappas = [f.kappa for f in figures if f.kappa is not None]
    result.macro_kappa = float(np.mean(kappas)) if kappas else None


def best_methods(results: Sequence[MethodEvaluation]) -> dict[str, str | None]:
    """Code path -> the method with the highest F1 (ties: kappa; then the first listed);
    None where no method has an F1 above 0."""
    best: dict[str, str | None] = {}
    paths = dict.fromkeys(path for r in results for path in r.per_code)
    for path in paths:
        ranked = [(r.per_code[path].f1, _or_low(r.per_code[path].kappa), -n, r.method)
                  for n, r in enumerate(results) if path in r.per_code]
        top = max(ranked)
        best[path] = top[3] if top[0] > 0 else None
    return best


def _or_low(value: float | None) -> float:
    return -2.0 if value is None else value


def save_evaluation(session: Session, evaluation: Evaluation) -> None:
    """Keep ``evaluation`` as the project's latest (the ``settings`` table)."""
    set_setting(session, SETTING, evaluation.as_dict())


def latest_evaluation(session: Session) -> Evaluation | None:
    """The evaluation saved last, or None."""
    data = get_setting(session, SETTING)
    return Evaluation.from_dict(data) if data else None


def human_coders(session: Session) -> list[str]:
    """The people who have coded (auto-coders aside), by name."""
    names = session.scalars(select(Coding.coder).where(Coding.status.is_(None)).distinct())
    return sorted(name for name in names if not name.startswith("auto:"))
