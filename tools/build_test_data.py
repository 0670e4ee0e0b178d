"""Write the small binary test files in tests/data from the text ones there.

    .venv/bin/python tools/build_test_data.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from openpyxl import Workbook  # noqa: E402
from transcript_writers import write_docx, write_pdf, write_srt, write_vtt  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def build() -> None:
    text = (DATA / "interview.txt").read_text(encoding="utf-8")
    write_docx(text, DATA / "interview.docx")
    write_docx(text, DATA / "interview_table.docx", as_table=True)
    write_pdf(text, DATA / "interview.pdf")
    write_vtt(text, DATA / "interview.vtt")
    write_srt(text, DATA / "interview.srt")
    write_cases_xlsx(DATA / "cases.csv", DATA / "cases.xlsx")


def write_cases_xlsx(csv_path: Path, target: Path) -> None:
    """The same cases as the CSV, one sheet per type, without the type column."""
    import csv

    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    book = Workbook()
    book.remove(book.active)
    for row_type in ("organisation", "participant", "partnership", "place", "source"):
        mine = [row for row in rows if row["type"] == row_type]
        columns = [c for c in rows[0] if c != "type" and any(r[c] for r in mine)]
        sheet = book.create_sheet(f"{row_type}s")
        sheet.append(columns)
        for row in mine:
            sheet.append([_typed(row[c]) for c in columns])
    book.save(target)


def _typed(value: str) -> object:
    return int(value) if value.isdigit() else value


if __name__ == "__main__":
    build()
