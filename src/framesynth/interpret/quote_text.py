"""A quote's text as papers print it: trimmed to sentence boundaries, or as the analyst
edited it.

**Sentence boundaries** (``sentence_bounded``). On each side, a coded span that starts or
ends mid-sentence is widened to the sentence's boundary within its turn when that adds at
most ``WIDEN_WORDS`` words; otherwise, where the span holds at least one whole sentence,
the fragment on that side is dropped; otherwise "…" marks that side. Sentences are
pysbd's (``familiarise.units.sentence_spans``). The coded span itself never changes.

**Edited text** (``checked_edit``). An analyst may shorten a quote with "[…]" (typed as
"[...]" too) and add editorial words in square brackets ("[the council]", "[T]hey"); every
other piece of the text must be the coded span's own words (whitespace aside, case
kept), in the span's order, so no one puts words in a participant's mouth.
"""

from __future__ import annotations

import re

from framesynth.errors import InvalidArgument
from framesynth.familiarise.units import sentence_spans

WIDEN_WORDS = 12
ELISION = "[…]"
BRACKETED = re.compile(r"\[[^\[\]]*\]")
TYPED_ELISION = re.compile(r"\[\s*(?:\.\s*){3}\]|\[\s*…\s*\]")


def normalise(text: str) -> str:
    return " ".join(text.split())


def sentence_bounded(turn_text: str, start: int, end: int) -> str:
    """The display text of ``turn_text[start:end]`` (offsets into the turn's text), on
    each side widened to its sentence, the partial sentence dropped, or marked "…"."""
    start, end = _trimmed(turn_text, start, end)
    if start >= end:
        return ""
    sentences = sentence_spans(turn_text)
    whole = [(a, b) for a, b in sentences if start <= a and b <= end]
    left = next(((a, b) for a, b in sentences if a < start < b), None)
    right = next(((a, b) for a, b in sentences if a < end < b), None)
    lead = trail = ""
    if left is not None:
        if _words(turn_text[left[0]:start]) <= WIDEN_WORDS:
            start = left[0]
        elif whole:
            start = whole[0][0]
        else:
            lead = "…"
    if right is not None:
        if _words(turn_text[end:right[1]]) <= WIDEN_WORDS:
            end = right[1]
        elif whole:
            end = whole[-1][1]
        else:
            trail = "…"
    body = normalise(turn_text[start:end])
    return lead + (body.rstrip(",;:–- ") if trail else body) + trail


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    start, end = max(start, 0), min(end, len(text))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _words(text: str) -> int:
    return len(text.split())


def checked_edit(span_text: str, text: str) -> str:
    """``text`` with "[...]" written "[…]" and whitespace normalised, once every piece of it
    outside square brackets is found in ``span_text`` in order; else ``InvalidArgument``
    naming the first piece that is not."""
    edited = normalise(TYPED_ELISION.sub(ELISION, text))
    coded = normalise(span_text)
    pieces = [normalise(p) for p in BRACKETED.split(edited)]
    pieces = [p for p in pieces if p]
    if not pieces:
        raise InvalidArgument("the edited text holds none of the coded text's own words")
    position, previous = 0, ""
    for piece in pieces:
        found = coded.find(piece, position)
        if found < 0:
            where = f" after “{previous}”" if previous and piece in coded else ""
            raise InvalidArgument(f"“{piece}” is not in the coded text{where}; only "
                                  "[…] cuts and [bracketed] insertions may differ")
        position, previous = found + len(piece), piece
    return edited
