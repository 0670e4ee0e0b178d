"""The report as a Word document (python-docx): real headings, styles, tables, figures."""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

from framesynth.interpret.quotes import Quote
from framesynth.interpret.report import CodeSection, Figure, Report, Table

ACCENT = RGBColor(0x2B, 0x6C, 0xB0)


def _figure(document, figure: Figure) -> None:  # type: ignore[no-untyped-def]
    document.add_picture(io.BytesIO(figure.png), width=Cm(16))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(figure.caption, style="Caption")


def _table(document, table: Table) -> None:  # type: ignore[no-untyped-def]
    if table.caption:
        document.add_paragraph(table.caption, style="Caption")
    grid = document.add_table(rows=1, cols=len(table.header))
    grid.style = "Light Grid Accent 1"
    for cell, text in zip(grid.rows[0].cells, table.header, strict=True):
        cell.text = text
    for row in table.rows:
        for cell, text in zip(grid.add_row().cells, row, strict=True):
            cell.text = str(text)
    for row in grid.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8.5)


def _organisations(document, report: Report) -> None:  # type: ignore[no-untyped-def]
    document.add_heading(report.organisations_title, level=1)
    for paragraph in report.partnerships:
        document.add_paragraph(paragraph)
    if report.network:
        _figure(document, report.network)
    if report.partnership_table:
        _table(document, report.partnership_table)
    if report.overview:
        _figure(document, report.overview)


def build_docx(report: Report):  # type: ignore[no-untyped-def]
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Georgia", Pt(11)
    document.core_properties.title = report.title
    document.core_properties.author = ", ".join(report.authors) or "framesynth"
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.subtitle, style="Subtitle")
    if report.authors:
        document.add_paragraph(", ".join(report.authors))
    for note in report.notes:
        document.add_paragraph(note, style="Intense Quote")
    sections = {"summary": _summary, "method": _method, "organisations": _organisations,
                "themes": _themes, "framework": _framework}
    for name in report.shown():
        sections[name](document, report)
    return document


def _summary(document, report: Report) -> None:  # type: ignore[no-untyped-def]
    document.add_heading("Summary", level=1)
    for paragraph in report.summary:
        document.add_paragraph(paragraph)
    if report.key_findings:
        document.add_heading("Key findings", level=2)
        for finding in report.key_findings:
            document.add_paragraph(finding, style="List Bullet")


def _method(document, report: Report) -> None:  # type: ignore[no-untyped-def]
    document.add_heading("How we did it", level=1)
    if report.glance:
        _table(document, Table(["At a glance", ""], [list(row) for row in report.glance]))
    for paragraph in report.method:
        document.add_paragraph(paragraph)


def _themes(document, report: Report) -> None:  # type: ignore[no-untyped-def]
    for theme in report.themes:
        document.add_heading(theme.title, level=1)
        if theme.definition:
            document.add_paragraph(theme.definition).runs[0].italic = True
        if theme.synthesis:
            document.add_heading("What we heard", level=2)
            for paragraph in theme.synthesis:
                document.add_paragraph(paragraph)
        _quotes(document, theme.quotes)
        for part in theme.parts:
            _code_section(document, part)
        if theme.table or theme.figure:
            document.add_heading("How widely it came up", level=2)
        if theme.figure:
            _figure(document, theme.figure)
        if theme.table:
            _table(document, theme.table)
        if theme.comparison:
            document.add_paragraph(theme.comparison)


def _framework(document, report: Report) -> None:  # type: ignore[no-untyped-def]
    document.add_heading("The framework", level=1)
    _table(document, report.framework)


def _quotes(document, quotes: list[Quote]) -> None:  # type: ignore[no-untyped-def]
    for quote in quotes:
        document.add_paragraph(f"\u201c{quote.text}\u201d", style="Quote")
        attribution = document.add_paragraph(quote.attribution)
        attribution.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        attribution.runs[0].font.color.rgb = ACCENT


def _code_section(document, part: CodeSection) -> None:  # type: ignore[no-untyped-def]
    document.add_heading(part.title, level=min(part.depth + 1, 9))
    if part.definition:
        document.add_paragraph(part.definition).runs[0].italic = True
    for paragraph in part.synthesis:
        document.add_paragraph(paragraph)
    _quotes(document, part.quotes)
    for sub in part.parts:
        _code_section(document, sub)


def write_docx(report: Report, target: str | Path | IO[bytes]) -> None:
    build_docx(report).save(target if not isinstance(target, Path) else str(target))
