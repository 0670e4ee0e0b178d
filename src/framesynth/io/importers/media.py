"""Audio and video recordings (PyAV, which brings its own FFmpeg).

A recording is probed, never decoded or altered: its duration, container format and
streams are read from the file, and :func:`store_recording` copies it unchanged into
the project's media folder (``study.fsdb-media/``), checking its SHA-256 after the copy.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from sqlalchemy.orm import Session

from framesynth.errors import CorruptFile, NotFound
from framesynth.familiarise.sources import Recording
from framesynth.store.engine import folder_beside
from framesynth.store.models import Source

AUDIO_SUFFIXES = (".wav", ".mp3", ".m4a", ".ogg", ".flac")
VIDEO_SUFFIXES = (".mp4", ".webm", ".mov")
MEDIA_SUFFIXES = AUDIO_SUFFIXES + VIDEO_SUFFIXES
CHUNK = 1 << 20


def is_media(path: str | Path) -> bool:
    """Whether ``path`` names a recording framesynth imports (by its suffix)."""
    return Path(path).suffix.lower() in MEDIA_SUFFIXES


def probe(path: str | Path) -> Recording:
    """The recording's duration, format, kind and checksum; a file FFmpeg cannot read as
    audio or video is one :class:`CorruptFile` line naming it."""
    import av  # FFmpeg's libraries load only when a recording is imported

    path = Path(path)
    if not path.is_file():
        raise CorruptFile("cannot read the file (no such file)", path=path)
    try:
        with av.open(str(path)) as container:
            audio = len(container.streams.audio)
            video = sum(1 for s in container.streams.video
                        if not s.disposition & av.stream.Disposition.attached_pic)
            duration = _duration(container)
            container_format = container.format.name
    except (av.FFmpegError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise CorruptFile(f"not a readable recording ({reason})", path=path) from None
    if not audio and not video:
        raise CorruptFile("not a recording (no audio or video stream)", path=path)
    if duration is None:
        raise CorruptFile("not a readable recording (no duration)", path=path)
    return Recording(path=path, sha256=sha256_of(path),
                     format=path.suffix.lower().lstrip("."), container=container_format,
                     duration=duration, kind="video" if video else "audio",
                     audio_streams=audio, video_streams=video)


def _duration(container: object) -> float | None:
    """Seconds: the container's own duration, else its longest stream's."""
    import av

    assert isinstance(container, av.container.InputContainer)
    if container.duration is not None:
        return float(container.duration) / av.time_base
    lengths = [float(s.duration * s.time_base) for s in container.streams
               if s.duration is not None and s.time_base is not None]
    return max(lengths) if lengths else None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_folder(session: Session) -> Path:
    """``<project file>-media`` (for a database, ``DATABASE-media`` in
    ``FRAMESYNTH_LOCAL_DIR``): :func:`~framesynth.store.engine.folder_beside`."""
    return folder_beside(session, "-media", "recordings are kept")


def stored_name(recording: Recording) -> str:
    """The file's name in the media folder: its checksum's first 12 digits before its own
    name, so two recordings called ``int03.m4a`` never collide (and one file is kept once)."""
    return f"{recording.sha256[:12]}-{recording.path.name}"


def store_recording(folder: Path, recording: Recording) -> Path:
    """Copy the recording unchanged into ``folder``; its checksum is verified after the
    copy, and a copy that does not match is removed and reported."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / stored_name(recording)
    if target.exists() and sha256_of(target) == recording.sha256:
        return target
    partial = target.with_name(target.name + ".partial")
    try:
        shutil.copyfile(recording.path, partial)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise CorruptFile(f"cannot copy the recording into {folder} ({error.strerror})",
                          path=recording.path) from None
    if sha256_of(partial) != recording.sha256:
        partial.unlink(missing_ok=True)
        raise CorruptFile("the copy in the media folder does not match the file (changed "
                          "while importing?)", path=recording.path)
    partial.replace(target)
    return target


MEDIA_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg", "m4a": "audio/mp4", "ogg": "audio/ogg",
               "flac": "audio/flac", "mp4": "video/mp4", "webm": "video/webm",
               "mov": "video/quicktime"}


def media_type(source: Source) -> str:
    """The Content-Type a browser plays the source's recording as (an audio-only ``.mp4``
    or ``.webm`` as audio)."""
    found = MEDIA_TYPES.get(source.media_format or "", "application/octet-stream")
    if source.media_kind == "audio" and source.media_format in {"mp4", "webm"}:
        return found.replace("video/", "audio/")
    return found


def recording_path(session: Session, source: Source) -> Path:
    """The file of the source's recording in the media folder; NotFound when it has none
    or the file is missing. Only a plain name inside the media folder is ever returned."""
    name = source.media_file
    if not name:
        raise NotFound("this source has no recording", path=source.name)
    folder = media_folder(session).resolve()
    path = (folder / name).resolve()
    if Path(name).name != name or path.parent != folder or not path.is_file():
        raise NotFound(f"its recording {name!r} is not in the media folder {folder}",
                       path=source.name)
    return path
