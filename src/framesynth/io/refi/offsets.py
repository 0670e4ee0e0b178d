"""Offsets in REFI-QDA files, and how framesynth reads them.

The standard counts ``startPosition``/``endPosition`` in Unicode code points of the
plain text, end exclusive. Tools differ: NVivo counts UTF-16 code units (an emoji counts
two) and keeps Windows line endings (``\\r\\n`` counts two). framesynth stores texts with
``\\n`` line endings, so every position is mapped from the file's text (BOM removed,
line endings as they are) to the stored one.

Which unit a file uses is decided per source: where both readings differ (the text has
characters outside the Basic Multilingual Plane), the one that puts more selection edges
on word boundaries wins, and code points win a tie.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence


def utf16_to_codepoint(raw: str) -> list[int]:
    """``table[u]``: the code-point index of UTF-16 unit ``u`` (a low surrogate maps to
    its character's index)."""
    table = []
    for index, char in enumerate(raw):
        table.append(index)
        if ord(char) > 0xFFFF:
            table.append(index)
    table.append(len(raw))
    return table


def boundary_score(raw: str, spans: Sequence[tuple[int, int]]) -> int:
    """How many span edges fall on a word boundary of ``raw``."""
    score = 0
    for start, end in spans:
        if 0 <= start <= len(raw) and (start == 0 or not raw[start - 1].isalnum()):
            score += 1
        if 0 <= end <= len(raw) and (end == len(raw) or not raw[end].isalnum()):
            score += 1
    return score


def choose_unit(raw: str, spans: Sequence[tuple[int, int]], *, hint: str = "") -> str:
    """``codepoint`` or ``utf16`` for the selections of one source."""
    if all(ord(c) <= 0xFFFF for c in raw) or not spans:
        return "codepoint"
    table = utf16_to_codepoint(raw)
    as_utf16 = [(table[min(s, len(table) - 1)], table[min(e, len(table) - 1)])
                for s, e in spans]
    utf16, codepoint = boundary_score(raw, as_utf16), boundary_score(raw, spans)
    return "utf16" if utf16 > codepoint else "codepoint"


class PositionMap:
    """Maps positions in a source file's text to positions in the stored text."""

    def __init__(self, raw: str, unit: str):
        self.raw = raw
        self.unit = unit
        self.table = utf16_to_codepoint(raw) if unit == "utf16" else None
        self.crlf = [i for i in range(len(raw) - 1) if raw[i] == "\r" and raw[i + 1] == "\n"]

    @property
    def length(self) -> int:
        """The text's length in the file's unit."""
        return len(self.table) - 1 if self.table is not None else len(self.raw)

    def __call__(self, position: int) -> int:
        point = self.table[position] if self.table is not None else position
        return point - bisect_left(self.crlf, point)
