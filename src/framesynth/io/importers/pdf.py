"""PDF transcripts (pypdf): the text layer of every page, cleaned of page furniture.

See :func:`framesynth.io.importers.cleaning.clean_pages`: running headers and footers,
page numbers and margin line numbers are dropped and hard-wrapped lines joined.
"""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from framesynth.errors import CorruptFile
from framesynth.familiarise.sources import ImportedSource
from framesynth.io.importers.cleaning import clean_pages


def read(path: Path, data: bytes) -> ImportedSource:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise CorruptFile("the PDF is encrypted; save an unprotected copy", path=path)
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        reason = str(error).splitlines()[0][:80] if str(error) else error.__class__.__name__
        raise CorruptFile(f"not a readable PDF ({reason})", path=path) from None
    text = clean_pages([page for page in pages if page.strip()])
    return ImportedSource(path.name, "pdf", text, "", meta={"pages": len(pages)})
