"""Evidence before trust: how well each auto-coding method agrees with one coder.

Every method of :data:`framesynth.index.review.METHODS` (built fresh for each fold by
:func:`fold_coder`, which falls back to ``make_coder``, so a method added there is
evaluated too) is cross-validated by source against one coder's
codings: the coder's sources are split into folds with scikit-learn's ``GroupKFold``
(grouped by source, so no unit of a held-out source is ever trained on); each method is
fitted on the other folds and suggests codes for the held-out one. The held-out
suggestions of all folds are then compared, unit by unit and code by code, with what the
coder applied (a coding *touches* a unit, as in :mod:`framesynth.index.agreement`):

- precision, recall and F1 of the suggestions per code, and Cohen's kappa of the yes/no
  decisions (None where both are constant, so chance agreement is total);
- macro figures: the mean over the codes evaluated;
- per code, the best method: highest F1, ties broken by kappa (none where every F1 is 0).

Only the units auto-coding codes are evaluated (:func:`~framesynth.index.eligible.
eligible_units`: the research team's turns, back-channel turns and fragments are neither
trained on nor counted). The units and the codes' prototypes are embedded once, before
the first fold (:class:`MemoryEmbedder`), and every method's folds run from those vectors
without reading the project again. The supervised method's heads are fitted with one
level of calibration (:func:`single_calibrated_heads`: the cut-off is chosen on the same
cross-validated, Platt-scaled predictions the head is calibrated with) instead of
``autocode``'s nested one, which costs three times the fits for the same figures (see
docs/autocode.md). ``tuned`` fine-tunes the sentence model on each fold's training units
(a stored tuned model has seen the held-out sources): minutes per fold, so it is only
run when asked for.

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

from framesynth.embeddings import Embedder, embed
from framesynth.errors import FramesynthError, InvalidArgument
from framesynth.familiarise.units import Unit
from framesynth.familiarise.vocabulary import get_setting, set_setting
from framesynth.frame.framework import MAIN, code_path, framework_codes
from framesynth.index.autocode import (
    EmbeddingCoder,
    KeywordCoder,
    LabelledUnits,
    SupervisedCoder,
    code_texts,
    uncovered_sources,
)
from framesynth.index.eligible import eligible_units
from framesynth.index.review import (
    METHODS,
    check_method,
    labelled_units,
    make_coder,
    needs_embedder,
)
from framesynth.store.models import Code, Coding

MIN_EXAMPLES = 3
# run unless asked for: fine-tuning the sentence model on every fold takes minutes each
ON_REQUEST = ("tuned",)
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
             progress: Progress | None = None, nested: bool = False) -> Evaluation:
    """Cross-validate each method against ``coder``'s codings, folds grouped by source.

    :param methods: default: every method but those of :data:`ON_REQUEST` (those needing
        an embedder only when one is given).
    :param progress: called with (done, total, what): once the vectors are ready (step 0)
        and after each method's fold.
    :param nested: fit the supervised heads exactly as ``autocode`` does (nested
        calibration; three times slower) rather than with :func:`single_calibrated_heads`.
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
    total = len(chosen_methods) * len(splits)
    memory = None
    if embedder is not None and any(needs_embedder(m) for m in chosen_methods):
        memory = MemoryEmbedder.of(session, embedder, codes, [u.text for u, _ in labelled])
    if progress is not None:
        progress(0, total, "units embedded")
    results = []
    for number, method in enumerate(chosen_methods):
        def step(fold: int, method: str = method, number: int = number) -> None:
            if progress is not None:
                progress(number * len(splits) + fold, total, f"{method}, fold {fold}")

        results.append(_evaluate_method(method, codes, labelled, truth, scored, splits,
                                        memory, step, nested))
    return Evaluation(coder, unit, len(splits), len({u.source_id for u, _ in labelled}),
                      len(labelled), results, best_methods(results), too_few)


def _methods(methods: Sequence[str] | None, embedder: Embedder | None) -> list[str]:
    if methods:
        chosen = [check_method(m) for m in dict.fromkeys(methods)]
        if embedder is None and any(needs_embedder(m) for m in chosen):
            raise InvalidArgument("the embedding methods need an embedder")
        return chosen
    return [m for m in METHODS if m not in ON_REQUEST
            and (embedder is not None or not needs_embedder(m))]


def _labelled(session: Session, coder: str, unit: str, embedder: Embedder | None
              ) -> list[tuple[Unit, set[int]]]:
    """The coder's units that auto-coding codes, in the languages the embedder covers."""
    if session.scalar(select(Coding.id).where(Coding.coder == coder,
                                              Coding.status.is_(None)).limit(1)) is None:
        raise InvalidArgument(f"coder {coder!r} has no codings to evaluate against")
    labelled = labelled_units(session, unit, coder=coder)
    sources = {u.source_id for u, _ in labelled}
    eligible = {(u.source_id, u.start, u.end)
                for u in eligible_units(session, unit, source_ids=sources).units}
    labelled = [(u, c) for u, c in labelled if (u.source_id, u.start, u.end) in eligible]
    if embedder is not None:
        left_out = uncovered_sources(session, embedder)
        labelled = [(u, codes) for u, codes in labelled if u.source_id not in left_out]
    return labelled


class MemoryEmbedder:
    """An embedder answering from vectors computed once (through the project's cache),
    so the folds never read the project; a text it has not seen goes to ``inner``."""

    def __init__(self, inner: Embedder, vectors: dict[str, np.ndarray]):
        self.inner = inner
        self.name = inner.name
        self.languages = getattr(inner, "languages", None)
        self.vectors = vectors

    @classmethod
    def of(cls, session: Session, inner: Embedder, codes: Sequence[Code],
           texts: Sequence[str]) -> MemoryEmbedder:
        """The vectors of ``texts`` and of every code's prototypes, in one cache read."""
        wanted = list(dict.fromkeys([*texts, *(t for c in codes for side in code_texts(c)
                                               for t in side)]))
        return cls(inner, dict(zip(wanted, embed(session, inner, wanted), strict=True)))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.inner.encode(missing), strict=True))
        return np.vstack([self.vectors[t] for t in texts])


def _evaluate_method(method: str, codes: list[Code], labelled: list[tuple[Unit, set[int]]],
                     truth: np.ndarray, scored: list[int],
                     splits: list[tuple[np.ndarray, np.ndarray]],
                     embedder: Embedder | None, step: Callable[[int], None], nested: bool
                     ) -> MethodEvaluation:
    try:
        guess = _held_out(method, codes, labelled, splits, embedder, step, nested)
    except FramesynthError as error:
        return MethodEvaluation(method, error=str(error))
    result = MethodEvaluation(method)
    for column in scored:
        result.per_code[code_path(codes[column])] = code_figures(truth[:, column],
                                                                 guess[:, column])
    _macro(result)
    return result


def fold_coder(method: str, embedder: Embedder | None, *, nested: bool = False
               ):  # type: ignore[no-untyped-def]
    """A fresh estimator of ``method`` for one fold (every unit's 3 best codes)."""
    if method == "keyword":
        return KeywordCoder()
    if method == "tuned":  # fine-tuned on the fold's own training units
        from framesynth.index.finetune import FineTunedCoder

        return FineTunedCoder(top_k=3)
    if embedder is None:
        raise InvalidArgument(f"method {method!r} needs an embedder")
    if method == "semantic":
        return EmbeddingCoder(embedder, top_k=3)
    if method == "supervised":
        return SupervisedCoder(embedder, top_k=3) if nested else FastSupervisedCoder(
            embedder, top_k=3)
    return make_coder(method, embedder=embedder, threshold=None, top_k=3)


def _held_out(method: str, codes: list[Code], labelled: list[tuple[Unit, set[int]]],
              splits: list[tuple[np.ndarray, np.ndarray]], embedder: Embedder | None,
              step: Callable[[int], None], nested: bool) -> np.ndarray:
    """units x codes 0/1: what the method suggested for each unit while its source was
    held out."""
    guess = np.zeros((len(labelled), len(codes)), dtype=int)
    column = {code.id: i for i, code in enumerate(codes)}
    for fold, (train, test) in enumerate(splits, start=1):
        estimator = fold_coder(method, embedder, nested=nested)
        estimator.fit(codes, [labelled[i] for i in train])
        row = {(labelled[i][0].source_id, labelled[i][0].start): i for i in test}
        for suggestion in estimator.suggest([labelled[i][0] for i in test]):
            key = (suggestion.unit.source_id, suggestion.unit.start)
            if key in row and suggestion.code_id in column:
                guess[row[key], column[suggestion.code_id]] = 1
        step(fold)
    return guess


class FastSupervisedCoder(SupervisedCoder):
    """:class:`SupervisedCoder` with :func:`single_calibrated_heads`: the same logistic
    regressions, calibrated once instead of with nested cross-validation."""

    def fit(self, codes: Sequence[Code], labelled: LabelledUnits = (), session: Any = None
            ) -> FastSupervisedCoder:
        vectors = embed(session, self.embedder, [unit.text for unit, _ in labelled])
        self.models_, self.thresholds_, self.skipped_ = single_calibrated_heads(
            vectors, codes, labelled, min_examples=self.min_examples, seed=self.seed)
        return self


def single_calibrated_heads(vectors: np.ndarray, codes: Sequence[Code],
                            labelled: LabelledUnits, *, min_examples: int, seed: int
                            ) -> tuple[dict[int, Any], dict[int, float], list[int]]:
    """Per code, a balanced logistic regression on every labelled unit, Platt-scaled on
    its cross-validated decisions (3 folds), and the cut-off maximising F1 on those same
    held-out probabilities: 4 fits a code where ``fit_heads`` makes 12. Returns (heads by
    code id, cut-offs by code id, ids of codes with too few positives or negatives)."""
    from framesynth.index.autocode import best_f1_threshold

    models: dict[int, Any] = {}
    thresholds: dict[int, float] = {}
    skipped: list[int] = []
    for code in codes:
        truth = np.array([code.id in applied for _, applied in labelled], dtype=int)
        positives, least = int(truth.sum()), max(3, min_examples)
        if positives < least or len(truth) - positives < least:
            skipped.append(code.id)
            continue
        models[code.id], held_out = _platt_head(vectors, truth, seed)
        thresholds[code.id] = best_f1_threshold(held_out, truth)
    return models, thresholds, skipped


def _platt_head(vectors: np.ndarray, truth: np.ndarray, seed: int) -> tuple[Any, np.ndarray]:
    """(the head, its cross-validated calibrated probabilities for ``vectors``)."""
    from scipy.special import expit
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from framesynth.index.finetune import CalibratedHead

    base = LogisticRegression(class_weight="balanced", max_iter=2000, random_state=seed)
    folds = StratifiedKFold(n_splits=min(3, int(truth.sum()), int(len(truth) - truth.sum())),
                            shuffle=True, random_state=seed)
    decision = cross_val_predict(base, vectors, truth, cv=folds, method="decision_function")
    sigmoid = LogisticRegression(C=1e4).fit(decision.reshape(-1, 1), truth)
    slope, offset = float(sigmoid.coef_[0, 0]), float(sigmoid.intercept_[0])
    fitted = base.fit(vectors, truth)
    head = CalibratedHead(fitted.coef_.copy(), fitted.intercept_.copy(),
                          np.array([-slope]), np.array([-offset]))
    return head, expit(slope * decision + offset)


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
