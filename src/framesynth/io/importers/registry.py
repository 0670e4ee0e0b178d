"""Which reader handles which file suffix."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from framesynth.errors import CorruptFile, EmptySource, UnsupportedFormat
from framesynth.familiarise.sources import ImportedSource
from framesynth.io.importers import docx, pdf, subtitles, txt

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
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CorruptFile(f"cannot read the file ({error.strerror})", path=path) from None
    if not data.strip():
        raise EmptySource("the file is empty", path=path)
    imported = reader(path, data)
    if not imported.text.strip():
        raise EmptySource("the file holds no text", path=path)
    imported.checksum = hashlib.sha256(data).hexdigest()
    return imported
