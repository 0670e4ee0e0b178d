"""Representations and clustering algorithms for candidate themes.

Every algorithm costs time linear in the number of units: the ones that are quadratic
(Ward's agglomerative clustering, spectral clustering) run on a fixed-size random
sample (:data:`SAMPLE` units) and the rest of the units join the nearest centre of the
sample's clusters. A fixed seed gives the same clusters twice.

Representations (``representation=``):

- ``embedding``: the sentence model's unit vectors;
- ``combined``: the unit vectors concatenated with the units' TF-IDF word vectors
  reduced to :data:`SVD_DIMENSIONS` dimensions (TruncatedSVD), weighted by
  :data:`WORD_WEIGHT`;
- ``refined``: clusters of the unit vectors, then each unit moved to the cluster whose
  centre and class-based TF-IDF words it matches best (:func:`refine_by_words`).

Algorithms (``algorithm=``): ``kmeans`` (MiniBatchKMeans), ``pca-kmeans`` (PCA to
:data:`PCA_DIMENSIONS` dimensions first), ``ward`` and ``spectral`` (on the sample).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from framesynth.errors import InvalidArgument

SAMPLE = 2000
PCA_DIMENSIONS = 50
SVD_DIMENSIONS = 100
WORD_WEIGHT = 0.5
REFINE_WEIGHT = 0.3
ALGORITHMS = ("kmeans", "pca-kmeans", "ward", "spectral")
REPRESENTATIONS = ("embedding", "combined", "refined")


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-9)).astype(np.float32)


def sample_indices(n: int, seed: int, size: int = SAMPLE) -> np.ndarray:
    """Sorted indices of a random sample of at most ``size`` of ``n`` items."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def word_vectors(texts: Sequence[str], seed: int,
                 dimensions: int = SVD_DIMENSIONS) -> np.ndarray:
    """The texts' TF-IDF word vectors reduced by TruncatedSVD, unit length."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    from framesynth.familiarise.frequencies import TOKEN_PATTERN, stop_words

    try:
        tfidf = TfidfVectorizer(stop_words=list(stop_words()), token_pattern=TOKEN_PATTERN,
                                sublinear_tf=True, min_df=2).fit_transform(texts)
    except ValueError:  # no word outside the stop-words occurs twice
        return np.zeros((len(texts), 1), dtype=np.float32)
    width = min(dimensions, tfidf.shape[1] - 1, len(texts) - 1)
    if width < 2:
        return np.zeros((len(texts), 1), dtype=np.float32)
    reduced = TruncatedSVD(n_components=width, random_state=seed).fit_transform(tfidf)
    return normalise(reduced)


def combine(vectors: np.ndarray, words: np.ndarray, weight: float = WORD_WEIGHT) -> np.ndarray:
    """Unit vectors and word vectors side by side, the words weighted, unit length."""
    return normalise(np.hstack([normalise(vectors), weight * words]))


def cluster(vectors: np.ndarray, *, k: int, seed: int,
            algorithm: str = "kmeans") -> tuple[np.ndarray, np.ndarray]:
    """Labels of each row and the clusters' unit-length centres (in ``vectors``' space)."""
    if algorithm not in ALGORITHMS:
        raise InvalidArgument(f"algorithm {algorithm!r} is not one of: {', '.join(ALGORITHMS)}")
    if not 2 <= k <= len(vectors):
        raise InvalidArgument(f"k must be between 2 and the number of units ({len(vectors)})")
    labels = LABELLERS[algorithm](vectors, k, seed)
    return tidy(vectors, labels)


def tidy(vectors: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labels renumbered 0..n-1 without gaps, and each cluster's unit-length mean."""
    _, labels = np.unique(labels, return_inverse=True)
    return labels, normalise(centres_of(vectors, labels))


def centres_of(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The mean row of each label 0..max (linear in the number of rows)."""
    count = int(labels.max()) + 1
    sums = np.zeros((count, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, labels, vectors)
    sizes = np.bincount(labels, minlength=count)[:, None]
    return sums / np.maximum(sizes, 1)


def nearest(vectors: np.ndarray, centres: np.ndarray, chunk: int = 20_000) -> np.ndarray:
    """The index of each row's nearest centre by cosine, in chunks (linear memory)."""
    centres = normalise(centres)
    return np.concatenate([np.argmax(vectors[i:i + chunk] @ centres.T, axis=1)
                           for i in range(0, len(vectors), chunk)]) if len(vectors) else \
        np.zeros(0, dtype=int)


def _kmeans(vectors: np.ndarray, k: int, seed: int) -> np.ndarray:
    from sklearn.cluster import MiniBatchKMeans

    model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=1024)
    return np.asarray(model.fit(vectors).labels_)


def _pca_kmeans(vectors: np.ndarray, k: int, seed: int) -> np.ndarray:
    from sklearn.decomposition import PCA

    width = min(PCA_DIMENSIONS, vectors.shape[1], len(vectors))
    pca = PCA(n_components=width, random_state=seed)
    pca.fit(vectors[sample_indices(len(vectors), seed)])
    return _kmeans(normalise(pca.transform(vectors)), k, seed)


def _on_sample(fit: Callable[[np.ndarray, int, int], np.ndarray]
               ) -> Callable[[np.ndarray, int, int], np.ndarray]:
    """An algorithm run on a sample; the other rows join the nearest sample centre."""
    def run(vectors: np.ndarray, k: int, seed: int) -> np.ndarray:
        chosen = sample_indices(len(vectors), seed)
        sample_labels = fit(vectors[chosen], k, seed)
        _, sample_labels = np.unique(sample_labels, return_inverse=True)
        labels = nearest(vectors, centres_of(vectors[chosen], sample_labels))
        labels[chosen] = sample_labels
        return labels
    return run


def _ward(sample: np.ndarray, k: int, seed: int) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering

    return np.asarray(AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(sample))


def _spectral(sample: np.ndarray, k: int, seed: int) -> np.ndarray:
    from sklearn.cluster import SpectralClustering

    neighbours = max(2, min(15, len(sample) - 1))
    model = SpectralClustering(n_clusters=k, affinity="nearest_neighbors",
                               n_neighbors=neighbours, random_state=seed,
                               assign_labels="cluster_qr")
    return np.asarray(model.fit_predict(sample))


LABELLERS: dict[str, Callable[[np.ndarray, int, int], np.ndarray]] = {
    "kmeans": _kmeans, "pca-kmeans": _pca_kmeans,
    "ward": _on_sample(_ward), "spectral": _on_sample(_spectral),
}


def choose_k(vectors: np.ndarray, seed: int, algorithm: str = "kmeans") -> int:
    """The k in 4..20 with the best cosine silhouette on a fixed-size sample."""
    from sklearn.metrics import silhouette_score

    sample = vectors[sample_indices(len(vectors), seed)]
    best, best_score = min(len(vectors), 4), -1.0
    for k in range(4, min(20, len(sample) // 5) + 1):
        labels, _ = cluster(sample, k=k, seed=seed, algorithm=algorithm)
        if len(set(labels.tolist())) < 2:
            continue
        score = float(silhouette_score(sample, labels, metric="cosine"))
        if score > best_score:
            best, best_score = k, score
    return best


def refine_by_words(vectors: np.ndarray, texts: Sequence[str], labels: np.ndarray,
                    weight: float = REFINE_WEIGHT, rounds: int = 2) -> np.ndarray:
    """Move each unit to the cluster best matching its vector and its words.

    A unit's score for a cluster is ``(1 - weight) * cosine(vector, centre) + weight *
    cosine(words, cluster's class-based TF-IDF)``; ``rounds`` passes, linear in units.
    """
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize

    from framesynth.familiarise.frequencies import TOKEN_PATTERN, stop_words

    try:
        counts = CountVectorizer(stop_words=list(stop_words()), token_pattern=TOKEN_PATTERN,
                                 min_df=2).fit_transform(texts)
    except ValueError:  # no word outside the stop-words occurs twice
        return labels
    units = normalize(counts.astype(np.float64))
    for _ in range(rounds):
        _, labels = np.unique(labels, return_inverse=True)
        centres = normalise(centres_of(vectors, labels))
        words = normalize(_class_tfidf(counts, labels))
        score = (1 - weight) * (vectors @ centres.T) + weight * (units @ words.T).toarray()
        labels = np.argmax(score, axis=1)
    return np.unique(labels, return_inverse=True)[1]


def _class_tfidf(counts, labels: np.ndarray):  # type: ignore[no-untyped-def]
    """The class-based TF-IDF of each label's summed word counts (a sparse matrix)."""
    from scipy import sparse

    members = sparse.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))))
    per_class = members @ counts
    tf = sparse.diags(1 / np.maximum(np.asarray(per_class.sum(axis=1)).ravel(), 1)) @ per_class
    average = per_class.sum() / per_class.shape[0]
    idf = np.log(1 + average / np.maximum(np.asarray(per_class.sum(axis=0)).ravel(), 1))
    return sparse.csr_matrix(tf @ sparse.diags(idf))
