"""REFI-QDA project exchange: ``import-qdpx`` and ``export-qdpx``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from framesynth.cli._util import ProjectArg, project_session
from framesynth.config import current_user
from framesynth.io.refi.qdpx import export_qdpx, import_qdpx


def import_qdpx_command(project: ProjectArg, file: Annotated[Path, typer.Argument(
        help="A .qdpx from MAXQDA, NVivo, ATLAS.ti, QualCoder, qc ...")]) -> None:
    """Import a REFI-QDA project: codebook, sources, codings, notes, cases, sets, vocabularies.

    Example: framesynth import-qdpx study.fsdb from-nvivo.qdpx
    """
    with project_session(project) as session:
        summary = import_qdpx(session, file, actor=current_user())
    typer.echo(f"imported {summary.sources} sources, {summary.codes} codes, "
               f"{summary.codings} codings by {len(summary.coders)} coders, {summary.memos} "
               f"notes, {summary.cases} cases, {summary.sets} sets")
    for line in summary.skipped:
        typer.echo(f"skipped: {line}")
    for line in summary.notes:
        typer.echo(f"note: {line}")


def export_qdpx_command(project: ProjectArg, file: Annotated[Path, typer.Argument(
        help="The .qdpx file to write.")]) -> None:
    """Export the project as a REFI-QDA .qdpx that other tools (and framesynth) read.

    Example: framesynth export-qdpx study.fsdb study.qdpx
    """
    with project_session(project) as session:
        counts = export_qdpx(session, file)
    typer.echo(f"wrote {file}: {counts['sources']} sources, {counts['codes']} codes, "
               f"{counts['codings']} codings, {counts['memos']} notes")
