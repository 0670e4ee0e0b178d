"""OpenDocument text (odfpy), as LibreOffice writes it: headings, paragraphs, list items
and table rows in document order; a row ``Speaker | words`` becomes ``Speaker: words``."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError
from xml.sax import SAXException

from odf import teletype
from odf.opendocument import load

from framesynth.errors import CorruptFile
from framesynth.familiarise.sources import ImportedSource
from framesynth.io.archive import check_archive

PARAGRAPHS = {"p", "h"}


def read(path: Path, data: bytes) -> ImportedSource:
    """Headings, paragraphs, list items and table rows; the zip is checked (sizes,
    entities) before odfpy opens it."""
    try:
        check_archive(data, path=path)
        document = load(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ExpatError, SAXException, ValueError) as error:
        reason = "not a zip archive" if isinstance(error, zipfile.BadZipFile) else str(error)
        raise CorruptFile(f"not a readable OpenDocument file ({reason[:80]})", path=path
                          ) from None
    blocks = [block for node in document.text.childNodes for block in _blocks(node)]
    return ImportedSource(path.name, "odt", "\n\n".join(blocks), "")


def _blocks(node: Any) -> list[str]:
    """The text blocks in ``node``: itself if a paragraph, its rows if a table."""
    name = getattr(node, "tagName", "").partition(":")[2]
    if name in PARAGRAPHS:
        line = " ".join(teletype.extractText(node).split())
        return [line] if line else []
    if name == "table-row":
        cells = [" ".join(teletype.extractText(cell).split()) for cell in node.childNodes
                 if getattr(cell, "tagName", "") == "table:table-cell"]
        return [f"{cells[0]}: {cells[-1]}" if len(cells) >= 2 and cells[0] and cells[-1]
                else " ".join(c for c in cells if c)] if any(cells) else []
    return [block for child in getattr(node, "childNodes", []) for block in _blocks(child)]
