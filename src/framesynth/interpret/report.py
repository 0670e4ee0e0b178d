"""The learning report, assembled as data; :mod:`framesynth.io.exporters` renders it as
HTML, DOCX, Markdown or PDF.

What the team decides (title, authors, summary and key findings, which sections, themes
and analyses appear and in what order, the method's text, the quote count) comes from
their report file, :class:`~framesynth.interpret.report_settings.ReportSettings`. The
report has a summary when the team wrote one; a method section (by default written from
the project, :mod:`.method`); a section on the organisations (the partnerships map with
their typology, and where each theme came up by organisation) when the project has
organisations; and one section per theme: the analyst's synthesis (theme memos and the
matrix summaries people accepted or wrote), a part per code at any depth with its own
synthesis and quotes, prevalence (by group when there is a grouping) with a comparison
of the two largest groups, and a chart. A section with nothing to show is left out;
:meth:`Report.contents` lists the sections there are.

Anonymisation is on by default: every text from the data (synthesis, quotes, table
cells) goes through :class:`~framesynth.interpret.anonymise.Anonymiser`, and the network
map names organisations by sector and letter. Names read as role placeholders, or with
``names="pseudonym"`` as the cases table's pseudonyms (quotes are then attributed by
pseudonym and role). Only ``anonymise=False`` prints names, and that choice is logged
and stated in the report.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.chart.evidence import Evidence, evidence
from framesynth.chart.matrix import Matrix, build_matrix
from framesynth.embeddings import Embedder
from framesynth.errors import InvalidArgument
from framesynth.familiarise.vocabulary import term_label
from framesynth.frame.framework import code_path, framework_codes
from framesynth.interpret.anonymise import STYLES, Anonymiser
from framesynth.interpret.figures import NETWORK_TITLE, grouped_matrix, plot_grouping
from framesynth.interpret.method import at_a_glance, counted, method_section, reader_term
from framesynth.interpret.network import draw_network, partnership_graph
from framesynth.interpret.plots import matrix_heatmap, prevalence_chart
from framesynth.interpret.prevalence import (
    ALL,
    Prevalence,
    PrevalenceTable,
    compare_groups,
    prevalence,
)
from framesynth.interpret.quotes import Quote, Speakers, code_quotes
from framesynth.interpret.report_settings import (
    SECTIONS,
    ReportSettings,
    chosen_themes,
    project_name,
)
from framesynth.interpret.typology import typology
from framesynth.store.events import log_event
from framesynth.store.models import Code, Memo, Organisation, Participant


@dataclass
class Figure:
    key: str
    caption: str
    png: bytes


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class CodeSection:
    """One code of a theme (or a sub-theme, at any depth): its synthesis (the memos on
    it), its quotes and its own sub-codes' sections; ``depth`` 1 is a code of the theme."""

    title: str
    definition: str
    synthesis: list[str]
    quotes: list[Quote]
    parts: list[CodeSection] = field(default_factory=list)
    depth: int = 1

    def all_quotes(self) -> list[Quote]:
        return self.quotes + [q for part in self.parts for q in part.all_quotes()]


@dataclass
class ThemeSection:
    title: str
    definition: str
    synthesis: list[str]
    table: Table | None
    comparison: str
    figure: Figure | None
    quotes: list[Quote]
    parts: list[CodeSection] = field(default_factory=list)

    def all_quotes(self) -> list[Quote]:
        """The theme's quotes and every code's, in the order the report prints them."""
        return self.quotes + [q for part in self.parts for q in part.all_quotes()]


@dataclass
class Report:
    title: str
    subtitle: str
    method: list[str]
    partnerships: list[str]
    partnership_table: Table | None
    network: Figure | None
    overview: Figure | None
    themes: list[ThemeSection]
    framework: Table
    anonymised: bool
    notes: list[str] = field(default_factory=list)
    group_by: str | None = None
    organisations_title: str = "The partnerships"
    glance: list[tuple[str, str]] = field(default_factory=list)  # the method's summary box
    authors: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)  # the team's paragraphs
    key_findings: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=lambda: list(SECTIONS))  # in order

    def quotes(self) -> list[Quote]:
        """Every quote in the report, in order."""
        return [q for theme in self.themes for q in theme.all_quotes()]

    def figures(self) -> list[Figure]:
        found = [self.network, self.overview] + [t.figure for t in self.themes]
        return [f for f in found if f is not None]

    @property
    def has_organisations(self) -> bool:
        """Is there an organisations section (partnerships, their map, the heatmap)?"""
        return bool(self.partnerships or self.partnership_table or self.network
                    or self.overview)

    def shown(self) -> list[str]:
        """The sections the report prints, in order (one with nothing to show is left out)."""
        empty = {"summary": not (self.summary or self.key_findings),
                 "method": not (self.method or self.glance),
                 "organisations": not self.has_organisations, "themes": not self.themes,
                 "framework": False}
        return [name for name in self.sections if not empty[name]]

    def contents(self) -> list[tuple[str, str]]:
        """(anchor, heading) of each top-level section, in order: the table of contents."""
        headings = {"summary": [("summary", "Summary")],
                    "method": [("method", "How we did it")],
                    "organisations": [("partnerships", self.organisations_title)],
                    "themes": [(f"theme-{n}", t.title)
                               for n, t in enumerate(self.themes, start=1)],
                    "framework": [("framework", "The framework")]}
        return [entry for name in self.shown() for entry in headings[name]]


def build_report(session: Session, *, embedder: Embedder, actor: str, anonymise: bool = True,
                 settings: ReportSettings | None = None, group_by: str | None = None,
                 quotes: int | None = None, names: str | None = None) -> Report:
    """Assemble the report from the project and the team's ``settings`` (their report
    file; defaults when None). ``group_by``, ``quotes`` and ``names``, when given, take
    the place of the settings' own: ``group_by`` is any attribute prevalence groups by,
    ``"none"`` for no grouping; ``names`` is how anonymised names read, ``role``
    (``[project lead]``) or ``pseudonym`` (the cases table's pseudonyms)."""
    chosen = {"group_by": group_by, "quotes": quotes, "names": names}
    settings = (settings or ReportSettings()).model_copy(
        update={key: value for key, value in chosen.items() if value is not None})
    if settings.names not in STYLES:
        raise InvalidArgument(f"--names must be one of {', '.join(STYLES)}, "
                              f"not {settings.names!r}")
    codes = framework_codes(session)
    themes = chosen_themes([c for c in codes if c.parent_id is None], settings)
    clean = (Anonymiser.from_project(session, names=settings.names) if anonymise
             else (lambda text: text))
    if not anonymise:
        log_event(session, "report.names_shown", actor=actor)
    key = plot_grouping(session, settings.group_by)
    figures = tempfile.TemporaryDirectory()
    try:
        parts = _parts(session, codes, themes, settings, clean, key, embedder, anonymise,
                       Path(figures.name))
    finally:
        figures.cleanup()
    return Report(
        title=clean(settings.title or project_name(session)),
        subtitle=f"{settings.subtitle} · {settings.date or date.today():%-d %B %Y}",
        method=[clean(p) for p in settings.paragraphs("method") or method_section(
            session, anonymise, grouped=key is not None, names=settings.names)],
        framework=_framework_table(session, clean), anonymised=anonymise,
        notes=[] if anonymise else ["This report shows real names: it was made with "
                                    "anonymisation switched off. Do not publish it."],
        group_by=key, authors=settings.authors,
        summary=[clean(p) for p in settings.paragraphs("summary")],
        key_findings=[clean(" ".join(f.split())) for f in settings.key_findings],
        sections=list(settings.sections),
        glance=[(label, clean(value)) for label, value in at_a_glance(session)]
        if "glance" in settings.analyses else [], **parts)


def _parts(session: Session, codes: list[Code], themes: list[Code], settings: ReportSettings,
           clean: Callable[[str], str], key: str | None, embedder: Embedder, anonymise: bool,
           folder: Path) -> dict[str, Any]:
    """The theme sections and the organisations section, as the settings ask."""
    found: dict[str, Any] = {"themes": [], "partnerships": [], "partnership_table": None,
                             "network": None, "overview": None}
    if "themes" in settings.sections:
        pseudonyms = _pseudonyms(session) if anonymise and settings.names == "pseudonym" \
            else {}
        shared = _Shared(clean, prevalence(session, by=key, level="codes"), embedder, folder,
                         settings.quotes, grouped_matrix(session, key), evidence(session),
                         pseudonyms, _children(codes), Speakers.of(session),
                         set(settings.analyses))
        found["themes"] = [_theme_section(session, theme, shared) for theme in themes]
    if "organisations" in settings.sections:
        found |= _organisations(session, clean, folder, anonymise, set(settings.analyses))
    return found


@dataclass
class _Shared:
    """What every theme's section draws on, built once per report."""

    clean: Callable[[str], str]
    figures: list[Prevalence]
    embedder: Embedder
    folder: Path  # where the charts are drawn
    count: int  # ranked quotes per section without picks
    matrix: Matrix  # participants by themes, grouped
    coded: list[Evidence]  # every segment
    pseudonyms: dict[int, str]  # quotes from these participants carry their pseudonym
    children: dict[int, list[Code]]  # a code's active sub-codes, in the framework's order
    speakers: Speakers
    analyses: set[str]  # which of prevalence, chart, comparison the sections show


def _theme_section(session: Session, theme: Code, shared: _Shared) -> ThemeSection:
    clean, matrix = shared.clean, shared.matrix
    synthesis = _memos(session, theme, clean) + _summaries(matrix, theme, clean)
    ours = [f for f in shared.figures if f.code.startswith(code_path(theme) + "/")]
    shown = shared.analyses
    table = _prevalence_table(ours, matrix.group_by) if "prevalence" in shown else None
    figure = None
    if ours and "chart" in shown:
        target = shared.folder / f"prevalence-{theme.id}.png"
        prevalence_chart(ours, [target], title=theme.name)
        by = f", by {matrix.group_by}" if matrix.group_by else ""
        figure = Figure(f"prevalence-{theme.id}", f"{theme.name}: share of participants "
                        f"mentioning each code{by}", target.read_bytes())

    def quoted(code: Code, own_only: bool) -> list[Quote]:
        found = code_quotes(session, code, shared.embedder, count=shared.count,
                            items=shared.coded, own_only=own_only, speakers=shared.speakers)
        return [replace(q, text=clean(q.text), attribution=_attributed(q, shared.pseudonyms),
                        coded=clean(q.coded)) for q in found]

    def part(code: Code, depth: int) -> CodeSection:
        return CodeSection(code.name, clean(code.definition), _memos(session, code, clean),
                           quoted(code, own_only=True),
                           [part(c, depth + 1) for c in shared.children.get(code.id, [])],
                           depth)

    children = shared.children.get(theme.id, [])
    comparison = _comparison(ours, sorted({f.group for f in ours})) \
        if "comparison" in shown else ""
    return ThemeSection(theme.name, clean(theme.definition), synthesis, table, comparison,
                        figure,
                        quoted(theme, own_only=bool(children)),
                        [part(code, 1) for code in children])


def _children(codes: list[Code]) -> dict[int, list[Code]]:
    """Each code's sub-codes among ``codes`` (the framework in tree order), in order."""
    found: dict[int, list[Code]] = {}
    for code in codes:
        if code.parent_id is not None:
            found.setdefault(code.parent_id, []).append(code)
    return found


def _memos(session: Session, code: Code, clean) -> list[str]:  # type: ignore[no-untyped-def]
    return [clean(m.body) for m in session.scalars(
        select(Memo).where(Memo.code_id == code.id).order_by(Memo.id))]


def _pseudonyms(session: Session) -> dict[int, str]:
    return {p.id: p.pseudonym for p in session.scalars(select(Participant))
            if p.pseudonym}


def _attributed(quote: Quote, pseudonyms: dict[int, str]) -> str:
    """"– Grace, project lead on ..." for a participant with a pseudonym."""
    name = pseudonyms.get(quote.participant_id or 0)
    if not name or not quote.attribution.startswith("– "):
        return quote.attribution
    rest = quote.attribution[2:]
    return f"– {name}, {rest[:1].lower()}{rest[1:]}"


def _summaries(matrix: Matrix, theme: Code, clean) -> list[str]:  # type: ignore[no-untyped-def]
    """The matrix summaries people accepted or wrote for ``theme``, one paragraph per
    group (one paragraph in all when the matrix is not grouped)."""
    column = next(c for c in matrix.columns if c.id == theme.id)
    by_group: dict[str, list[str]] = {}
    for row in matrix.rows:
        cell = matrix.cell(row, column)
        if cell.summary and cell.status in {"accepted", "edited"}:
            by_group.setdefault(matrix.group(row), []).append(clean(cell.summary))
    return [(f"{group[:1].upper()}{group[1:]}: " if group else "") + " ".join(summaries)
            for group, summaries in by_group.items()]


def _prevalence_table(ours: list[Prevalence], group_by: str | None) -> Table | None:
    if not ours:
        return None
    table = PrevalenceTable.of(ours)
    names = {g: "All participants" if g == ALL and group_by is None else g
             for g in table.groups}
    return Table(["Code", *[f"{names[g]} (n={table.size(g)})" for g in table.groups]],
                 [[code.rsplit("/", 1)[-1], *[_share(table.cell(code, g)) for g in table.groups]]
                  for code in table.codes],
                 caption="Participants mentioning each code"
                 + (f", by {group_by}" if group_by else ""))


def _share(item: Prevalence) -> str:
    return f"{item.cases} of {item.size}"


def _comparison(figures: list[Prevalence], groups: list[str]) -> str:
    sizes = {f.group: f.size for f in figures}
    largest = sorted(groups, key=lambda g: -sizes[g])[:2]
    if len(largest) < 2:
        return ""
    results = compare_groups(figures, *largest)
    strongest = max(results, key=lambda r: abs(r.cohens_h))
    label = "exploratory: " if strongest.exploratory else ""
    return (f"The largest difference between {largest[0]} (n={sizes[largest[0]]}) and "
            f"{largest[1]} (n={sizes[largest[1]]}) participants is on "
            f"{strongest.code.rsplit('/', 1)[-1]}: {100 * strongest.first.share:.0f}% against "
            f"{100 * strongest.second.share:.0f}% (Cohen's h {strongest.cohens_h:+.2f}, "
            f"Fisher's exact p = {strongest.p_value:.2f}; {label}groups this small show "
            f"patterns to explore, not proof).")


def _organisations(session: Session, clean, folder: Path, anonymise: bool,  # type: ignore[no-untyped-def]
                   shown: set[str]) -> dict[str, Any]:
    """The organisations section's parts (the ``shown`` analyses among partnerships,
    network and heatmap); all empty when there are no organisations."""
    table, network, letters = _partnerships(session, clean, folder, anonymise)
    listed = table if "partnerships" in shown else None
    return {"partnerships": _partnership_text(listed) if listed else [],
            "partnership_table": listed, "network": network if "network" in shown else None,
            "overview": _overview(session, folder, letters if anonymise else None)
            if "heatmap" in shown else None,
            "organisations_title": "The partnerships" if table else "The organisations"}


def _overview(session: Session, folder: Path, letters: dict[str, str] | None
              ) -> Figure | None:
    """Organisations by themes as a heatmap (organisations by letter when anonymised);
    None when the project has no organisations."""
    sectors = any(session.scalars(select(Organisation.sector)))
    matrix = build_matrix(session, rows="organisation", group_by="sector" if sectors else None)
    if not matrix.rows:
        return None
    if letters is not None:
        for row in matrix.rows:
            row.label = letters.get(row.key, row.label)
    target = folder / "overview.png"
    matrix_heatmap(matrix, [target], title="Coded segments by organisation and theme")
    return Figure("overview", "Where each theme came up: coded segments from each "
                  "organisation's participants, by theme.", target.read_bytes())


def _letters(session: Session, graph) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Organisation key -> "Community organisation A": its sector's label and a letter."""
    letters: dict[str, str] = {}
    counters: Counter[str] = Counter()
    for key in sorted(graph):
        sector = graph.nodes[key]["sector"] or ""
        counters[sector] += 1
        label = f"{term_label(session, 'sector', sector)} organisation" if sector \
            else "Organisation"
        letters[key] = f"{label} {chr(64 + counters[sector])}"
    return letters


def _partnerships(session: Session, clean, folder: Path, anonymise: bool  # type: ignore[no-untyped-def]
                  ) -> tuple[Table | None, Figure | None, dict[str, str]]:
    """The partnerships table with their typology and the network map; None and None
    when no partnerships link the organisations."""
    graph = partnership_graph(session)
    letters = _letters(session, graph)
    if anonymise:
        for key, letter in letters.items():
            graph.nodes[key]["name"] = letter
    if not graph.number_of_edges():
        return None, None, letters
    rows = []
    depth = lambda term: reader_term(session, "depth", term) if term else "–"  # noqa: E731
    levels = lambda terms: ", ".join(reader_term(session, "level", t) for t in terms) or "–"  # noqa: E731
    for item in typology(session):
        a, b = next((u, v) for u, v, d in graph.edges(data=True) if d["key"] == item.key)
        name = f"{graph.nodes[a]['name']} – {graph.nodes[b]['name']}"
        rows.append([item.key, clean(name), depth(item.recorded_depth),
                     levels(item.recorded_levels), depth(item.evidence_depth),
                     levels(item.evidence_levels), "; ".join(item.flags) or "agree"])
    table = Table(["", "Partnership", "Recorded depth", "Recorded levels", "Described depth",
                   "Described levels", "Recorded and described"], rows,
                  caption="Partnerships as recorded and as participants describe them")
    target = folder / "network.png"
    draw_network(graph, [target], title=NETWORK_TITLE)
    return table, Figure("network", "Organisations by sector, linked by partnerships: line "
                         "width shows depth, dashes informal partnerships, letters the levels "
                         "they work at.", target.read_bytes()), letters


def _partnership_text(table: Table) -> list[str]:
    flagged = [row for row in table.rows if row[-1] != "agree"]
    links = counted(len(table.rows), "partnership")
    verb = "links" if len(table.rows) == 1 else "link"
    if not flagged:
        return [f"{links} {verb} the organisations. What participants say matches the "
                "recorded depth and levels of each."]
    return [f"{links} {verb} the organisations. For {len(flagged)} of them, what participants "
            "say differs from the recorded depth or levels; the table lists where."]


def _framework_table(session: Session, clean) -> Table:  # type: ignore[no-untyped-def]
    return Table(["Theme / code", "Definition"],
                 [[code_path(c), clean(c.definition)] for c in framework_codes(session)],
                 caption="The coding framework")
