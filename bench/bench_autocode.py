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

Zero-shot ranking (issue 13), with no human codings at all: each unit's codes ranked,
against the nearest-definition baseline, in the same run:

- ranked top-1 accuracy (the top code is one of the turn's human codes, over turns with
  one), macro-F1 of the top code taken as the only prediction, top-3 recall;
- the expected calibration error (ECE, 10 bins) of the top-3 confidences: with the fixed
  calibration in the code, and refitted leaving each interview out in turn (honest);
- ``--fit-calibration`` prints the Platt parameters fitted on all 104 turns, the
  constants :data:`framesynth.index.zeroshot.CALIBRATION` hold.
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
from framesynth.index import zeroshot
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
    parser.add_argument("--fit-calibration", action="store_true",
                        help="print the Platt parameters fitted on the labelled set")
    parser.add_argument("--zero-shot-only", action="store_true",
                        help="only the zero-shot ranking figures")
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
        if args.zero_shot_only:
            zero_shot(Memo(embedder), codes, labelled, args.fit_calibration)
            return
        calibration = labelled_units(session, "turn")
        training = labelled_units(session, "turn", coder="amira")
        methods = [
            ("keyword", KeywordCoder(), ()),
            ("semantic", EmbeddingCoder(embedder, threshold=0.5), calibration),
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
        zero_shot(Memo(embedder), codes, labelled, args.fit_calibration)
        session.rollback()


class Memo:
    """The embedder, each text encoded once (the zero-shot variants share the vectors)."""

    def __init__(self, embedder):  # type: ignore[no-untyped-def]
        self.embedder, self.name, self.seen = embedder, embedder.name, {}
        self.languages = embedder.languages

    def encode(self, texts):  # type: ignore[no-untyped-def]
        new = [t for t in dict.fromkeys(texts) if t not in self.seen]
        if new:
            self.seen.update(zip(new, self.embedder.encode(new), strict=True))
        return np.array([self.seen[t] for t in texts])


ZERO_SHOT = [  # name, EmbeddingCoder parameters
    ("nearest definition (baseline)", {"prototypes": "definition", "aggregate": "max",
                                       "exclusion_weight": 0.0, "centred": False}),
    ("prototypes, max (before #13)", {"aggregate": "max", "exclusion_weight": 1.0,
                                      "centred": False}),
    ("prototypes, max, centred", {"aggregate": "max"}),
    ("prototypes, softmax, centred", {"aggregate": "softmax"}),
    ("prototypes, mean, no exclusions", {"exclusion_weight": 0.0}),
    ("prototypes, mean, centred (default)", {}),
]


def ranked_figures(scores: np.ndarray, truth: list[set[int]]) -> tuple[float, float, float]:
    """(top-1 accuracy, macro-F1 of the top code, top-3 recall); truth: columns per unit."""
    top = scores.argmax(axis=1)
    coded = [i for i, wanted in enumerate(truth) if wanted]
    accuracy = float(np.mean([top[i] in truth[i] for i in coded]))
    best3 = np.argsort(-scores, axis=1)[:, :3]
    recall3 = float(np.mean([bool(set(best3[i]) & truth[i]) for i in coded]))
    f1s = []
    for column in range(scores.shape[1]):
        guess = top == column
        right = np.array([column in wanted for wanted in truth])
        tp, fp, fn = (guess & right).sum(), (guess & ~right).sum(), (~guess & right).sum()
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return accuracy, float(np.mean(f1s)), recall3


def held_out_ece(scores: np.ndarray, truth: list[set[int]], groups: list[int]) -> float:
    """ECE of top-3 confidences, the calibration refitted leaving each interview out."""
    probabilities, rights = [], []
    for group in sorted(set(groups)):
        train = [i for i, g in enumerate(groups) if g != group]
        test = [i for i, g in enumerate(groups) if g == group]
        x, right = zeroshot.features(scores[train], [truth[i] for i in train], 3)
        fitted = zeroshot.fit_calibration(x, right) or zeroshot.CALIBRATION
        x, right = zeroshot.features(scores[test], [truth[i] for i in test], 3)
        probabilities += [zeroshot.confidence(s, m, fitted) for s, m in x]
        rights += list(right)
    return zeroshot.expected_calibration_error(np.array(probabilities), np.array(rights))


def zero_shot(embedder, codes, labelled, fit: bool) -> None:  # type: ignore[no-untyped-def]
    """Rank every code for every labelled turn with no human codings; print the figures."""
    columns = {code.id: column for column, code in enumerate(codes)}
    truth = [{columns[c] for c in wanted} for _, wanted in labelled]
    groups = [unit.source_id for unit, _ in labelled]
    targets = [unit for unit, _ in labelled]
    print(f"\nzero-shot ranking, no human codings ({len(targets)} turns, {len(codes)} codes; "
          "coverage 100%: every turn ranked)")
    print(f"{'method':<37} {'top-1':>6} {'macro-F1':>9} {'top-3':>6} {'ECE':>6} "
          f"{'ECE held-out':>13}")
    for name, params in ZERO_SHOT:
        coder = EmbeddingCoder(embedder, **params).fit(codes)
        scores = coder.scores(targets)
        accuracy, macro_f1, recall3 = ranked_figures(scores, truth)
        x, right = zeroshot.features(scores, truth, 3)
        fixed = np.array([zeroshot.confidence(s, m) for s, m in x])
        ece = zeroshot.expected_calibration_error(fixed, right)
        print(f"{name:<37} {accuracy:>6.3f} {macro_f1:>9.3f} {recall3:>6.3f} {ece:>6.3f} "
              f"{held_out_ece(scores, truth, groups):>13.3f}")
    if fit:
        x, right = zeroshot.features(scores, truth, 3)
        print(f"\nPlatt parameters (a, b, c) on all {len(targets)} turns: "
              f"{zeroshot.fit_calibration(x, right)}")
    reliability(scores, truth)


def reliability(scores: np.ndarray, truth: list[set[int]]) -> None:
    """The default's reliability table: confidence bins against the share right."""
    x, right = zeroshot.features(scores, truth, 3)
    sure = np.array([zeroshot.confidence(s, m) for s, m in x])
    print("\nreliability of the default's top-3 confidences (fixed calibration)")
    print(f"{'confidence':>11} {'suggestions':>12} {'mean conf':>10} {'right':>6}")
    for low in np.arange(0.0, 1.0, 0.2):
        inside = (sure >= low) & (sure < low + 0.2 if low < 0.8 else sure <= 1.0)
        if inside.any():
            print(f"{low:>5.1f}-{low + 0.2:<5.1f} {int(inside.sum()):>12} "
                  f"{sure[inside].mean():>10.3f} {right[inside].mean():>6.3f}")


if __name__ == "__main__":
    main()
