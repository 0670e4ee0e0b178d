"""The three standard plots of a project, written together into a folder."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from framesynth.chart.matrix import build_matrix
from framesynth.interpret.network import draw_network, partnership_graph
from framesynth.interpret.plots import matrix_heatmap, prevalence_chart
from framesynth.interpret.prevalence import prevalence


def write_plots(session: Session, folder: Path, *, by: str = "sector") -> list[Path]:
    """The matrix heatmap, themes by group and the network map, each as PNG and SVG."""
    folder.mkdir(parents=True, exist_ok=True)
    targets = {name: [folder / f"{name}.png", folder / f"{name}.svg"]
               for name in ("heatmap", "prevalence", "network")}
    matrix_heatmap(build_matrix(session, rows="participant", group_by=by), targets["heatmap"],
                   title="Coded segments by participant and theme")
    prevalence_chart(prevalence(session, by=by, level="themes"), targets["prevalence"],
                     title=f"Themes by {by}")
    draw_network(partnership_graph(session), targets["network"],
                 title="The programme's partnerships")
    return [path for paths in targets.values() for path in paths]
