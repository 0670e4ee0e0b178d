"""Candidate themes from the data, to help build the framework (phase 2).

By default the units are participants' turns (no research-team turns, back-channel or
fragments), represented by their sentence-model embeddings side by side with their
TF-IDF words (``combined``), and clustered by Ward's agglomerative clustering on a
fixed-size sample, the other units joining the nearest cluster: of the combinations
bench/bench_theme_quality.py compares, this agrees best with the demo's and the labelled
set's human frameworks (the other representations and algorithms stay selectable, see
:mod:`framesynth.frame.clustering`). Cost grows linearly with the number of units and a
fixed seed makes it deterministic. ``k="auto"`` picks k by the silhouette score on a
fixed-size sample. Each candidate gets:

- distinctive keywords by class-based TF-IDF: a word's frequency in the cluster, times
  the log of the average cluster size over the word's frequency in all clusters;
- its most representative quotes: the units nearest the cluster centre;
- its spread: how many sources and participants it draws on.

A researcher adopts a candidate into a draft framework (:func:`adopt_candidate`),
renamed as they wish, or ignores it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.embeddings import Embedder, embed
from framesynth.errors import InvalidArgument
from framesynth.familiarise.frequencies import TOKEN_PATTERN, stop_words
from framesynth.familiarise.units import Unit, units
from framesynth.frame import clustering
from framesynth.frame.framework import CodeSpec, add_code
from framesynth.frame.history import record_change
from framesynth.store.models import Code, Participant, Source, Speaker

MIN_WORDS = 5
MIN_CONTENT_WORDS = 3
DEFAULT_UNIT = "turn"
DEFAULT_REPRESENTATION = "combined"
DEFAULT_ALGORITHM = "ward"


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
                   quotes: int = 3, representation: str = DEFAULT_REPRESENTATION,
                   algorithm: str = DEFAULT_ALGORITHM) -> list[Candidate]:
    """Cluster ``units`` into candidate themes, largest first.

    :param representation: one of :data:`~framesynth.frame.clustering.REPRESENTATIONS`;
    :param algorithm: one of :data:`~framesynth.frame.clustering.ALGORITHMS`.
    """
    units = [u for u in units if len(u.text.split()) >= MIN_WORDS]
    if len(units) < 4:
        raise InvalidArgument("too few units to suggest themes (need at least 4 with "
                              f"{MIN_WORDS}+ words)")
    texts = [u.text for u in units]
    space, labels = cluster_units(embed(session, embedder, texts), texts, k=k, seed=seed,
                                  representation=representation, algorithm=algorithm)
    centres = clustering.normalise(clustering.centres_of(space, labels))
    groups: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        groups[int(label)].append(index)
    ordered = sorted(groups.values(), key=lambda idx: (-len(idx), idx[0]))
    words = class_tfidf_keywords([[texts[i] for i in idx] for idx in ordered], keywords)
    participants = _participants(session, units)
    found = []
    for number, (idx, top) in enumerate(zip(ordered, words, strict=True), start=1):
        centre = centres[int(labels[idx[0]])]
        nearest = sorted(idx, key=lambda i: -float(space[i] @ centre))[:quotes]
        members = [units[i] for i in idx]
        found.append(Candidate(
            number, top, [units[i] for i in nearest], members,
            sources=len({u.source_id for u in members}),
            participants=len({participants[u.speaker_id] for u in members
                              if participants.get(u.speaker_id) is not None})))
    return found


def cluster_units(vectors: np.ndarray, texts: Sequence[str], *, k: int | str, seed: int,
                  representation: str = DEFAULT_REPRESENTATION,
                  algorithm: str = DEFAULT_ALGORITHM) -> tuple[np.ndarray, np.ndarray]:
    """The space the units were clustered in and each unit's cluster label."""
    if representation not in clustering.REPRESENTATIONS:
        raise InvalidArgument(f"representation {representation!r} is not one of: "
                              f"{', '.join(clustering.REPRESENTATIONS)}")
    space = clustering.normalise(vectors)
    if representation == "combined":
        space = clustering.combine(space, clustering.word_vectors(texts, seed))
    labels, _ = cluster(space, k=k, seed=seed, algorithm=algorithm)
    if representation == "refined":
        labels = clustering.refine_by_words(space, texts, labels)
    return space, labels


def cluster(vectors: np.ndarray, *, k: int | str, seed: int,
            algorithm: str = DEFAULT_ALGORITHM) -> tuple[np.ndarray, np.ndarray]:
    """Labels and unit-length centres; ``k="auto"`` picks k by silhouette on a sample."""
    chosen = clustering.choose_k(vectors, seed, algorithm) if k == "auto" else int(k)
    return clustering.cluster(vectors, k=chosen, seed=seed, algorithm=algorithm)


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


def theme_units(session: Session, kind: str = DEFAULT_UNIT, *,
                participants_only: bool = True) -> list[Unit]:
    """The units to suggest themes from: by default participants' turns (see
    :func:`participant_units`), which agree best with human frameworks
    (bench/bench_theme_quality.py)."""
    found = units(session, kind)
    return participant_units(session, found) if participants_only else found


def participant_units(session: Session, found: list[Unit],
                      min_content: int = MIN_CONTENT_WORDS) -> list[Unit]:
    """``found`` without the research team's turns, back-channel and fragments.

    A unit is kept when its speaker is not an interviewer nor a team participant and it
    has at least ``min_content`` content words (fillers and function words aside).
    """
    from framesynth.chart.fillers import content_words

    team = set(session.scalars(select(Speaker.id).join(
        Participant, Speaker.participant_id == Participant.id).where(Participant.team)))
    team |= set(session.scalars(select(Speaker.id).where(Speaker.is_interviewer)))
    return [u for u in found if u.speaker_id not in team
            and len(content_words(u.text)) >= min_content]


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
