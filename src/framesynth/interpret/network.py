"""The programme as a network: organisations (by sector) linked by partnerships (by
depth, formality and level), built with networkx and drawn with matplotlib."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.interpret.plots import pyplot
from framesynth.store.models import DEPTHS, Organisation, Partnership

SECTOR_COLOURS = {"community": "#2f855a", "voluntary": "#2b6cb0", "statutory": "#c05621",
                  "funder": "#6b46c1"}
DEPTH_WIDTHS = {"on_paper": 1.0, "shallow": 2.0, "working": 3.8, "deep": 6.0}
LEVEL_LETTERS = {"delivery": "D", "management": "M", "strategic": "S"}


def partnership_graph(session: Session) -> nx.Graph:
    graph = nx.Graph()
    for org in session.scalars(select(Organisation)):
        graph.add_node(org.key, name=org.name, sector=org.sector)
    for link in session.scalars(select(Partnership)):
        graph.add_edge(link.organisation_a.key, link.organisation_b.key, key=link.key,
                       name=link.name, depth=link.depth, formality=link.formality,
                       levels=link.levels)
    return graph


def draw_network(graph: nx.Graph, targets: list[Path], *, title: str = "Partnerships") -> None:
    """Draw the network to each target (.svg, .png) with a legend people can read."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    plt = pyplot()
    figure, axes = plt.subplots(figsize=(11, 7.5), dpi=110)
    positions = nx.kamada_kawai_layout(graph) if len(graph) > 2 else nx.circular_layout(graph)
    for u, v, data in graph.edges(data=True):
        nx.draw_networkx_edges(graph, positions, edgelist=[(u, v)], ax=axes,
                               width=DEPTH_WIDTHS[data["depth"]], edge_color="#4a5568",
                               style="solid" if data["formality"] == "formal" else "dashed",
                               alpha=0.8)
    labels = {(u, v): "/".join(LEVEL_LETTERS[level] for level in d["levels"])
              for u, v, d in graph.edges(data=True)}
    nx.draw_networkx_edge_labels(graph, positions, edge_labels=labels, ax=axes, font_size=8,
                                 bbox={"boxstyle": "round", "fc": "white", "ec": "none"})
    colours = [SECTOR_COLOURS.get(graph.nodes[n]["sector"], "#718096") for n in graph]
    nx.draw_networkx_nodes(graph, positions, node_color=colours, node_size=900, ax=axes,
                           edgecolors="white", linewidths=2)
    names = {n: _wrap(graph.nodes[n]["name"]) for n in graph}
    nx.draw_networkx_labels(graph, {n: (x, y - 0.11) for n, (x, y) in positions.items()},
                            labels=names, font_size=8.5, ax=axes)
    legend: list[Patch | Line2D] = [Patch(color=c, label=f"{s} sector" if s != "funder"
                                          else "funder")
              for s, c in SECTOR_COLOURS.items()]
    legend += [Line2D([], [], color="#4a5568", lw=DEPTH_WIDTHS[d], label=d.replace("_", " "))
               for d in DEPTHS]
    legend += [Line2D([], [], color="#4a5568", lw=2, label="formal"),
               Line2D([], [], color="#4a5568", lw=2, ls="--", label="informal")]
    axes.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                title="Sector · depth · formality\nlevels: D delivery, M management, "
                      "S strategic", fontsize=9, title_fontsize=9)
    axes.set_title(title, fontsize=13, loc="left")
    axes.axis("off")
    axes.margins(0.15)
    figure.tight_layout()
    for target in targets:
        figure.savefig(target, bbox_inches="tight")
    plt.close(figure)


def _wrap(name: str, width: int = 18) -> str:
    words, lines, line = name.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])
