"""``language``: see or set the language of each source, and the project's default."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select

from framesynth.cli._util import JsonOpt, ProjectArg, print_json, print_table, project_session
from framesynth.config import current_user
from framesynth.errors import InvalidArgument
from framesynth.familiarise.language import (
    default_language,
    ensure_languages,
    language_name,
    set_default_language,
    set_source_language,
)
from framesynth.familiarise.sources import get_source
from framesynth.store.models import Source


def language(
    project: ProjectArg,
    source: Annotated[str | None, typer.Argument(
        help="A source's file name; without it, every source is listed.", show_default=False)
    ] = None,
    code: Annotated[str | None, typer.Argument(
        help="Set SOURCE to this ISO 639-1 code (en, fr, nl ...).", show_default=False)
    ] = None,
    default: Annotated[str | None, typer.Option(
        "--default", help="Set the project's default language: the one given to sources "
                          "too short or too mixed to detect.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Each source's language (detected at import), or set one by hand.

    Stop-words in ``words`` follow a source's language, and semantic and supervised
    auto-coding skip sources in languages their model does not cover.

    Example: framesynth language study.fsdb entretien-03.txt fr
    """
    if code is not None and source is None:
        raise InvalidArgument("give the SOURCE whose language is CODE")
    with project_session(project) as session:
        if default is not None:
            chosen_default = set_default_language(session, default, actor=current_user())
            typer.echo(f"default language: {chosen_default}")
        if code is not None and source is not None:
            changed = set_source_language(session, source, code, actor=current_user())
            typer.echo(f"{changed.name}: {changed.language} "
                       f"({language_name(changed.language or '')})")
            return
        ensure_languages(session)
        chosen = [get_source(session, source)] if source else list(
            session.scalars(select(Source).order_by(Source.name)))
        rows = [{"source": s.name, "language": s.language,
                 "name": language_name(s.language or "")} for s in chosen]
        fallback = default_language(session)
    if as_json:
        print_json({"default": fallback, "sources": rows})
        return
    if default is None:
        print_table(["source", "language", "name"],
                    [[r["source"], r["language"], r["name"]] for r in rows])
        typer.echo(f"default language: {fallback}", err=True)
