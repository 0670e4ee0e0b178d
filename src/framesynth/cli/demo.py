"""``framesynth demo``: the whole pipeline on the bundled fictional programme."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from framesynth.chart.drafts import draft_cells
from framesynth.chart.matrix import build_matrix, theme_matrices
from framesynth.cli._util import EmbedderOpt, print_table
from framesynth.cli.index import print_agreement
from framesynth.cli.project import print_info
from framesynth.demo import DEMO_CODERS, DEMO_USER, build_demo_project, write_demo_settings
from framesynth.embeddings import get_embedder
from framesynth.familiarise.frequencies import word_frequencies
from framesynth.familiarise.overview import project_info
from framesynth.familiarise.search import search
from framesynth.frame.framework import framework_codes
from framesynth.index.agreement import agreement
from framesynth.index.review import METHODS, PRETRAINED_METHODS, pending_suggestions, run_autocode
from framesynth.interpret.audit import (
    known_identifiers,
    project_language,
    unknown_words,
)
from framesynth.interpret.figures import write_plots
from framesynth.interpret.report import build_report
from framesynth.interpret.report_settings import load_settings
from framesynth.interpret.typology import typology
from framesynth.io.exporters.matrix import write_xlsx
from framesynth.io.exporters.report_files import FORMATS, write_report
from framesynth.project import Project


def demo(
    directory: Annotated[Path, typer.Argument(help="Where to write demo.fsdb and outputs.")
                         ] = Path("demo-output"),
    embedder: EmbedderOpt = None,
) -> None:
    """Build the demo project from the bundled corpus and run the pipeline on it.

    Example: framesynth demo ./demo-output
    """
    notes: list[str] = []
    path = build_demo_project(directory, say=notes.append)
    typer.echo("\n".join([f"== demo project written to {path}", *notes, ""]))
    with Project.open(path) as project, project.session() as session:
        familiarise_section(session)
        index_section(session, embedder)
        chart_section(session, embedder, directory)
        interpret_section(session, embedder, directory)


def familiarise_section(session) -> None:  # type: ignore[no-untyped-def]
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


def index_section(session, embedder_name: str | None) -> None:  # type: ignore[no-untyped-def]
    codes = framework_codes(session)
    themes = [c for c in codes if c.parent_id is None]
    typer.echo(f"\n== framework: {len(themes)} themes, {len(codes) - len(themes)} codes; "
               f"hand coding by {' and '.join(DEMO_CODERS)}")
    typer.echo(f"\n== agreement --coders {' '.join(DEMO_CODERS)} --unit turn")
    print_agreement(agreement(session, list(DEMO_CODERS), unit="turn"), limit=3)
    embedder = get_embedder(embedder_name)
    typer.echo("\n== autocode (suggestions wait for review)")
    for method in [m for m in METHODS if m not in PRETRAINED_METHODS]:
        result = run_autocode(session, method, unit="turn", train_coder=DEMO_CODERS[0],
                              embedder=None if method == "keyword" else embedder,
                              actor=DEMO_USER)
        typer.echo(f"{method:<11} {result.stored:>4} suggestions for {result.units} turns "
                   f"({result.skipped_human} already coded by a person)")
    typer.echo("\n== review --method semantic (top 5)")
    top = pending_suggestions(session, method="semantic")[:5]
    print_table(["id", "score", "code", "source", "text"],
                [[s.id, f"{s.score:.2f}", s.code.name, s.source.name,
                  " ".join(s.text.split())[:50]] for s in top])


def chart_section(session, embedder_name: str | None, directory: Path) -> None:  # type: ignore[no-untyped-def]
    matrix = build_matrix(session, rows="participant", group_by="sector")
    drafted = draft_cells(session, matrix, get_embedder(embedder_name), actor=DEMO_USER)
    typer.echo(f"\n== chart: {len(matrix.rows)} participants x {len(matrix.columns)} themes; "
               f"{drafted} cells drafted (marked draft until a person accepts them)")
    write_xlsx(theme_matrices(session, rows="participant", group_by="sector"),
               directory / "matrix.xlsx")
    typer.echo(f"wrote {directory / 'matrix.xlsx'} (one sheet per theme)")


def interpret_section(session, embedder_name: str | None, directory: Path) -> None:  # type: ignore[no-untyped-def]
    typer.echo("\n== typology: partnerships as recorded and as described")
    print_table(["partnership", "recorded", "described", "flags"],
                [[t.name, t.recorded_depth, t.evidence_depth or "-", "; ".join(t.flags)]
                 for t in typology(session)])
    plots = directory / "plots"
    write_plots(session, plots, by="sector")
    typer.echo(f"wrote heatmap, prevalence and network plots to {plots}")
    settings = write_demo_settings(directory / "demo.fsdb")
    report = build_report(session, embedder=get_embedder(embedder_name), actor=DEMO_USER,
                          settings=load_settings(settings))
    identifiers = known_identifiers(session)
    write_report(report, {fmt: directory / f"report.{fmt}" for fmt in FORMATS}, identifiers)
    typer.echo(f"\n== report (anonymised, settings from {settings}): "
               f"{directory / 'report.html'}, report.docx, report.md, report.pdf")
    quotes = [quote.text for quote in report.quotes()]
    unknowns = unknown_words(quotes, identifiers, language=project_language(session))
    typer.echo(f"\n== audit-names --unknown: {len(unknowns)} capitalised words in the quotes "
               "the cases table does not know")
    for item in unknowns:
        typer.echo(f"  {item.word}: \u201c{item.quote[:90]}\u201d")
    typer.echo(f"no known names in the {len(FORMATS)} report files")
