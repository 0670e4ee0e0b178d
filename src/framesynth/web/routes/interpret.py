"""Interpretation views (prevalence, co-occurrence, the interactive network map) and the
report: its settings (the team's report file), a live preview and downloads in HTML,
DOCX, PDF, Markdown and XLSX."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Annotated
from urllib.parse import quote

import networkx as nx
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from framesynth.chart.matrix import theme_matrices
from framesynth.embeddings import get_embedder
from framesynth.errors import FramesynthError, NotFound
from framesynth.frame.framework import framework_codes
from framesynth.interpret.audit import (
    known_identifiers,
    project_language,
    unknown_words,
)
from framesynth.interpret.cooccurrence import cooccurrence
from framesynth.interpret.network import partnership_graph
from framesynth.interpret.prevalence import PrevalenceTable, default_group_by, prevalence
from framesynth.interpret.report import build_report
from framesynth.interpret.report_settings import (
    ANALYSES,
    DEFAULT_SUBTITLE,
    SECTIONS,
    ReportSettings,
    read_settings,
    save_settings,
    settings_path,
)
from framesynth.io.exporters.html import render_html
from framesynth.io.exporters.matrix import write_xlsx
from framesynth.io.exporters.report_files import DOWNLOADS, report_bytes
from framesynth.web.deps import CoderDep, IdentityDep, SessionDep, render

router = APIRouter(tags=["interpret"])


def network_svg(graph: nx.Graph) -> dict[str, object]:
    """Positions and styles for the interactive SVG map."""
    positions = nx.kamada_kawai_layout(graph) if len(graph) > 2 else nx.circular_layout(graph)
    scale = lambda x, y: (round(60 + (x + 1) * 340, 1), round(40 + (y + 1) * 230, 1))  # noqa: E731
    nodes = [{"key": n, "name": d["name"], "sector": d["sector"], "colour": d["colour"],
              "xy": scale(*positions[n])} for n, d in graph.nodes(data=True)]
    edges = [{"a": scale(*positions[u]), "b": scale(*positions[v]), "name": d["name"],
              "depth": d["depth"], "formality": d["formality"], "levels": d["levels"],
              "width": d["width"], "dash": d["dash"]} for u, v, d in graph.edges(data=True)]
    return {"nodes": nodes, "edges": edges, "legend": graph.graph["legend"]}


@router.get("/interpret")
def interpret_page(request: Request, session: SessionDep, who: IdentityDep,
                   by: str = ""):  # type: ignore[no-untyped-def]
    by = by or default_group_by(session) or "none"
    table = PrevalenceTable.of(prevalence(session, by=by, level="themes"))
    pairs = cooccurrence(session).pairs[:15]
    return render(request, "interpret.html", who, by=by, table=table, pairs=pairs,
                  network=network_svg(partnership_graph(session)))


@router.get("/report")
def report_page(request: Request, session: SessionDep, who: IdentityDep,
                message: str = ""):  # type: ignore[no-untyped-def]
    """The report page: the team's report settings (a form over their report file), the
    capitalised words of the quotes that the cases table does not know (possible names
    to add before publishing) and a preview."""
    unknowns, problem, chosen = [], "", ReportSettings()
    codes = framework_codes(session)
    try:
        chosen = read_settings(request.app.state.settings.project)
        if codes:
            report = _report(request, session)
            unknowns = unknown_words([quote.text for quote in report.quotes()],
                                     known_identifiers(session),
                                     language=project_language(session))
    except FramesynthError as error:
        problem = str(error)
    themes = [c for c in codes if c.parent_id is None]
    return render(request, "report.html", who, unknowns=unknowns, message=message,
                  problem=problem, chosen=chosen, sections=_rows(chosen.sections, SECTIONS),
                  themes=themes, theme_rows=_rows(chosen.themes or [t.name for t in themes],
                                                  [t.name for t in themes]),
                  analyses=ANALYSES, file=settings_path(request.app.state.settings.project).name)


def _rows(chosen: Sequence[str], every: Sequence[str]) -> list[tuple[str, bool]]:
    """(name, shown) for each of ``every``: the chosen ones first, in their order."""
    return [(name, True) for name in chosen] + [(name, False) for name in every
                                                if name not in chosen]


TextForm = Annotated[str, Form()]
ListForm = Annotated[list[str], Form()]


@router.post("/report/settings")
def save_report_settings(request: Request, session: SessionDep, who: CoderDep,  # type: ignore[no-untyped-def]
                         title: TextForm = "", subtitle: TextForm = DEFAULT_SUBTITLE,
                         authors: TextForm = "", date: TextForm = "", summary: TextForm = "",
                         key_findings: TextForm = "", method: TextForm = "",
                         quotes: Annotated[int, Form()] = 2, group_by: TextForm = "",
                         names: TextForm = "role", section_row: ListForm = [],  # noqa: B006
                         section_position: ListForm = [],  # noqa: B006
                         section: ListForm = [], theme_row: ListForm = [],  # noqa: B006
                         theme_position: ListForm = [], theme: ListForm = [],  # noqa: B006
                         analysis: ListForm = []):  # noqa: B006
    """Save the report settings form as the project's report file."""
    themes = _ordered(theme_row, theme_position, theme)
    values = {"title": title.strip() or None, "subtitle": subtitle.strip(),
              "authors": _lines(authors), "date": date or None, "summary": summary,
              "key_findings": _lines(key_findings), "method": method.strip() or None,
              "quotes": quotes, "group_by": group_by.strip() or None, "names": names,
              "sections": _ordered(section_row, section_position, section),
              "themes": [] if themes == theme_row else themes, "analyses": analysis}
    try:
        save_settings(session, request.app.state.settings.project, values, actor=who.name)
    except FramesynthError as error:
        return RedirectResponse(f"/report?message={quote(str(error))}", status_code=303)
    return RedirectResponse(f"/report?message={quote('Saved the report settings.')}",
                            status_code=303)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _ordered(rows: list[str], positions: list[str], shown: list[str]) -> list[str]:
    """The shown rows, in the order their position numbers give (ties: as listed)."""
    def place(n: int) -> float:
        try:
            return float(positions[n])
        except (IndexError, ValueError):
            return float(n + 1)
    order = sorted(range(len(rows)), key=lambda n: (place(n), n))
    return [rows[n] for n in order if rows[n] in shown]


def _report(request: Request, session):  # type: ignore[no-untyped-def]
    project = request.app.state.settings.project
    return build_report(session, embedder=get_embedder(request.app.state.settings.embedder),
                        actor="web", settings=read_settings(project))


@router.get("/report/preview", response_class=HTMLResponse)
def report_preview(request: Request, session: SessionDep, who: IdentityDep) -> str:
    return render_html(_report(request, session))


@router.get("/download/{name}")
def download(request: Request, name: str, session: SessionDep, who: IdentityDep) -> Response:
    if name in DOWNLOADS:
        data = report_bytes(_report(request, session), name, known_identifiers(session))
        return Response(data, media_type=DOWNLOADS[name][0], headers=_attachment(name))
    if name == "matrix.xlsx":
        buffer = io.BytesIO()
        write_xlsx(theme_matrices(session, group_by=default_group_by(session)), buffer)
        return Response(buffer.getvalue(), headers=_attachment(name), media_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    raise NotFound(f"no download {name!r}")


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}
