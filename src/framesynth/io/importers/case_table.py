"""Read a cases table (CSV or XLSX) into :class:`CaseRow` s, and import it.

CSV: one header row, then a row per vocabulary, organisation, participant, partnership,
place, source or project (column ``type``). XLSX: every sheet is read the same way; a
sheet named after a type (``vocabularies``, ``organisations``, ``participants`` ...) may
leave out the ``type`` column. Header names are case-insensitive; cells are stripped;
empty cells are ignored.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from sqlalchemy.orm import Session

from framesynth.errors import CaseDataError, CorruptFile, EmptySource, UnsupportedFormat
from framesynth.familiarise.cases import ROW_TYPES, CaseImportSummary, CaseRow, apply_case_rows
from framesynth.io.archive import check_archive
from framesynth.io.importers.text_decoding import decode_text, read_bytes


def read_case_rows(path: str | Path) -> list[CaseRow]:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise UnsupportedFormat(f"a cases table must be .csv or .xlsx, not {suffix or 'no suffix'}",
                                path=path)
    data = read_bytes(path, what="the cases table")
    rows = _read_xlsx(path, data) if suffix == ".xlsx" else _read_csv(path, data)
    if not rows:
        raise EmptySource("the cases table has a header but no rows", path=path)
    return rows


def import_case_table(session: Session, path: str | Path, *, actor: str = "framesynth"
                      ) -> CaseImportSummary:
    """Read and apply a cases table in the caller's transaction."""
    return apply_case_rows(session, read_case_rows(path), path=str(path), actor=actor)


def _read_csv(path: Path, data: bytes) -> list[CaseRow]:
    text, _ = decode_text(data, path=str(path))
    try:
        table = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise CorruptFile(f"not a readable CSV file ({error})", path=path) from None
    return _rows(path, table, default_type=None, where="")


def _read_xlsx(path: Path, data: bytes) -> list[CaseRow]:
    from openpyxl import load_workbook

    try:
        check_archive(data, path=path)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        reason = "not a zip archive" if isinstance(error, zipfile.BadZipFile) else str(error)[:80]
        raise CorruptFile(f"not a readable Excel file ({reason})", path=path) from None
    rows: list[CaseRow] = []
    for sheet in book.worksheets:
        table = [["" if cell is None else _cell_text(cell) for cell in row]
                 for row in sheet.iter_rows(values_only=True)]
        rows += _rows(path, table, default_type=_sheet_type(sheet.title),
                      where=f"sheet {sheet.title!r}, ")
    book.close()
    return rows


def _sheet_type(title: str) -> str | None:
    """The row type a sheet's name means: ``vocabularies`` -> vocabulary, ``sources`` ..."""
    name = title.casefold().strip()
    name = name[:-3] + "y" if name.endswith("ies") else name.rstrip("s")
    return name if name in ROW_TYPES else None


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]  # type: ignore[union-attr]
    return str(value)


def _rows(path: Path, table: list[list[str]], *, default_type: str | None,
          where: str) -> list[CaseRow]:
    table = [row for row in table]
    if not table or not any(cell.strip() for cell in table[0]):
        return []
    header = [cell.strip().casefold() for cell in table[0]]
    if "type" not in header and default_type is None:
        raise CaseDataError("the header has no 'type' column", path=path, where=f"{where}row 1")
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=False)
                  if name and cell and cell.strip()}
        if not values:
            continue
        if default_type and not values.get("type"):
            values["type"] = default_type
        rows.append(CaseRow(number, values, where))
    return rows
