"""Shared pieces of the CLI: argument aliases, error handling, output helpers."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from framesynth.errors import FramesynthError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session



def _project_location(value: str | None) -> str | None:
    """A project argument as typed: a path (``~`` expanded) or a database URL (a plain
    ``postgresql://`` read as psycopg's); kept as text, which both open."""
    if value is None:
        return None
    from framesynth.store.engine import project_location

    return str(project_location(value))


ProjectArg = Annotated[
    str,
    typer.Argument(help="The project: a file (e.g. study.fsdb) or a database URL "
                        "(postgresql://user@host/study); or set FRAMESYNTH_PROJECT or "
                        "FRAMESYNTH_DATABASE_URL.",
                   envvar=["FRAMESYNTH_PROJECT", "FRAMESYNTH_DATABASE_URL"],
                   callback=_project_location, show_default=False, metavar="PROJECT"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option("--where", "-w", metavar="KEY=VALUE",
                 help="Keep only turns whose speaker/source has this attribute value "
                      "(repeat: same key = either value, different keys = all)."),
]
EmbedderOpt = Annotated[
    str | None,
    typer.Option("--embedder", help="Embedding model: minilm-l6.v1 (default) or hashing.v1; "
                                    "or set FRAMESYNTH_EMBEDDER."),
]


class FramesynthGroup(TyperGroup):
    """Turns any :class:`FramesynthError` into one line on stderr and exit status 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except FramesynthError as error:
            for line in str(error).splitlines():
                typer.echo(f"error: {line}", err=True)
            raise typer.Exit(1) from None


class DefaultCommandGroup(FramesynthGroup):
    """A group whose first command runs when no command is named:
    ``framesynth report study.fsdb ...`` is ``framesynth report build study.fsdb ...``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [next(iter(self.commands)), *args]
        return super().parse_args(ctx, args)


def new_app(help_text: str, *, default_command: bool = False) -> typer.Typer:
    """A command group; with ``default_command`` its first command is run when the
    arguments name none."""
    return typer.Typer(cls=DefaultCommandGroup if default_command else FramesynthGroup,
                       help=help_text, no_args_is_help=True,
                       pretty_exceptions_enable=False, add_completion=False)


@contextmanager
def project_session(location: str | Path) -> Iterator[Session]:
    """Open the project (a file or a database URL) and run the command in one transaction."""
    from framesynth.project import Project  # SQLAlchemy loads when a command needs it

    with Project.open(location) as project, project.session() as session:
        yield session


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain, aligned text table (no colours, so it pipes and diffs cleanly)."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for number, row in enumerate(cells):
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if number == 0:
            typer.echo("  ".join("-" * width for width in widths))


def stream_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
                 sample: int = 100) -> int:
    """:func:`print_table` printing as rows come: the first ``sample`` rows set the
    column widths. Returns how many rows it printed."""
    rows = iter(rows)
    first = list(islice(rows, sample))
    cells = [[str(h) for h in headers]] + [_cells(row) for row in first]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    typer.echo(_aligned(cells[0], widths))
    typer.echo("  ".join("-" * width for width in widths))
    printed = 0
    for row in chain(cells[1:], map(_cells, rows)):
        typer.echo(_aligned(row, widths))
        printed += 1
    return printed


def _cells(row: Sequence[Any]) -> list[str]:
    return ["" if c is None else str(c) for c in row]


def _aligned(row: list[str], widths: list[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()


def stream_json_list(items: Iterable[Any]) -> int:
    """:func:`print_json` of a list, printing each item as it comes. Returns how many."""
    count = 0
    for item in items:
        body = json.dumps(item, indent=2, ensure_ascii=False, default=str)
        typer.echo(("[\n" if count == 0 else ",\n") + textwrap.indent(body, "  "), nl=False)
        count += 1
    typer.echo("\n]" if count else "[]")
    return count


def progress_printer(label: str):  # type: ignore[no-untyped-def]
    """A progress callback that redraws one line on stderr when it is a terminal."""
    interactive = sys.stderr.isatty()

    def report(done: int, total: int, item: str) -> None:
        if interactive:
            sys.stderr.write(f"\r{label} {done}/{total} {item[:50]:<50}")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    return report


def format_duration(seconds: float | None) -> str:
    """``1:02:05`` or ``4:07`` for a duration in seconds; empty for none."""
    if seconds is None:
        return ""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
