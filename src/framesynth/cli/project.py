"""``init`` and ``info``.

``info`` on an up-to-date project file counts with the stdlib ``sqlite3``
(:func:`~framesynth.familiarise.overview.quick_info`), so it starts without SQLAlchemy;
a database URL takes the full way in.
"""

from __future__ import annotations

from typing import Annotated

import typer

from framesynth.cli._util import JsonOpt, ProjectArg, print_json, project_session
from framesynth.familiarise.overview import project_info, quick_info

DEFAULT_TEMPLATE = "partnership-evaluation"  # familiarise.vocabulary's (a test compares)


def init(
    project: ProjectArg,
    template: Annotated[str, typer.Option(
        help="Vocabularies to start from: partnership-evaluation (sectors, partnership "
             "formality, depth and levels) or blank (the cases table builds them).")
    ] = DEFAULT_TEMPLATE,
) -> None:
    """Create a new, empty project: a file, or an empty PostgreSQL database.

    Example: framesynth init study.fsdb --template blank
    """
    from framesynth.project import Project
    from framesynth.store.engine import display_location

    Project.create(project, template=template).close()
    typer.echo(f"created {display_location(project)} (template {template})")


def info(project: ProjectArg, as_json: JsonOpt = False) -> None:
    """Count what the project holds: sources, participants, organisations, partnerships.

    Example: framesynth info study.fsdb --json
    """
    data = quick_info(project)
    if data is None:  # older, not a project, languages to detect: the full way in
        with project_session(project) as session:
            data = project_info(session)
    if as_json:
        print_json(data)
        return
    print_info(data)


def print_info(data: dict) -> None:  # type: ignore[type-arg]
    for key, value in data.items():
        label = key.replace("_", " ")
        if isinstance(value, dict):
            parts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in value.items())
            typer.echo(f"{label:<28}{parts or '-'}")
        else:
            typer.echo(f"{label:<28}{value}")
