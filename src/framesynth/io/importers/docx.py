"""Word documents (python-docx): paragraphs, and speaker tables, in order.

A table row ``Speaker | words`` becomes ``Speaker: words``; a row ``time | Speaker |
words`` (or ``Speaker | time | words``) becomes ``[time] Speaker: words``.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from framesynth.errors import CorruptFile
from framesynth.familiarise.sources import ImportedSource
from framesynth.io.archive import check_archive

HEADER_CELLS = {"speaker", "name", "who", "person", "time", "timestamp", "start", "zeit"}
TIME_CELL = re.compile(r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?")


def read(path: Path, data: bytes) -> ImportedSource:
    """Paragraphs become blank-line separated blocks; a table row ``Speaker | words``
    becomes ``Speaker: words``. The zip is checked (sizes, entities) before python-docx
    opens it."""
    try:
        check_archive(data, path=path)
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as error:
        raise CorruptFile(f"not a readable Word file ({_reason(error)})", path=path) from None
    items = list(document.iter_inner_content())
    blocks = [block for item in items for block in _blocks(item)]
    rows = sum(len(item.rows) for item in items if isinstance(item, Table))
    meta = {"title": document.core_properties.title or None,
            "author": document.core_properties.author or None, "table_rows": rows}
    text = "\n\n".join(blocks)
    return ImportedSource(path.name, "docx", text, "",
                          meta={k: v for k, v in meta.items() if v})


def _blocks(item: Paragraph | Table) -> list[str]:
    if isinstance(item, Paragraph):
        line = item.text.strip()
        return [line] if line else []
    rows = []
    for number, row in enumerate(item.rows):
        cells = [cell.text.strip() for cell in row.cells]
        if number == 0 and cells and cells[0].casefold() in HEADER_CELLS:
            continue
        timed = _timed_row(cells)
        if timed:
            rows.append(timed)
        elif len(cells) >= 2 and cells[0] and cells[-1]:
            rows.append(f"{cells[0]}: {cells[-1]}")
        elif any(cells):
            rows.append(" ".join(c for c in cells if c))
    return rows


def _timed_row(cells: list[str]) -> str | None:
    """``[time] Speaker: words`` from a three-column row with a time cell, else None."""
    if len(cells) != 3 or not cells[2]:
        return None
    for time, speaker in ((cells[0], cells[1]), (cells[1], cells[0])):
        if TIME_CELL.fullmatch(time) and speaker:
            return f"[{time.strip('[]()')}] {speaker}: {cells[2]}"
    return None


def _reason(error: Exception) -> str:
    if isinstance(error, zipfile.BadZipFile):
        return "not a zip archive"
    return str(error).splitlines()[0][:80] or error.__class__.__name__
