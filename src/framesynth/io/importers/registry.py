"""Which reader handles which file suffix."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from framesynth.errors import EmptySource, UnsupportedFormat
from framesynth.familiarise.sources import ImportedSource
from framesynth.io.importers import docx, pdf, subtitles, txt
from framesynth.io.importers.text_decoding import read_bytes

Reader = Callable[[Path, bytes], ImportedSource]

READERS: dict[str, Reader] = {
    ".txt": txt.read,
    ".text": txt.read,
    ".md": txt.read,
    ".markdown": txt.read,
    ".docx": docx.read,
    ".pdf": pdf.read,
    ".vtt": subtitles.read,
    ".srt": subtitles.read,
}


def supported_suffixes() -> list[str]:
    return sorted(READERS)


def read_source(path: str | Path) -> ImportedSource:
    """Read one transcript file into an :class:`ImportedSource` (nothing is stored)."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        suffix = path.suffix or "(no suffix)"
        raise UnsupportedFormat(
            f"unsupported format {suffix}; use one of {', '.join(supported_suffixes())}",
            path=path,
        )
    data = read_bytes(path)
    imported = reader(path, data)
    if not imported.text.strip():
        raise EmptySource("the file holds no text", path=path)
    imported.checksum = hashlib.sha256(data).hexdigest()
    return imported
