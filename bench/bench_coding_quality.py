"""Benchmark: how well every auto-coding method codes a study it has never seen.

    .venv/bin/python bench/bench_coding_quality.py [--embedder minilm-l6.v1]
        [--fractions 0.1,0.2,0.4] [--seed 0] [--pairs 20] [--epochs 1] [--layers N]
        [--head tuned+frozen] [--no-anchors] [--out bench/out/coding_quality.json]

The labelled set is bench/labelled2/ (a fictional adult-learning evaluation: its own
framework, 15 transcripts, every participant turn coded by two coders, A and B; see its
README). A throw-away project is built from it (transcripts with the interviewer
"Okafor" declared as the research team, the framework, both coders' labels as codings).

Sources are shuffled with ``--seed`` and taken whole: the learning methods train on
coder A's codings of the first sources (10%, 20%, 40% of the units, each set extending the
one before) and every row is scored on the same held-out sources (those not in the
largest training set), against coder A, on (unit, code) decisions:

- coverage: share of eligible held-out units with at least one suggestion (defaults);
- top-1: the unit's best-scored code (the same fitted coder, any score, one code) is
  one of coder A's codes, over held-out units coder A coded;
- macro-F1 (mean over codes), micro-F1 and Cohen's kappa of the default suggestions;
- units/s of ``suggest`` (zero-shot rows), fit seconds (learning curve).

Zero-shot rows: every method in ``framesynth.index.review.METHODS`` that does not learn
(:data:`SETUP`), the nearest-definition baseline (each unit's closest "name. definition"
as its only suggestion) and coder B for scale. Learning curve: ``supervised`` (logistic
regression on frozen embeddings) and ``tuned`` (:class:`FineTunedCoder`, fine-tuned here
with the ``TuneSettings`` the options give, default: ``framesynth tune``'s) side by side.
Base-model vectors are computed once and shared by every untimed pass.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import cohen_kappa_score
from sqlalchemy import select

from framesynth.embeddings import Embedder, get_embedder
from framesynth.familiarise.units import Unit, units
from framesynth.frame.framework import find_code, framework_codes
from framesynth.index import review
from framesynth.index.coding import apply_code
from framesynth.index.finetune import HEADS, FineTunedCoder, TuneSettings
from framesynth.io.codebook import import_codebook
from framesynth.io.importers import import_files
from framesynth.project import Project
from framesynth.store.models import Code, Source

LABELLED = Path(__file__).parent / "labelled2"
TEAM = ["Okafor"]
CODERS = {"A": "coderA", "B": "coderB"}
# per method: does it learn from the team's codings (trained on coder A's training
# sources), or is it zero-shot (fitted on nothing)? A method missing here learns.
SETUP: dict[str, dict[str, bool]] = {
    "keyword": {"learns": False},
    "semantic": {"learns": False},
    "supervised": {"learns": True},
    "tuned": {"learns": True},
}
Labelled = list[tuple[Unit, set[int]]]


def build_project(directory: Path) -> Path:
    """The labelled2 study as a project: transcripts, framework, both coders' codings."""
    path = directory / "labelled2.fsdb"
    with Project.create(path) as project, project.session() as session:
        import_files(session, sorted((LABELLED / "transcripts").glob("*.txt")), interviewers=TEAM)
        import_codebook(session, LABELLED / "framework.yaml", actor="bench")
        for letter, coder in CODERS.items():
            sources = {s.id: s for s in session.scalars(select(Source))}
            for unit, codes in read_labels(session, letter):
                source = sources[unit.source_id]
                for code in codes:
                    apply_code(session, source, unit.start, unit.end, code, coder=coder)
    return path


def read_labels(session: Any, letter: str) -> list[tuple[Unit, list[Code]]]:
    """Coder ``letter``'s labels: each participant turn (checked against its start) and
    its codes."""
    names = {source_id: name for source_id, name in session.execute(select(Source.id, Source.name))}
    turns: dict[str, list[Unit]] = {}
    for unit in units(session, "turn"):
        turns.setdefault(names[unit.source_id], []).append(unit)
    found = []
    with (LABELLED / f"labels-coder{letter}.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            unit = turns[row["source"]][int(row["turn"]) - 1]
            if not unit.text.startswith(row["turn_start"]):
                raise SystemExit(f"{row['source']} turn {row['turn']}: {unit.text[:40]!r} is "
                                 f"not {row['turn_start']!r}")
            codes = [find_code(session, path) for path in row["codes"].split(";") if path]
            found.append((unit, codes))
    return found


def split_by_source(labelled: Labelled, fractions: Sequence[float], seed: int = 0
                    ) -> tuple[list[Labelled], Labelled]:
    """(a training set per fraction, the held-out units): sources shuffled with ``seed``
    and taken whole, in that order, until each fraction of the units; every training set
    extends the one before, and all are scored on the same held-out sources (those not in
    the largest)."""
    sources = sorted({u.source_id for u, _ in labelled})
    np.random.default_rng(seed).shuffle(sources)
    sizes = {s: sum(u.source_id == s for u, _ in labelled) for s in sources}
    trains = []
    for fraction in fractions:
        taken: set[int] = set()
        for source_id in sources:
            if sum(sizes[s] for s in taken) >= fraction * len(labelled):
                break
            taken.add(source_id)
        trains.append([(u, c) for u, c in labelled if u.source_id in taken])
    largest = {u.source_id for u, _ in trains[-1]} if trains else set()
    return trains, [(u, c) for u, c in labelled if u.source_id not in largest]


def decisions(predicted: dict[int, set[int]], labelled: Labelled, code_ids: list[int]
              ) -> tuple[np.ndarray, np.ndarray]:
    truth = np.array([[int(c in codes) for c in code_ids] for _, codes in labelled])
    guess = np.array([[int(c in predicted.get(id(u), set())) for c in code_ids]
                      for u, _ in labelled])
    return truth, guess


def scores(predicted: dict[int, set[int]], labelled: Labelled, code_ids: list[int]
           ) -> dict[str, float]:
    """Macro-F1, micro-F1 and Cohen's kappa of ``predicted`` against ``labelled``."""
    truth, guess = decisions(predicted, labelled, code_ids)
    tp = (truth & guess).sum(axis=0)
    f1 = 2 * tp / np.maximum(truth.sum(axis=0) + guess.sum(axis=0), 1)
    micro = 2 * tp.sum() / max(truth.sum() + guess.sum(), 1)
    return {"macro_f1": float(f1.mean()), "micro_f1": float(micro),
            "kappa": float(cohen_kappa_score(truth.ravel(), guess.ravel()))}


def top1(best: dict[int, set[int]], labelled: Labelled) -> float:
    coded = [(u, codes) for u, codes in labelled if codes]
    return sum(bool(best.get(id(u), set()) & codes) for u, codes in coded) / len(coded)


def by_unit(suggestions: Sequence[Any]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for s in suggestions:
        found.setdefault(id(s.unit), set()).add(s.code_id)
    return found


def eligible(session: Any, test: Labelled) -> list[Unit]:
    """The test units a method is meant to code (all, unless the library says which)."""
    try:
        from framesynth.index.eligible import eligible_units  # type: ignore[import-not-found]
    except ImportError:
        return [u for u, _ in test]
    keep = {(u.source_id, u.start) for u in eligible_units(session, "turn").units}
    return [u for u, _ in test if (u.source_id, u.start) in keep]


def make_learner(method: str, memo: Embedder, settings: TuneSettings) -> Any:
    """The coder for ``method``: ``tuned`` is fine-tuned here (the project's stored
    versions are for ``autocode``), with base-model vectors from ``memo``."""
    if method == "tuned":
        return FineTunedCoder(settings, threshold=None, top_k=3, base=memo)
    return review.make_coder(method, embedder=memo if review.needs_embedder(method)
                             else None, threshold=None, top_k=3)


def run_method(method: str, embedder: Embedder, memo: Embedder, codes: list[Code],
               train: Labelled, test: Labelled, targets: list[Unit],
               settings: TuneSettings) -> dict[str, float]:
    """Fit one method, suggest for the test units; its figures."""
    coder = make_learner(method, memo, settings)
    timed = "embedder" in coder.get_params()
    learns = SETUP.get(method, {"learns": True})["learns"]
    started = time.perf_counter()
    coder.fit(codes, train if learns else ())
    fit_s = time.perf_counter() - started
    if timed:  # the timed run encodes afresh, as a first run on a project would
        coder.set_params(embedder=embedder)
    started = time.perf_counter()
    found = by_unit(coder.suggest([u for u, _ in test]))
    rate = len(test) / (time.perf_counter() - started)
    if timed:
        coder.set_params(embedder=memo)
    coder.set_params(threshold=-1e9, top_k=1)  # ranked: every unit's best code
    best = by_unit(coder.suggest([u for u, _ in test]))
    code_ids = [c.id for c in codes]
    covered = sum(id(u) in found for u in targets) / max(len(targets), 1)
    heads = len(getattr(coder, "heads_", getattr(coder, "models_", code_ids)))
    return {"coverage": covered, "top1": top1(best, test), **scores(found, test, code_ids),
            "units_per_s": rate, "fit_s": fit_s, "heads": heads}


class Memo:
    """An embedder that remembers what it encoded (the untimed passes share vectors)."""

    def __init__(self, embedder: Embedder):
        self.embedder, self.name, self.seen = embedder, embedder.name, {}  # type: ignore[var-annotated]

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.embedder, attribute)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in self.seen]
        if new:
            self.seen.update(zip(new, self.embedder.encode(new), strict=True))
        return np.array([self.seen[t] for t in texts])


def nearest_definition(embedder: Embedder, codes: list[Code], test: Labelled
                       ) -> dict[str, float]:
    """Each unit's closest "name. definition" as its only suggestion."""
    definitions = embedder.encode([f"{c.name}. {c.definition or ''}".strip() for c in codes])
    vectors = embedder.encode([u.text for u, _ in test])
    nearest = np.argmax(vectors @ definitions.T, axis=1)
    best = {id(u): {codes[int(k)].id} for (u, _), k in zip(test, nearest, strict=True)}
    return {"top1": top1(best, test), **scores(best, test, [c.id for c in codes]),
            "coverage": 1.0}


def print_row(name: str, figures: dict[str, float]) -> None:
    cells = [f"{figures.get(key, float('nan')):>8.3f}" for key in
             ("coverage", "top1", "macro_f1", "micro_f1", "kappa")]
    rate = figures.get("units_per_s")
    print(f"{name:<22} {' '.join(cells)} {'' if rate is None else round(rate):>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default=None)
    parser.add_argument("--fractions", default="0.1,0.2,0.4")
    parser.add_argument("--seed", type=int, default=0, help="shuffles the sources")
    parser.add_argument("--pairs", type=int, default=TuneSettings.per_code)
    parser.add_argument("--epochs", type=int, default=TuneSettings.epochs)
    parser.add_argument("--layers", type=int, default=TuneSettings.train_layers)
    parser.add_argument("--head", default=TuneSettings.head, choices=HEADS)
    parser.add_argument("--no-anchors", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="write every figure as JSON")
    args = parser.parse_args()
    fractions = sorted(float(f) for f in args.fractions.split(","))
    settings = TuneSettings(per_code=args.pairs, epochs=args.epochs, train_layers=args.layers,
                            head=args.head, anchors=not args.no_anchors)
    with tempfile.TemporaryDirectory() as directory:
        path = build_project(Path(directory))
        with Project.open(path) as project, project.session() as session:
            results = evaluate_all(session, args, fractions, settings)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
        print(f"\nfigures written to {args.out}")


def evaluate_all(session: Any, args: argparse.Namespace, fractions: list[float],
                 settings: TuneSettings) -> dict[str, Any]:
    codes = [c for c in framework_codes(session) if c.codable]
    labelled = {letter: review.labelled_units(session, "turn", coder=coder)
                for letter, coder in CODERS.items()}
    a, b = labelled["A"], labelled["B"]
    code_ids = [c.id for c in codes]
    human = scores(by_unit_from(b, a), a, code_ids)
    print(f"labelled2: {len({u.source_id for u, _ in a})} sources, {len(a)} participant "
          f"turns, {len(codes)} codes; coder A vs coder B kappa {human['kappa']:.3f} "
          f"(macro-F1 {human['macro_f1']:.3f})")
    embedder = get_embedder(args.embedder)
    started = time.perf_counter()
    embedder.encode(["warm up"])
    print(f"embedder {embedder.name} loaded in {time.perf_counter() - started:.1f} s")
    memo = Memo(embedder)  # base-model vectors, shared by every untimed pass
    trains, test = split_by_source(a, fractions, args.seed)
    targets = eligible(session, test)
    print(f"held out: {len(test)} units of {len({u.source_id for u, _ in test})} sources "
          f"({len(targets)} eligible), the same for every row; sources shuffled with seed "
          f"{args.seed}\n")
    print(f"{'zero-shot':<22} {'coverage':>8} {'top-1':>8} {'macro-F1':>8} {'micro-F1':>8} "
          f"{'kappa':>8} {'units/s':>8}")
    results: dict[str, Any] = {"human_kappa": human, "methods": {}, "curve": {},
                               "settings": asdict(settings)}
    for method in review.METHODS:
        if not SETUP.get(method, {"learns": True})["learns"]:
            results["methods"][method] = run_method(method, embedder, memo, codes, [], test,
                                                    targets, settings)
            print_row(method, results["methods"][method])
    results["baseline"] = nearest_definition(memo, codes, test)
    print_row("nearest definition", results["baseline"])
    print_row("coder B (for scale)", scores(by_unit_from(b, test), test, code_ids))
    learning_curve(results, (embedder, memo), codes, zip(fractions, trains, strict=True),
                   test, targets, settings)
    return results


def by_unit_from(other: Labelled, like: Labelled) -> dict[int, set[int]]:
    """``other``'s codes keyed by the units of ``like`` (the same turns, other objects)."""
    codes = {(u.source_id, u.start): c for u, c in other}
    return {id(u): codes.get((u.source_id, u.start), set()) for u, _ in like}


def learning_curve(results: dict[str, Any], embedders: tuple[Embedder, Embedder],
                   codes: list[Code], trains: Any, test: Labelled, targets: list[Unit],
                   settings: TuneSettings) -> None:
    learners = [m for m in review.METHODS if SETUP.get(m, {"learns": True})["learns"]]
    print(f"\nlearning curve: trained on coder A's first sources, scored on the held-out "
          f"ones; tuned: {settings}")
    print(f"{'coded':>5} {'units':>5} {'method':<11} {'heads':>5} {'macro-F1':>8} "
          f"{'micro-F1':>8} {'top-1':>8} {'kappa':>8} {'fit s':>7}")
    for fraction, train in trains:
        for method in learners:
            figures = run_method(method, *embedders, codes, train, test, targets, settings)
            results["curve"].setdefault(method, {})[str(fraction)] = figures
            print(f"{fraction:>5.0%} {len(train):>5} {method:<11} {figures['heads']:>5} "
                  f"{figures['macro_f1']:>8.3f} {figures['micro_f1']:>8.3f} "
                  f"{figures['top1']:>8.3f} {figures['kappa']:>8.3f} {figures['fit_s']:>7.1f}")


if __name__ == "__main__":
    main()
