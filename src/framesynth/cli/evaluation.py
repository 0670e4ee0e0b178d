"""``autocode --evaluate`` and ``autocode --next``: the evidence for a method, and what
to code next."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer

from framesynth.cli._util import print_json, print_table, progress_printer
from framesynth.embeddings import get_embedder
from framesynth.errors import InvalidArgument
from framesynth.index.active import NextUnit, next_units
from framesynth.index.evaluation import Evaluation, evaluate, save_evaluation
from framesynth.index.review import needs_embedder
from framesynth.project import Project


def evaluate_or_next(project: str | Path, *, unit: str, embedder: str | None,
                     against: str | None, methods: Sequence[str] | None, folds: int,
                     next_n: int | None, coder: str | None, seed: int, as_json: bool) -> None:
    """Run ``--evaluate`` (``next_n`` None) or ``--next N`` and print the result."""
    if next_n is None:
        chosen = [m for item in methods or [] for m in item.replace(",", " ").split()]
        _evaluate(project, unit, embedder, against, chosen, folds, as_json)
    else:
        _next(project, unit, embedder, next_n, coder, seed, as_json)


def _evaluate(path: str | Path, unit: str, embedder: str | None, against: str | None,
              methods: list[str], folds: int, as_json: bool) -> None:
    if not against:
        raise InvalidArgument("--evaluate needs --against CODER: whose codings to compare with")
    if folds < 2:
        raise InvalidArgument("--folds must be at least 2")
    wanted = methods or None
    model = None if wanted and not any(needs_embedder(m) for m in wanted) else \
        get_embedder(embedder)
    with Project.open(path) as project, project.session() as session:
        result = evaluate(session, against, unit=unit, methods=wanted, folds=folds,
                          embedder=model, progress=progress_printer("evaluating"))
        if not project.read_only:
            save_evaluation(session, result)
    if as_json:
        print_json(result.as_dict())
    else:
        print_evaluation(result)


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_evaluation(result: Evaluation) -> None:
    """The evaluation as tables: per method, then per code."""
    typer.echo(f"against {result.coder}: {result.units} {result.unit}s in {result.sources} "
               f"sources, {result.folds} folds by source (no held-out source trained on)")
    print_table(["method", "macro-P", "macro-R", "macro-F1", "kappa"],
                [[m.method, _figure(m.macro_precision), _figure(m.macro_recall),
                  _figure(m.macro_f1), _figure(m.macro_kappa)]
                 for m in result.methods if m.error is None])
    for failed in (m for m in result.methods if m.error is not None):
        typer.echo(f"{failed.method}: not evaluated: {failed.error}")
    scored = [m for m in result.methods if m.error is None]
    typer.echo("\nF1 / kappa per code, and the best method")
    print_table(["code", "n", *[m.method for m in scored], "best"],
                [[path, scored[0].per_code[path].positives,
                  *[f"{_figure(m.per_code[path].f1)} / {_figure(m.per_code[path].kappa)}"
                    for m in scored], best or "none"]
                 for path, best in result.best.items()] if scored else [])
    if result.too_few:
        typer.echo("\ntoo few examples to evaluate: " + ", ".join(
            f"{path} ({count})" for path, count in result.too_few.items()))


def _next(path: str | Path, unit: str, embedder: str | None, n: int, coder: str | None,
          seed: int, as_json: bool) -> None:
    if n < 1:
        raise InvalidArgument("--next needs a number of units, at least 1")
    model = get_embedder(embedder)
    with Project.open(path) as project, project.session() as session:
        found = next_units(session, n, embedder=model, coder=coder, unit=unit, seed=seed)
    if as_json:
        print_json([item.as_dict() for item in found])
    else:
        print_next(found)


def print_next(found: Sequence[NextUnit]) -> None:
    if found:
        typer.echo(f"the {len(found)} units to code next ({found[0].basis} uncertainty):")
    print_table(["#", "source", "turn", "offset", "link", "uncertainty", "text"],
                [[number, item.source, item.turn, item.unit.start, item.link,
                  f"{item.uncertainty:.3f}", " ".join(item.unit.text.split())[:60]]
                 for number, item in enumerate(found, start=1)])
