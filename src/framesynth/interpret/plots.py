"""Plots for people who would rather look than read: the matrix as a heatmap, and
prevalence by group. Each draws to any number of files (.png, .svg)."""

from __future__ import annotations

from pathlib import Path

from framesynth.chart.matrix import Matrix
from framesynth.errors import InvalidArgument
from framesynth.interpret.prevalence import Prevalence


def pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"  # SVG text stays text: searchable, readable
    import matplotlib.pyplot as plt

    return plt


def matrix_heatmap(matrix: Matrix, targets: list[Path], *, title: str) -> None:
    """Rows: cases (with their group), columns: themes; colour: coded segments."""
    import numpy as np

    if not matrix.rows or not matrix.columns:
        raise InvalidArgument(f"nothing to draw: the matrix of {matrix.title} is empty")
    plt = pyplot()
    data = np.array([[matrix.cell(r, c).count for c in matrix.columns] for r in matrix.rows])
    height = max(3.0, 0.32 * len(matrix.rows) + 1.8)
    figure, axes = plt.subplots(figsize=(1.1 * len(matrix.columns) + 4, height), dpi=110)
    image = axes.imshow(data, cmap="Blues", aspect="auto")
    axes.set_xticks(range(len(matrix.columns)),
                    labels=[c.name for c in matrix.columns], rotation=35, ha="right")
    axes.set_yticks(range(len(matrix.rows)),
                    labels=[f"{r.label} ({matrix.group(r)})" if matrix.group_by else r.label
                            for r in matrix.rows])
    for (i, j), value in np.ndenumerate(data):
        if value:
            axes.text(j, i, str(value), ha="center", va="center", fontsize=7,
                      color="white" if value > data.max() / 2 else "#1a202c")
    figure.colorbar(image, ax=axes, label="coded segments", shrink=0.6)
    axes.set_title(title, fontsize=12, loc="left")
    figure.tight_layout()
    for target in targets:
        figure.savefig(target, bbox_inches="tight")
    plt.close(figure)


def prevalence_chart(figures: list[Prevalence], targets: list[Path], *, title: str) -> None:
    """Grouped horizontal bars: share of cases mentioning each code, per group."""
    if not figures:
        raise InvalidArgument("nothing to draw: no prevalence figures")
    plt = pyplot()
    codes = list(dict.fromkeys(f.code for f in figures))
    groups = list(dict.fromkeys(f.group for f in figures))
    by = {(f.code, f.group): f for f in figures}
    height = 0.8 / max(len(groups), 1)
    figure, axes = plt.subplots(figsize=(9, 0.45 * len(codes) * max(len(groups), 2) / 2 + 1.5),
                                dpi=110)
    palette = ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b7791f", "#718096"]
    for n, group in enumerate(groups):
        size = next((f.size for f in figures if f.group == group), 0)
        shares = [100 * by[(code, group)].share for code in codes]
        axes.barh([i + n * height for i in range(len(codes))], shares, height=height,
                  color=palette[n % len(palette)], label=f"{group} (n={size})")
    axes.set_yticks([i + height * (len(groups) - 1) / 2 for i in range(len(codes))],
                    labels=[c.rsplit("/", 1)[-1] for c in codes])
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of cases mentioning it")
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    axes.set_title(title, fontsize=12, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    for target in targets:
        figure.savefig(target, bbox_inches="tight")
    plt.close(figure)
