"""WebVTT and SubRip transcripts (webvtt-py).

Speakers come from voice tags (``<v Maureen Okafor>``) or a ``Name:`` prefix on the cue;
a cue without either continues the speaker before it. Consecutive cues of one speaker
become one turn, written into the source text as ``Name: words`` paragraphs; the turn
keeps the first cue's start and the last cue's end time. A file with no speakers at all
gets one turn per cue.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from framesynth.errors import CorruptFile
from framesynth.familiarise.sources import ImportedSource
from framesynth.familiarise.speakers import (
    LABEL_LINE,
    DetectedTurn,
    looks_like_label,
    parse_timestamp,
)
from framesynth.io.importers.text_decoding import decode_text


@dataclass
class _Cue:
    speaker: str | None
    words: str
    start: float
    end: float


def read(path: Path, data: bytes) -> ImportedSource:
    raw, encoding = decode_text(data, path=str(path))
    fmt = path.suffix.lower().lstrip(".")
    try:
        if fmt == "srt":
            captions = webvtt.from_buffer(io.StringIO(raw), format="srt")
        else:
            captions = webvtt.from_buffer(io.StringIO(raw.lstrip("\ufeff")))
    except (MalformedFileError, MalformedCaptionError) as error:
        kind = "SubRip" if fmt == "srt" else "WebVTT"
        raise CorruptFile(f"not a valid {kind} file ({error})", path=path) from None
    cues = [_cue(c.voice, c.text, c.start, c.end) for c in captions.captions]
    cues = [cue for cue in cues if cue.words]
    text, turns = _assemble(cues)
    return ImportedSource(path.name, fmt, text, "", turns=turns,
                          meta={"encoding": encoding, "cues": len(cues)})


def _cue(voice: str | None, text: str, start: str, end: str) -> _Cue:
    words = " ".join(text.split())
    speaker = voice.strip() if voice else None
    if speaker is None:
        match = LABEL_LINE.match(words)
        if match and looks_like_label(match["label"]):
            speaker, words = " ".join(match["label"].split()), words[match.end():]
    return _Cue(speaker, words, parse_timestamp(start) or 0.0, parse_timestamp(end) or 0.0)


def _assemble(cues: list[_Cue]) -> tuple[str, list[DetectedTurn]]:
    has_speakers = any(cue.speaker for cue in cues)
    groups: list[list[_Cue]] = []
    for cue in cues:
        same = groups and (cue.speaker is None or cue.speaker == groups[-1][0].speaker)
        if has_speakers and same:
            groups[-1].append(cue)
        else:
            groups.append([cue])
    parts: list[str] = []
    turns: list[DetectedTurn] = []
    offset = 0
    for group in groups:
        speaker = group[0].speaker
        prefix = f"{speaker}: " if speaker else ""
        words = " ".join(cue.words for cue in group)
        start = offset + len(prefix)
        turns.append(DetectedTurn(start, start + len(words), speaker, group[0].start, group[-1].end))
        parts.append(prefix + words)
        offset += len(prefix) + len(words) + 2
    return "\n\n".join(parts), turns
