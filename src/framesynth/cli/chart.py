"""Phase 4 commands: ``chart`` (the framework matrix), ``quote`` and ``export matrix``."""

from __future__ import annotations

import shutil
import sys
import textwrap
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from framesynth.chart.drafts import MAX_WORDS, SENTENCES, Origin, draft_cells, origins
from framesynth.chart.evidence import CaseRow
from framesynth.chart.matrix import (
    Cell,
    Matrix,
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
from framesynth.interpret.quote_edits import edit_quote, move_quote
from framesynth.interpret.quotes import pick_quote, theme_quotes, unpick_quote
from framesynth.io.exporters.matrix import write_csv, write_xlsx
from framesynth.store.models import Code

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
               counts: Annotated[bool, typer.Option(
                   "--counts", help="Only the counts of coded segments, as a table.")] = False,
               fmt: Annotated[str, typer.Option(
                   "--format", help="text, json or csv (table: as --counts).")] = "text"
               ) -> None:
    """Show the matrix: each case's summary per theme (drafts marked, with the sentences
    they came from) and its count of coded segments; --counts for counts only.

    Example: framesynth chart show study.fsdb --rows organisation --group-by sector
    """
    with project_session(project) as session:
        matrix = build_matrix(session, rows=rows, theme=theme, group_by=group_by)
        notes = {key: origins(session, cell.evidence) for key, cell in matrix.cells.items()
                 if cell.evidence}
    if fmt == "csv":
        write_csv(matrix, sys.stdout)
    elif fmt == "json":
        print_json([{"group": matrix.group(r), "case": r.key, "label": r.label,
                     "cells": {c.name: _cell_json(matrix, r, c, notes)
                               for c in matrix.columns}} for r in matrix.rows])
    elif fmt == "table" or (fmt == "text" and counts):
        head = [matrix.group_by or "", "case", *[c.name for c in matrix.columns]]
        print_table(head, [[matrix.group(r), r.label,
                            *[matrix.cell(r, c).count or "" for c in matrix.columns]]
                           for r in matrix.rows])
    elif fmt == "text":
        typer.echo("\n".join(summary_lines(matrix, notes,
                                            shutil.get_terminal_size().columns)))
    else:
        raise InvalidArgument("--format must be text, json or csv")


Notes = dict[tuple[int, int], list[Origin]]


def _cell_json(matrix: Matrix, row: CaseRow, column: Code, notes: Notes) -> dict[str, Any]:
    cell = matrix.cell(row, column)
    found: dict[str, Any] = {"segments": cell.count, "status": cell.status,
                             "summary": cell.summary, "version": cell.version}
    if cell.evidence:
        found["from"] = [{"source": o.source, "start": o.start, "end": o.end,
                          "label": o.label} for o in notes[(row.case_id, column.id)]]
    return found


def summary_lines(matrix: Matrix, notes: Notes, width: int) -> list[str]:
    """The matrix as text: per case, each theme's full name, count and wrapped summary."""
    lines = [matrix.title + (f", grouped by {matrix.group_by}" if matrix.group_by else "")]
    for row in matrix.rows:
        group = f"{matrix.group(row)}: " if matrix.group_by else ""
        lines += ["", f"{group}{row.label} ({row.key})"]
        for column in matrix.columns:
            lines += _cell_lines(matrix.cell(row, column), column.name,
                                 notes.get((row.case_id, column.id), []), width)
    return lines


def _cell_lines(cell: Cell, name: str, found: list[Origin], width: int) -> list[str]:
    count = {0: "no coded segments", 1: "1 coded segment"}.get(
        cell.count, f"{cell.count} coded segments")
    status = {"draft": " (draft)", "accepted": " (accepted)"}.get(cell.status or "", "")
    lines = [f"  {name}: {count}{status}"]
    wrap = partial(textwrap.wrap, width=max(width, 40), initial_indent=" " * 4,
                   subsequent_indent=" " * 4, break_on_hyphens=False)
    if cell.summary:
        lines += wrap(cell.summary)
    elif cell.count:
        lines += wrap("(no summary yet)")
    if found:
        lines += wrap("from: " + "; ".join(o.label for o in found))
    return lines


@chart_app.command("draft")
def chart_draft(project: ProjectArg, rows: RowsOpt = "participant", theme: ThemeOpt = None,
                sentences: Annotated[int, typer.Option(
                    help="At most this many sentences per draft.")] = SENTENCES,
                max_words: Annotated[int, typer.Option(
                    help="At most this many words per draft.")] = MAX_WORDS,
                embedder: EmbedderOpt = None) -> None:
    """Pre-fill empty cells with extractive drafts: the most central whole sentences of
    the coded turns, without filler or repeats, each linked to where it was said.

    Example: framesynth chart draft study.fsdb --rows participant
    """
    with project_session(project) as session:
        matrix = build_matrix(session, rows=rows, theme=theme)
        count = draft_cells(session, matrix, get_embedder(embedder), actor=current_user(),
                            sentences=sentences, max_words=max_words)
    typer.echo(f"drafted {count} cells (marked draft until accepted or edited)")


@chart_app.command("edit")
def chart_edit(project: ProjectArg, case: CaseArg, code: CodeArg,
               summary: Annotated[str, typer.Argument(help="The analyst's summary.")],
               expected_version: Annotated[int | None, typer.Option(
                   "--expected-version", min=0,
                   help="Save only if the cell is still at this version (chart show "
                        "--format json gives it; 0: still empty); else say who changed "
                        "it.")] = None) -> None:
    """Write a cell's summary (kept with its history).

    Example: framesynth chart edit study.fsdb P01 "Access and referrals" "Referrals depend on Jide."
    """
    with project_session(project) as session:
        edit_cell(session, find_case(session, case), find_code(session, code), summary,
                  actor=current_user(), expected_version=expected_version)
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


@quote_app.command("edit")
def quote_edit(project: ProjectArg,
               coding_id: Annotated[int, typer.Argument(help="The picked coding.")],
               theme: Annotated[str, typer.Option(help="The theme it is picked for.")],
               text: Annotated[str, typer.Option(
                   help="How the report prints it: the coded words, cut with [...] and "
                        "with [bracketed] insertions.")] = "",
               clear: Annotated[bool, typer.Option(
                   "--clear", help="Print the coded span again.")] = False) -> None:
    """Shorten a picked quote as papers do: [...] where words are cut, [square brackets]
    around words added. Every other word must be the coded span's own, in its order; the
    coded span stays the evidence.

    Example: framesynth quote edit study.fsdb 42 --theme Access --text "We waited [...] weeks"
    """
    if clear == bool(text.strip()):
        raise InvalidArgument("give one of --text or --clear")
    with project_session(project) as session:
        picked = edit_quote(session, coding_id, find_code(session, theme), text,
                            actor=current_user())
        shown = picked.display_text
    typer.echo(f"coding {coding_id} prints as \u201c{shown}\u201d" if shown
               else f"coding {coding_id} prints as coded")


@quote_app.command("move")
def quote_move(project: ProjectArg,
               coding_id: Annotated[int, typer.Argument(help="The picked coding.")],
               theme: Annotated[str, typer.Option(help="The theme it is picked for.")],
               to: Annotated[int, typer.Option(help="Its place among the theme's picks "
                                                    "(1 = first).")]) -> None:
    """Put a picked quote in its place among the theme's picks.

    Example: framesynth quote move study.fsdb 42 --theme "Access and referrals" --to 1
    """
    with project_session(project) as session:
        picked = move_quote(session, coding_id, find_code(session, theme), to=to,
                            actor=current_user())
        place = picked.position
    typer.echo(f"coding {coding_id} is quote {place} for {theme}")


@quote_app.command("list")
def quote_list(project: ProjectArg,
               theme: Annotated[str, typer.Option(help="The theme.")],
               count: Annotated[int, typer.Option(help="How many.")] = 3,
               embedder: EmbedderOpt = None, as_json: JsonOpt = False) -> None:
    """The quotes the report will use for a theme, as it prints them: picked ones in
    their order (edited ones marked), else the best ranked.

    Example: framesynth quote list study.fsdb --theme "Access and referrals"
    """
    with project_session(project) as session:
        quotes = theme_quotes(session, find_code(session, theme), get_embedder(embedder),
                              count=count)
    if as_json:
        print_json([vars(q) for q in quotes])
        return
    for quote in quotes:
        marks = ", picked" * quote.picked + ", edited" * quote.edited
        typer.echo(f"\u201c{quote.text}\u201d\n    {quote.attribution} "
                   f"[coding {quote.coding_id}: {quote.source} {quote.start}-{quote.end}{marks}]")
