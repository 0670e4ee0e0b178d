"""PDF transcripts (pypdf): the text layer of every page, pages separated by a blank line."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from framesynth.errors import CorruptFile
from framesynth.familiarise.sources import ImportedSource


def read(path: Path, data: bytes) -> ImportedSource:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise CorruptFile("the PDF is encrypted; save an unprotected copy", path=path)
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        reason = str(error).splitlines()[0][:80] if str(error) else error.__class__.__name__
        raise CorruptFile(f"not a readable PDF ({reason})", path=path) from None
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    return ImportedSource(path.name, "pdf", text, "", meta={"pages": len(pages)})
