"""RTF transcripts (striprtf), as f4transkript and Word write them: one block per paragraph."""

from __future__ import annotations

from pathlib import Path

from striprtf.striprtf import rtf_to_text

from framesynth.errors import CorruptFile
from framesynth.familiarise.sources import ImportedSource
from framesynth.io.importers.text_decoding import normalise_newlines


def read(path: Path, data: bytes) -> ImportedSource:
    """Paragraphs (``\\par``) become blank-line separated blocks; ``\\'xx`` escapes are
    read as cp1252 (the code page RTF writers declare), ``\\uN`` escapes as Unicode."""
    raw = data.decode("latin-1")
    if not raw.lstrip().startswith("{\\rtf"):
        raise CorruptFile("not an RTF file (it does not start with {\\rtf)", path=path)
    try:
        text = rtf_to_text(raw, encoding="cp1252", errors="replace")
    except (ValueError, IndexError, LookupError) as error:
        raise CorruptFile(f"not a readable RTF file ({error})", path=path) from None
    lines = (line.strip() for line in normalise_newlines(text).split("\n"))
    return ImportedSource(path.name, "rtf", "\n\n".join(line for line in lines if line), "")
