"""``framesynth audit-names``: do known names survive in an output?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from framesynth.cli._util import JsonOpt, ProjectArg, print_json, project_session
from framesynth.interpret.audit import (
    Unknown,
    audit_file,
    known_identifiers,
    leak_line,
    project_language,
    quotes_in,
    unknown_words,
)
from framesynth.io.output_text import output_parts


def audit_names(project: ProjectArg,
                files: Annotated[list[Path], typer.Argument(
                    help="Outputs to audit: .html, .docx, .md (and its _files/*.svg), .xlsx, "
                         ".csv, .qdpx, .zip ...", show_default=False)],
                unknown: Annotated[bool, typer.Option(
                    "--unknown", help="Also list capitalised words in the quotes that the "
                                      "cases table does not know (possible names).")] = False,
                as_json: JsonOpt = False) -> None:
    """Look for every known name (every form of every participant, organisation and place
    in the cases table, e-mails, phones, postcodes) in output files; exit 1 if any remains.

    Example: framesynth audit-names study.fsdb report.html report.docx --unknown
    """
    with project_session(project) as session:
        identifiers = known_identifiers(session)
        language = project_language(session)
    lines, found = [], []
    for file in files:
        for leak in audit_file(file, identifiers):
            lines.append(leak_line(str(file), leak))
            found.append({"file": str(file), **vars(leak)})
    unknowns = _unknowns(files, identifiers, language) if unknown else []
    if as_json:
        print_json({"leaks": found, "unknown": [vars(u) for u in unknowns]})
    else:
        _print(lines, unknowns, len(files))
    if lines:
        raise typer.Exit(1)


def _unknowns(files: list[Path], identifiers, language: str) -> list[Unknown]:  # type: ignore[no-untyped-def]
    quotes = [q for file in files for _, text in output_parts(file) for q in quotes_in(text)]
    return unknown_words(list(dict.fromkeys(quotes)), identifiers, language=language)


def _print(lines: list[str], unknowns: list[Unknown], files: int) -> None:
    for line in lines:
        typer.echo(line)
    plural = "file" if files == 1 else "files"
    typer.echo(f"{len(lines)} known name(s) in {files} {plural}" if lines
               else f"no known names in {files} {plural}")
    if unknowns:
        typer.echo(f"{len(unknowns)} capitalised word(s) in the quotes the cases table does "
                   "not know:")
        for item in unknowns:
            typer.echo(f"  {item.word}: \u201c{item.quote}\u201d")
