"""Sources: add imported transcripts to a project, with their speakers and turns.

File readers live in :mod:`framesynth.io.importers`; they return an
:class:`ImportedSource`, and :func:`add_sources` stores a batch of them in the caller's
transaction: all of the batch or, on any error, nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from framesynth.errors import (
    DuplicateSource,
    FramesynthError,
    ImportBatchError,
    InvalidArgument,
    NotFound,
)
from framesynth.familiarise.language import ensure_languages
from framesynth.familiarise.speaker_links import (
    KIND_FROM,
    kind_for_respondents,
    known_labels,
    link_source_speakers,
    mark_team,
)
from framesynth.familiarise.speakers import (
    DetectedTurn,
    detect_turns,
    is_interviewer_label,
    normalise_label,
)
from framesynth.store.events import log_event
from framesynth.store.models import (
    SOURCE_KINDS,
    Participant,
    Source,
    SourceProfile,
    Speaker,
    Turn,
)

# turn columns in the order _insert_turns binds them
TURN_COLUMNS = ("source_id", "position", "start", "end", "speaker_id", "text", "started_at",
                "ended_at")


@dataclass
class Recording:
    """An audio or video file probed for import (see :mod:`framesynth.io.importers.media`).

    :param format: the file's suffix (``m4a``); ``container`` is FFmpeg's name for it.
    :param kind: ``audio`` or ``video`` (a file with any video stream besides cover art).
    """

    path: Path
    sha256: str
    format: str
    container: str
    duration: float
    kind: str
    audio_streams: int = 0
    video_streams: int = 0


@dataclass
class ImportedSource:
    """A file read into text, ready to be stored.

    :param turns: turns found by the reader (subtitle cues); None lets
        :func:`detect_turns` find them in ``text``.
    :param recording: the recording this transcript goes with (same stem), or that the
        source is alone (empty text, no turns yet).
    :param stored_as: the recording's file name in the media folder, set once copied.
    """

    name: str
    format: str
    text: str
    checksum: str
    turns: list[DetectedTurn] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    recording: Recording | None = None
    stored_as: str | None = None


def add_sources(
    session: Session,
    imported: Sequence[ImportedSource],
    *,
    kind: str | None = None,
    actor: str = "framesynth",
    speaker_pattern: str | None = None,
    interviewers: Sequence[str] = (),
) -> list[Source]:
    """Store a batch of imported files; raise :class:`ImportBatchError` if any is a duplicate.

    :param kind: interview, focus_group or document for every file; by default the cases
        table's source profile decides, else the number of speakers who are not the
        research team (one: interview; several: focus group; none: document).
    :param speaker_pattern: a speaker header regex for a layout framesynth does not know
        (see :func:`~framesynth.familiarise.speakers.detect_turns`).
    :param interviewers: labels of the research team in this batch (``Sam``), marked on
        every source they speak in; each must speak in at least one.
    """
    if kind is not None and kind not in SOURCE_KINDS:
        raise FramesynthError(f"unknown kind {kind!r}; use one of {', '.join(SOURCE_KINDS)}")
    errors = duplicate_errors(session, imported)
    if errors:
        raise ImportBatchError(errors)
    # only what this batch needs is read, so a batch costs the same in a big project
    labels = known_labels(session) | {normalise_label(label) for label in interviewers}
    profiles = profiles_named(session, [item.name for item in imported])
    taken = taken_names(session, [item.name for item in imported])
    staged = [_stage_source(item, kind=kind, labels=labels, profile=profiles.get(item.name),
                            taken=taken, pattern=speaker_pattern) for item in imported]
    sources = [source for source, _ in staged]
    _mark_interviewers(sources, interviewers)
    profiles |= profiles_named(session, [source.name for source, item in zip(sources, imported,
                                                                              strict=True)
                                         if source.name != item.name])  # renamed: name (2)
    participants = {p.key: p for p in session.scalars(select(Participant))}
    for source in sources:  # linked before the flush: speakers are inserted once, linked
        link_source_speakers(session, source, profile=profiles.get(source.name),
                             participants=participants)
    session.add_all(sources)
    session.flush()
    _insert_turns(session, [row for source, turns in staged for row in _turn_rows(source, turns)])
    ensure_languages(session)  # from the participants' turns, now that speakers are linked
    log_event(session, "import_sources", actor=actor, sources=[s.name for s in sources],
              **({"interviewers": list(interviewers)} if interviewers else {}))
    return sources


def duplicate_errors(session: Session, imported: Sequence[ImportedSource]) -> list[FramesynthError]:
    """One error per file already in the project or repeated in the batch (by checksum)."""
    stored = {checksum: name for chunk in _chunks([item.checksum for item in imported])
              for checksum, name in session.execute(
                  select(Source.checksum, Source.name).where(Source.checksum.in_(chunk)))}
    seen: dict[str, str] = {}
    errors: list[FramesynthError] = []
    for item in imported:
        if item.checksum in stored:
            message = f"already imported as {stored[item.checksum]!r} (same content)"
            errors.append(DuplicateSource(message, path=item.name))
        elif item.checksum in seen:
            message = f"same content as {seen[item.checksum]!r} in this batch"
            errors.append(DuplicateSource(message, path=item.name))
        seen.setdefault(item.checksum, item.name)
    return errors


def profiles_named(session: Session, names: Iterable[str]) -> dict[str, SourceProfile]:
    """The source profiles of the cases table for these file names, by name."""
    return {p.name: p for chunk in _chunks(sorted(set(names)))
            for p in session.scalars(select(SourceProfile).where(SourceProfile.name.in_(chunk)))}


def taken_names(session: Session, names: Sequence[str]) -> set[str]:
    """The stored names :func:`unique_name` must avoid for ``names``: each name, and its
    numbered forms (``name (2)``) where the name is stored or repeated in ``names``."""
    taken = {name for chunk in _chunks(sorted(set(names)))
             for name in session.scalars(select(Source.name).where(Source.name.in_(chunk)))}
    clashing = taken | {name for name, count in Counter(names).items() if count > 1}
    for name in sorted(clashing):
        taken.update(session.scalars(select(Source.name).where(
            Source.name.startswith(f"{name} (", autoescape=True))))
    return taken


def _chunks(values: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    """``values`` in slices small enough for one ``IN (...)`` list."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _stage_source(item: ImportedSource, *, kind: str | None, labels: set[str],
                  profile: SourceProfile | None, taken: set[str], pattern: str | None = None
                  ) -> tuple[Source, list[DetectedTurn]]:
    """A new Source with its speakers (not yet flushed) and the turns to insert for it."""
    stated = {*profile.speakers, *profile.team} if profile else set()
    turns = item.turns if item.turns is not None else detect_turns(
        item.text, known_labels=labels | stated, pattern=pattern,
    )
    name = unique_name(item.name, taken)
    taken.add(name)
    given = kind or (profile.kind if profile and profile.kind else None)
    kind_from = "option" if kind else "cases" if given else "speakers"
    source = Source(
        name=name,
        kind=given or infer_kind(turns),
        format=item.format,
        text=item.text,
        checksum=item.checksum,
        meta={**item.meta, **(profile.attributes if profile else {}), KIND_FROM: kind_from},
    )
    if item.recording is not None:
        recording = item.recording
        source.media_file = item.stored_as or recording.path.name
        source.media_sha256 = recording.sha256
        source.media_format = recording.format
        source.media_duration = recording.duration
        source.media_kind = recording.kind
    source.speakers = [Speaker(label=label, is_interviewer=is_interviewer_label(label))
                       for label in dict.fromkeys(t.label for t in turns if t.label)]
    return source, turns


def _insert_turns(session: Session, rows: list[dict[str, Any]], size: int = 1000) -> None:
    """Insert turn rows, on SQLite ``size`` per statement.

    The ``turn_fts`` trigger's FTS5 index writes its pending terms out once per
    statement: one row per statement writes a tiny segment per turn, and merging those
    costs more per turn the larger the index grows.
    """
    if not rows:
        return  # a recording alone has no turns yet; an empty executemany inserts one blank row
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        connection.execute(insert(Turn), rows)
        return
    for start in range(0, len(rows), size):
        chunk = rows[start:start + size]
        values = tuple(row[column] for row in chunk for column in TURN_COLUMNS)
        connection.exec_driver_sql(_turn_insert_sql(len(chunk)), values)


@lru_cache(maxsize=4)
def _turn_insert_sql(count: int) -> str:
    """``INSERT INTO turns`` of ``count`` rows of qmark parameters."""
    names = ", ".join(f'"{column}"' for column in TURN_COLUMNS)
    row = "(" + ", ".join("?" * len(TURN_COLUMNS)) + ")"
    return f"INSERT INTO turns ({names}) VALUES " + ", ".join([row] * count)


def _turn_rows(source: Source, turns: list[DetectedTurn]) -> list[dict[str, Any]]:
    """Rows for a bulk insert of the turns of a flushed source."""
    speaker_ids = {speaker.label: speaker.id for speaker in source.speakers}
    return [{"source_id": source.id, "position": position, "start": t.start, "end": t.end,
             "speaker_id": speaker_ids[t.label] if t.label else None,
             "text": source.text[t.start:t.end], "started_at": t.started_at,
             "ended_at": t.ended_at} for position, t in enumerate(turns)]


def _mark_interviewers(sources: list[Source], interviewers: Sequence[str]) -> None:
    """Mark the ``--interviewer`` labels on the sources they speak in."""
    spoken = set()
    for source in sources:
        labels = {normalise_label(s.label) for s in source.speakers}
        found = [label for label in interviewers if normalise_label(label) in labels]
        if found:
            mark_team(source, found)
        spoken |= {normalise_label(label) for label in found}
    for label in interviewers:
        if normalise_label(label) not in spoken:
            raise InvalidArgument(f"--interviewer {label!r} speaks in none of the imported files")


def infer_kind(turns: Sequence[DetectedTurn], *,
               is_team: Callable[[str], bool] = is_interviewer_label) -> str:
    """interview for one speaker who is not the research team, focus_group for several,
    document for none."""
    return kind_for_respondents(len({t.label for t in turns if t.label and not is_team(t.label)}))


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)`` ... if a different file had it first."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name} ({number})"
    return candidate


def get_source(session: Session, name: str) -> Source:
    """The source imported from file ``name``."""
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        raise NotFound(f"no source named {name!r}")
    return source


def count_sources(session: Session) -> int:
    return session.scalar(select(func.count(Source.id))) or 0


def count_turns(session: Session, sources: Sequence[Source]) -> int:
    """How many turns ``sources`` hold, counted in the database (no turn is loaded)."""
    ids = [source.id for source in sources]
    return sum(session.scalar(select(func.count(Turn.id)).where(Turn.source_id.in_(ids[i:i + 500])))
               or 0 for i in range(0, len(ids), 500))
