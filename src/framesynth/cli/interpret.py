"""Phase 5 commands: prevalence, co-occurrence, typology, network, plots and the report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
from framesynth.interpret.audit import known_identifiers
from framesynth.interpret.cooccurrence import cooccurrence as compute_cooccurrence
from framesynth.interpret.figures import write_plots
from framesynth.interpret.network import draw_network, partnership_graph
from framesynth.interpret.prevalence import PrevalenceTable, compare_groups
from framesynth.interpret.prevalence import prevalence as compute_prevalence
from framesynth.interpret.report import build_report
from framesynth.interpret.report_settings import (
    init_settings,
    load_settings,
    read_settings,
    settings_path,
)
from framesynth.interpret.typology import typology as compute_typology
from framesynth.io.exporters.report_files import check_format, write_report
from framesynth.store.engine import display_location

RowsOpt = Annotated[str, typer.Option(help="participant, organisation or partnership.")]
GroupByOpt = Annotated[str | None, typer.Option(
    help="Group participants by this attribute (a participant's, such as role or site, or "
         "a source's, such as kind), or none. Default: sector when participants belong to "
         "organisations with sectors, else none.")]


def prevalence(project: ProjectArg,
               by: Annotated[str, typer.Option(help="The attribute that makes the groups.")],
               rows: RowsOpt = "participant",
               level: Annotated[str, typer.Option(help="codes or themes.")] = "codes",
               compare: Annotated[list[str] | None, typer.Option(
                   help="Compare two groups: --compare statutory --compare community.")] = None,
               as_json: JsonOpt = False) -> None:
    """How many cases in each group mention each code (cases, not codings).

    Example: framesynth prevalence study.fsdb --by sector --compare statutory --compare community
    """
    with project_session(project) as session:
        figures = compute_prevalence(session, by=by, rows=rows, level=level)
    if compare:
        if len(compare) != 2:
            raise InvalidArgument("--compare takes exactly two groups")
        results = compare_groups(figures, *compare)
        rows_out = [[r.code, f"{r.first.cases}/{r.first.size}", f"{r.second.cases}/{r.second.size}",
                     f"{r.cohens_h:+.2f}", f"{r.p_value:.3f}", "yes" if r.exploratory else "no"]
                    for r in results]
        if as_json:
            print_json([dict(zip(["code", compare[0], compare[1], "cohens_h", "p", "exploratory"],
                                 r, strict=True)) for r in rows_out])
            return
        print_table(["code", compare[0], compare[1], "Cohen's h", "Fisher p", "exploratory"],
                    rows_out)
        return
    if as_json:
        print_json([{"code": f.code, "group": f.group, "cases": f.cases, "size": f.size}
                    for f in figures])
        return
    table = PrevalenceTable.of(figures)
    print_table(["code", *[f"{g} (n={table.size(g)})" for g in table.groups]],
                [[code, *[table.cell(code, g).cases for g in table.groups]]
                 for code in table.codes])


def cooccurrence(project: ProjectArg,
                 unit: Annotated[str, typer.Option(help="turn, paragraph or sentence.")] = "turn",
                 top: Annotated[int, typer.Option(help="Pairs to list.")] = 15,
                 as_json: JsonOpt = False) -> None:
    """Codes applied to the same units: ranked pairs (and the matrix with --json).

    Example: framesynth cooccurrence study.fsdb --unit turn --top 10
    """
    with project_session(project) as session:
        result = compute_cooccurrence(session, unit=unit)
    if as_json:
        print_json({"codes": result.codes, "matrix": result.counts,
                    "pairs": [dict(zip(["a", "b", "units", "jaccard"], p, strict=True))
                              for p in result.pairs]})
        return
    print_table(["code", "with", "units", "jaccard"],
                [[a, b, n, f"{j:.2f}"] for a, b, n, j in result.pairs[:top]])


def typology(project: ProjectArg, as_json: JsonOpt = False) -> None:
    """Each partnership's depth and levels: recorded, and as the coded evidence describes.

    Example: framesynth typology study.fsdb
    """
    with project_session(project) as session:
        items = compute_typology(session)
    if as_json:
        print_json([{k: v for k, v in vars(i).items() if k != "signals"} for i in items])
        return
    print_table(["partnership", "recorded", "described", "recorded levels", "described levels",
                 "flags"],
                [[i.name, i.recorded_depth, i.evidence_depth or "-", ", ".join(i.recorded_levels),
                  ", ".join(i.evidence_levels) or "-", "; ".join(i.flags)] for i in items])


def network(project: ProjectArg,
            out: Annotated[list[Path], typer.Option(help="Files to draw to (.svg, .png).")]
            ) -> None:
    """Draw the partnership network map (organisations by sector, partnerships by depth).

    Example: framesynth network study.fsdb --out map.svg --out map.png
    """
    with project_session(project) as session:
        graph = partnership_graph(session)
    draw_network(graph, out, title="The programme's partnerships")
    typer.echo(f"drew {graph.number_of_nodes()} organisations and {graph.number_of_edges()} "
               f"partnerships to {', '.join(map(str, out))}")


def plots(project: ProjectArg,
          out: Annotated[Path, typer.Option(help="The folder to write the plots into.")],
          by: GroupByOpt = None) -> None:
    """Write the matrix heatmap, prevalence by group and the network map as PNG and SVG
    (a plot with nothing to show, such as the network of a study without partnerships,
    is left out).

    Example: framesynth plots study.fsdb --out plots/ --by role
    """
    with project_session(project) as session:
        written = write_plots(session, out, by=by)
    names = list(dict.fromkeys(path.stem for path in written))
    typer.echo(f"wrote {', '.join(names) or 'nothing'} (.png, .svg) to {out}")


report_app = new_app(
    "The learning report: build it (the default command) or write the team's report file.",
    default_command=True)


@report_app.command("build")
def report(project: ProjectArg,
           fmt: Annotated[str, typer.Option("--format", help="html, docx, md or pdf.")],
           out: Annotated[Path, typer.Option(help="The file to write.")],
           no_anonymise: Annotated[bool, typer.Option(
               "--no-anonymise", help="Print real names (logged; the report says so).")] = False,
           group_by: GroupByOpt = None,
           embedder: EmbedderOpt = None,
           names: Annotated[str | None, typer.Option(
               "--names", help="How anonymised names read: role ([project lead]) or "
               "pseudonym (the cases table's pseudonyms). Default: the report file's, "
               "else role.")] = None,
           quotes: Annotated[int | None, typer.Option(
               help="Ranked quotes per section without picks. Default: the report "
                    "file's, else 2.")] = None,
           settings: Annotated[Path | None, typer.Option(
               help="The report file to use. Default: the one beside the project "
                    "(study.report.yaml for study.fsdb; for a database URL, "
                    "DATABASE.report.yaml in FRAMESYNTH_LOCAL_DIR, else the current "
                    "folder) when there is one.")
           ] = None) -> None:
    """Write the learning report ("build" may be left out: framesynth report PROJECT ...).

    The report: a summary and key findings (from the report file), the method,
    organisations and partnerships (when the study has them), one section per theme with
    a part per code, prevalence by group and quotes; PDF is the HTML report on A4 (page
    numbers, running title). The report file (framesynth report init) sets the title,
    authors, sections and their order, the method's text and more; options given here
    take the place of its values. An anonymised report is then audited (as by
    audit-names): if a known name remains, the file is removed, the names are listed and
    the exit status is 1.

    Example: framesynth report build study.fsdb --format pdf --out report.pdf --names pseudonym
    """
    check_format(fmt)
    chosen = load_settings(settings) if settings else read_settings(project)
    with project_session(project) as session:
        built = build_report(session, embedder=get_embedder(embedder), actor=current_user(),
                             anonymise=not no_anonymise, settings=chosen, group_by=group_by,
                             names=names, quotes=quotes)
        identifiers = known_identifiers(session)
    write_report(built, {fmt: out}, identifiers)
    used = settings or (settings_path(project) if settings_path(project).exists() else None)
    typer.echo(f"wrote {out}" + ("" if built.anonymised else " (NOT anonymised)")
               + (f" (settings from {used})" if used else ""))


@report_app.command("init")
def report_init(project: ProjectArg,
                force: Annotated[bool, typer.Option(
                    help="Write the default over an existing report file.")] = False) -> None:
    """Write the team's report file, study.report.yaml beside study.fsdb.

    Every setting with a comment, and the method section's text written from the project,
    to edit; framesynth report then reads it. For a database URL the file is
    DATABASE.report.yaml in FRAMESYNTH_LOCAL_DIR, else the current folder.

    Example: framesynth report init study.fsdb
    """
    with project_session(project) as session:
        path = init_settings(session, project, force=force)
    typer.echo(f"wrote {path}: edit it, then run framesynth report "
               f"{display_location(project)} --format pdf "
               "--out report.pdf")
