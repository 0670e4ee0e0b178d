"""The framework matrix as XLSX (openpyxl) and CSV.

XLSX: one sheet per matrix (one per theme, as the Framework method charts); each row a
case with its group, each code a column holding the analyst's summary (marked *draft*
until accepted) and then the quotes behind it with source and offsets. Headers and the
case columns are frozen, text wraps, columns are wide enough to read. CSV: one row per
case and column, long format.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO

from framesynth.chart.matrix import Cell, Matrix

QUOTES_PER_CELL = 5


def cell_text(cell: Cell) -> str:
    parts = []
    if cell.summary:
        parts.append(("[draft] " if cell.status == "draft" else "") + cell.summary)
    quotes = [f"\u2022 \u201c{' '.join(s.text.split())}\u201d ({s.source} {s.start}-{s.end})"
              for s in cell.segments[:QUOTES_PER_CELL]]
    if len(cell.segments) > QUOTES_PER_CELL:
        quotes.append(f"\u2026 and {len(cell.segments) - QUOTES_PER_CELL} more")
    if quotes:
        parts.append("\n".join(quotes))
    return "\n\n".join(parts)


def write_xlsx(matrices: list[Matrix], target: str | Path | IO[bytes]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for matrix in matrices:
        name = _sheet_name(matrix.title.rsplit("of ", 1)[-1], used)
        sheet = book.create_sheet(name)
        group = (matrix.group_by or "group").capitalize()
        sheet.append([group, "Case", *[f"{c.name} ({sum(matrix.cell(r, c).count for r in matrix.rows)})"
                                        for c in matrix.columns]])
        for row in matrix.rows:
            sheet.append([matrix.group(row), row.label,
                          *[cell_text(matrix.cell(row, column)) for column in matrix.columns]])
        header_fill = PatternFill("solid", fgColor="DCE7F3")
        for cell in sheet[1]:
            cell.font, cell.fill = Font(bold=True), header_fill
        for line in sheet.iter_rows(min_row=1):
            for cell in line:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions["A"].width = 16
        sheet.column_dimensions["B"].width = 24
        for index in range(3, len(matrix.columns) + 3):
            sheet.column_dimensions[get_column_letter(index)].width = 55
        sheet.freeze_panes = "C2"
    book.save(target if not isinstance(target, Path) else str(target))


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "Matrix"
    name, number = base, 1
    while name in used:
        number += 1
        name = f"{base[:25]} {number}"
    used.add(name)
    return name


def write_csv(matrix: Matrix, target: IO[str]) -> None:
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(["group", "case", "column", "segments", "status", "summary"])
    for row in matrix.rows:
        for column in matrix.columns:
            cell = matrix.cell(row, column)
            writer.writerow([matrix.group(row), row.label, column.name, cell.count,
                             cell.status or "", cell.summary])
