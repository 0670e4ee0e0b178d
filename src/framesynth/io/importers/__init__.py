"""Import transcripts, recordings and case tables into a project."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from framesynth.errors import (
    DuplicateSource,
    FramesynthError,
    ImportBatchError,
    UnsupportedFormat,
)
from framesynth.familiarise.sources import ImportedSource, Recording, add_sources
from framesynth.familiarise.speakers import compile_speaker_pattern
from framesynth.io.importers.media import (
    MEDIA_SUFFIXES,
    is_media,
    media_folder,
    probe,
    store_recording,
    stored_name,
)
from framesynth.io.importers.registry import read_source
from framesynth.io.importers.registry import supported_suffixes as transcript_suffixes
from framesynth.store.models import Source

Progress = Callable[[int, int, str], None]

__all__ = ["import_files", "pair_files", "read_all", "read_source", "supported_suffixes"]


def supported_suffixes() -> list[str]:
    """Every suffix ``import`` takes: transcripts and recordings."""
    return sorted([*transcript_suffixes(), *MEDIA_SUFFIXES])


def pair_files(paths: Sequence[str | Path]) -> list[tuple[Path | None, Path | None]]:
    """The files as (transcript, recording) pairs in the order given: a recording and a
    transcript with the same stem (``int03.m4a`` + ``int03.vtt``) are one pair, any other
    file is alone. Two recordings or two transcripts of one stem are not paired."""
    files = [Path(path) for path in paths]
    by_stem: dict[str, list[Path]] = {}
    for file in files:
        by_stem.setdefault(file.stem, []).append(file)
    pairs: list[tuple[Path | None, Path | None]] = []
    done: set[Path] = set()
    for file in files:
        if file in done:
            continue
        group = by_stem[file.stem]
        media = [f for f in group if is_media(f)]
        texts = [f for f in group if not is_media(f)]
        if len(media) == 1 and len(texts) == 1:
            pairs.append((texts[0], media[0]))
            done.update((texts[0], media[0]))
        else:
            pairs.append((None, file) if is_media(file) else (file, None))
            done.add(file)
    return pairs


def read_pair(transcript: Path | None, recording: Path | None, *,
              speaker_pattern: str | None = None) -> ImportedSource:
    """One source from a transcript, a recording or both (nothing is stored). A
    recording alone has empty text and no turns yet."""
    media: Recording | None = probe(recording) if recording is not None else None
    if transcript is not None:
        if transcript.suffix.lower() not in transcript_suffixes():
            suffix = transcript.suffix or "(no suffix)"
            raise UnsupportedFormat(f"unsupported format {suffix}; use one of "
                                    f"{', '.join(supported_suffixes())}", path=transcript)
        imported = read_source(transcript, speaker_pattern=speaker_pattern)
        imported.recording = media
        return imported
    assert media is not None
    return ImportedSource(media.path.name, media.format, "", media.sha256, turns=[],
                          meta={"layout": "recording"}, recording=media)


def read_all(paths: Sequence[str | Path], *, progress: Progress | None = None,
             speaker_pattern: str | None = None) -> list[ImportedSource]:
    """Read every file (a transcript and its recording as one source); collect all
    failures and raise them together as one batch error."""
    imported: list[ImportedSource] = []
    errors: list[FramesynthError] = []
    pairs = pair_files(paths)
    for number, (transcript, recording) in enumerate(pairs, start=1):
        if progress:
            progress(number, len(pairs), _pair_name(transcript, recording))
        try:
            imported.append(read_pair(transcript, recording, speaker_pattern=speaker_pattern))
        except FramesynthError as error:
            errors.append(error)
    if errors:
        raise ImportBatchError(errors)
    return imported


def _pair_name(transcript: Path | None, recording: Path | None) -> str:
    return " + ".join(file.name for file in (transcript, recording) if file is not None)


def import_files(
    session: Session,
    paths: Sequence[str | Path],
    *,
    kind: str | None = None,
    actor: str = "framesynth",
    progress: Progress | None = None,
    speaker_pattern: str | None = None,
    interviewers: Sequence[str] = (),
) -> list[Source]:
    """Read and store transcript and recording files, all or nothing.

    Every file is read and checked before anything is written; if any file is bad the
    error lists each bad file on its own line and the project is left untouched. A
    recording is copied unchanged into the media folder (:func:`media_folder`) once
    every file has been read.

    :param speaker_pattern: a regex with a named group ``label`` (optional ``ts``) for
        speaker headers in a layout framesynth does not know.
    :param interviewers: labels of the research team in these files (see :func:`add_sources`).
    """
    if speaker_pattern is not None:
        compile_speaker_pattern(speaker_pattern)
    imported = read_all(paths, progress=progress, speaker_pattern=speaker_pattern)
    _check_recordings(session, imported)
    copied: list[Path] = []
    try:
        for item in imported:
            if item.recording is not None:
                folder = media_folder(session)
                existed = (folder / stored_name(item.recording)).exists()
                target = store_recording(folder, item.recording)
                item.stored_as = target.name
                if not existed:
                    copied.append(target)
        return add_sources(session, imported, kind=kind, actor=actor,
                           speaker_pattern=speaker_pattern, interviewers=interviewers)
    except BaseException:
        for target in copied:  # a failed batch leaves no recording behind
            target.unlink(missing_ok=True)
        raise


def _check_recordings(session: Session, imported: Sequence[ImportedSource]) -> None:
    """A recording already in the project, or twice in the batch, is a duplicate."""
    from sqlalchemy import select

    items = [item for item in imported if item.recording is not None]
    sums = [item.recording.sha256 for item in items if item.recording is not None]
    stored: dict[str | None, str] = {
        checksum: name for checksum, name in session.execute(
            select(Source.media_sha256, Source.name).where(Source.media_sha256.in_(sums)))}
    seen: dict[str, str] = {}
    errors: list[FramesynthError] = []
    for item in items:
        assert item.recording is not None
        name, checksum = item.recording.path.name, item.recording.sha256
        if checksum in stored:
            errors.append(DuplicateSource(
                f"recording already imported with {stored[checksum]!r} (same content)",
                path=name))
        elif checksum in seen:
            errors.append(DuplicateSource(f"same recording as {seen[checksum]!r} in this batch",
                                          path=name))
        seen.setdefault(checksum, name)
    if errors:
        raise ImportBatchError(errors)
