"""``framesynth tune``: fine-tune the sentence model on the team's codings, list and
remove the stored versions."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from framesynth.cli._util import JsonOpt, ProjectArg, print_json, print_table, project_session
from framesynth.config import current_user
from framesynth.index.finetune import TuneSettings
from framesynth.index.tuned_models import TunedVersion, list_versions, remove_version, train_tuned


def tune(project: ProjectArg,
         coder: Annotated[str | None, typer.Option(
             help="Learn from this coder's codings (default: every person's).")] = None,
         unit: Annotated[str, typer.Option(help="turn, paragraph or sentence.")] = "turn",
         codes: Annotated[list[str] | None, typer.Option(
             "--codes", help="Only these codes (repeat); default: every codable code.")] = None,
         epochs: Annotated[int, typer.Option(help="Passes over the pairs.")] = TuneSettings.epochs,
         pairs: Annotated[int, typer.Option(
             help="At most this many positive (and as many negative) pairs per code.")
         ] = TuneSettings.per_code,
         seed: Annotated[int, typer.Option(help="Seed for pairs, shuffling and weights.")] = 0,
         list_: Annotated[bool, typer.Option("--list", help="List the stored versions.")] = False,
         remove: Annotated[int | None, typer.Option(
             help="Remove this stored version.", show_default=False)] = None,
         as_json: JsonOpt = False) -> None:
    """Fine-tune the sentence model on the project's codings (few-shot, as SetFit does)
    and store it as a new version for `autocode --method tuned`.

    Example: framesynth tune study.fsdb --coder amira --epochs 2
    """
    with project_session(project) as session:
        if list_:
            return print_versions(list_versions(session), as_json)
        if remove is not None:
            removed = remove_version(session, remove, actor=current_user())
            typer.echo(f"removed tuned model version {removed.version}")
            return None
        settings = TuneSettings(per_code=pairs, epochs=epochs, seed=seed)
        made = train_tuned(session, coder=coder, unit=unit, codes=codes, settings=settings,
                           progress=_progress(), actor=current_user())
    if as_json:
        return print_json(made.as_dict())
    typer.echo(f"tuned model version {made.version} ({made.model_name}): {made.codings} "
               f"codings on {made.units} {made.unit}s, {made.figures['pairs']} pairs, "
               f"{len(made.codes)} codes, {made.figures['seconds']} s")
    if made.figures["untrained_codes"]:
        typer.echo(f"too few examples to learn: {', '.join(made.figures['untrained_codes'])}")
    return None


def print_versions(versions: list[TunedVersion], as_json: bool) -> None:
    if as_json:
        return print_json([v.as_dict() for v in versions])
    print_table(["version", "coder", "unit", "codings", "codes", "pairs", "epochs", "seconds",
                 "created", "by"],
                [[v.version, v.coder or "(everyone)", v.unit, v.codings, len(v.codes),
                  v.figures.get("pairs"), v.figures.get("epochs"), v.figures.get("seconds"),
                  v.created_at, v.created_by] for v in versions])
    return None


def _progress():  # type: ignore[no-untyped-def]
    """Progress on stderr: one redrawn line on a terminal, else a line per tenth."""
    interactive = sys.stderr.isatty()

    def report(done: int, total: int, message: str) -> None:
        if interactive:
            sys.stderr.write(f"\rfine-tuning {done}/{total} batches, {message}")
            sys.stderr.write("\n" if done == total else "")
        elif done == total or done % max(1, total // 10) == 0:
            sys.stderr.write(f"fine-tuning {done}/{total} batches, {message}\n")
        sys.stderr.flush()

    return report
