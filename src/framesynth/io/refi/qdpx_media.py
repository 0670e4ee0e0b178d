"""Recordings in a ``.qdpx``: AudioSource and VideoSource with their Transcript.

Export: a source with a recording is an ``<AudioSource>`` or ``<VideoSource>`` whose
``path`` is ``internal://GUID.EXT``, the file itself stored byte for byte under
``sources/`` in the package, as the texts of text sources are. Its text is one
``<Transcript>`` (``plainTextPath`` to its text file) with a ``<SyncPoint>`` at the
start and at the end of each timed turn (``position``: code-point offset into the
transcript, ``timeStamp``: milliseconds). Codings of a time range are
``<AudioSelection>``/``<VideoSelection>`` (``begin``/``end`` in milliseconds, so times
keep millisecond precision); text codings of the transcript are
``<TranscriptSelection>`` between two untimed SyncPoints at their start and end.

Import reads the same back: the recording is stored in the project's media folder
(``io.importers.media.store_recording``), the transcript's turns are found in its text
and timed from the SyncPoints at their start and end, transcript selections become text
codings and audio/video selections time-range codings (their span the words the range
covers, as ``index.coding.code_time_range`` gives it).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from lxml import etree

from framesynth.io.refi.qdpx_common import Q, QdpxError, guid_of, stable_guid
from framesynth.store.models import Coding, Source, Turn

if TYPE_CHECKING:
    from framesynth.familiarise.sources import Recording

MEDIA_SOURCES = {"AudioSource": "audio", "VideoSource": "video"}
SELECTION = {"audio": "AudioSelection", "video": "VideoSelection"}


def millis(seconds: float) -> str:
    return str(round(seconds * 1000))


# ---- export -------------------------------------------------------------------------

def media_element(parent: etree._Element, source: Source, guid: str,
                  attributes: dict[str, str]) -> etree._Element:
    """The ``<AudioSource>``/``<VideoSource>`` of ``source`` (its file at
    ``internal://GUID.EXT``)."""
    tag = "VideoSource" if source.media_kind == "video" else "AudioSource"
    return etree.SubElement(parent, f"{Q}{tag}", {
        "guid": guid, "name": source.name,
        "path": f"internal://{guid}.{source.media_format or 'bin'}", **attributes})


def media_file_name(source: Source, guid: str) -> str:
    return f"{guid}.{source.media_format or 'bin'}"


def write_transcript(element: etree._Element, source: Source, guid: str,
                     text_codings: list[tuple[str, int, int, list[Coding], list[str]]],
                     write_coding: Callable[[etree._Element, Coding], None]) -> str:
    """The ``<Transcript>`` of a recording; returns its text file's name.
    ``text_codings``: (selection GUID, start, end, codings, note GUIDs) of the
    transcript's text."""
    transcript_guid = stable_guid("transcript", guid)
    name = f"{transcript_guid}.txt"
    transcript = etree.SubElement(element, f"{Q}Transcript", guid=transcript_guid,
                                  name=source.name, plainTextPath=f"internal://{name}")
    for turn in sorted(source.turns, key=lambda t: t.start):
        for position, at in ((turn.start, turn.started_at), (turn.end, turn.ended_at)):
            if at is not None:
                etree.SubElement(transcript, f"{Q}SyncPoint",
                                 guid=stable_guid("sync", guid, turn.position, position),
                                 timeStamp=millis(at), position=str(position))
    for selection_guid, start, end, _codings, _notes in text_codings:
        for position in (start, end):
            etree.SubElement(transcript, f"{Q}SyncPoint",
                             guid=stable_guid("sync", selection_guid, position),
                             position=str(position))
    for selection_guid, start, end, codings, notes in text_codings:
        selection = etree.SubElement(
            transcript, f"{Q}TranscriptSelection", guid=selection_guid,
            fromSyncPoint=stable_guid("sync", selection_guid, start),
            toSyncPoint=stable_guid("sync", selection_guid, end))
        for coding in codings:
            write_coding(selection, coding)
        for note in notes:
            etree.SubElement(selection, f"{Q}NoteRef", targetGUID=note)
    return name


def write_time_selections(element: etree._Element, source: Source, codings: list[Coding],
                          write_coding: Callable[[etree._Element, Coding], None]) -> None:
    """One ``<AudioSelection>``/``<VideoSelection>`` per time range coded."""
    tag = SELECTION["video" if source.media_kind == "video" else "audio"]
    ranges: dict[tuple[str, str], list[Coding]] = {}
    for coding in codings:
        assert coding.media_start is not None and coding.media_end is not None
        ranges.setdefault((millis(coding.media_start), millis(coding.media_end)),
                          []).append(coding)
    for (begin, end), held in sorted(ranges.items(), key=lambda r: (int(r[0][0]),
                                                                    int(r[0][1]))):
        selection = etree.SubElement(element, f"{Q}{tag}",
                                     guid=stable_guid("time-selection", source.id, begin, end),
                                     begin=begin, end=end)
        for coding in held:
            write_coding(selection, coding)


# ---- import -------------------------------------------------------------------------

@dataclass
class TimeSelection:
    guid: str
    begin: float  # seconds
    end: float
    codings: Sequence[object]  # the ReadCodings of qdpx_read
    line: int


@dataclass
class MediaPart:
    """What a media source adds to a text source read from a ``.qdpx``."""

    kind: str
    recording: Recording
    stored_as: str | None = None
    times: list[tuple[int, float]] = field(default_factory=list)  # (position, seconds)
    selections: list[TimeSelection] = field(default_factory=list)


def transcript_of(element: etree._Element) -> etree._Element | None:
    return element.find(f"{Q}Transcript")


def sync_points(transcript: etree._Element | None) -> dict[str, tuple[int, float | None]]:
    """``{guid: (position, seconds or None)}``."""
    found: dict[str, tuple[int, float | None]] = {}
    if transcript is None:
        return found
    for point in transcript.iterfind(f"{Q}SyncPoint"):
        stamp = point.get("timeStamp")
        found[guid_of(point.get("guid"))] = (
            int(point.get("position") or 0), int(stamp) / 1000 if stamp is not None else None)
    return found


def read_recording(data: bytes, name: str, element: etree._Element, path: Path,
                   scratch: Path) -> Recording:
    """Probe the recording's bytes (written to ``scratch`` under ``name``)."""
    from framesynth.errors import FramesynthError
    from framesynth.io.importers.media import probe

    target = scratch / name
    target.write_bytes(data)
    try:
        return probe(target)
    except FramesynthError as error:
        raise QdpxError(f"the recording of source {element.get('name')!r} cannot be read "
                        f"({error.message})", path=path,
                        where=f"line {element.sourceline}") from None


def recording_name(element: etree._Element, reference: str) -> str:
    """The recording's file name: the source's name with the file's suffix."""
    suffix = PurePosixPath(reference.replace("internal://", "")).suffix
    stem = PurePosixPath(element.get("name") or reference).stem or "recording"
    return f"{stem}{suffix}"


def scratch_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="framesynth-qdpx-media-")


def timed_turns(turns: Iterable[Turn], times: list[tuple[int, float]]) -> None:
    """Each turn's start time from a SyncPoint at its start (the latest, where a turn
    ends where the next starts), its end time from one at its end (the earliest)."""
    at: dict[int, list[float]] = {}
    for position, seconds in times:
        at.setdefault(position, []).append(seconds)
    for turn in turns:
        if turn.start in at:
            turn.started_at = max(at[turn.start])
        if turn.end in at:
            turn.ended_at = min(at[turn.end])
