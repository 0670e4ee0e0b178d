"""Candidate themes from the data, to help build the framework (phase 2).

Units (turns, paragraphs or sentences) are embedded and clustered with MiniBatchKMeans:
its cost grows linearly with the number of units, so 100,000 units are fine, and a fixed
seed makes it deterministic. ``k="auto"`` picks k by the silhouette score on a fixed-size
sample (so the choice costs the same on any corpus). Each candidate gets:

- distinctive keywords by class-based TF-IDF: a word's frequency in the cluster, times
  the log of the average cluster size over the word's frequency in all clusters;
- its most representative quotes: the units nearest the cluster centre;
- its spread: how many sources and participants it draws on.

A researcher adopts a candidate into a draft framework (:func:`adopt_candidate`),
renamed as they wish, or ignores it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.embeddings import Embedder, embed
from framesynth.errors import InvalidArgument
from framesynth.familiarise.frequencies import TOKEN_PATTERN, stop_words
from framesynth.familiarise.units import Unit
from framesynth.frame.framework import CodeSpec, add_code
from framesynth.frame.history import record_change
from framesynth.store.models import Code, Source, Speaker

SILHOUETTE_SAMPLE = 2000
MIN_WORDS = 5


@dataclass
class Candidate:
    number: int
    keywords: list[str]
    quotes: list[Unit]
    members: list[Unit] = field(repr=False)
    sources: int = 0
    participants: int = 0

    def label(self) -> str:
        return " / ".join(self.keywords[:3])

    def as_dict(self, names: dict[int, str]) -> dict[str, Any]:
        return {
            "candidate": self.number, "label": self.label(), "keywords": self.keywords,
            "size": len(self.members), "sources": self.sources,
            "participants": self.participants,
            "quotes": [_unit_dict(u, names) for u in self.quotes],
            "members": [_unit_dict(u, names) for u in self.members],
        }


def _unit_dict(unit: Unit, names: dict[int, str]) -> dict[str, Any]:
    return {"source": names[unit.source_id], "start": unit.start, "end": unit.end,
            "text": unit.text}


def suggest_themes(session: Session | None, units: list[Unit], *, embedder: Embedder,
                   k: int | str = "auto", seed: int = 0, keywords: int = 8,
                   quotes: int = 3) -> list[Candidate]:
    """Cluster ``units`` into candidate themes, largest first."""
    units = [u for u in units if len(u.text.split()) >= MIN_WORDS]
    if len(units) < 4:
        raise InvalidArgument("too few units to suggest themes (need at least 4 with "
                              f"{MIN_WORDS}+ words)")
    vectors = embed(session, embedder, [u.text for u in units])
    labels, centres = cluster(vectors, k=k, seed=seed)
    groups: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        groups[int(label)].append(index)
    ordered = sorted(groups.values(), key=lambda idx: (-len(idx), idx[0]))
    words = class_tfidf_keywords([[units[i].text for i in idx] for idx in ordered], keywords)
    participants = _participants(session, units)
    found = []
    for number, (idx, top) in enumerate(zip(ordered, words, strict=True), start=1):
        centre = centres[int(labels[idx[0]])]
        nearest = sorted(idx, key=lambda i: -float(vectors[i] @ centre))[:quotes]
        members = [units[i] for i in idx]
        found.append(Candidate(
            number, top, [units[i] for i in nearest], members,
            sources=len({u.source_id for u in members}),
            participants=len({participants[u.speaker_id] for u in members
                              if participants.get(u.speaker_id) is not None})))
    return found


def cluster(vectors: np.ndarray, *, k: int | str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels and unit-length centres from MiniBatchKMeans."""
    from sklearn.cluster import MiniBatchKMeans

    chosen = choose_k(vectors, seed) if k == "auto" else int(k)
    if not 2 <= chosen <= len(vectors):
        raise InvalidArgument(f"k must be between 2 and the number of units ({len(vectors)})")
    model = MiniBatchKMeans(n_clusters=chosen, random_state=seed, n_init=3,
                            batch_size=1024).fit(vectors)
    centres = model.cluster_centers_
    centres = centres / np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9)
    return model.labels_, centres


def choose_k(vectors: np.ndarray, seed: int) -> int:
    """The k in 4..20 with the best silhouette on a fixed-size sample."""
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(seed)
    sample = vectors if len(vectors) <= SILHOUETTE_SAMPLE else vectors[
        rng.choice(len(vectors), SILHOUETTE_SAMPLE, replace=False)]
    best, best_score = 2, -1.0
    for k in range(4, min(20, len(sample) // 5) + 1):
        labels = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3,
                                 batch_size=1024).fit_predict(sample)
        score = float(silhouette_score(sample, labels, metric="cosine"))
        if score > best_score:
            best, best_score = k, score
    return best if best_score > -1 else min(len(vectors), 4)


def class_tfidf_keywords(groups: list[list[str]], top: int) -> list[list[str]]:
    """The ``top`` most distinctive words of each group of texts (class-based TF-IDF)."""
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(stop_words=list(stop_words()), token_pattern=TOKEN_PATTERN,
                                 ngram_range=(1, 2), min_df=1)
    counts = vectorizer.fit_transform([" ".join(texts) for texts in groups]).toarray()
    vocabulary = vectorizer.get_feature_names_out()
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    average = counts.sum() / len(groups)
    idf = np.log(1 + average / np.maximum(counts.sum(axis=0), 1))
    scores = tf * idf
    return [[str(vocabulary[i]) for i in np.argsort(-row, kind="stable")[:top] if row[i] > 0]
            for row in scores]


def _participants(session: Session | None, units: list[Unit]) -> dict[int | None, int | None]:
    if session is None:
        return {}
    ids = {u.speaker_id for u in units if u.speaker_id is not None}
    query = select(Speaker.id, Speaker.participant_id).where(Speaker.id.in_(ids))
    return dict(session.execute(query).all())


def source_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Source.id, Source.name)).all())


def adopt_candidate(session: Session, candidate: Candidate, *, name: str, framework: str,
                    actor: str, parent: Code | None = None) -> Code:
    """Make a candidate a code of a draft framework, its keywords as rules and its
    representative quotes as examples."""
    spec = CodeSpec(name=name, definition=f"Candidate theme: {', '.join(candidate.keywords)}",
                    examples=[u.text[:300] for u in candidate.quotes],
                    keywords=[w for w in candidate.keywords if " " not in w][:5])
    code = add_code(session, spec, parent=parent, framework=framework)
    record_change(session, "adopt-theme", actor=actor, framework=framework, code=code.id,
                  candidate=candidate.number, name=name)
    return code
