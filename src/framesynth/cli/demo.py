"""``framesynth demo``: the whole pipeline on the bundled fictional programme."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from framesynth.cli._util import print_table
from framesynth.cli.project import print_info
from framesynth.demo import build_demo_project
from framesynth.familiarise.frequencies import word_frequencies
from framesynth.familiarise.overview import project_info
from framesynth.familiarise.search import search
from framesynth.project import Project


def demo(
    directory: Annotated[Path, typer.Argument(help="Where to write demo.fsdb and outputs.")
                         ] = Path("demo-output"),
) -> None:
    """Build the demo project from the bundled corpus and run the pipeline on it.

    Example: framesynth demo ./demo-output
    """
    path = build_demo_project(directory)
    typer.echo(f"== demo project written to {path}\n")
    with Project.open(path) as project, project.session() as session:
        print_info(project_info(session))
        typer.echo('\n== search "waiting list" --where sector=community')
        hits = search(session, "waiting list", where={"sector": ["community"]}, width=35)
        print_table(["source", "speaker", "offset", "left", "match", "right"],
                    [[h.source, h.speaker, h.offset, h.left.rjust(35), h.match, h.right]
                     for h in hits])
        typer.echo("\n== words --by sector --top 8")
        groups = word_frequencies(session, by="sector", top=8)
        print_table(["sector", "words"], [[g, ", ".join(f"{w} {n}" for w, n in pairs)]
                                          for g, pairs in groups.items()])
