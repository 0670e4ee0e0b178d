"""Automatic coding that suggests and never edits: three estimators.

Each behaves like a scikit-learn estimator: ``__init__`` only stores parameters, ``fit``
learns (attributes ending in ``_``) and returns the estimator, ``suggest(units)`` returns
:class:`Suggestion` s and writes nothing. Storing suggestions and accepting or rejecting
them is :mod:`framesynth.index.review`.

- :class:`KeywordCoder`: the keyword rules each code holds in the codebook.
- :class:`EmbeddingCoder`: zero-shot, every unit against every code's name with its
  definition, inclusion rules and examples as separate prototypes, exclusion rules
  counting against (:mod:`framesynth.index.zeroshot`). Each unit's best codes are
  suggested, ranked, with a calibrated confidence: a fixed calibration fitted on our
  labelled benchmark, refitted on the project's human codings when it has enough.
- :class:`SupervisedCoder`: logistic regression on embeddings, trained on one coder's
  codings, with probabilities calibrated by cross-validation (Platt scaling). The score
  is that probability; the cut-off per code is the one that maximises F1 on
  cross-validated predictions for the training units (unless a threshold is given).

Each coder's ``suggest`` is two halves: ``unit_scores(texts, vectors)``, the work per unit
(a row per unit that depends on that unit alone, so units scored in parts on Dask workers
give bitwise the rows of one run: :mod:`framesynth.index.distributed`), and
``from_scores(units, scores)``, the cheap part over all units (centring, ranking,
cut-offs) that stays in the main process. ``embedder`` is None where no vectors are needed.

The two embedding methods only code sources in a language their embedder covers
(:func:`leave_out_uncovered`); what they leave out is reported as :class:`Uncovered`.
The keyword rules match words in any language, so they code every source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.embeddings import Embedder, covers, embed
from framesynth.familiarise.language import language_name, source_languages
from framesynth.familiarise.units import Unit, units
from framesynth.frame.keywords import KeywordRule
from framesynth.index import zeroshot
from framesynth.store.models import Code, Source


@dataclass(frozen=True)
class Suggestion:
    unit: Unit
    code_id: int
    score: float
    method: str


LabelledUnits = Sequence[tuple[Unit, set[int]]]


@dataclass(frozen=True)
class Uncovered:
    """Sources left out of embedding auto-coding: their language is not one the
    embedder's model covers."""

    embedder: str
    covered: str  # what the model covers, in words: "English only"
    languages: tuple[str, ...]
    sources: tuple[str, ...]
    units: int
    unit: str = "unit"

    @property
    def message(self) -> str:
        many = len(self.sources) != 1
        return (f"{len(self.sources)} source{'s' if many else ''} in {', '.join(self.languages)} "
                f"{'are' if many else 'is'} not covered by {self.embedder} ({self.covered}): "
                f"no suggestions for {'their' if many else 'its'} {self.units} {self.unit}s")

    def as_dict(self) -> dict[str, Any]:
        return {"embedder": self.embedder, "covered": self.covered,
                "languages": list(self.languages), "sources": list(self.sources),
                "units": self.units, "unit": self.unit, "message": self.message}


def coverage_note(embedder: Embedder) -> str:
    """What an embedder covers, in words: ``English only``, ``any language``."""
    covered = getattr(embedder, "languages", None)
    if covered is None:
        return "any language"
    names = [language_name(code) for code in sorted(covered)]
    return f"{names[0]} only" if len(names) == 1 else ", ".join(names)


def uncovered_sources(session: Session, embedder: Embedder) -> dict[int, str]:
    """Source id -> language, for the sources whose language ``embedder`` does not cover."""
    return {source_id: language for source_id, language in source_languages(session).items()
            if not covers(embedder, language)}


def leave_out_uncovered(session: Session, embedder: Embedder, found: Sequence[Unit], *,
                        unit: str = "unit") -> tuple[list[Unit], Uncovered | None]:
    """The units ``embedder`` covers, and what was left out (None: nothing)."""
    left_out = uncovered_sources(session, embedder)
    kept = [u for u in found if u.source_id not in left_out]
    skipped = {u.source_id for u in found if u.source_id in left_out}
    if not skipped:
        return kept, None
    names = dict(session.execute(select(Source.id, Source.name).where(
        Source.id.in_(skipped))).all())
    return kept, Uncovered(embedder.name, coverage_note(embedder),
                           tuple(sorted({left_out[i] for i in skipped})),
                           tuple(sorted(names.values())), len(found) - len(kept), unit)


def uncovered_notice(session: Session, embedder: Embedder, unit: str = "turn"
                     ) -> Uncovered | None:
    """What embedding auto-coding with ``embedder`` would leave out of the project."""
    return leave_out_uncovered(session, embedder, units(session, unit), unit=unit)[1]


class _Estimator:
    def get_params(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if not k.endswith("_")}

    def set_params(self, **params: Any) -> _Estimator:
        for key, value in params.items():
            setattr(self, key, value)
        return self


class PerUnitCoder(Protocol):
    """A fitted coder whose ``suggest`` splits into work per unit and a cheap rest."""

    method: str
    embedder: Embedder | None  # None: scores texts, not vectors

    def unit_scores(self, texts: Sequence[str], vectors: np.ndarray | None) -> np.ndarray:
        """A row per unit, from that unit's text or vector alone."""

    def from_scores(self, units: Sequence[Unit], scores: np.ndarray) -> list[Suggestion]:
        """The suggestions for ``units`` from their rows of :meth:`unit_scores`."""


class KeywordCoder(_Estimator):
    """Suggest a code where its keyword rules match; score = share of its rules matched,
    shrunk towards zero for single hits (``hits / (hits + 1)``)."""

    method = "keyword"
    embedder: Embedder | None = None

    def __init__(self, min_hits: int = 1):
        self.min_hits = min_hits

    def fit(self, codes: Sequence[Code], labelled: LabelledUnits = (), session: Any = None
            ) -> KeywordCoder:
        self.rules_ = {code.id: KeywordRule.compile(code.keywords) for code in codes
                       if code.keywords}
        return self

    def unit_scores(self, texts: Sequence[str], vectors: np.ndarray | None = None
                    ) -> np.ndarray:
        """units x codes with rules: how many of the code's rules match the unit."""
        hits = np.zeros((len(texts), len(self.rules_)), dtype=np.int64)
        for row, text in enumerate(texts):
            for column, rule in enumerate(self.rules_.values()):
                hits[row, column] = len(rule.matched_rules(text))
        return hits

    def from_scores(self, units: Sequence[Unit], scores: np.ndarray) -> list[Suggestion]:
        ids = list(self.rules_)
        found = []
        for unit, row in zip(units, scores, strict=True):
            for column, code_id in enumerate(ids):
                hits = int(row[column])
                if hits >= self.min_hits:
                    found.append(Suggestion(unit, code_id, hits / (hits + 1), self.method))
        return found

    def suggest(self, units: Sequence[Unit], session: Any = None) -> list[Suggestion]:
        return self.from_scores(units, self.unit_scores([unit.text for unit in units]))


def code_texts(code: Code, prototypes: str = "all") -> tuple[list[str], list[str]]:
    """(what a code is, what it is not): the texts embedded for it, each a prototype.

    :param prototypes: ``all`` (name with definition, inclusion rules, examples) or
        ``definition`` (name with definition only: the nearest-definition baseline).
    """
    positive = [f"{code.name}. {code.definition}".strip()]
    if prototypes == "all":
        positive += [*code.inclusion, *code.examples]
    return [t for t in positive if t.strip()], [t for t in code.exclusion if t.strip()]


class EmbeddingCoder(_Estimator):
    """Rank every code for every unit by semantic closeness (:mod:`.zeroshot`); each
    unit's ``top_k`` codes are suggested with a calibrated confidence as the score.

    :param threshold: keep only suggestions with at least this confidence (None: all).
    """

    method = "semantic"

    def __init__(self, embedder: Embedder, threshold: float | None = None, top_k: int = 3,
                 aggregate: str = "mean", prototypes: str = "all",
                 exclusion_weight: float = zeroshot.EXCLUSION_WEIGHT, centred: bool = True):
        self.embedder = embedder
        self.threshold = threshold
        self.top_k = top_k
        self.aggregate = aggregate
        self.prototypes = prototypes
        self.exclusion_weight = exclusion_weight
        self.centred = centred

    def fit(self, codes: Sequence[Code], labelled: LabelledUnits = (), session: Any = None
            ) -> EmbeddingCoder:
        """Embed the codes' prototypes; recalibrate confidence on ``labelled`` units."""
        self.code_ids_ = [code.id for code in codes]
        texts = [code_texts(code, self.prototypes) for code in codes]
        vectors = embed(session, self.embedder, [t for positive, _ in texts for t in positive]
                        + [t for _, negative in texts for t in negative])
        self.prototypes_ = zeroshot.Prototypes.stack(
            vectors, [len(p) for p, _ in texts], [len(n) for _, n in texts])
        self.calibration_ = zeroshot.CALIBRATION
        self.recalibrated_on_ = 0
        if labelled:
            self._recalibrate(labelled, session)
        return self

    def _recalibrate(self, labelled: LabelledUnits, session: Any) -> None:
        columns = {code_id: column for column, code_id in enumerate(self.code_ids_)}
        truth = [{columns[c] for c in codes if c in columns} for _, codes in labelled]
        scores = self.scores([unit for unit, _ in labelled], session)
        fitted = zeroshot.fit_calibration(*zeroshot.features(scores, truth, self.top_k))
        if fitted is not None:
            self.calibration_, self.recalibrated_on_ = fitted, len(labelled)

    def raw_scores(self, units: Sequence[Unit], session: Any = None) -> np.ndarray:
        """units x codes, before centring."""
        texts = [unit.text for unit in units]
        return self.unit_scores(texts, embed(session, self.embedder, texts))

    def unit_scores(self, texts: Sequence[str], vectors: np.ndarray | None) -> np.ndarray:
        """units x codes raw scores (before centring), each row from its unit's vector."""
        if not self.code_ids_ or vectors is None:
            return np.zeros((len(texts), len(self.code_ids_)))
        return zeroshot.all_code_scores(vectors, self.prototypes_, how=self.aggregate,
                                        exclusion_weight=self.exclusion_weight)

    def scores(self, units: Sequence[Unit], session: Any = None) -> np.ndarray:
        """units x codes: the raw scores, centred per code over ``units``."""
        raw = self.raw_scores(units, session)
        return zeroshot.centre(raw) if self.centred else raw

    def suggest(self, units: Sequence[Unit], session: Any = None) -> list[Suggestion]:
        if not units or not self.code_ids_:
            return []
        return self.from_scores(units, self.raw_scores(units, session))

    def from_scores(self, units: Sequence[Unit], scores: np.ndarray) -> list[Suggestion]:
        """Centred over ``units`` (all of them together), ranked, with a confidence."""
        if not units or not self.code_ids_:
            return []
        centred = zeroshot.centre(scores) if self.centred else scores
        found = []
        for unit, row in zip(units, centred, strict=True):
            for column, score, margin in zeroshot.ranked(row, self.top_k):
                sure = zeroshot.confidence(score, margin, self.calibration_)
                if self.threshold is None or sure >= self.threshold:
                    found.append(Suggestion(unit, self.code_ids_[column], sure, self.method))
        return found


def best_f1_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
    """The cut-off that maximises F1 of ``scores >= cut-off`` against ``truth``: halfway
    between the lowest score it keeps and the highest score below that, so that a new
    unit scoring a little under the training examples is not lost."""
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(truth, scores)
    if not len(thresholds):
        return float(scores.max())
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-9)
    best = float(thresholds[int(np.argmax(f1[:-1]))])
    below = scores[scores < best]
    return (best + float(below.max())) / 2 if len(below) else best


class SupervisedCoder(_Estimator):
    """One calibrated logistic regression per code, on embeddings of a coder's units."""

    method = "supervised"

    def __init__(self, embedder: Embedder, threshold: float | None = None, top_k: int = 3,
                 min_examples: int = 5, seed: int = 0):
        self.embedder = embedder
        self.threshold = threshold
        self.top_k = top_k
        self.min_examples = min_examples
        self.seed = seed

    def fit(self, codes: Sequence[Code], labelled: LabelledUnits = (), session: Any = None
            ) -> SupervisedCoder:
        """Learn the heads; kept as numbers (:class:`CalibratedHead`), so that scoring is
        per unit and the fitted coder ships to Dask workers small."""
        vectors = embed(session, self.embedder, [unit.text for unit, _ in labelled])
        models, self.thresholds_, self.skipped_ = fit_heads(
            vectors, codes, labelled, min_examples=self.min_examples, seed=self.seed,
            calibrate=self.threshold is None)
        self.models_ = {code_id: CalibratedHead.from_sklearn(model)
                        for code_id, model in models.items()}
        return self

    def suggest(self, units: Sequence[Unit], session: Any = None) -> list[Suggestion]:
        if not units or not self.models_:
            return []
        texts = [unit.text for unit in units]
        return self.from_scores(units, self.unit_scores(texts, embed(session, self.embedder,
                                                                      texts)))

    def unit_scores(self, texts: Sequence[str], vectors: np.ndarray | None) -> np.ndarray:
        """units x codes with a head: each code's probability."""
        if vectors is None:
            return np.zeros((len(texts), len(self.models_)))
        return head_probabilities(self.models_, vectors)

    def from_scores(self, units: Sequence[Unit], scores: np.ndarray) -> list[Suggestion]:
        return ranked_heads(list(self.models_), self.thresholds_, scores, units,
                            threshold=self.threshold, top_k=self.top_k, method=self.method)


def fit_heads(vectors: np.ndarray, codes: Sequence[Code], labelled: LabelledUnits, *,
              min_examples: int, seed: int, calibrate: bool = True
              ) -> tuple[dict[int, Any], dict[int, float], list[int]]:
    """One logistic regression per code on ``vectors`` (a row per labelled unit), its
    probabilities calibrated by cross-validation (Platt scaling), and (with ``calibrate``)
    the cut-off that maximises F1 on cross-validated predictions. Returns (models by code
    id, cut-offs by code id, ids of codes with fewer than ``min_examples`` positives or
    negatives, which get no model)."""
    models: dict[int, Any] = {}
    thresholds: dict[int, float] = {}
    skipped: list[int] = []
    for code in codes:
        truth = np.array([code.id in codes_ for _, codes_ in labelled], dtype=int)
        positives = int(truth.sum())
        least = max(3, min_examples)  # fewer leaves a cross-validation fold without one
        if positives < least or len(truth) - positives < least:
            skipped.append(code.id)
            continue
        models[code.id], held_out = _calibrated_head(vectors, truth, seed, calibrate)
        if held_out is not None:
            thresholds[code.id] = best_f1_threshold(held_out, truth)
    return models, thresholds, skipped


def _calibrated_head(vectors: np.ndarray, truth: np.ndarray, seed: int, calibrate: bool
                     ) -> tuple[Any, np.ndarray | None]:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    positives = int(truth.sum())
    folds = min(3, positives, len(truth) - positives)
    base = LogisticRegression(class_weight="balanced", max_iter=2000, random_state=seed)
    model = CalibratedClassifierCV(base, method="sigmoid", cv=folds)
    fitted = model.fit(vectors, truth)
    if not calibrate:
        return fitted, None
    # each training fold must still hold enough of both classes for its own calibration
    inner = min(folds, *(n - -(-n // folds) for n in (positives, len(truth) - positives)))
    inner_model = CalibratedClassifierCV(base, method="sigmoid", cv=max(2, inner))
    splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    held_out = cross_val_predict(inner_model, vectors, truth, cv=splits,
                                 method="predict_proba")[:, 1]
    return fitted, held_out


def head_probabilities(models: dict[int, Any], vectors: np.ndarray) -> np.ndarray:
    """units x codes: each model's probability of its code (``predict_proba``)."""
    if not models:
        return np.zeros((len(vectors), 0))
    return np.column_stack([model.predict_proba(vectors)[:, 1] for model in models.values()])


def head_suggestions(models: dict[int, Any], thresholds: dict[int, float], vectors: np.ndarray,
                     units: Sequence[Unit], *, threshold: float | None, top_k: int,
                     method: str) -> list[Suggestion]:
    """Each unit's ``top_k`` codes by probability (``models[code].predict_proba``) that
    reach their cut-off (``threshold``, else the code's calibrated one)."""
    if not units or not models:
        return []
    return ranked_heads(list(models), thresholds, head_probabilities(models, vectors), units,
                        threshold=threshold, top_k=top_k, method=method)


def ranked_heads(ids: Sequence[int], thresholds: dict[int, float], probabilities: np.ndarray,
                 units: Sequence[Unit], *, threshold: float | None, top_k: int,
                 method: str) -> list[Suggestion]:
    """:func:`head_suggestions` from the probabilities (units x ``ids``)."""
    if not units or not ids:
        return []
    cutoffs = [threshold if threshold is not None else thresholds[code_id] for code_id in ids]
    found = []
    for row, unit in enumerate(units):
        for column in np.argsort(-probabilities[row])[:top_k]:
            if probabilities[row, column] >= cutoffs[column]:
                found.append(Suggestion(unit, ids[column], float(probabilities[row, column]),
                                        method))
    return found


@dataclass(frozen=True)
class CalibratedHead:
    """A code's calibrated logistic regression as numbers: per cross-validation fold, the
    regression's weights and intercept and the Platt sigmoid's ``a`` and ``b``;
    the probability is the folds' mean of ``1 / (1 + exp(a (w.x + c) + b))``."""

    weights: np.ndarray  # folds x dimensions
    intercepts: np.ndarray  # folds
    a: np.ndarray  # folds
    b: np.ndarray  # folds

    @classmethod
    def from_sklearn(cls, model: Any) -> CalibratedHead:
        """From a fitted binary ``CalibratedClassifierCV(..., method="sigmoid")``."""
        folds = model.calibrated_classifiers_
        return cls(np.vstack([f.estimator.coef_[0] for f in folds]),
                   np.array([f.estimator.intercept_[0] for f in folds]),
                   np.array([f.calibrators[0].a_ for f in folds]),
                   np.array([f.calibrators[0].b_ for f in folds]))

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        """(1 - p, p) per row; each row from its own vector alone (:func:`.zeroshot.dot_rows`)."""
        from scipy.special import expit

        decision = zeroshot.dot_rows(vectors, self.weights) + self.intercepts
        positive = expit(-(self.a * decision + self.b)).mean(axis=1)
        return np.column_stack([1 - positive, positive])
