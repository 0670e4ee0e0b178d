"""Write a plain-text transcript out as .docx, .pdf, .vtt or .srt.

Used to build the demo corpus (``tools/build_demo_corpus.py``) and the small test files
in ``tests/data`` from text we write. Not part of the installed package: it needs fpdf2
and a DejaVu font, which only developers have.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
from fpdf import FPDF

from framesynth.familiarise.speakers import detect_turns

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
WORDS_PER_SECOND = 2.6


def split_header(text: str) -> tuple[list[str], list[tuple[str | None, str]]]:
    """Header lines and (label, words) turns of a transcript."""
    turns = detect_turns(text)
    header: list[str] = []
    spoken: list[tuple[str | None, str]] = []
    for turn in turns:
        if turn.label is None and not spoken:
            header = text[turn.start:turn.end].splitlines()
        else:
            spoken.append((turn.label, text[turn.start:turn.end]))
    return header, spoken


def write_docx(text: str, path: Path, *, as_table: bool = False, title: str | None = None) -> None:
    """Paragraph per block; or, ``as_table``, header paragraphs then a Speaker | Text table."""
    document = docx.Document()
    if title:
        document.core_properties.title = title
    document.core_properties.author = "framesynth demo team"
    if not as_table:
        for block in re.split(r"\n\s*\n", text.strip()):
            for line in block.splitlines() if _is_header_block(block) else [" ".join(block.split())]:
                document.add_paragraph(line)
    else:
        header, turns = split_header(text)
        for line in header:
            document.add_paragraph(line)
        table = document.add_table(rows=1, cols=2)
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Speaker", "Text"
        for label, words in turns:
            row = table.add_row()
            row.cells[0].text, row.cells[1].text = label or "", words
    document.save(path)


def _is_header_block(block: str) -> bool:
    return block.lstrip().startswith(("#", "Stronger Starts")) or "Date:" in block


def write_pdf(text: str, path: Path) -> None:
    """A4 pages, 11 pt DejaVu Sans, blank line between paragraphs."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=11)
    pdf.set_creator("framesynth demo team")
    pdf.add_page()
    for block in re.split(r"\n\s*\n", text.strip()):
        for line in block.splitlines():
            pdf.multi_cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.output(str(path))


def _cues(turns: list[tuple[str | None, str]]) -> list[tuple[float, float, str | None, str, bool]]:
    """(start, end, label, words, first cue of its turn) with times from word counts."""
    cues = []
    clock = 2.0
    for label, words in turns:
        chunks = _chunks(" ".join(words.split()))
        for number, chunk in enumerate(chunks):
            length = max(1.2, len(chunk.split()) / WORDS_PER_SECOND)
            cues.append((clock, clock + length, label, chunk, number == 0))
            clock += length + 0.2
        clock += 0.6
    return cues


def _chunks(words: str, size: int = 14) -> list[str]:
    sentences = re.split(r"(?<=[.?!,;])\s+", words)
    chunks: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        current.append(sentence)
        if len(" ".join(current).split()) >= size:
            chunks.append(" ".join(current))
            current = []
    if current:
        chunks.append(" ".join(current))
    return chunks


def _stamp(seconds: float, sep: str) -> str:
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{millis:03d}"


def write_vtt(text: str, path: Path) -> None:
    """WebVTT with a NOTE header and a voice tag on every cue."""
    header, turns = split_header(text)
    lines = ["WEBVTT", ""]
    if header:
        lines += ["NOTE", *header, ""]
    for start, end, label, words, _first in _cues(turns):
        voice = f"<v {label}>" if label else ""
        lines += [f"{_stamp(start, '.')} --> {_stamp(end, '.')}", voice + words, ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_srt(text: str, path: Path) -> None:
    """SubRip; the first cue of each turn starts with ``Name:``."""
    _header, turns = split_header(text)
    lines = []
    for number, (start, end, label, words, first) in enumerate(_cues(turns), start=1):
        prefix = f"{label}: " if first and label else ""
        lines += [str(number), f"{_stamp(start, ',')} --> {_stamp(end, ',')}", prefix + words, ""]
    path.write_text("\n".join(lines), encoding="utf-8")
