"""Preview an import: what framesynth would find in each file, without storing anything."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from framesynth.errors import FramesynthError, ImportBatchError
from framesynth.familiarise.sources import ImportedSource
from framesynth.familiarise.speakers import (
    compile_speaker_pattern,
    detect_turns,
    is_interviewer_label,
    normalise_label,
)

FIRST_TURNS = 3
FIRST_WORDS = 12


@dataclass(frozen=True)
class SpeakerPreview:
    label: str
    turns: int
    team: bool


@dataclass(frozen=True)
class FilePreview:
    """One file as it would be imported: its layout, speakers and first turns."""

    name: str
    format: str
    layout: str
    turns: int
    unattributed: int
    speakers: list[SpeakerPreview]
    first_turns: list[tuple[str | None, str]]
    preamble: str | None
    recording: str | None = None
    duration: float | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["first_turns"] = [{"speaker": label, "words": words}
                               for label, words in self.first_turns]
        return data


def preview_files(paths: Sequence[str | Path], *, speaker_pattern: str | None = None,
                  known_labels: Iterable[str] = (),
                  team_labels: Iterable[str] = ()) -> list[FilePreview]:
    """Read every file and find its turns; raise :class:`ImportBatchError` listing every
    unreadable file. A transcript and its recording (same stem) are one preview, as they
    will be one source. Nothing is written anywhere.

    :param team_labels: labels known to be the research team (``--interviewer``, team
        participants), shown as the team besides the labels guessed by default.
    """
    if speaker_pattern is not None:
        compile_speaker_pattern(speaker_pattern)
    team = {normalise_label(label) for label in team_labels}
    labels = set(known_labels) | team
    previews: list[FilePreview] = []
    errors: list[FramesynthError] = []
    from framesynth.io.importers import pair_files, read_pair

    for transcript, recording in pair_files(paths):
        try:
            imported = read_pair(transcript, recording, speaker_pattern=speaker_pattern)
        except FramesynthError as error:
            errors.append(error)
            continue
        previews.append(preview_source(imported, speaker_pattern=speaker_pattern,
                                       known_labels=labels, team_labels=team))
    if errors:
        raise ImportBatchError(errors)
    return previews


def preview_source(imported: ImportedSource, *, speaker_pattern: str | None = None,
                   known_labels: Iterable[str] = (),
                   team_labels: Iterable[str] = ()) -> FilePreview:
    """The preview of one file already read."""
    team = {normalise_label(label) for label in team_labels}
    turns = imported.turns if imported.turns is not None else detect_turns(
        imported.text, known_labels=known_labels, pattern=speaker_pattern)
    counts = Counter(turn.label for turn in turns if turn.label)
    span = imported.meta.get("preamble")
    return FilePreview(
        name=imported.name, format=imported.format,
        layout=str(imported.meta.get("layout", "paragraphs")), turns=len(turns),
        unattributed=sum(1 for turn in turns if not turn.label),
        speakers=[SpeakerPreview(label, n, is_interviewer_label(label)
                                 or normalise_label(label) in team)
                  for label, n in counts.items()],
        first_turns=[(t.label, first_words(imported.text[t.start:t.end]))
                     for t in turns[:FIRST_TURNS]],
        preamble=first_words(imported.text[span[0]:span[1]]) if span else None,
        recording=imported.recording.path.name if imported.recording else None,
        duration=round(imported.recording.duration, 2) if imported.recording else None,
    )


def first_words(text: str, count: int = FIRST_WORDS) -> str:
    words = text.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")
