"""Benchmark: how well each auto-coding method agrees with a human coder, and how fast.

    .venv/bin/python bench/bench_autocode.py [--embedder minilm-l6.v1] [--out bench/out]

The labelled set (bench/labelled/) is six fictional interviews we wrote for this purpose,
every participant turn coded by hand against the demo framework. None of it is in the
demo corpus. The methods learn only from the demo project: the semantic method
calibrates its thresholds on the demo's human codings, the supervised one trains on
coder "amira"'s codings. Each then suggests codes for the labelled turns, and we compare
turn by turn and code by code with the human labels:

- precision, recall and F1 per code; macro-F1 (mean over codes) and micro figures;
- Cohen's kappa with the human coder on the pooled (turn, code) decisions;
- units per second of ``suggest`` (fitting and model loading timed apart).

For scale, the demo's two human coders' agreement on turns is printed too.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import cohen_kappa_score

from framesynth.demo import build_demo_project
from framesynth.embeddings import get_embedder
from framesynth.familiarise.units import Unit, units
from framesynth.frame.framework import code_path, find_code, framework_codes
from framesynth.index.agreement import agreement
from framesynth.index.autocode import EmbeddingCoder, KeywordCoder, SupervisedCoder
from framesynth.index.review import labelled_units
from framesynth.io.importers import import_files
from framesynth.project import Project

LABELLED = Path(__file__).parent / "labelled"


def read_labels(session, sources) -> list[tuple[Unit, set[int]]]:  # type: ignore[no-untyped-def]
    """The labelled turns of the bench transcripts with their human codes."""
    by_name = {source.name: source.id for source in sources}
    turns = units(session, "turn", source_ids=set(by_name.values()))
    labelled = []
    for path in sorted(LABELLED.glob("labels-*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                source_id = by_name[row["source"]]
                [turn] = [u for u in turns if u.source_id == source_id
                          and u.text.startswith(row["turn_start"])]
                codes = {find_code(session, c).id for c in row["codes"].split(";") if c.strip()}
                labelled.append((turn, codes))
    return labelled


def evaluate(predicted: dict[tuple[int, int], set[int]], labelled, code_ids: list[int]
             ) -> dict[str, float | dict[int, tuple[float, float, float]]]:  # type: ignore[no-untyped-def]
    truth = np.array([[int(c in codes) for c in code_ids] for _, codes in labelled])
    guess = np.array([[int(c in predicted.get((u.source_id, u.start), set())) for c in code_ids]
                      for u, _ in labelled])
    per_code = {}
    for column, code_id in enumerate(code_ids):
        tp = int(((truth[:, column] == 1) & (guess[:, column] == 1)).sum())
        fp = int(((truth[:, column] == 0) & (guess[:, column] == 1)).sum())
        fn = int(((truth[:, column] == 1) & (guess[:, column] == 0)).sum())
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_code[code_id] = (precision, recall, f1)
    tp = int((truth & guess).sum())
    micro_p = tp / guess.sum() if guess.sum() else 0.0
    micro_r = tp / truth.sum() if truth.sum() else 0.0
    return {
        "per_code": per_code,
        "macro_f1": float(np.mean([f for _, _, f in per_code.values()])),
        "micro_p": float(micro_p), "micro_r": float(micro_r),
        "micro_f1": float(2 * micro_p * micro_r / (micro_p + micro_r)) if micro_p + micro_r else 0.0,
        "kappa": float(cohen_kappa_score(truth.ravel(), guess.ravel())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default=None)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    shutil.rmtree(args.out / "autocode", ignore_errors=True)
    started = time.perf_counter()
    path = build_demo_project(args.out / "autocode")
    print(f"demo project built in {time.perf_counter() - started:.1f} s")
    with Project.open(path) as project, project.session() as session:
        sources = import_files(session, sorted((LABELLED / "transcripts").glob("*.txt")))
        labelled = read_labels(session, sources)
        codes = [c for c in framework_codes(session) if c.codable]
        code_ids = [c.id for c in codes]
        positives = sum(len(c) for _, c in labelled)
        print(f"labelled set: {len(sources)} interviews, {len(labelled)} turns, "
              f"{positives} human codes\n")
        human = agreement(session, ["amira", "tom"], unit="turn").overall
        print(f"for scale, demo coders amira vs tom on turns: kappa {human.kappa:.3f}\n")

        t0 = time.perf_counter()
        embedder = get_embedder(args.embedder)
        embedder.encode(["warm up"])
        load = time.perf_counter() - t0
        print(f"embedder {embedder.name} loaded in {load:.1f} s\n")
        calibration = labelled_units(session, "turn")
        training = labelled_units(session, "turn", coder="amira")
        methods = [
            ("keyword", KeywordCoder(), ()),
            ("semantic", EmbeddingCoder(embedder), calibration),
            ("supervised", SupervisedCoder(embedder), training),
        ]
        targets = [unit for unit, _ in labelled]
        results = {}
        print(f"{'method':<11} {'fit s':>6} {'units/s':>8} {'macro-F1':>9} {'micro-P':>8} "
              f"{'micro-R':>8} {'micro-F1':>9} {'kappa':>6}")
        for name, coder, fit_data in methods:
            t0 = time.perf_counter()
            coder.fit(codes, fit_data)  # no session: nothing cached, honest timings
            fit_seconds = time.perf_counter() - t0
            t0 = time.perf_counter()
            suggestions = coder.suggest(targets)
            rate = len(targets) / (time.perf_counter() - t0)
            predicted: dict[tuple[int, int], set[int]] = {}
            for s in suggestions:
                predicted.setdefault((s.unit.source_id, s.unit.start), set()).add(s.code_id)
            result = evaluate(predicted, labelled, code_ids)
            results[name] = result
            print(f"{name:<11} {fit_seconds:>6.1f} {rate:>8.0f} {result['macro_f1']:>9.3f} "
                  f"{result['micro_p']:>8.3f} {result['micro_r']:>8.3f} "
                  f"{result['micro_f1']:>9.3f} {result['kappa']:>6.3f}")
        print("\nF1 per code (keyword / semantic / supervised)")
        for code in codes:
            cells = " / ".join(f"{results[m]['per_code'][code.id][2]:.2f}" for m, _, _ in methods)
            print(f"  {code_path(code):<58} {cells}")
        session.rollback()


if __name__ == "__main__":
    main()
