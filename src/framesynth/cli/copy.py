"""``copy``: a whole project to a new file or an empty database (see ``store.copy``)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

SourceArg = Annotated[str, typer.Argument(
    help="The project to copy: a file (study.fsdb) or a database URL.", show_default=False)]
DestinationArg = Annotated[str, typer.Argument(
    help="Where to: a new file, or the URL of an empty database "
         "(postgresql+psycopg://user@host/study).", show_default=False)]


def copy(
    source: SourceArg,
    destination: DestinationArg,
    check: Annotated[bool, typer.Option(
        "--check/--no-check",
        help="Compare every row of the copy with the source before keeping it "
             "(--no-check: faster, for a very large project).")] = True,
) -> None:
    """Copy a whole project to a new file or an empty database, SQLite or PostgreSQL.

    Every row keeps its id; the source is only read. A destination that exists (a file)
    or holds tables (a database) is refused. A failed copy leaves nothing behind. The
    report file and tuned models beside a project file are copied beside a destination
    file; for a database URL the command says what to keep by hand.

    Example: framesynth copy study.fsdb postgresql+psycopg://ana@db.example/study
    """
    from framesynth.store.copy import copy_project, display_location

    typer.echo(f"copying {display_location(source)} to {display_location(destination)}")
    live = sys.stderr.isatty()

    def progress(table: str, done: int, total: int) -> None:
        if live and done < total:
            typer.echo(f"\r  {table:<20}{done:>12,} / {total:,}", err=True, nl=False)
        elif done == total:
            if live:
                typer.echo("\r" + " " * 50 + "\r", err=True, nl=False)
            typer.echo(f"  {table:<20}{total:>12,} rows")

    report = copy_project(source, destination, check=check, progress=progress)
    checked = "every row checked" if report.checked else "not checked (--no-check)"
    typer.echo(f"copied {report.total_rows:,} rows in {len(report.rows)} tables "
               f"(schema {report.revision}) in {report.seconds:.1f} s; {checked}")
    for path in report.carried:
        typer.echo(f"copied beside it: {path}")
    for note in report.left_behind:
        typer.echo(f"not copied: {note}")
