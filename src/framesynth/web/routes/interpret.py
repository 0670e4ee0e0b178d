"""Interpretation views (prevalence, co-occurrence, the interactive network map) and the
report: a live preview and downloads in HTML, DOCX, PDF, Markdown and XLSX."""

from __future__ import annotations

import io

import networkx as nx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from framesynth.chart.matrix import theme_matrices
from framesynth.embeddings import get_embedder
from framesynth.errors import NotFound
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
from framesynth.io.exporters.html import render_html
from framesynth.io.exporters.matrix import write_xlsx
from framesynth.io.exporters.report_files import DOWNLOADS, report_bytes
from framesynth.web.deps import IdentityDep, SessionDep, render

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
def report_page(request: Request, session: SessionDep, who: IdentityDep):  # type: ignore[no-untyped-def]
    """The report page, with the capitalised words of its quotes that the cases table
    does not know (possible names to add before publishing)."""
    unknowns = []
    codes = framework_codes(session)
    if codes:
        report = _report(request, session)
        quotes = [quote.text for quote in report.quotes()]
        unknowns = unknown_words(quotes, known_identifiers(session),
                                 language=project_language(session))
    return render(request, "report.html", who, unknowns=unknowns,
                  themes=[c for c in codes if c.parent_id is None])


def _report(request: Request, session):  # type: ignore[no-untyped-def]
    return build_report(session, embedder=get_embedder(request.app.state.settings.embedder),
                        actor="web")


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
