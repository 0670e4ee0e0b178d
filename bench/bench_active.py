"""Benchmark: does "code the next N" (active learning) teach the model faster than coding
units picked at random?

    .venv/bin/python bench/bench_active.py [--embedder minilm-l6.v1] [--labelled DIR]
        [--rounds 6] [--per-round 10] [--repeats 3] [--out bench/out]

The pool is the labelled set (bench/labelled/, or any folder in its layout, e.g.
labelled2): its turns, with the human labels standing in for a researcher who codes what
she is shown. The test set is the demo project's turns coded by "amira" (other sources, the
same framework). Each round, the strategy picks ``--per-round`` turns of the pool, they
are "coded" (their labels revealed), a logistic regression per code
(:class:`SupervisedCoder`) is trained on all turns coded so far and scored on the test set:
macro-F1 over the codes with at least three test examples. Active picks use
``framesynth.index.active.choose_next`` (zero-shot margins first, then the model's
uncertainty, near-duplicates and sources spread); random picks are averaged over
``--repeats`` seeds.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import time
from pathlib import Path

import numpy as np

from framesynth.demo import build_demo_project
from framesynth.embeddings import get_embedder
from framesynth.familiarise.units import Unit, units
from framesynth.frame.framework import find_code, framework_codes
from framesynth.index.active import choose_next
from framesynth.index.autocode import SupervisedCoder
from framesynth.index.evaluation import code_figures
from framesynth.index.review import labelled_units
from framesynth.io.importers import import_files
from framesynth.project import Project

LABELLED = Path(__file__).parent / "labelled"


def read_labels(session, sources, folder: Path) -> list[tuple[Unit, set[int]]]:  # type: ignore[no-untyped-def]
    """The labelled turns (labels-*.csv: source, turn_start, codes) with their codes."""
    by_name = {source.name: source.id for source in sources}
    turns = units(session, "turn", source_ids=set(by_name.values()))
    labelled = []
    for path in sorted(folder.glob("labels-*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                [turn] = [u for u in turns if u.source_id == by_name[row["source"]]
                          and u.text.startswith(row["turn_start"])]
                codes = {find_code(session, c).id for c in row["codes"].split(";") if c.strip()}
                labelled.append((turn, codes))
    return labelled


def macro_f1(codes, coded, test, embedder) -> float:  # type: ignore[no-untyped-def]
    model = SupervisedCoder(embedder).fit(codes, coded)
    guess = {(s.unit.source_id, s.unit.start, s.code_id) for s in model.suggest(
        [u for u, _ in test])}
    scores = []
    for code in codes:
        truth = np.array([int(code.id in c) for _, c in test])
        if truth.sum() < 3:
            continue
        found = np.array([int((u.source_id, u.start, code.id) in guess) for u, _ in test])
        scores.append(code_figures(truth, found).f1)
    return float(np.mean(scores))


def run(strategy: str, codes, pool, test, embedder, rounds: int, per_round: int,  # type: ignore[no-untyped-def]
        seed: int) -> list[float]:
    remaining, coded, curve = list(range(len(pool))), [], []
    rng = np.random.default_rng(seed)
    for _ in range(rounds):
        candidates = [pool[i][0] for i in remaining]
        if strategy == "active":
            picks = [remaining[i] for i, _, _ in choose_next(
                codes, [pool[i] for i in coded], candidates, per_round, embedder=embedder,
                seed=seed)]
        else:
            picks = [int(i) for i in rng.choice(remaining, per_round, replace=False)]
        coded += picks
        remaining = [i for i in remaining if i not in set(picks)]
        curve.append(macro_f1(codes, [pool[i] for i in coded], test, embedder))
    return curve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default=None)
    parser.add_argument("--labelled", type=Path, default=LABELLED)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--per-round", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    shutil.rmtree(args.out / "active", ignore_errors=True)
    path = build_demo_project(args.out / "active")
    embedder = get_embedder(args.embedder)
    with Project.open(path) as project, project.session() as session:
        test = labelled_units(session, "turn", coder="amira")
        sources = import_files(session, sorted((args.labelled / "transcripts").glob("*.txt")))
        pool = read_labels(session, sources, args.labelled)
        codes = [c for c in framework_codes(session) if c.codable]
        print(f"pool: {len(pool)} labelled turns; test: {len(test)} demo turns coded by "
              f"amira; embedder {embedder.name}; {args.per_round} turns a round\n")
        started = time.perf_counter()
        active = run("active", codes, pool, test, embedder, args.rounds, args.per_round, 0)
        randoms = np.array([run("random", codes, pool, test, embedder, args.rounds,
                                args.per_round, seed) for seed in range(args.repeats)])
        print(f"{'coded':>6} {'active':>8} {'random':>8} {'(min-max)':>12}")
        for k, value in enumerate(active):
            column = randoms[:, k]
            print(f"{(k + 1) * args.per_round:>6} {value:>8.3f} {column.mean():>8.3f} "
                  f"{column.min():>5.3f}-{column.max():.3f}")
        print(f"\nmean over rounds: active {np.mean(active):.3f}, random "
              f"{randoms.mean():.3f} ({time.perf_counter() - started:.0f} s)")
        session.rollback()


if __name__ == "__main__":
    main()
