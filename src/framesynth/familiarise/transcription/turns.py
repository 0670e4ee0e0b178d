"""Recognised speech into turns: split at pauses, and optionally the two-person rule.

No engine here tells speakers apart, so turns are found from timing alone:

- a pause longer than ``pause`` seconds between two words starts a new turn;
- with the two-person rule (``speakers=2``) turns alternate between two labels, the first
  turn being the interviewer's (marked as the research team).

What this cannot do: it cannot see two people talking at once (overlapping speech comes
out as one turn, or words of both in one), nor a speaker who pauses and goes on (that
becomes two turns, and under the two-person rule every later label is then off by one),
nor a quick reply with no pause (it stays in the turn before). Without the rule turns have
no speaker; they are assigned in the reader, or the labels corrected there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from framesynth.errors import InvalidArgument
from framesynth.familiarise.transcription.engines import Segment, Word

PAUSE = 0.8  # seconds of silence that start a new turn by default
TWO_PERSON_LABELS = ("Interviewer", "Participant")


@dataclass(frozen=True)
class SpokenTurn:
    """A turn of recognised speech: its words, times in seconds, and speaker if known."""

    start: float
    end: float
    text: str
    label: str | None = None


def split_turns(segments: Sequence[Segment], *, pause: float = PAUSE) -> list[SpokenTurn]:
    """Turns of ``segments`` in time order, a new one after every pause over ``pause``
    seconds (between words where the engine gave word times, else between segments)."""
    if pause <= 0:
        raise InvalidArgument(f"--pause must be more than 0 seconds, not {pause}")
    words = [w for s in sorted(segments, key=lambda s: s.start) for w in _units(s)]
    groups: list[list[Word]] = []
    for word in words:
        if groups and word.start - groups[-1][-1].end <= pause:
            groups[-1].append(word)
        else:
            groups.append([word])
    return [SpokenTurn(g[0].start, g[-1].end, " ".join(w.text for w in g)) for g in groups]


def _units(segment: Segment) -> tuple[Word, ...]:
    words = tuple(w for w in segment.words if w.text.strip())
    if words:
        return words
    text = segment.text.strip()
    return (Word(text, segment.start, segment.end),) if text else ()


def two_person(turns: Sequence[SpokenTurn],
               labels: tuple[str, str] = TWO_PERSON_LABELS) -> list[SpokenTurn]:
    """The two-person rule: turns alternate between ``labels``, the first is the
    interviewer's. Right only where each change of speaker, and nothing else, is a pause."""
    return [replace(turn, label=labels[number % 2]) for number, turn in enumerate(turns)]


def assign_speakers(turns: Sequence[SpokenTurn], speakers: int | None) -> list[SpokenTurn]:
    """``speakers=2`` applies :func:`two_person`; ``None`` leaves turns without speakers."""
    if speakers is None:
        return list(turns)
    if speakers != 2:
        raise InvalidArgument(f"--speakers supports only 2 (the two-person rule), not {speakers};"
                              " leave it out and assign speakers in the reader")
    return two_person(turns)
