"""Correcting a transcript turn by turn while listening to its recording: a turn's words
(:func:`correct_turn`) and a turn's speaker (:func:`assign_turn_speaker`).

A corrected turn is a new text of the whole source, so it takes the same path as a
corrected file (:func:`~framesynth.familiarise.source_admin.revise_text`): the old text is
kept as a revision and codings and memo spans move to their words. Unlike a replaced
file, the turns are not found again: every turn keeps its speaker and its times, and the
turns after the corrected one shift by the change in its length.

Turns are addressed by ``position`` (``Turn.position``: 0 is the first turn).
"""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from framesynth.errors import InvalidArgument, NotFound
from framesynth.familiarise.source_admin import Replacement, record_revision, revise_text
from framesynth.familiarise.sources import get_source
from framesynth.familiarise.speaker_links import link_source_speakers
from framesynth.familiarise.speakers import normalise_label
from framesynth.store.events import log_event
from framesynth.store.models import Source, Speaker, Turn

LABEL_MAX = 100  # Speaker.label's column width


def find_turn(source: Source, position: int) -> Turn:
    """Turn ``position`` of ``source``, or NotFound naming the turns it has."""
    for turn in source.turns:
        if turn.position == position:
            return turn
    raise NotFound(f"no turn {position} (its turns are 0 to {len(source.turns) - 1})"
                   if source.turns else "no turns (a recording not yet transcribed?)",
                   path=source.name)


def text_checksum(text: str) -> str:
    """The checksum of a text made in framesynth (not read from a file): its UTF-8 SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def correct_turn(session: Session, name: str, position: int, text: str, *, actor: str,
                 force: bool = False) -> Replacement:
    """Replace the words of turn ``position`` of source ``name`` with ``text``.

    The source's new text is the old one with that turn's span replaced; codings are
    carried as :func:`~framesynth.familiarise.source_admin.replace_source` carries them
    (those on changed words are listed for review), the old text is kept as a revision,
    and the change is logged (``correct_turn``). Turn times and speakers are kept.

    :param force: drop codings the new words give no place instead of refusing.
    """
    source = get_source(session, name)
    turn = find_turn(source, position)
    words = text.strip()
    if not words:
        raise InvalidArgument(f"turn {position}: a turn's text cannot be empty",
                              path=source.name)
    if words == turn.text:
        raise InvalidArgument(f"turn {position} already says this", path=source.name)
    old_start, old_end, old_words = turn.start, turn.end, turn.text
    new_text = source.text[:old_start] + words + source.text[old_end:]
    revised = revise_text(session, source, new_text, text_checksum(new_text), actor=actor,
                          force=force, path=f"{source.name} turn {position}")
    _shift_turns(source, turn, old_end, len(words) - (old_end - old_start))
    return record_revision(session, source, revised, "correct_turn", actor=actor,
                           turn=position, old_words=old_words, words=words)


def _shift_turns(source: Source, corrected: Turn, old_end: int, delta: int) -> None:
    """The corrected turn ends ``delta`` later; the turns after it move by ``delta``."""
    for turn in source.turns:
        if turn is corrected:
            turn.end += delta
        elif turn.start >= old_end:
            turn.start, turn.end = turn.start + delta, turn.end + delta
        turn.text = source.text[turn.start:turn.end]


def assign_turn_speaker(session: Session, name: str, position: int, label: str, *,
                        actor: str) -> Speaker:
    """Make ``label`` the speaker of turn ``position`` of source ``name``.

    A label the source does not have yet (compared as speaker labels are: case and
    spacing aside) becomes a new speaker, linked to a participant and marked as the
    research team or not as imported speakers are
    (:func:`~framesynth.familiarise.speaker_links.link_source_speakers`). The source's
    text is not changed, and a speaker left without turns is kept (the reader's keys
    number the speakers in the order they were added). Logged as ``turn.speaker``.
    """
    source = get_source(session, name)
    turn = find_turn(source, position)
    label = " ".join(label.split())
    if not label or len(label) > LABEL_MAX:
        raise InvalidArgument(f"a speaker label needs 1 to {LABEL_MAX} characters",
                              path=source.name)
    wanted = normalise_label(label)
    speaker = next((s for s in source.speakers if normalise_label(s.label) == wanted), None)
    if speaker is None:
        speaker = Speaker(label=label)
        source.speakers.append(speaker)
    before = turn.speaker.label if turn.speaker is not None else None
    turn.speaker = speaker
    session.flush()
    link_source_speakers(session, source)
    session.flush()
    log_event(session, "turn.speaker", actor=actor, source=source.name, turn=position,
              speaker=speaker.label, before=before)
    return speaker
