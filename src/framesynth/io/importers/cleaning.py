"""Clean the text a reader extracted, before turns are found in it.

- every format: tabs become spaces; Otter's closing ``Transcribed by`` line is dropped;
  margin line numbers (a number opening nearly every
  line, counting up, as MAXQDA prints them) are dropped;
- PDF pages (:func:`clean_pages`): page numbers (``2/5``, ``Page 2 of 5``, ``- 2 -``, a
  bare number) at a page's top or bottom, and lines repeated at the top or bottom of
  most pages (running headers and footers), are dropped; runs of spaces (justified
  lines) become one; hard-wrapped lines of a paragraph are joined with a space;
- :func:`merge_repeated_speakers`: the header of an entry that continues the speaker
  before it is dropped, so the two entries become one turn.

The checksum stays that of the original bytes; only ``Source.text`` is the cleaned text.
"""

from __future__ import annotations

import re
from collections import Counter

from framesynth.familiarise.speakers import LABEL_LINE, TIMED_HEADER, Layout

PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:page|seite|p\.)\s*)?\d{1,4}\s*(?:(?:/|of|von)\s*\d{1,4})?\s*$"
    r"|^\s*[-–]\s*\d{1,4}\s*[-–]\s*$",
    re.IGNORECASE,
)
MARGIN_NUMBER = re.compile(r"^[ \t]*(\d{1,5})(?:[ \t]+|$)")
EDGE = 3
EXPORT_FOOTER = re.compile(r"^[ \t]*Transcribed by https?://otter\.ai[ \t]*$", re.MULTILINE)


def clean_text(text: str) -> str:
    """The cleaning every format gets: tabs to spaces, margin line numbers and Otter's
    ``Transcribed by https://otter.ai`` footer dropped."""
    text = EXPORT_FOOTER.sub("", re.sub(r"[ ]*\t[ \t]*", " ", text))
    return "\n".join(strip_line_numbers(text.split("\n")))


def strip_line_numbers(lines: list[str]) -> list[str]:
    """Drop a number opening each line when nearly every non-blank line has one and the
    numbers count up."""
    numbered = [(i, MARGIN_NUMBER.match(line)) for i, line in enumerate(lines) if line.strip()]
    hits = [(i, int(m[1])) for i, m in numbered if m]
    if len(hits) < 5 or len(hits) < 0.9 * len(numbered):
        return lines
    rising = sum(1 for (_, a), (_, b) in zip(hits, hits[1:], strict=False) if b > a)
    if rising < 0.9 * (len(hits) - 1):
        return lines
    cleaned = list(lines)
    for i, _ in hits:
        cleaned[i] = MARGIN_NUMBER.sub("", lines[i], count=1)
    return cleaned


def clean_pages(pages: list[str]) -> str:
    """One text from a PDF's pages, without page furniture, paragraphs unwrapped."""
    split = [[line.rstrip() for line in page.replace("\t", " ").split("\n")] for page in pages]
    split = [_without_page_numbers(lines) for lines in split]
    furniture = _repeated_edges(split)
    kept = [[line for n, line in enumerate(lines) if not _is_furniture(lines, n, furniture)]
            for lines in split]
    numbered = iter(strip_line_numbers([line for lines in kept for line in lines]))
    kept = [[next(numbered) for _ in lines] for lines in kept]
    return "\n\n".join(p for p in (_unwrap(lines) for lines in kept) if p)


def _without_page_numbers(lines: list[str]) -> list[str]:
    body = [n for n, line in enumerate(lines) if line.strip()]
    edges = set(body[:1] + body[-1:])
    return [line for n, line in enumerate(lines) if n not in edges or not PAGE_NUMBER.match(line)]


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split())).casefold()


def _repeated_edges(pages: list[list[str]]) -> set[str]:
    """Line shapes seen near the top or bottom of most pages (at least two)."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        body = [line for line in lines if line.strip()]
        counts.update({_shape(line) for line in body[:EDGE] + body[-EDGE:]})
    return {shape for shape, n in counts.items()
            if n >= 2 and n * 2 > len(pages) and re.search(r"[^\W\d_]", shape)}


def _is_furniture(lines: list[str], n: int, furniture: set[str]) -> bool:
    body = [i for i, line in enumerate(lines) if line.strip()]
    near_edge = n in body[:EDGE] + body[-EDGE:]
    return near_edge and _shape(lines[n]) in furniture


def _unwrap(lines: list[str]) -> str:
    """Join hard-wrapped lines: a line continues the one before unless it is blank, the
    one before is short (a title, the end of a paragraph), or it opens with a label."""
    width = max((len(line) for line in lines), default=0)
    paragraphs: list[list[str]] = [[]]
    for line in (" ".join(line.split()) for line in lines):
        current = paragraphs[-1]
        if not line:
            paragraphs.append([])
        elif current and len(current[-1]) >= 0.6 * width and not _opens_entry(line, current):
            current[-1] = f"{current[-1]} {line}"
        else:
            current.append(line)
    return "\n\n".join("\n".join(p) for p in paragraphs if p)


def _opens_entry(line: str, current: list[str]) -> bool:
    return bool(LABEL_LINE.match(line) or _timed_header(line) or _timed_header(current[-1]))


def _timed_header(line: str) -> bool:
    match = TIMED_HEADER.match(line + "\n")
    return bool(match and (match["ts"] or match["bare"] or match["ts2"]))


def merge_repeated_speakers(text: str, layout: Layout) -> str:
    """``text`` without the headers in ``layout.repeats`` (and the blank line before)."""
    if not layout.repeats:
        return text
    parts, position = [], 0
    for start, end in layout.repeats:
        parts.append(text[position:start].rstrip() + "\n\n")
        position = end
        while position < len(text) and text[position] in " \t\n":
            position += 1
    parts.append(text[position:])
    return "".join(parts)
