"""Attach a recording to a source that was imported without one, and time its turns.

A team often imports the transcript first and gets the audio later (from the interviewer's
recorder, or cut from a meeting's recording). :func:`attach_recording` keeps the file in
the media folder as ``import`` does and, optionally, sets when each turn starts and ends:
from a list of ``(start, end)`` seconds for the first turns, or from a WebVTT / SubRip
file with the same turns in the same order (the meeting tool's own captions).

Everything is checked before anything is kept: a recording FFmpeg cannot read, times that
do not fit the turns or the recording, each is one line and the project is unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from framesynth.errors import DuplicateSource, FramesynthError
from framesynth.familiarise.sources import Recording, get_source
from framesynth.io.importers.media import media_folder, probe, store_recording, stored_name
from framesynth.store.events import log_event
from framesynth.store.models import Source, Turn

Times = Sequence[tuple[float, float]]
SLACK = 0.5  # seconds a cue may run past the recording's probed end (rounding, padding)


class TimesMismatch(FramesynthError):
    """Turn times that do not fit the source's turns or its recording; nothing changed."""

    code = "FS123"


@dataclass
class Attachment:
    """What :func:`attach_recording` did."""

    source: str
    media_file: str
    duration: float
    kind: str
    timed_turns: int
    turns: int

    def summary(self) -> str:
        return (f"attached {self.media_file} ({self.kind}, {self.duration:.1f} s) to "
                f"{self.source}; {self.timed_turns} of {self.turns} turns timed")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def attach_recording(session: Session, source_name: str, media_path: str | Path, *,
                     times: Times | str | Path | None = None, actor: str) -> Attachment:
    """Keep ``media_path`` as the recording of source ``source_name``.

    :param times: ``(start, end)`` seconds of the source's first turns, in order; or a
        ``.vtt`` / ``.srt`` file whose cues are the source's turns, one for one.
    """
    source = get_source(session, source_name)
    recording = probe(media_path)
    _check_not_elsewhere(session, source, recording)
    turns = sorted(source.turns, key=lambda t: t.position)
    spans = None if times is None else _spans(times, turns, recording)
    folder = media_folder(session)
    existed = (folder / stored_name(recording)).exists()
    before = source.media_file
    target = store_recording(folder, recording)
    try:
        _set_media(source, recording, target.name)
        for turn, (start, end) in zip(turns, spans or [], strict=False):
            turn.started_at, turn.ended_at = start, end
        session.flush()
        attachment = Attachment(source.name, target.name, recording.duration, recording.kind,
                                len(spans or []), len(turns))
        log_event(session, "attach_recording", actor=actor, sha256=recording.sha256,
                  **attachment.as_dict())
        session.flush()
    except BaseException:
        if not existed:
            target.unlink(missing_ok=True)
        raise
    if before and before != target.name:
        discard_unused_media(session, before)
    return attachment


def discard_unused_media(session: Session, media_file: str) -> bool:
    """Delete ``media_file`` from the media folder when no source uses it any more (after a
    source is removed or given another recording); whether it was deleted."""
    users = session.scalar(select(func.count()).select_from(Source)
                           .where(Source.media_file == media_file)) or 0
    path = media_folder(session) / media_file
    if users or not path.is_file():
        return False
    path.unlink()
    return True


def _check_not_elsewhere(session: Session, source: Source, recording: Recording) -> None:
    other = session.scalar(select(Source.name).where(Source.media_sha256 == recording.sha256,
                                                     Source.id != source.id))
    if other is not None:
        raise DuplicateSource(f"this recording is already the recording of {other}",
                              path=recording.path)


def _set_media(source: Source, recording: Recording, name: str) -> None:
    source.media_file = name
    source.media_sha256 = recording.sha256
    source.media_format = recording.format
    source.media_duration = recording.duration
    source.media_kind = recording.kind


def _spans(times: Times | str | Path, turns: list[Turn], recording: Recording
           ) -> list[tuple[float, float]]:
    if isinstance(times, str | Path):
        spans = _cue_spans(Path(times), turns)
        where = Path(times)
    else:
        spans = [(float(start), float(end)) for start, end in times]
        where = recording.path
        if len(spans) > len(turns):
            raise TimesMismatch(f"{len(spans)} times for {len(turns)} turns", path=where)
    for number, (start, end) in enumerate(spans, start=1):
        if not 0 <= start <= end <= recording.duration + SLACK:
            raise TimesMismatch(
                f"turn {number}: {start:.2f}-{end:.2f} s does not lie within the recording "
                f"(0-{recording.duration:.2f} s)", path=where)
    return spans


def _cue_spans(path: Path, turns: list[Turn]) -> list[tuple[float, float]]:
    """One ``(start, end)`` per cue of a subtitle file whose cues are the turns."""
    from framesynth.io.importers import read_source

    imported = read_source(path)
    cues = imported.turns or []
    if len(cues) != len(turns):
        raise TimesMismatch(f"{len(cues)} timed cues for {len(turns)} turns of the source; "
                            "the file must have the source's turns, in order", path=path)
    spans = []
    for number, (cue, turn) in enumerate(zip(cues, turns, strict=True), start=1):
        label = turn.speaker.label if turn.speaker is not None else None
        if cue.label and label and cue.label.casefold() != label.casefold():
            raise TimesMismatch(f"cue {number} is {cue.label!r} but turn {number} is {label!r}",
                                path=path)
        if cue.started_at is None or cue.ended_at is None:
            raise TimesMismatch(f"cue {number} has no time", path=path)
        spans.append((cue.started_at, cue.ended_at))
    return spans
