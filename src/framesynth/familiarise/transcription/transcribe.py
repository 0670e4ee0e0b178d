"""Transcribe a source's recording into its text and timed turns, resumably.

The recording is decoded and cut into pieces (:mod:`.audio`); each piece goes to the
engine, and its segments are saved as JSON in the project's ``-transcripts`` folder beside
the project file (:func:`~framesynth.store.engine.folder_beside`) under a key of the
recording's SHA-256, the engine, its model and the piece's bounds. A run that is stopped
(Ctrl-C, a crash) leaves the finished pieces there, and the next run skips them;
``restart=True`` forgets them. The project itself is written only at the end, in the
caller's one transaction: until then nothing in it changes.

A source that already has text is refused unless ``replace=True``; then the transcript goes
through :func:`~framesynth.familiarise.source_admin.replace_source`, so codings move to the
same words and the old text is kept as a revision.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from framesynth.errors import FramesynthError, InvalidArgument
from framesynth.familiarise.source_admin import rebuild_turns, replace_source
from framesynth.familiarise.sources import ImportedSource, get_source
from framesynth.familiarise.speakers import DetectedTurn
from framesynth.familiarise.transcription.audio import PIECE_SECONDS, Piece, cut, decode
from framesynth.familiarise.transcription.engines import SAMPLE_RATE, Engine, Segment, Word
from framesynth.familiarise.transcription.turns import (
    PAUSE,
    SpokenTurn,
    assign_speakers,
    split_turns,
)
from framesynth.io.importers.media import media_folder
from framesynth.store.engine import folder_beside
from framesynth.store.events import log_event
from framesynth.store.models import Source

Progress = Callable[[int, int, str], None]  # (pieces done, pieces, what), as import shows it


class TranscriptExists(FramesynthError):
    """The source has a transcript already; replacing it must be asked for."""

    code = "FS122"


@dataclass(frozen=True)
class TranscriptionResult:
    """What :func:`transcribe_source` wrote."""

    source: str
    engine: str
    model: str
    seconds: float      # of audio transcribed
    pieces: int
    resumed: int        # pieces read back from an earlier, interrupted run
    segments: int
    words: int
    turns: int
    speakers: list[str]
    replaced: bool
    revision: int | None = None  # the old text's revision, when replaced

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def transcribe_source(session: Session, name: str, engine: Engine, *, pause: float = PAUSE,
                      speakers: int | None = None, replace: bool = False,
                      progress: Progress | None = None, restart: bool = False,
                      language: str | None = None, piece_seconds: float = PIECE_SECONDS,
                      actor: str = "framesynth") -> TranscriptionResult:
    """Transcribe the recording of source ``name`` with ``engine`` into its text and timed
    turns (``Turn.started_at`` / ``ended_at``).

    :param pause: seconds of silence that start a new turn.
    :param speakers: 2 applies the two-person rule (:mod:`.turns`); None leaves turns
        without speakers, to be assigned in the reader.
    :param replace: replace an existing text (codings carried, old text kept).
    :param restart: forget pieces saved by an earlier run of this recording and engine.
    :param progress: called after each piece with (done, total, description).
    """
    source = get_source(session, name)
    if source.text.strip() and not replace:
        raise TranscriptExists(f"source {name!r} has a transcript already; use --replace to "
                               "replace it (codings are carried, the old text kept)")
    if pause <= 0:
        raise InvalidArgument(f"--pause must be more than 0 seconds, not {pause}")
    recording = _recording_path(session, source)
    samples = decode(recording)
    pieces = cut(samples, seconds=piece_seconds)
    folder = _piece_folder(session, source, engine)
    if restart and folder.exists():
        shutil.rmtree(folder)
    segments: list[Segment] = []
    resumed = 0
    for number, piece in enumerate(pieces, start=1):
        found = _load_piece(folder, piece)
        if found is None:
            found = engine.transcribe(samples[piece.start:piece.end], offset=piece.offset,
                                      language=language)
            _save_piece(folder, piece, found)
        else:
            resumed += 1
        segments += found
        if progress:
            progress(number, len(pieces), f"{piece.offset:.0f}s-{piece.end / SAMPLE_RATE:.0f}s")
    turns = assign_speakers(split_turns(segments, pause=pause), speakers)
    return _write(session, source, engine, turns, actor=actor, result=dict(
        engine=engine.name, model=engine.model, seconds=round(len(samples) / SAMPLE_RATE, 3),
        pieces=len(pieces), resumed=resumed, segments=len(segments),
        words=sum(len(t.text.split()) for t in turns)))


def _recording_path(session: Session, source: Source) -> Path:
    if not source.media_file:
        raise InvalidArgument(f"source {source.name!r} has no recording to transcribe")
    path = media_folder(session) / source.media_file
    if not path.is_file():
        raise InvalidArgument(f"the recording of {source.name!r} is missing from the media "
                              "folder", path=path)
    return path


def _piece_folder(session: Session, source: Source, engine: Engine) -> Path:
    """``<project>-transcripts/<sha256>-<engine>-<model>/``: one per recording and model."""
    base = folder_beside(session, "-transcripts", "transcripts in progress are kept")
    model = re.sub(r"[^A-Za-z0-9._-]+", "_", engine.model)
    sha = source.media_sha256 or hashlib.sha256((source.media_file or "").encode()).hexdigest()
    return base / f"{sha}-{engine.name}-{model}"


def _load_piece(folder: Path, piece: Piece) -> list[Segment] | None:
    path = folder / f"{piece.key}.json"
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # not finished (or written by half): transcribe it again
    return [Segment(s["start"], s["end"], s["text"],
                    tuple(Word(w["text"], w["start"], w["end"]) for w in s["words"]))
            for s in saved["segments"]]


def _save_piece(folder: Path, piece: Piece, segments: Sequence[Segment]) -> None:
    """Written to a temporary name and renamed, so a piece is saved whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{piece.key}.json"
    partial = path.with_name(path.name + ".partial")
    body = {"start": piece.start, "end": piece.end, "rate": SAMPLE_RATE,
            "segments": [asdict(s) for s in segments]}
    partial.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    partial.replace(path)


def layout(turns: Sequence[SpokenTurn]) -> tuple[str, list[DetectedTurn]]:
    """The transcript's text, one paragraph per turn (``Label: words`` where a turn has a
    speaker), and each turn's span of words in it with its times."""
    parts: list[str] = []
    detected: list[DetectedTurn] = []
    position = 0
    for turn in turns:
        head = f"{turn.label}: " if turn.label else ""
        start = position + len(head)
        parts.append(head + turn.text)
        detected.append(DetectedTurn(start, start + len(turn.text), turn.label,
                                     round(turn.start, 3), round(turn.end, 3)))
        position += len(parts[-1]) + 2
    return "\n\n".join(parts) + ("\n" if parts else ""), detected


def _write(session: Session, source: Source, engine: Engine, turns: Sequence[SpokenTurn], *,
           actor: str, result: dict[str, Any]) -> TranscriptionResult:
    text, detected = layout(turns)
    checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
    revision: int | None = None
    replaced = bool(source.text.strip()) and text != source.text
    if text == source.text:
        pass  # transcribed again to the same words: nothing to replace
    elif replaced:
        imported = ImportedSource(source.name, source.format, text, checksum, turns=detected,
                                  meta={"transcribed_by": f"{engine.name}:{engine.model}"})
        revision = replace_source(session, source.name, imported, actor=actor).revision
    else:
        source.text, source.checksum = text, checksum
        source.meta = {**(source.meta or {}), "transcribed_by": f"{engine.name}:{engine.model}"}
        rebuild_turns(session, source, detected)
    session.flush()
    done = TranscriptionResult(source=source.name, turns=len(detected),
                               speakers=[s.label for s in source.speakers], replaced=replaced,
                               revision=revision, **result)
    log_event(session, "transcribe", actor=actor, **done.as_dict())
    return done



LIBRARIES = {"pocketsphinx": "pocketsphinx", "faster-whisper": "faster_whisper"}


@dataclass(frozen=True)
class EngineStatus:
    """An engine of :data:`ENGINES` and whether it can run on this machine."""

    name: str
    installed: bool
    needs_model_dir: bool
    summary: str

    @property
    def note(self) -> str:
        if not self.installed:
            return f"not installed (pip install {self.name})"
        return "yes, given --model-dir" if self.needs_model_dir else "yes"


def engine_statuses() -> list[EngineStatus]:
    """Every registered engine, with whether its library is installed here (found, not
    imported: listing engines loads no model)."""
    from importlib.util import find_spec

    from framesynth.familiarise.transcription.engines import ENGINES

    return [EngineStatus(info.name,
                         find_spec(LIBRARIES.get(info.name, info.target.split(":")[0])) is not None,
                         info.needs_model_dir, info.summary) for info in ENGINES.values()]
