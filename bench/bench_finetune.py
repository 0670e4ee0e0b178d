"""Benchmark: the fine-tuned coder against logistic regression on frozen embeddings,
both trained on the same 20% of units (whole sources) coded by one coder.

    .venv/bin/python bench/bench_finetune.py [--set labelled|demo] [--pairs 20] [--epochs 1]
        [--layers N] [--head tuned+frozen] [--no-anchors]

``labelled``: bench/labelled/ (six interviews we wrote, every participant turn coded);
``demo``: the demo project, coder amira's codings. Sources are shuffled with the seed and
taken in turn until they hold at least 20% of the coded units; everything else is the test
set, never seen while training or choosing settings. Printed per method: macro-F1 and
micro-F1 of the suggestions at the calibrated cut-offs, top-1 (the unit's best code is one
of its codes, over test units with a code) and the training time.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_autocode import LABELLED, evaluate, read_labels  # noqa: E402

from framesynth.demo import build_demo_project  # noqa: E402
from framesynth.embeddings import SentenceTransformerEmbedder  # noqa: E402
from framesynth.frame.framework import framework_codes  # noqa: E402
from framesynth.index.autocode import SupervisedCoder  # noqa: E402
from framesynth.index.finetune import HEADS, FineTunedCoder, TuneSettings  # noqa: E402
from framesynth.index.review import labelled_units  # noqa: E402
from framesynth.io.importers import import_files  # noqa: E402
from framesynth.project import Project  # noqa: E402


def split(labelled, share: float, seed: int):  # type: ignore[no-untyped-def]
    """(train, test): whole sources, shuffled, until ``share`` of the units are in train."""
    sources = sorted({u.source_id for u, _ in labelled})
    np.random.default_rng(seed).shuffle(sources)
    chosen: set[int] = set()
    for source in sources:
        if sum(u.source_id in chosen for u, _ in labelled) >= share * len(labelled):
            break
        chosen.add(source)
    return ([x for x in labelled if x[0].source_id in chosen],
            [x for x in labelled if x[0].source_id not in chosen])


def top1(ids: list[int], scores: np.ndarray, test) -> float:  # type: ignore[no-untyped-def]
    rows = [(row, codes) for row, (_, codes) in enumerate(test) if codes]
    if not ids:
        return 0.0
    return float(np.mean([ids[int(np.argmax(scores[row]))] in codes for row, codes in rows]))


def supervised_scores(coder: SupervisedCoder, test) -> tuple[list[int], np.ndarray]:  # type: ignore[no-untyped-def]
    ids = list(coder.models_)
    vectors = coder.embedder.encode([u.text for u, _ in test])
    if not ids:
        return ids, np.zeros((len(test), 0))
    return ids, np.column_stack([coder.models_[i].predict_proba(vectors)[:, 1] for i in ids])


def run(session, labelled, args) -> None:  # type: ignore[no-untyped-def]
    codes = [c for c in framework_codes(session) if c.codable]
    code_ids = [c.id for c in codes]
    train, test = split(labelled, 0.2, args.seed)
    print(f"train {len(train)} units ({sum(len(c) for _, c in train)} codes), "
          f"test {len(test)} units ({sum(len(c) for _, c in test)} codes)\n")
    settings = TuneSettings(per_code=args.pairs, epochs=args.epochs, seed=args.seed,
                            train_layers=args.layers, head=args.head,
                            anchors=not args.no_anchors)
    methods = [("supervised", SupervisedCoder(SentenceTransformerEmbedder(), min_examples=3)),
               ("tuned", FineTunedCoder(settings, min_examples=3))]
    print(f"{'method':<11} {'fit s':>6} {'heads':>5} {'macro-F1':>9} {'micro-F1':>9} {'top-1':>6}")
    for name, coder in methods:
        t0 = time.perf_counter()
        coder.fit(codes, train)
        seconds = time.perf_counter() - t0
        found = coder.suggest([u for u, _ in test])
        predicted: dict[tuple[int, int], set[int]] = {}
        for s in found:
            predicted.setdefault((s.unit.source_id, s.unit.start), set()).add(s.code_id)
        result = evaluate(predicted, test, code_ids)
        ids, scores = (coder.scores([u for u, _ in test]) if isinstance(coder, FineTunedCoder)
                       else supervised_scores(coder, test))
        print(f"{name:<11} {seconds:>6.1f} {len(ids):>5} {result['macro_f1']:>9.3f} "
              f"{result['micro_f1']:>9.3f} {top1(ids, scores, test):>6.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="labelled", choices=["labelled", "demo"])
    parser.add_argument("--pairs", type=int, default=TuneSettings.per_code)
    parser.add_argument("--epochs", type=int, default=TuneSettings.epochs)
    parser.add_argument("--layers", type=int, default=TuneSettings.train_layers)
    parser.add_argument("--head", default=TuneSettings.head, choices=HEADS)
    parser.add_argument("--no-anchors", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    shutil.rmtree(args.out / "finetune", ignore_errors=True)
    path = build_demo_project(args.out / "finetune")
    with Project.open(path) as project, project.session() as session:
        if args.set == "labelled":
            sources = import_files(session, sorted((LABELLED / "transcripts").glob("*.txt")))
            labelled = read_labels(session, sources)
        else:
            labelled = labelled_units(session, "turn", coder="amira")
        print(f"set {args.set}: {len(labelled)} units; pairs per code {args.pairs}, "
              f"epochs {args.epochs}, layers {args.layers or 'all'}")
        run(session, labelled, args)
        session.rollback()


if __name__ == "__main__":
    main()
