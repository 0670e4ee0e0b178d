"""Turn bytes into text: UTF-8 first, then the encodings transcripts arrive in."""

from __future__ import annotations

import codecs
from pathlib import Path

from framesynth.errors import CorruptFile, EmptySource, UndecodableText


def decode_text(data: bytes, *, path: str) -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding)``.

    Tries UTF-8 with a BOM, UTF-16 with a BOM, plain UTF-8, then cp1252 (Word's
    "Western" text files). Text with NUL characters or bytes cp1252 leaves undefined is
    refused with :class:`UndecodableText`. Line endings become ``\\n``.
    """
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            continue
        return normalise_newlines(text), encoding
    raise UndecodableText("cannot decode the text (tried UTF-8, UTF-16 with BOM, cp1252)",
                          path=path)


def read_bytes(path: Path, *, what: str = "the file") -> bytes:
    """The file's bytes; a missing, unreadable or blank file is a clear error."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CorruptFile(f"cannot read the file ({error.strerror})", path=path) from None
    if not data.strip():
        raise EmptySource(f"{what} is empty", path=path)
    return data


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
