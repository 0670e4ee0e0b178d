"""Benchmark: how well candidate themes agree with the framework a person built.

    .venv/bin/python bench/bench_theme_quality.py [--seeds 0 1 2] [--labelled DIR ...]

Two yardsticks with known codes: the demo project (17 sources, the human codings of
both coders against 19 codes in 6 themes) and the labelled turns of bench/labelled/
(and of any further ``--labelled`` directory in the same layout: ``labels-*.csv`` and
``transcripts/``). Each unit's human label is the code, or its theme, covering most of
its characters (framesynth.frame.theme_quality); uncoded units are clustered, not scored.

For every unit kind (sentences; all turns, the interviewer's too; participants' turns
without back-channel and fragments), representation and algorithm, the units are
clustered with k = the number of themes (scored against themes) and k = the number of
codes (scored against codes). It prints ARI, NMI, mean purity and the share of
candidates whose keywords name their theme, averaged over the seeds, and the clustering
seconds (the embeddings are computed once per unit kind and timed apart).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from framesynth.demo import build_demo_project
from framesynth.embeddings import embed, get_embedder
from framesynth.familiarise.units import Unit, units
from framesynth.frame import clustering
from framesynth.frame.framework import find_code, framework_codes
from framesynth.frame.theme_quality import Span, quality, unit_labels
from framesynth.frame.themes import (
    MIN_WORDS,
    class_tfidf_keywords,
    cluster_units,
    participant_units,
)
from framesynth.io.importers import import_files
from framesynth.project import Project
from framesynth.store.models import Coding

LABELLED = Path(__file__).parent / "labelled"
UNIT_KINDS = ("sentence", "paragraph", "turn", "participant-turn")


@dataclass
class Yardstick:
    name: str
    source_ids: set[int]
    spans: list[Span]


def labelled_spans(session, directory: Path) -> Yardstick:  # type: ignore[no-untyped-def]
    """Import a labelled set's transcripts; each labelled turn a span per code."""
    sources = import_files(session, sorted((directory / "transcripts").glob("*.txt")))
    by_name = {source.name: source.id for source in sources}
    turns = units(session, "turn", source_ids=set(by_name.values()), include_interviewer=True)
    spans = []
    for path in sorted(directory.glob("labels-*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                source_id = by_name[row["source"]]
                turn = next(u for u in turns if u.source_id == source_id
                            and u.text.startswith(row["turn_start"]))
                spans += [Span(source_id, turn.start, turn.end, find_code(session, c).id)
                          for c in row["codes"].split(";") if c.strip()]
    return Yardstick(directory.name, set(by_name.values()), spans)


def demo_spans(session, source_ids: set[int]) -> Yardstick:  # type: ignore[no-untyped-def]
    query = Coding.__table__.select().where(Coding.status.is_(None),
                                            Coding.source_id.in_(source_ids))
    spans = [Span(row.source_id, row.start, row.end, row.code_id)
             for row in session.execute(query)]
    return Yardstick("demo", source_ids, spans)


def unit_set(session, kind: str, source_ids: set[int]) -> list[Unit]:  # type: ignore[no-untyped-def]
    if kind == "participant-turn":
        found = participant_units(session, units(session, "turn", source_ids=source_ids))
    else:
        found = units(session, kind, source_ids=source_ids, include_interviewer=kind == "turn")
    return [u for u in found if len(u.text.split()) >= MIN_WORDS]


@dataclass
class Levels:
    """The human labels of one unit set at theme and at code level."""
    themes: list[int | None]
    codes: list[int | None]


def score(vectors: np.ndarray, texts: Sequence[str], truth: list[int | None], k: int,
          seeds: Sequence[int], representation: str, algorithm: str,
          descriptions: dict[int, str]) -> tuple[np.ndarray, float]:
    """Mean (ARI, NMI, purity, recognised) over seeds, and mean seconds per run."""
    figures, seconds = [], 0.0
    for seed in seeds:
        t0 = time.perf_counter()
        _, labels = cluster_units(vectors, texts, k=k, seed=seed,
                                  representation=representation, algorithm=algorithm)
        seconds += time.perf_counter() - t0
        groups = [[texts[i] for i in np.flatnonzero(labels == c)] for c in range(labels.max() + 1)]
        keywords = dict(enumerate(class_tfidf_keywords(groups, 8)))
        found = quality(truth, labels.tolist(), keywords, descriptions)
        figures.append((found.ari, found.nmi, found.purity, found.recognised))
    return np.mean(figures, axis=0), seconds / len(seeds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--labelled", type=Path, nargs="*", default=[])
    parser.add_argument("--embedder", default=None)
    parser.add_argument("--algorithms", nargs="+", default=list(clustering.ALGORITHMS))
    parser.add_argument("--kinds", nargs="+", default=list(UNIT_KINDS))
    parser.add_argument("--representations", nargs="+",
                        default=list(clustering.REPRESENTATIONS))
    args = parser.parse_args()
    shutil.rmtree(args.out / "theme_quality", ignore_errors=True)
    path = build_demo_project(args.out / "theme_quality")
    embedder = get_embedder(args.embedder)
    with Project.open(path) as project, project.session() as session:
        demo_ids = {s for s, in session.execute(Coding.__table__.select().with_only_columns(
            Coding.source_id).distinct())}
        sticks = [demo_spans(session, demo_ids)] + [
            labelled_spans(session, d) for d in [LABELLED, *args.labelled]]
        codes = [c for c in framework_codes(session) if c.codable]
        themes = [c for c in framework_codes(session) if c.parent_id is None]
        theme_of = {c.id: c.parent_id or c.id for c in codes}
        describe = {c.id: f"{c.name} {c.definition or ''}" for c in [*codes, *themes]}
        print(f"embedder {embedder.name}; {len(themes)} themes, {len(codes)} codes; "
              f"seeds {args.seeds}\n")
        for stick in sticks:
            run_yardstick(session, stick, embedder, args, codes, themes, theme_of, describe)
        session.rollback()


def run_yardstick(session, stick: Yardstick, embedder, args, codes, themes,  # type: ignore[no-untyped-def]
                  theme_of: dict[int, int], describe: dict[int, str]) -> None:
    order = [c.id for c in codes]
    print(f"== {stick.name}: {len(stick.source_ids)} sources, {len(stick.spans)} labelled spans")
    print(f"{'units':<17} {'n':>5} {'scored':>6} {'representation':<10} {'algorithm':<10} "
          f"{'ARI-t':>6} {'NMI-t':>6} {'pur-t':>6} {'rec-t':>6} "
          f"{'ARI-c':>6} {'NMI-c':>6} {'pur-c':>6} {'rec-c':>6} {'s':>6}")
    for kind in args.kinds:
        found = unit_set(session, kind, stick.source_ids)
        texts = [u.text for u in found]
        t0 = time.perf_counter()
        vectors = embed(session, embedder, texts)
        encode = time.perf_counter() - t0
        code_truth = unit_labels(found, stick.spans, order)
        levels = Levels([None if c is None else theme_of[c] for c in code_truth], code_truth)
        scored = sum(t is not None for t in levels.themes)
        for representation in args.representations:
            for algorithm in args.algorithms:
                t_fig, t_s = score(vectors, texts, levels.themes, len(themes), args.seeds,
                                   representation, algorithm, describe)
                c_fig, c_s = score(vectors, texts, levels.codes, min(len(codes), len(found)),
                                   args.seeds, representation, algorithm, describe)
                cells = " ".join(f"{x:>6.3f}" for x in [*t_fig, *c_fig])
                print(f"{kind:<17} {len(found):>5} {scored:>6} {representation:<10} "
                      f"{algorithm:<10} {cells} {t_s + c_s:>6.2f}", flush=True)
        print(f"{'':<17} (embedding {len(found)} units: {encode:.1f} s)")
    print()


if __name__ == "__main__":
    main()
