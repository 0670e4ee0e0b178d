"""Speaker turns: find them in transcript text and link their labels to participants.

A turn starts at a line that opens with a speaker label and a colon, optionally after a
timestamp and with Markdown bold around the label::

    [00:03:41] Maureen: We had forty-three referrals last term.
    (00:03:12) Lena: ...
    **Interviewer:** And how did that go?
    P7: Well, ...

Lines without a label continue the turn before them. A turn's range covers its words
only (not the timestamp or label); the timestamp is kept as ``started_at`` seconds. Text
before the first label (a title, a date line) becomes a turn without a speaker. A text
with no labels at all is split into paragraph turns without speakers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

INTERVIEWER_LABELS = frozenset(
    {"interviewer", "i", "int", "iv", "q", "facilitator", "moderator", "researcher",
     "evaluator", "fac", "mod", "interviewer 1", "interviewer 2", "facilitator 1",
     "facilitator 2"}
)
RESPONDENT_LABELS = frozenset({"r", "a", "p", "respondent", "interviewee", "participant"})
NOT_SPEAKERS = frozenset(
    {"date", "time", "location", "venue", "duration", "note", "notes", "subject", "title",
     "page", "present", "attendees", "transcript", "transcribed by", "file", "recording",
     "ref", "reference", "project", "programme", "organisation", "role", "re", "tel",
     "email", "phone", "http", "https", "example", "e.g", "i.e", "ps", "nb", "update"}
)

TIMESTAMP = r"[\[(]?(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)[\])]?"
LABEL_LINE = re.compile(
    rf"^[ \t]*(?:{TIMESTAMP}[ \t]*(?:[-–][ \t]*)?)?"
    r"(?P<open>\*\*|__)?(?P<label>[^\W\d_][\w.'’\- ]{0,40}?)[ \t]*"
    r"(?::(?P=open)|(?P=open):|:)(?=[ \t]|$)[ \t]*",
    re.MULTILINE,
)
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class DetectedTurn:
    """A turn found in a text: ``[start, end)`` of its words, its label, its timestamp."""

    start: int
    end: int
    label: str | None = None
    started_at: float | None = None
    ended_at: float | None = None


@lru_cache(maxsize=4096)  # called for every label line; a project has few distinct labels
def normalise_label(label: str) -> str:
    """The form labels are compared in: case-folded, single-spaced, no trailing dots."""
    return " ".join(label.replace("’", "'").split()).strip(". ").casefold()


def is_interviewer_label(label: str) -> bool:
    return normalise_label(label) in INTERVIEWER_LABELS


def looks_like_label(label: str) -> bool:
    """Could ``label`` name a speaker? Short, capitalised words, or a code such as ``P7``."""
    words = label.split()
    if not words or len(words) > 4 or normalise_label(label) in NOT_SPEAKERS:
        return False
    if re.fullmatch(r"[A-Za-z]{1,3}\d{0,3}", label):
        return True
    return all(word[0].isupper() or word[0].isdigit() or word in {"de", "van", "von", "da", "al"}
               for word in words)


def parse_timestamp(value: str | None) -> float | None:
    """Seconds from ``hh:mm:ss``, ``mm:ss`` or ``hh:mm:ss.mmm``."""
    if not value:
        return None
    parts = value.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def detect_turns(text: str, *, known_labels: Iterable[str] = ()) -> list[DetectedTurn]:
    """Split ``text`` into speaker turns (see the module docstring for the conventions).

    :param known_labels: labels accepted even if they occur only once (participants'
        names and aliases known to the project).
    """
    matches = [m for m in LABEL_LINE.finditer(text) if looks_like_label(m["label"])]
    counts = Counter(normalise_label(m["label"]) for m in matches)
    known = {normalise_label(label) for label in known_labels} | INTERVIEWER_LABELS
    confirmed = [m for m in matches
                 if counts[normalise_label(m["label"])] >= 2 or normalise_label(m["label"]) in known]
    if not confirmed:
        return paragraph_turns(text)
    once_only = _once_only_rule(text, confirmed)
    confirmed_at = {m.start() for m in confirmed}
    speaker_lines = [m for m in matches if m.start() in confirmed_at or once_only(m)]
    turns: list[DetectedTurn] = []
    preamble = _trimmed(text, 0, speaker_lines[0].start())
    if preamble:
        turns.append(DetectedTurn(*preamble))
    for line, following in zip(speaker_lines, [*speaker_lines[1:], None], strict=True):
        stop = following.start() if following else len(text)
        span = _trimmed(text, line.end(), stop)
        start, end = span if span else (line.end(), line.end())
        label = " ".join(line["label"].split())
        turns.append(DetectedTurn(start, end, label, parse_timestamp(line["ts"])))
    return turns


def _once_only_rule(text: str, confirmed: list[re.Match[str]]):  # type: ignore[no-untyped-def]
    """Is a label seen once a speaker? Yes after the conversation has begun, and, where
    turns are separated by blank lines, only when it starts a paragraph."""
    starts = [_starts_paragraph(text, m.start()) for m in confirmed]
    paragraph_style = sum(starts) * 2 > len(starts)
    begin = confirmed[0].start()

    def rule(line: re.Match[str]) -> bool:
        if line.start() < begin:
            return False
        return not paragraph_style or _starts_paragraph(text, line.start())

    return rule


def _starts_paragraph(text: str, position: int) -> bool:
    """Is ``position`` at the start of the text or right after a blank line?"""
    before = text[max(0, position - 200):position].rstrip(" \t")
    if position <= 200 and not before.strip():
        return True
    return bool(re.search(r"\n[ \t]*\n$", before))


def paragraph_turns(text: str) -> list[DetectedTurn]:
    """One speakerless turn per blank-line separated paragraph."""
    turns: list[DetectedTurn] = []
    position = 0
    for brk in [*PARAGRAPH_BREAK.finditer(text), None]:
        stop = brk.start() if brk else len(text)
        span = _trimmed(text, position, stop)
        if span:
            turns.append(DetectedTurn(*span))
        position = brk.end() if brk else len(text)
    return turns


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``[start, end)`` without surrounding whitespace; None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
