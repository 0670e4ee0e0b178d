"""Plain text and Markdown transcripts."""

from __future__ import annotations

from pathlib import Path

from framesynth.familiarise.sources import ImportedSource
from framesynth.io.importers.text_decoding import decode_text


def read(path: Path, data: bytes) -> ImportedSource:
    text, encoding = decode_text(data, path=str(path))
    fmt = "md" if path.suffix.lower() in {".md", ".markdown"} else "txt"
    return ImportedSource(path.name, fmt, text, "", meta={"encoding": encoding})
