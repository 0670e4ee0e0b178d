"""The programme as a network: organisations (by sector) linked by partnerships (by
depth, formality and level), built with networkx and drawn with matplotlib.

Everything about the study's words comes from its vocabularies: a partnership's line is
wider the further along the ordered ``depth`` scale it sits, its dash pattern follows the
position of its ``formality`` term, and the legend uses the terms' labels. The graph
carries that legend in ``graph.graph["legend"]`` so other views (the web map) draw the
same thing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.familiarise.vocabulary import (
    in_order,
    scale_fraction,
    term_label,
    term_position,
    terms,
)
from framesynth.interpret.plots import pyplot
from framesynth.store.models import Organisation, Partnership

SECTOR_COLOURS = {"community": "#2f855a", "voluntary": "#2b6cb0", "statutory": "#c05621",
                  "funder": "#6b46c1"}
PALETTE = ("#2f855a", "#2b6cb0", "#c05621", "#6b46c1", "#b7791f", "#2c7a7b", "#9b2c2c",
           "#553c9a", "#718096")
OTHER_COLOUR = "#718096"
THINNEST, THICKEST = 1.0, 6.0
DASHES: tuple[tuple[str, str], ...] = (("solid", ""), ("dashed", "8 6"), ("dotted", "2 4"),
                                       ("dashdot", "8 4 2 4"))


def depth_width(session: Session, depth: str) -> float:
    """Line width for a depth term: by its position on the ordered depth scale."""
    fraction = scale_fraction(session, "depth", depth)
    middle = (THINNEST + THICKEST) / 2
    return middle if fraction is None else round(THINNEST + (THICKEST - THINNEST) * fraction, 2)


def sector_colours(session: Session, sectors: list[str]) -> dict[str, str]:
    """A colour per sector term: the template's colours, then a palette in term order."""
    ordered = in_order(session, "sector", [*terms(session, "sector"), *sectors])
    free = [c for c in PALETTE if c not in {SECTOR_COLOURS.get(s) for s in ordered}]
    colours = {}
    for sector in ordered:
        colours[sector] = SECTOR_COLOURS.get(sector) or (free.pop(0) if free else OTHER_COLOUR)
    return colours


def legend(session: Session, sectors: list[str]) -> dict[str, list[dict[str, Any]]]:
    """What the map's colours, widths, dashes and letters mean, in the vocabularies' order."""
    letters = _level_letters(session)
    return {
        "sectors": [{"term": s, "label": term_label(session, "sector", s), "colour": c}
                    for s, c in sector_colours(session, sectors).items() if s in sectors],
        "depths": [{"term": d, "label": term_label(session, "depth", d),
                    "width": depth_width(session, d)} for d in terms(session, "depth")],
        "formalities": [{"term": f, "label": term_label(session, "formality", f),
                         "style": _dash(session, f)[0], "dash": _dash(session, f)[1]}
                        for f in terms(session, "formality")],
        "levels": [{"term": level, "label": term_label(session, "level", level),
                    "letter": letters[level]} for level in terms(session, "level")],
    }


def partnership_graph(session: Session) -> nx.Graph:
    graph = nx.Graph()
    for org in session.scalars(select(Organisation).order_by(Organisation.id)):
        graph.add_node(org.key, name=org.name, sector=org.sector)
    letters = _level_letters(session)
    for link in session.scalars(select(Partnership).order_by(Partnership.id)):
        levels = in_order(session, "level", link.levels)
        style, dash = _dash(session, link.formality)
        graph.add_edge(link.organisation_a.key, link.organisation_b.key, key=link.key,
                       name=link.name, depth=link.depth, formality=link.formality,
                       levels=levels, width=depth_width(session, link.depth), style=style,
                       dash=dash, letters="/".join(letters.get(lv, lv[:1].upper())
                                                   for lv in levels))
    sectors = sorted({d["sector"] for _, d in graph.nodes(data=True)})
    colours = sector_colours(session, sectors)
    for _, data in graph.nodes(data=True):
        data["colour"] = colours.get(data["sector"], OTHER_COLOUR)
    graph.graph["legend"] = legend(session, sectors)
    return graph


def draw_network(graph: nx.Graph, targets: list[Path], *, title: str = "Partnerships") -> None:
    """Draw the network to each target (.svg, .png) with a legend people can read."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(11, 7.5), dpi=110)
    positions = nx.kamada_kawai_layout(graph) if len(graph) > 2 else nx.circular_layout(graph)
    for u, v, data in graph.edges(data=True):
        nx.draw_networkx_edges(graph, positions, edgelist=[(u, v)], ax=axes,
                               width=data["width"], edge_color="#4a5568", style=data["style"],
                               alpha=0.8)
    labels = {(u, v): d["letters"] for u, v, d in graph.edges(data=True)}
    nx.draw_networkx_edge_labels(graph, positions, edge_labels=labels, ax=axes, font_size=8,
                                 bbox={"boxstyle": "round", "fc": "white", "ec": "none"})
    nx.draw_networkx_nodes(graph, positions, node_color=[graph.nodes[n]["colour"] for n in graph],
                           node_size=900, ax=axes, edgecolors="white", linewidths=2)
    names = {n: _wrap(graph.nodes[n]["name"]) for n in graph}
    nx.draw_networkx_labels(graph, {n: (x, y - 0.11) for n, (x, y) in positions.items()},
                            labels=names, font_size=8.5, ax=axes)
    key = graph.graph.get("legend") or {}
    letters = ", ".join(f"{lv['letter']} {lv['label'].lower()}" for lv in key.get("levels", []))
    axes.legend(handles=_legend_handles(key), loc="upper left", bbox_to_anchor=(1.0, 1.0),
                frameon=False, title="Sector · depth · formality"
                + (f"\nlevels: {letters}" if letters else ""), fontsize=9, title_fontsize=9)
    axes.set_title(title, fontsize=13, loc="left")
    axes.axis("off")
    axes.margins(0.15)
    figure.tight_layout()
    for target in targets:
        figure.savefig(target, bbox_inches="tight")
    plt.close(figure)


def _legend_handles(key: dict[str, list[dict[str, Any]]]) -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [Patch(color=s["colour"], label=_sector_words(s))
                          for s in key.get("sectors", [])]
    handles += [Line2D([], [], color="#4a5568", lw=d["width"], label=d["label"].lower())
                for d in key.get("depths", [])]
    handles += [Line2D([], [], color="#4a5568", lw=2, ls=f["style"], label=f["label"].lower())
                for f in key.get("formalities", [])]
    return handles


def _sector_words(sector: dict[str, Any]) -> str:
    """``statutory sector`` for the template's sectors (``funder`` stays), else the label."""
    if sector["term"] in SECTOR_COLOURS and sector["term"] != "funder":
        return f"{sector['term']} sector"
    return str(sector["label"])


def _dash(session: Session, formality: str) -> tuple[str, str]:
    position = term_position(session, "formality", formality)
    return DASHES[min(position, len(DASHES) - 1)] if position is not None else DASHES[0]


def _level_letters(session: Session) -> dict[str, str]:
    """A short, distinct mark per level term: its label's first letter (or more)."""
    letters: dict[str, str] = {}
    for level in terms(session, "level"):
        label = term_label(session, "level", level)
        size = 1
        while label[:size].upper() in letters.values() and size < len(label):
            size += 1
        letters[level] = label[:size].upper()
    return letters


def _wrap(name: str, width: int = 18) -> str:
    words, lines, line = name.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])
