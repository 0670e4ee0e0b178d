"""The embedding cache, the lazily loaded model, length-sorted batches, the device choice."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from framesynth.embeddings import (
    HashingEmbedder,
    SentenceTransformerEmbedder,
    best_device,
    embed,
    length_sorted_batches,
    restore_order,
    uses_half_precision,
)
from framesynth.index.review import pending_suggestions, run_autocode
from framesynth.project import Project
from framesynth.store.models import CachedEmbedding


class HashingModel:
    """Stands in for a SentenceTransformer: the same ``encode`` call, hashing vectors."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str], **options: Any) -> np.ndarray:
        assert options["normalize_embeddings"] is True
        self.calls.append(list(texts))
        return HashingEmbedder(dimensions=256).encode(texts)


def refuse_to_load(device: str | None) -> Any:
    raise AssertionError("the model was loaded")


def test_embeddings_length_sorted_batches_restore_the_order() -> None:
    texts = ["a b", "a much longer text", "", "mid length", "x"]
    order, batches = length_sorted_batches(texts, 2)
    assert order == [1, 3, 0, 4, 2]
    assert batches == [["a much longer text", "mid length"], ["a b", "x"], [""]]
    sorted_rows = np.array([[float(i)] for i in order])  # each row names its text
    assert restore_order(sorted_rows, order).ravel().tolist() == [0, 1, 2, 3, 4]


def test_embeddings_encode_returns_rows_in_the_texts_order() -> None:
    model = HashingModel()
    embedder = SentenceTransformerEmbedder(batch_size=2, loader=lambda device: model)
    texts = ["short", "a rather longer sentence about waiting lists", "mid sized text"]
    vectors = embedder.encode(texts)
    assert model.calls == [[texts[1], texts[2]], [texts[0]]]
    assert np.allclose(vectors, HashingEmbedder(dimensions=256).encode(texts))


@pytest.mark.parametrize(("cuda", "device", "half"), [(True, "cuda", True), (False, "cpu", False)])
def test_embeddings_device_is_cuda_in_fp16_when_present(monkeypatch: pytest.MonkeyPatch,
                                                        cuda: bool, device: str,
                                                        half: bool) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    assert best_device() == device
    assert uses_half_precision(best_device()) is half


def test_embeddings_cache_is_read_and_written_in_bulk(session) -> None:  # type: ignore[no-untyped-def]
    model = HashingModel()
    embedder = SentenceTransformerEmbedder(loader=lambda device: model)
    first = embed(session, embedder, ["one", "two", "one"])
    assert model.calls == [["one", "two"]]
    again = embed(session, SentenceTransformerEmbedder(loader=refuse_to_load), ["two", "one"])
    assert np.array_equal(again, first[[1, 0]])
    assert session.scalar(select(func.count()).select_from(CachedEmbedding)) == 2
    stored = session.scalars(select(CachedEmbedding.vector)).all()
    assert all(len(blob) == 256 * 4 for blob in stored)  # float32 bytes


def test_embeddings_cached_rerun_never_loads_the_model(demo_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "study.fsdb"
    shutil.copyfile(demo_path, path)
    model = HashingModel()
    runs = []
    for loader in (lambda device: model, refuse_to_load):
        with Project.open(path) as project, project.session() as session:
            result = run_autocode(session, "semantic", unit="sentence", actor="tester",
                                  embedder=SentenceTransformerEmbedder(loader=loader))
            rows = [(s.source_id, s.start, s.end, s.code_id, s.score)
                    for s in pending_suggestions(session)]
        runs.append((result.units, result.stored, result.skipped_human, rows))
    assert model.calls  # the first run embedded the new texts
    assert runs[1] == runs[0]
    assert runs[0][1] > 0
