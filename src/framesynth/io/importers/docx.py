"""Word documents (python-docx): paragraphs, and two-column speaker tables, in order."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from framesynth.errors import CorruptFile
from framesynth.familiarise.sources import ImportedSource

HEADER_CELLS = {"speaker", "name", "who", "person"}


def read(path: Path, data: bytes) -> ImportedSource:
    """Paragraphs become blank-line separated blocks; a table row ``Speaker | words``
    becomes ``Speaker: words``."""
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise CorruptFile(f"not a readable Word file ({_reason(error)})", path=path) from None
    blocks = [block for item in document.iter_inner_content() for block in _blocks(item)]
    meta = {"title": document.core_properties.title or None,
            "author": document.core_properties.author or None}
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
        if len(cells) >= 2 and cells[0] and cells[-1]:
            rows.append(f"{cells[0]}: {cells[-1]}")
        elif any(cells):
            rows.append(" ".join(c for c in cells if c))
    return rows


def _reason(error: Exception) -> str:
    if isinstance(error, zipfile.BadZipFile):
        return "not a zip archive"
    return str(error).splitlines()[0][:80] or error.__class__.__name__
