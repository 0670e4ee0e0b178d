"""The report as Markdown, its figures written as PNG files in a folder beside it."""

from __future__ import annotations

from pathlib import Path

from framesynth.interpret.quotes import Quote
from framesynth.interpret.report import CodeSection, Figure, Report, Table


def _table(table: Table) -> list[str]:
    cells = lambda row: "| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |"  # noqa: E731
    lines = [f"*{table.caption}*", ""] if table.caption else []
    lines += [cells(table.header), "|" + "---|" * len(table.header)]
    return lines + [cells(row) for row in table.rows] + [""]


def _image(figure: Figure, folder: str) -> str:
    return f"![{figure.caption}]({folder}/{figure.key}.png)\n"


def _organisations(report: Report, figures_folder: str) -> list[str]:
    lines = [f"## {report.organisations_title}", ""] + [p + "\n" for p in report.partnerships]
    if report.network:
        lines += [_image(report.network, figures_folder)]
    if report.partnership_table:
        lines += _table(report.partnership_table)
    if report.overview:
        lines += [_image(report.overview, figures_folder)]
    return lines


def render_markdown(report: Report, figures_folder: str) -> list[str]:
    lines = [f"# {report.title}", "", f"*{report.subtitle}*", ""]
    if report.authors:
        lines += [", ".join(report.authors), ""]
    lines += [f"> **{note}**" for note in report.notes]
    sections = {"summary": _summary, "method": _method,
                "organisations": lambda r: _organisations(r, figures_folder),
                "themes": lambda r: _themes(r, figures_folder), "framework": _framework}
    for name in report.shown():
        lines += sections[name](report)
    return lines


def _summary(report: Report) -> list[str]:
    lines = ["## Summary", ""] + [p + "\n" for p in report.summary]
    if report.key_findings:
        lines += ["### Key findings", ""] + [f"- {finding}" for finding in report.key_findings]
        lines += [""]
    return lines


def _method(report: Report) -> list[str]:
    lines = ["## How we did it", ""]
    if report.glance:
        lines += _table(Table(["At a glance", ""], [list(row) for row in report.glance]))
    return lines + [p + "\n" for p in report.method]


def _themes(report: Report, figures_folder: str) -> list[str]:
    lines: list[str] = []
    for theme in report.themes:
        lines += [f"## {theme.title}", ""]
        if theme.definition:
            lines += [f"*{theme.definition}*", ""]
        if theme.synthesis:
            lines += ["### What we heard", ""] + [p + "\n" for p in theme.synthesis]
        lines += _quotes(theme.quotes)
        for part in theme.parts:
            lines += _code_section(part)
        if theme.table or theme.figure:
            lines += ["### How widely it came up", ""]
        if theme.figure:
            lines += [_image(theme.figure, figures_folder)]
        if theme.table:
            lines += _table(theme.table)
        if theme.comparison:
            lines += [theme.comparison, ""]
    return lines


def _framework(report: Report) -> list[str]:
    return ["## The framework", ""] + _table(report.framework)


def _quotes(quotes: list[Quote]) -> list[str]:
    return [line for quote in quotes
            for line in (f"> \u201c{quote.text}\u201d", ">", f"> {quote.attribution}", "")]


def _code_section(part: CodeSection) -> list[str]:
    lines = [f"{'#' * min(part.depth + 2, 6)} {part.title}", ""]
    if part.definition:
        lines += [f"*{part.definition}*", ""]
    lines += [p + "\n" for p in part.synthesis] + _quotes(part.quotes)
    for sub in part.parts:
        lines += _code_section(sub)
    return lines


def write_markdown(report: Report, target: str | Path) -> Path:
    """Write ``target`` (.md) and its figures into ``<target stem>_files/``."""
    target = Path(target)
    folder = target.with_name(f"{target.stem}_files")
    folder.mkdir(parents=True, exist_ok=True)
    for figure in report.figures():
        (folder / f"{figure.key}.png").write_bytes(figure.png)
    target.write_text("\n".join(render_markdown(report, folder.name)), encoding="utf-8")
    return folder
