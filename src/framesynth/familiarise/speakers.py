"""Speaker turns: find them in transcript text, whatever layout the transcript tool used.

:func:`detect_layout` tries each known layout of speaker headers, matched at line starts,
and keeps the one that finds the most speakers (see ``docs/transcript-layouts.md``):

- ``label-colon``: ``Maureen: words``, with an optional timestamp before the label
  (``[00:03:41]``, ``(00:03:12)``, ``00:03:41 -``), Markdown bold (``**Name:**``), and
  the variants of Rev (``Maureen Okafor (00:00:03):``, the words on that line or the next)
  and Sonix (``Maureen Okafor: [00:00:03] words``), reported as ``rev`` and ``sonix``;
- ``otter``: a header line ``Maureen Okafor  0:03`` (Otter, Teams Word export) and
  ``timed-headers``: ``[00:00:03] Maureen Okafor`` or ``Maureen Okafor [00:00:03]`` alone
  on a line, a time range giving ``ended_at`` too; the words follow on the next lines;
- ``markdown-headings``: ``### Maureen Okafor`` or ``**Maureen Okafor**`` alone on a line,
  optionally with a time;
- ``maxqda``: label-colon turns with MAXQDA/f4transkript time marks ``#00:01:02-3#``;
- a caller's own regex (``pattern``, layout ``custom``) with a named group ``label``
  (optional ``ts``);
- ``paragraphs``: no speakers; one turn per paragraph.

A turn's range covers its words only (not the header, nor time marks at its ends); a
timestamp is kept as ``started_at`` seconds. Text before the first speaker is the
*preamble* (a title, a date line): it is reported, and becomes no turn.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from framesynth.errors import InvalidArgument

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
     "email", "phone", "http", "https", "example", "e.g", "i.e", "ps", "nb", "update",
     "contents", "summary", "introduction", "background", "transcription"}
)

TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
TIMESTAMP = rf"[\[(]?(?P<ts>{TIME})[\])]?"
MARK = r"#(?P<{name}>\d{{1,2}}:\d{{2}}:\d{{2}}(?:[-.,]\d{{1,3}})?)#"
LABEL = r"(?P<label>[^\W\d_][\w.'’\- ]{0,40}?)"
LABEL_LINE = re.compile(
    rf"^[ \t]*(?:{MARK.format(name='mark')}[ \t]*)?(?:{TIMESTAMP}[ \t]*(?:[-–][ \t]*)?)?"
    rf"(?P<open>\*\*|__)?{LABEL}[ \t]*(?:\((?P<rev>{TIME})\)[ \t]*)?"
    r"(?::(?P=open)|(?P=open):|:)(?=[ \t]|$)[ \t]*"
    rf"(?:\[(?P<sonix>{TIME})\][ \t]*|{MARK.format(name='mark2')}[ \t]*)?",
    re.MULTILINE,
)
TIMED_HEADER = re.compile(
    rf"^[ \t]*(?:[\[(](?P<ts>{TIME})[\])][ \t]+)?"
    rf"(?P<label>[^\W\d_][\w.,'’\- ]{{0,40}}?)"
    rf"(?:[ \t]+(?P<bare>{TIME}(?![\])]))|[ \t]+[\[(](?P<ts2>{TIME})"
    rf"(?:[ \t]*[-–][ \t]*(?P<end>{TIME}))?[\])])?[ \t]*\n",
    re.MULTILINE,
)
HEADING = re.compile(
    rf"^[ \t]*(?:#{{1,6}}[ \t]+(?P<label>[^\W\d_][\w.'’\- ]{{0,40}}?)"
    rf"|(?P<open>\*\*|__)(?P<blabel>[^\W\d_][\w.'’\- ]{{0,40}}?)(?P=open))"
    rf"(?:[ \t]+[\[(]?(?P<ts>{TIME})[\])]?)?[ \t]*\n",
    re.MULTILINE,
)
END_MARK = re.compile(rf"[ \t]*{MARK.format(name='ts')}\s*\Z")
START_MARK = re.compile(rf"\A{MARK.format(name='ts')}[ \t]*")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class DetectedTurn:
    """A turn found in a text: ``[start, end)`` of its words, its label, its timestamp."""

    start: int
    end: int
    label: str | None = None
    started_at: float | None = None
    ended_at: float | None = None


@dataclass(frozen=True)
class Layout:
    """What :func:`detect_layout` found: the layout's name, the turns, the preamble's
    range, and ``repeats``: the header spans of entries that continue the speaker before
    them (dropping them merges those entries into one turn)."""

    name: str
    turns: list[DetectedTurn]
    preamble: tuple[int, int] | None = None
    repeats: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class _Header:
    start: int
    end: int
    label: str
    started_at: float | None = None
    ended_at: float | None = None
    flavour: str = ""


@lru_cache(maxsize=4096)  # called for every label line; a project has few distinct labels
def normalise_label(label: str) -> str:
    """The form labels are compared in: case-folded, single-spaced, no trailing dots."""
    return " ".join(label.replace("’", "'").split()).strip(". ").casefold()


TEAM_STEMS = ("interviewer", "facilitator", "moderator", "researcher", "evaluator")
NUMBERED_TEAM_LABEL = re.compile(rf"(?:{'|'.join(TEAM_STEMS)}) ?(?:\d{{1,2}}|[a-z])")


def is_interviewer_label(label: str) -> bool:
    """The default guess: ``Interviewer``, ``I``, ``Facilitator`` ... and numbered or
    lettered forms (``Interviewer2``, ``Moderator B``)."""
    normalised = normalise_label(label)
    return normalised in INTERVIEWER_LABELS or bool(NUMBERED_TEAM_LABEL.fullmatch(normalised))


def looks_like_label(label: str) -> bool:
    """Could ``label`` name a speaker? Short, capitalised words, or a code such as ``P7``."""
    words = label.replace(",", " ").split()
    if not words or len(words) > 4 or normalise_label(label) in NOT_SPEAKERS:
        return False
    if re.fullmatch(r"[A-Za-z]{1,3}\d{0,3}", label):
        return True
    return all(word[0].isupper() or word[0].isdigit() or word in {"de", "van", "von", "da", "al"}
               for word in words)


def parse_timestamp(value: str | None) -> float | None:
    """Seconds from ``hh:mm:ss``, ``mm:ss``, ``hh:mm:ss.mmm`` or f4's ``hh:mm:ss-t``."""
    if not value:
        return None
    whole, _, tenths = value.partition("-")
    parts = whole.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds + (float(f"0.{tenths}") if tenths else 0.0)


def compile_speaker_pattern(pattern: str) -> re.Pattern[str]:
    """A caller's header regex (named group ``label``, optional ``ts``), at line starts."""
    try:
        compiled = re.compile(pattern, re.MULTILINE)
    except re.error as error:
        raise InvalidArgument(f"--speaker-pattern {pattern!r} is not a valid regex ({error})"
                              ) from None
    if "label" not in compiled.groupindex:
        raise InvalidArgument(f"--speaker-pattern {pattern!r} needs a named group "
                              "(?P<label>...)")
    return compiled


def detect_turns(text: str, *, known_labels: Iterable[str] = (),
                 pattern: str | None = None) -> list[DetectedTurn]:
    """Split ``text`` into speaker turns (see the module docstring for the layouts).

    :param known_labels: labels accepted even if they occur only once (participants'
        names and aliases known to the project).
    :param pattern: a regex for a layout framesynth does not know (see
        :func:`compile_speaker_pattern`).
    """
    return detect_layout(text, known_labels=known_labels, pattern=pattern).turns


def detect_layout(text: str, *, known_labels: Iterable[str] = (),
                  pattern: str | None = None) -> Layout:
    """Find the layout of ``text`` and its turns (linear in the text's length)."""
    known = {normalise_label(label) for label in known_labels} | INTERVIEWER_LABELS
    if pattern is not None:
        headers = [_custom_header(m) for m in compile_speaker_pattern(pattern).finditer(text)]
        headers = [h for h in headers if h.label]
        if not headers:
            return Layout("paragraphs", paragraph_turns(text))
        return _layout(text, "custom", headers, merge=False)
    candidates = [
        ("label-colon", _confirmed(text, _colon_headers(text), known, paragraph_rule=True)),
        ("timed-headers", _confirmed(text, _timed_headers(text), known)),
        ("markdown-headings", _confirmed(text, _headings(text), known, once=False)),
    ]
    kind, headers = max(candidates, key=lambda item: len(item[1]))
    if not headers:
        return Layout("paragraphs", paragraph_turns(text))
    return _layout(text, _name(kind, headers), headers, merge=kind != "label-colon")


def _name(kind: str, headers: list[_Header]) -> str:
    """The layout's name: the kind, or the flavour most of its headers have."""
    flavours = Counter(h.flavour for h in headers)
    flavour, count = flavours.most_common(1)[0]
    return flavour if flavour and count * 2 > len(headers) else kind


def _colon_headers(text: str) -> list[_Header]:
    headers = []
    for m in LABEL_LINE.finditer(text):
        stamp = m["mark"] or m["mark2"] or m["ts"] or m["rev"] or m["sonix"]
        flavour = ("maxqda" if m["mark"] or m["mark2"] else "rev" if m["rev"]
                   else "sonix" if m["sonix"] else "")
        headers.append(_Header(m.start(), m.end(), m["label"], parse_timestamp(stamp),
                               flavour=flavour))
    return headers


def _timed_headers(text: str) -> list[_Header]:
    headers = []
    for m in TIMED_HEADER.finditer(text):
        stamp = m["ts"] or m["bare"] or m["ts2"]
        if stamp is None:
            continue
        label = m["label"].rstrip(" ,")
        headers.append(_Header(m.start(), m.end(), label, parse_timestamp(stamp),
                               parse_timestamp(m["end"]), "otter" if m["bare"] else ""))
    return headers


def _headings(text: str) -> list[_Header]:
    return [_Header(m.start(), m.end(), m["label"] or m["blabel"], parse_timestamp(m["ts"]))
            for m in HEADING.finditer(text)]


def _custom_header(m: re.Match[str]) -> _Header:
    stamp = m.groupdict().get("ts")
    return _Header(m.start(), m.end(), " ".join((m["label"] or "").split()),
                   parse_timestamp(stamp))


def _confirmed(text: str, headers: list[_Header], known: set[str], *,
               paragraph_rule: bool = False, once: bool = True) -> list[_Header]:
    """Headers whose label is a speaker: seen twice, known, or once after the
    conversation has begun (in paragraph-separated text, only at a paragraph start)."""
    headers = [h for h in headers if looks_like_label(h.label)]
    counts = Counter(normalise_label(h.label) for h in headers)
    sure = [h for h in headers if counts[normalise_label(h.label)] >= 2
            or normalise_label(h.label) in known]
    if not sure or not once:
        return sure
    once_rule = _once_only_rule(text, sure) if paragraph_rule else _after(sure[0].start)
    sure_at = {h.start for h in sure}
    return [h for h in headers if h.start in sure_at or once_rule(h)]


def _after(begin: int) -> Callable[[_Header], bool]:
    return lambda header: header.start >= begin


def _once_only_rule(text: str, confirmed: list[_Header]) -> Callable[[_Header], bool]:
    """Is a label seen once a speaker? Yes after the conversation has begun, and, where
    turns are separated by blank lines, only when it starts a paragraph."""
    starts = [_starts_paragraph(text, h.start) for h in confirmed]
    paragraph_style = sum(starts) * 2 > len(starts)
    begin = confirmed[0].start

    def rule(header: _Header) -> bool:
        if header.start < begin:
            return False
        return not paragraph_style or _starts_paragraph(text, header.start)

    return rule


def _starts_paragraph(text: str, position: int) -> bool:
    """Is ``position`` at the start of the text or right after a blank line?"""
    before = text[max(0, position - 200):position].rstrip(" \t")
    if position <= 200 and not before.strip():
        return True
    return bool(re.search(r"\n[ \t]*\n$", before))


def _layout(text: str, name: str, headers: list[_Header], *, merge: bool) -> Layout:
    """Turns between consecutive headers, the preamble before them, and (``merge``) the
    headers that repeat the speaker before them."""
    turns: list[DetectedTurn] = []
    marked = 0
    for header, following in zip(headers, [*headers[1:], None], strict=True):
        turn, has_mark = _turn(text, header, following.start if following else len(text))
        turns.append(turn)
        marked += has_mark
    if name == "label-colon" and marked * 2 > len(turns):
        name = "maxqda"
    repeats = [(h.start, h.end) for before, h in zip(headers, headers[1:], strict=False)
               if merge and normalise_label(h.label) == normalise_label(before.label)]
    return Layout(name, _chain_marks(turns), _trimmed(text, 0, headers[0].start), repeats)


def _turn(text: str, header: _Header, stop: int) -> tuple[DetectedTurn, bool]:
    """The turn after ``header``, without f4/MAXQDA time marks at its start or end."""
    span = _trimmed(text, header.end, stop)
    start, end = span if span else (header.end, header.end)
    started_at, ended_at = header.started_at, header.ended_at
    leading = START_MARK.match(text, start, end)
    if leading:
        started_at = started_at if started_at is not None else parse_timestamp(leading["ts"])
        start = leading.end()
    trailing = END_MARK.search(text, start, end) if text[end - 1:end] == "#" else None
    if trailing:
        ended_at = parse_timestamp(trailing["ts"])
        end = (_trimmed(text, start, trailing.start()) or (start, start))[1]
    label = " ".join(header.label.split())
    turn = DetectedTurn(start, end, label, started_at, ended_at)
    return turn, bool(leading or trailing or header.flavour == "maxqda")


def _chain_marks(turns: list[DetectedTurn]) -> list[DetectedTurn]:
    """A time mark at a turn's end (f4transkript) is when the next turn starts."""
    chained: list[DetectedTurn] = []
    for turn in turns:
        before = chained[-1] if chained else None
        if turn.started_at is None and before is not None and before.ended_at is not None:
            turn = DetectedTurn(turn.start, turn.end, turn.label, before.ended_at, turn.ended_at)
        chained.append(turn)
    return chained


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
