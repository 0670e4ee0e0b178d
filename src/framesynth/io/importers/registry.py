"""Which reader handles which file suffix."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from framesynth.errors import EmptySource, UnsupportedFormat
from framesynth.familiarise.sources import ImportedSource
from framesynth.familiarise.speakers import compile_speaker_pattern, detect_layout
from framesynth.io.importers import docx, odt, pdf, rtf, subtitles, txt
from framesynth.io.importers.cleaning import clean_text, merge_repeated_speakers
from framesynth.io.importers.text_decoding import read_bytes

Reader = Callable[[Path, bytes], ImportedSource]

READERS: dict[str, Reader] = {
    ".txt": txt.read,
    ".text": txt.read,
    ".md": txt.read,
    ".markdown": txt.read,
    ".docx": docx.read,
    ".pdf": pdf.read,
    ".rtf": rtf.read,
    ".odt": odt.read,
    ".vtt": subtitles.read,
    ".srt": subtitles.read,
}


def supported_suffixes() -> list[str]:
    return sorted(READERS)


def read_source(path: str | Path, *, speaker_pattern: str | None = None) -> ImportedSource:
    """Read one transcript file into an :class:`ImportedSource` (nothing is stored): the
    text cleaned, the layout of its speakers and its preamble in ``meta``."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        suffix = path.suffix or "(no suffix)"
        raise UnsupportedFormat(
            f"unsupported format {suffix}; use one of {', '.join(supported_suffixes())}",
            path=path,
        )
    if speaker_pattern is not None:
        compile_speaker_pattern(speaker_pattern)
    data = read_bytes(path)
    imported = reader(path, data)
    if imported.turns is None:
        _prepare(imported, speaker_pattern)
    else:
        imported.meta.setdefault("layout", "subtitles")
    if not imported.text.strip():
        raise EmptySource("the file holds no text", path=path)
    imported.checksum = hashlib.sha256(data).hexdigest()
    return imported


def _prepare(imported: ImportedSource, pattern: str | None) -> None:
    """Clean the text, merge entries that repeat a speaker, record layout and preamble."""
    text = clean_text(imported.text)
    layout = detect_layout(text, pattern=pattern)
    if layout.repeats:
        text = merge_repeated_speakers(text, layout)
        layout = detect_layout(text, pattern=pattern)
    imported.text = text
    imported.meta["layout"] = _layout_name(layout.name, imported)
    if layout.preamble:
        imported.meta["preamble"] = list(layout.preamble)


def _layout_name(name: str, imported: ImportedSource) -> str:
    """The detected layout, named for the Word exports that give it."""
    if imported.format == "docx" and imported.meta.get("table_rows"):
        return "speaker-table"
    if imported.format == "docx" and name == "otter":
        return "teams"
    return name
