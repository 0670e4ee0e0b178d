"""Import transcripts and case tables into a project."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from framesynth.errors import FramesynthError, ImportBatchError
from framesynth.familiarise.sources import ImportedSource, add_sources
from framesynth.familiarise.speakers import compile_speaker_pattern
from framesynth.io.importers.registry import read_source, supported_suffixes
from framesynth.store.models import Source

Progress = Callable[[int, int, str], None]

__all__ = ["import_files", "read_all", "read_source", "supported_suffixes"]


def read_all(paths: Sequence[str | Path], *, progress: Progress | None = None,
             speaker_pattern: str | None = None) -> list[ImportedSource]:
    """Read every file; collect all failures and raise them together as one batch error."""
    imported: list[ImportedSource] = []
    errors: list[FramesynthError] = []
    for number, path in enumerate(paths, start=1):
        if progress:
            progress(number, len(paths), Path(path).name)
        try:
            imported.append(read_source(path, speaker_pattern=speaker_pattern))
        except FramesynthError as error:
            errors.append(error)
    if errors:
        raise ImportBatchError(errors)
    return imported


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
    """Read and store transcript files, all or nothing.

    Every file is read and checked before anything is written; if any file is bad the
    error lists each bad file on its own line and the project is left untouched.

    :param speaker_pattern: a regex with a named group ``label`` (optional ``ts``) for
        speaker headers in a layout framesynth does not know.
    :param interviewers: labels of the research team in these files (see :func:`add_sources`).
    """
    if speaker_pattern is not None:
        compile_speaker_pattern(speaker_pattern)
    imported = read_all(paths, progress=progress, speaker_pattern=speaker_pattern)
    return add_sources(session, imported, kind=kind, actor=actor,
                       speaker_pattern=speaker_pattern, interviewers=interviewers)
