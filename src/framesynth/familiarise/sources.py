"""Sources: add imported transcripts to a project, with their speakers and turns.

File readers live in :mod:`framesynth.io.importers`; they return an
:class:`ImportedSource`, and :func:`add_sources` stores a batch of them in the caller's
transaction: all of the batch or, on any error, nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from framesynth.errors import DuplicateSource, FramesynthError, ImportBatchError, NotFound
from framesynth.familiarise.speakers import DetectedTurn, detect_turns, is_interviewer_label
from framesynth.familiarise.speaker_links import known_labels, link_source_speakers
from framesynth.store.events import log_event
from framesynth.store.models import SOURCE_KINDS, Source, SourceProfile, Speaker, Turn


@dataclass
class ImportedSource:
    """A file read into text, ready to be stored.

    :param turns: turns found by the reader (subtitle cues); None lets
        :func:`detect_turns` find them in ``text``.
    """

    name: str
    format: str
    text: str
    checksum: str
    turns: list[DetectedTurn] | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def add_sources(
    session: Session,
    imported: Sequence[ImportedSource],
    *,
    kind: str | None = None,
    actor: str = "framesynth",
) -> list[Source]:
    """Store a batch of imported files; raise :class:`ImportBatchError` if any is a duplicate.

    :param kind: interview, focus_group or document for every file; by default the cases
        table's source profile decides, else the number of speakers (one respondent:
        interview; several: focus group; none: document).
    """
    if kind is not None and kind not in SOURCE_KINDS:
        raise FramesynthError(f"unknown kind {kind!r}; use one of {', '.join(SOURCE_KINDS)}")
    errors = duplicate_errors(session, imported)
    if errors:
        raise ImportBatchError(errors)
    labels = known_labels(session)
    sources = [_add_source(session, item, kind=kind, labels=labels) for item in imported]
    session.flush()
    for source in sources:
        link_source_speakers(session, source)
    log_event(session, "import_sources", actor=actor, sources=[s.name for s in sources])
    return sources


def duplicate_errors(session: Session, imported: Sequence[ImportedSource]) -> list[FramesynthError]:
    """One error per file already in the project or repeated in the batch (by checksum)."""
    stored = dict(session.execute(select(Source.checksum, Source.name)).all())
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


def _add_source(session: Session, item: ImportedSource, *, kind: str | None,
                labels: set[str]) -> Source:
    profile = session.scalar(select(SourceProfile).where(SourceProfile.name == item.name))
    turns = item.turns if item.turns is not None else detect_turns(
        item.text, known_labels=labels | set(profile.speakers if profile else ())
    )
    meta = {**item.meta, **(profile.attributes if profile else {})}
    source = Source(
        name=unique_name(session, item.name),
        kind=kind or (profile.kind if profile and profile.kind else infer_kind(turns)),
        format=item.format,
        text=item.text,
        checksum=item.checksum,
        meta=meta,
    )
    session.add(source)
    speakers = {label: Speaker(label=label, is_interviewer=is_interviewer_label(label))
                for label in dict.fromkeys(t.label for t in turns if t.label is not None)}
    source.speakers.extend(speakers.values())
    session.flush()
    rows = [
        {"source_id": source.id, "position": position, "start": t.start, "end": t.end,
         "speaker_id": speakers[t.label].id if t.label is not None else None,
         "text": item.text[t.start:t.end], "started_at": t.started_at, "ended_at": t.ended_at}
        for position, t in enumerate(turns)
    ]
    if rows:
        session.execute(insert(Turn), rows)
    return source


def infer_kind(turns: Sequence[DetectedTurn]) -> str:
    """interview for one respondent, focus_group for several, document for none."""
    respondents = {t.label for t in turns if t.label and not is_interviewer_label(t.label)}
    if not respondents:
        return "document"
    return "interview" if len(respondents) == 1 else "focus_group"


def unique_name(session: Session, name: str) -> str:
    """``name``, or ``name (2)``, ``name (3)`` ... if a different file had it first."""
    taken = set(session.scalars(select(Source.name).where(Source.name.like(f"{name}%"))))
    taken |= {s.name for s in session.new if isinstance(s, Source)}
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
