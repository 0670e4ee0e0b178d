"""The learning report, assembled as data; :mod:`framesynth.io.exporters` renders it as
HTML, DOCX or Markdown.

The report has a method section generated from the project, a map of the partnerships
with their typology, and one section per theme: the analyst's synthesis (theme memos and
the matrix summaries people accepted or wrote), prevalence by group with a comparison of
the two largest groups, a chart, and illustrative quotes attributed by role and relation.

Anonymisation is on by default: every text from the data (synthesis, quotes, table
cells) goes through :class:`~framesynth.interpret.anonymise.Anonymiser`, and the network
map names organisations by sector and letter. Only ``anonymise=False`` prints names,
and that choice is logged and stated in the report.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.chart.evidence import Evidence, evidence
from framesynth.chart.matrix import Matrix, build_matrix
from framesynth.embeddings import Embedder
from framesynth.errors import InvalidArgument
from framesynth.frame.framework import code_path, framework_codes
from framesynth.index.agreement import agreement
from framesynth.index.coding import descendants
from framesynth.interpret.anonymise import Anonymiser
from framesynth.interpret.network import draw_network, partnership_graph
from framesynth.interpret.plots import matrix_heatmap, prevalence_chart
from framesynth.interpret.prevalence import compare_groups, prevalence
from framesynth.interpret.quotes import Quote, theme_quotes
from framesynth.interpret.typology import typology
from framesynth.store.events import log_event
from framesynth.store.models import (
    Case,
    Code,
    Coding,
    Memo,
    Organisation,
    Participant,
    Partnership,
    Source,
)


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
class ThemeSection:
    title: str
    definition: str
    synthesis: list[str]
    table: Table
    comparison: str
    figure: Figure | None
    quotes: list[Quote]


@dataclass
class Report:
    title: str
    subtitle: str
    method: list[str]
    partnerships: list[str]
    partnership_table: Table
    network: Figure | None
    overview: Figure | None
    themes: list[ThemeSection]
    framework: Table
    anonymised: bool
    notes: list[str] = field(default_factory=list)

    def figures(self) -> list[Figure]:
        found = [self.network, self.overview] + [t.figure for t in self.themes]
        return [f for f in found if f is not None]


def build_report(session: Session, *, embedder: Embedder, actor: str, anonymise: bool = True,
                 group_by: str = "sector", quotes: int = 3) -> Report:
    """Assemble the report from the project."""
    themes = [c for c in framework_codes(session) if c.parent_id is None]
    if not themes:
        raise InvalidArgument("the project has no framework; import one first")
    clean = Anonymiser.from_project(session) if anonymise else (lambda text: text)
    if not anonymise:
        log_event(session, "report.names_shown", actor=actor)
    figures = tempfile.TemporaryDirectory()
    folder = Path(figures.name)
    try:
        figure_prevalence = prevalence(session, by=group_by, level="codes")
        matrix = build_matrix(session, rows="participant", group_by=group_by)
        coded = evidence(session)
        sections = [_theme_section(session, theme, clean, figure_prevalence, embedder, folder,
                                   quotes, matrix, coded) for theme in themes]
        table, network, letters = _partnerships(session, clean, folder, anonymise)
        overview = _overview(session, folder, letters if anonymise else None)
    finally:
        figures.cleanup()
    project = session.scalar(select(Case.name).where(Case.kind == "project"))
    title = clean(project) if project else "Learning report"
    notes = [] if anonymise else ["This report shows real names: it was made with "
                                  "anonymisation switched off. Do not publish it."]
    return Report(
        title=title,
        subtitle=f"Learning from the evaluation · {date.today():%-d %B %Y}",
        method=[clean(p) for p in method_section(session, anonymise)],
        partnerships=_partnership_text(table),
        partnership_table=table, network=network, overview=overview, themes=sections,
        framework=_framework_table(session, clean), anonymised=anonymise, notes=notes,
    )


def method_section(session: Session, anonymised: bool) -> list[str]:
    """Paragraphs describing the data and the analysis, from the project itself."""
    kinds = Counter(session.scalars(select(Source.kind)))
    themes = sorted({str(meta.get("theme")) for meta in session.scalars(
        select(Source.meta).where(Source.kind == "focus_group")) if meta.get("theme")})
    sectors = Counter(session.scalars(select(Organisation.sector)))
    roles = Counter(r for r in session.scalars(select(Participant.role).where(
        Participant.team.is_(False))) if r)
    depths = Counter(d.replace("_", " ") for d in session.scalars(select(Partnership.depth)))
    codes = framework_codes(session)
    top = [c for c in codes if c.parent_id is None]
    coders = sorted(c for c in set(session.scalars(select(Coding.coder).where(
        Coding.status.is_(None)))) if not c.startswith("auto:"))
    accepted = len(list(session.scalars(select(Coding.id).where(Coding.status == "accepted"))))
    paragraphs = [
        f"The evaluation drew on {kinds.get('interview', 0)} interviews and "
        f"{kinds.get('focus_group', 0)} themed focus groups"
        + (f" ({'; '.join(themes)})" if themes else "") + ". "
        f"Participants included {_counted(roles, plural=True)}, from {sum(sectors.values())} "
        f"organisations: {_counted(sectors, labels=SECTOR_LABELS)}. They were linked by "
        f"{sum(depths.values())} partnerships ({_counted(depths)}).",
        f"The analysis followed the framework method. The coding framework has {len(top)} "
        f"themes and {len(codes) - len(top)} codes, each with a definition and inclusion "
        f"and exclusion rules. {len(coders)} researchers coded the transcripts"
        + (f"; {accepted} machine suggestions were accepted after review" if accepted else "")
        + ".",
    ]
    if len(coders) >= 2:
        try:
            report = agreement(session, coders[:2], unit="turn")
            o = report.overall
            paragraphs.append(
                f"Two researchers coded {len(report.sources)} of the transcripts independently; "
                f"across {o.units} speaker turns they agreed on {100 * o.percent:.0f}% of "
                f"coding decisions (Cohen's kappa {o.kappa:.2f}, Krippendorff's alpha "
                f"{o.alpha:.2f}).")
        except InvalidArgument:
            pass
    paragraphs.append(
        "Prevalence counts people, not passages: a participant mentions a theme when any "
        "of their words is coded with it. Groups are small, so comparisons are "
        "exploratory. "
        + ("Quotes are anonymised: names of people, organisations and places are replaced "
           "by their role, and each quote is attributed by role and relation."
           if anonymised else "Names are shown in this copy."))
    return paragraphs


SECTOR_LABELS = {"funder": "funder", "community": "community sector",
                 "voluntary": "voluntary sector", "statutory": "statutory sector"}


def _counted(counter: Counter[str], *, plural: bool = False,
             labels: dict[str, str] | None = None) -> str:
    """"10 project workers, 7 project leads and 2 funding officers"."""
    parts = []
    for key, n in counter.most_common():
        label = (labels or {}).get(key, key)
        parts.append(f"{n} {label}{'s' if plural and n != 1 else ''}")
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)


def _theme_section(session: Session, theme: Code, clean, figures, embedder: Embedder,  # type: ignore[no-untyped-def]
                   folder: Path, count: int, matrix: Matrix, coded: list[Evidence]
                   ) -> ThemeSection:
    """One theme's section; ``matrix`` (participants by themes) and ``coded`` (every
    segment) are built once for all sections."""
    group_by = matrix.group_by or "group"
    members = {theme.id, *(d.id for d in descendants(theme))}
    synthesis = [clean(m.body) for m in session.scalars(
        select(Memo).where(Memo.code_id.in_(members)).order_by(Memo.id))]
    column = next(c for c in matrix.columns if c.id == theme.id)
    by_group: dict[str, list[str]] = {}
    for row in matrix.rows:
        cell = matrix.cell(row, column)
        if cell.summary and cell.status in {"accepted", "edited"}:
            by_group.setdefault(matrix.group(row), []).append(clean(cell.summary))
    for group, summaries in by_group.items():
        synthesis.append(f"{group.capitalize()}: " + " ".join(summaries))
    ours = [f for f in figures if f.code.startswith(code_path(theme) + "/")]
    groups = sorted({f.group for f in ours})
    table = Table(["Code", *[f"{g} (n={next(f.size for f in ours if f.group == g)})"
                             for g in groups]],
                  [[code.rsplit("/", 1)[-1], *[f"{_share(ours, code, g)}" for g in groups]]
                   for code in dict.fromkeys(f.code for f in ours)],
                  caption=f"Participants mentioning each code, by {group_by}")
    comparison = _comparison(ours, groups)
    figure = None
    if ours:
        target = folder / f"prevalence-{theme.id}.png"
        prevalence_chart(ours, [target], title=theme.name)
        figure = Figure(f"prevalence-{theme.id}", f"{theme.name}: share of participants "
                        f"mentioning each code, by {group_by}", target.read_bytes())
    found = theme_quotes(session, theme, embedder, count=count, items=coded)
    quotes = [Quote(clean(q.text), q.attribution, q.source, q.start, q.end, q.participant_id,
                    q.picked) for q in found]
    return ThemeSection(theme.name, clean(theme.definition), synthesis, table, comparison,
                        figure, quotes)


def _share(figures, code: str, group: str) -> str:  # type: ignore[no-untyped-def]
    item = next(f for f in figures if f.code == code and f.group == group)
    return f"{item.cases} of {item.size}"


def _comparison(figures, groups: list[str]) -> str:  # type: ignore[no-untyped-def]
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


def _overview(session: Session, folder: Path, letters: dict[str, str] | None) -> Figure:
    """Organisations by themes as a heatmap (organisations by letter when anonymised)."""
    matrix = build_matrix(session, rows="organisation", group_by="sector")
    if letters is not None:
        for row in matrix.rows:
            row.label = letters.get(row.key, row.label)
    target = folder / "overview.png"
    matrix_heatmap(matrix, [target], title="Coded segments by organisation and theme")
    return Figure("overview", "Where each theme came up: coded segments from each "
                  "organisation's participants, by theme.", target.read_bytes())


def _partnerships(session: Session, clean, folder: Path, anonymise: bool  # type: ignore[no-untyped-def]
                  ) -> tuple[Table, Figure | None, dict[str, str]]:
    graph = partnership_graph(session)
    letters: dict[str, str] = {}
    counters: Counter[str] = Counter()
    for key in sorted(graph):
        sector = graph.nodes[key]["sector"]
        counters[sector] += 1
        label = "Funder" if sector == "funder" else f"{sector.capitalize()} partner"
        letters[key] = f"{label} {chr(64 + counters[sector])}"
        if anonymise:
            graph.nodes[key]["name"] = letters[key]
    rows = []
    for item in typology(session):
        a, b = next((u, v) for u, v, d in graph.edges(data=True) if d["key"] == item.key)
        name = f"{graph.nodes[a]['name']} – {graph.nodes[b]['name']}"
        rows.append([item.key, clean(name), item.recorded_depth.replace("_", " "),
                     ", ".join(item.recorded_levels),
                     (item.evidence_depth or "–").replace("_", " "),
                     ", ".join(item.evidence_levels) or "–", "; ".join(item.flags) or "agree"])
    table = Table(["", "Partnership", "Recorded depth", "Recorded levels", "Described depth",
                   "Described levels", "Recorded and described"], rows,
                  caption="Partnerships as recorded and as participants describe them")
    if not len(graph):
        return table, None, letters
    target = folder / "network.png"
    draw_network(graph, [target], title="The programme's partnerships")
    return table, Figure("network", "Organisations by sector, linked by partnerships: line "
                         "width shows depth, dashes informal partnerships, letters the levels "
                         "they work at.", target.read_bytes()), letters


def _partnership_text(table: Table) -> list[str]:
    flagged = [row for row in table.rows if row[-1] != "agree"]
    return [f"{len(table.rows)} partnerships link the programme's organisations. For "
            f"{len(flagged)} of them, what participants say differs from the recorded "
            "depth or levels; the table lists where."]


def _framework_table(session: Session, clean) -> Table:  # type: ignore[no-untyped-def]
    return Table(["Theme / code", "Definition"],
                 [[code_path(c), clean(c.definition)] for c in framework_codes(session)],
                 caption="The coding framework")
