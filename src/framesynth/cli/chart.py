"""Phase 4 commands: ``chart`` (the framework matrix), ``quote`` and ``export matrix``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from framesynth.chart.drafts import draft_cells
from framesynth.chart.matrix import (
    accept_cell,
    build_matrix,
    cell_history,
    edit_cell,
    find_case,
    theme_matrices,
)
from framesynth.cli._util import (
    EmbedderOpt,
    JsonOpt,
    ProjectArg,
    new_app,
    print_json,
    print_table,
    project_session,
)
from framesynth.config import current_user
from framesynth.embeddings import get_embedder
from framesynth.errors import InvalidArgument
from framesynth.frame.framework import find_code
from framesynth.interpret.audit import known_identifiers, refuse_leaks
from framesynth.interpret.exports import anonymise_matrix
from framesynth.interpret.quotes import pick_quote, theme_quotes, unpick_quote
from framesynth.io.exporters.matrix import write_csv, write_xlsx

AnonymiseOpt = Annotated[bool, typer.Option(
    "--anonymise", help="Names replaced as in the report, then audited.")]
RowsOpt = Annotated[str, typer.Option(help="participant, organisation or partnership.")]
ThemeOpt = Annotated[str | None, typer.Option(
    help="One theme's matrix (its codes as columns); default: all themes as columns.")]
GroupOpt = Annotated[str | None, typer.Option(
    "--group-by", help="Group and order rows by this attribute (sector, role, depth ...).")]
CaseArg = Annotated[str, typer.Argument(help="The case: P01, ORG02, PS01 ...")]
CodeArg = Annotated[str, typer.Argument(help="The theme or code (path).")]

chart_app = new_app("The framework matrix: cases by themes, with summaries and quotes.")
quote_app = new_app("Quotes picked to illustrate themes in the report.")


@chart_app.command("show")
def chart_show(project: ProjectArg, rows: RowsOpt = "participant", theme: ThemeOpt = None,
               group_by: GroupOpt = None,
               fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table"
               ) -> None:
    """Show the matrix: counts of coded segments, or summaries as JSON/CSV.

    Example: framesynth chart show study.fsdb --rows organisation --group-by sector
    """
    with project_session(project) as session:
        matrix = build_matrix(session, rows=rows, theme=theme, group_by=group_by)
    if fmt == "csv":
        write_csv(matrix, sys.stdout)
    elif fmt == "json":
        print_json([{"group": matrix.group(r), "case": r.key, "label": r.label,
                     "cells": {c.name: {"segments": matrix.cell(r, c).count,
                                        "status": matrix.cell(r, c).status,
                                        "summary": matrix.cell(r, c).summary}
                               for c in matrix.columns}} for r in matrix.rows])
    elif fmt == "table":
        head = [matrix.group_by or "", "case", *[c.name[:14] for c in matrix.columns]]
        print_table(head, [[matrix.group(r), r.label[:28],
                            *[matrix.cell(r, c).count or "" for c in matrix.columns]]
                           for r in matrix.rows])
    else:
        raise InvalidArgument("--format must be table, json or csv")


@chart_app.command("draft")
def chart_draft(project: ProjectArg, rows: RowsOpt = "participant", theme: ThemeOpt = None,
                sentences: Annotated[int, typer.Option(help="Sentences per draft.")] = 2,
                embedder: EmbedderOpt = None) -> None:
    """Pre-fill empty cells with extractive drafts (the most central coded sentences).

    Example: framesynth chart draft study.fsdb --rows participant
    """
    with project_session(project) as session:
        matrix = build_matrix(session, rows=rows, theme=theme)
        count = draft_cells(session, matrix, get_embedder(embedder), actor=current_user(),
                            sentences=sentences)
    typer.echo(f"drafted {count} cells (marked draft until accepted or edited)")


@chart_app.command("edit")
def chart_edit(project: ProjectArg, case: CaseArg, code: CodeArg,
               summary: Annotated[str, typer.Argument(help="The analyst's summary.")]) -> None:
    """Write a cell's summary (kept with its history).

    Example: framesynth chart edit study.fsdb P01 "Access and referrals" "Referrals depend on Jide."
    """
    with project_session(project) as session:
        edit_cell(session, find_case(session, case), find_code(session, code), summary,
                  actor=current_user())
    typer.echo(f"saved {case} x {code}")


@chart_app.command("accept")
def chart_accept(project: ProjectArg, case: CaseArg, code: CodeArg) -> None:
    """Accept a draft summary as written.

    Example: framesynth chart accept study.fsdb P01 "Access and referrals"
    """
    with project_session(project) as session:
        accept_cell(session, find_case(session, case), find_code(session, code),
                    actor=current_user())
    typer.echo(f"accepted {case} x {code}")


@chart_app.command("history")
def chart_history(project: ProjectArg, case: CaseArg, code: CodeArg, as_json: JsonOpt = False
                  ) -> None:
    """Every version of one cell's summary.

    Example: framesynth chart history study.fsdb P01 "Access and referrals"
    """
    with project_session(project) as session:
        events = [(e.at.isoformat(timespec="seconds"), e.actor, e.payload["status"],
                   e.payload["after"]) for e in cell_history(
            session, find_case(session, case), find_code(session, code))]
    if as_json:
        print_json([dict(zip(["at", "who", "status", "summary"], e, strict=True))
                    for e in events])
        return
    print_table(["at", "who", "status", "summary"], [[*e[:3], e[3][:70]] for e in events])


def export_matrix(project: ProjectArg,
                  out: Annotated[Path, typer.Option(help="The .xlsx or .csv file to write.")],
                  rows: RowsOpt = "participant", group_by: GroupOpt = None,
                  anonymise: AnonymiseOpt = False) -> None:
    """Write the matrix: XLSX with one sheet per theme, or CSV (long format). With
    --anonymise, cases by id, sources by number and every text through the report's
    anonymiser, then audited as by audit-names (exit 1 and no file if a name remains).

    Example: framesynth export matrix study.fsdb --out matrix.xlsx --group-by sector --anonymise
    """
    if out.suffix.lower() not in {".xlsx", ".csv"}:
        raise InvalidArgument("--out must end in .xlsx or .csv")
    with project_session(project) as session:
        clean = (lambda m: anonymise_matrix(session, m)) if anonymise else (lambda m: m)
        if out.suffix.lower() == ".xlsx":
            write_xlsx([clean(m) for m in theme_matrices(session, rows=rows,
                                                         group_by=group_by)], out)
        else:
            with out.open("w", encoding="utf-8", newline="") as handle:
                write_csv(clean(build_matrix(session, rows=rows, group_by=group_by)), handle)
        identifiers = known_identifiers(session) if anonymise else []
    if anonymise:
        refuse_leaks({str(out): out}, identifiers)
    typer.echo(f"wrote {out}" + (" (anonymised)" if anonymise else ""))


@quote_app.command("pick")
def quote_pick(project: ProjectArg,
               coding_id: Annotated[int, typer.Argument(help="The coding to quote.")],
               theme: Annotated[str, typer.Option(help="The theme it illustrates.")]) -> None:
    """Pick a coded segment as a quote for a theme's section of the report.

    Example: framesynth quote pick study.fsdb 42 --theme "Access and referrals"
    """
    with project_session(project) as session:
        pick_quote(session, coding_id, find_code(session, theme), actor=current_user())
    typer.echo(f"picked coding {coding_id} for {theme}")


@quote_app.command("unpick")
def quote_unpick(project: ProjectArg,
                 coding_id: Annotated[int, typer.Argument(help="The coding.")],
                 theme: Annotated[str, typer.Option(help="The theme.")]) -> None:
    """Take a picked quote back.

    Example: framesynth quote unpick study.fsdb 42 --theme "Access and referrals"
    """
    with project_session(project) as session:
        unpick_quote(session, coding_id, find_code(session, theme), actor=current_user())
    typer.echo(f"unpicked coding {coding_id}")


@quote_app.command("list")
def quote_list(project: ProjectArg,
               theme: Annotated[str, typer.Option(help="The theme.")],
               count: Annotated[int, typer.Option(help="How many.")] = 3,
               embedder: EmbedderOpt = None, as_json: JsonOpt = False) -> None:
    """The quotes the report will use for a theme: picked ones, else the best ranked.

    Example: framesynth quote list study.fsdb --theme "Access and referrals"
    """
    with project_session(project) as session:
        quotes = theme_quotes(session, find_code(session, theme), get_embedder(embedder),
                              count=count)
    if as_json:
        print_json([vars(q) for q in quotes])
        return
    for quote in quotes:
        typer.echo(f"\u201c{quote.text}\u201d\n    {quote.attribution} "
                   f"[{quote.source} {quote.start}-{quote.end}{', picked' if quote.picked else ''}]")
