"""The standard plots of a project, written together into a folder, and the grouped
participant matrix they (and the report) share.

Only what the project has is drawn: the heatmap when there are participants, prevalence
when there is a framework, the network map when organisations are linked by
partnerships.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from framesynth.chart.matrix import Matrix, build_matrix
from framesynth.interpret.network import draw_network, partnership_graph
from framesynth.interpret.plots import matrix_heatmap, prevalence_chart
from framesynth.interpret.prevalence import case_groups, default_group_by, grouping, prevalence

NETWORK_TITLE = "Partnerships between organisations"


def grouped_matrix(session: Session, by: str | None) -> Matrix:
    """Participants by themes, rows grouped by ``by``: any attribute prevalence groups by
    (a participant's or a source's), or None for no grouping."""
    matrix = build_matrix(session, rows="participant")
    key = grouping(by)
    if key is None:
        return matrix
    groups = case_groups(session, "participant", key)
    for row in matrix.rows:
        row.attributes[key] = ", ".join(groups.get(row.case_id, ["(none)"]))
    matrix.group_by = key
    matrix.rows.sort(key=lambda r: (r.attributes[key], r.label))
    return matrix


def plot_grouping(session: Session, by: str | None) -> str | None:
    """The attribute plots group by: ``by`` (``"none"`` for no grouping), or the
    project's default (:func:`~framesynth.interpret.prevalence.default_group_by`)."""
    return default_group_by(session) if by is None else grouping(by)


def write_plots(session: Session, folder: Path, *, by: str | None = None) -> list[Path]:
    """The matrix heatmap, themes by group and the network map, each as PNG and SVG;
    returns the files written (a plot with nothing to show is left out)."""
    key = plot_grouping(session, by)
    folder.mkdir(parents=True, exist_ok=True)
    targets = {name: [folder / f"{name}.png", folder / f"{name}.svg"]
               for name in ("heatmap", "prevalence", "network")}
    written: list[Path] = []
    matrix = grouped_matrix(session, key)
    if matrix.rows:
        matrix_heatmap(matrix, targets["heatmap"], title="Coded segments by participant and theme")
        written += targets["heatmap"]
    figures = prevalence(session, by=key, level="themes")
    if figures:
        prevalence_chart(figures, targets["prevalence"],
                         title=f"Themes by {key}" if key else "Themes: participants mentioning each")
        written += targets["prevalence"]
    graph = partnership_graph(session)
    if graph.number_of_edges():
        draw_network(graph, targets["network"], title=NETWORK_TITLE)
        written += targets["network"]
    return written
