"""Benchmark: does "code the next N" (active learning) teach the model faster than coding
units picked at random?

    .venv/bin/python bench/bench_active.py [--embedder minilm-l6.v1] [--rounds 8]
        [--per-round 15] [--seeds 3] [--test-every 3]

The study is bench/labelled2/ (its own framework of 24 codes, 15 transcripts, coder A's
labels; see its README), built as a project by ``bench_coding_quality.build_project``.
Its sources are split once: every ``--test-every``-th source (in name order) is the test
set, the rest the pool. Only eligible units take part (``index.eligible``: what
``autocode --next`` offers and auto-coding codes), so back-channel turns and fragments are
neither picked nor scored.

Each round, a strategy picks ``--per-round`` units of the pool; they are "coded" with
coder A's labels (a unit she left empty is a negative example for every code); the
supervised method as ``autocode --evaluate`` fits it (:class:`FastSupervisedCoder`:
logistic regression per code on MiniLM embeddings) is trained on every unit coded so far
and scored on the test set: macro-F1 over the codes with at least three test examples (a
code it cannot learn yet scores 0). "active" picks with
``framesynth.index.active.choose_next`` (what ``autocode --next`` runs), "random" picks
uniformly from the same pool; both are run with ``--seeds`` seeds (active: ties and the
model's seed; random: the draw), and the mean and range per round are printed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_coding_quality import build_project, read_labels  # noqa: E402

from framesynth.embeddings import Embedder, get_embedder  # noqa: E402
from framesynth.familiarise.units import Unit  # noqa: E402
from framesynth.frame.framework import framework_codes  # noqa: E402
from framesynth.index.active import choose_next  # noqa: E402
from framesynth.index.eligible import eligible_units  # noqa: E402
from framesynth.index.evaluation import FastSupervisedCoder, MemoryEmbedder, code_figures  # noqa: E402
from framesynth.project import Project  # noqa: E402
from framesynth.store.models import Code  # noqa: E402

Labelled = list[tuple[Unit, set[int]]]


def macro_f1(codes: Sequence[Code], coded: Labelled, test: Labelled, embedder: Embedder,
             seed: int) -> float:
    """Macro-F1 on ``test`` of the supervised method trained on ``coded``."""
    model = FastSupervisedCoder(embedder, seed=seed).fit(codes, coded)
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


def run(strategy: str, codes: Sequence[Code], pool: Labelled, test: Labelled,
        embedder: Embedder, rounds: int, per_round: int, seed: int) -> list[float]:
    """Macro-F1 after each round of ``strategy`` picks."""
    remaining, coded, curve = list(range(len(pool))), [], []
    rng = np.random.default_rng(seed)
    for _ in range(rounds):
        if strategy == "active":
            picks = [remaining[i] for i, _, _ in choose_next(
                codes, [pool[i] for i in coded], [pool[i][0] for i in remaining], per_round,
                embedder=embedder, seed=seed)]
        else:
            picks = [int(i) for i in rng.choice(remaining, per_round, replace=False)]
        coded += picks
        taken = set(picks)
        remaining = [i for i in remaining if i not in taken]
        curve.append(macro_f1(codes, [pool[i] for i in coded], test, embedder, seed))
    return curve


def split(session: Any, test_every: int) -> tuple[Labelled, Labelled]:
    """(pool, test): coder A's labels of the eligible units, sources split by name order."""
    eligible = {(u.source_id, u.start, u.end) for u in eligible_units(session, "turn").units}
    labelled = [(u, {c.id for c in codes}) for u, codes in read_labels(session, "A")
                if (u.source_id, u.start, u.end) in eligible]
    sources = sorted({u.source_id for u, _ in labelled})
    held = {s for n, s in enumerate(sources) if n % test_every == test_every - 1}
    return ([(u, c) for u, c in labelled if u.source_id not in held],
            [(u, c) for u, c in labelled if u.source_id in held])


def report(curves: dict[str, np.ndarray], per_round: int) -> None:
    print(f"{'coded':>6} {'active':>8} {'(min-max)':>12} {'random':>8} {'(min-max)':>12}")
    for k in range(curves["active"].shape[1]):
        cells = [f"{c[:, k].mean():>8.3f} {c[:, k].min():>5.3f}-{c[:, k].max():.3f}"
                 for c in curves.values()]
        print(f"{(k + 1) * per_round:>6} {cells[0]} {cells[1]}")
    means = {name: float(c.mean()) for name, c in curves.items()}
    wins = int((curves["active"].mean(axis=0) > curves["random"].mean(axis=0)).sum())
    print(f"\nmean over rounds: active {means['active']:.3f}, random {means['random']:.3f}; "
          f"active ahead in {wins} of {curves['active'].shape[1]} rounds")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--embedder", default=None)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--per-round", type=int, default=15)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--test-every", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        path = build_project(Path(folder))
        with Project.open(path) as project, project.session() as session:
            codes = [c for c in framework_codes(session) if c.codable]
            pool, test = split(session, args.test_every)
            embedder = MemoryEmbedder.of(session, get_embedder(args.embedder), codes,
                                         [u.text for u, _ in pool + test])
            print(f"labelled2: pool {len(pool)} eligible turns, test {len(test)} (other "
                  f"sources), {len(codes)} codes, coder A's labels; embedder {embedder.name}; "
                  f"{args.per_round} turns a round, {args.seeds} seeds\n")
            curves = {strategy: np.array([
                run(strategy, codes, pool, test, embedder, args.rounds, args.per_round, seed)
                for seed in range(args.seeds)]) for strategy in ("active", "random")}
            session.rollback()
    report(curves, args.per_round)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
