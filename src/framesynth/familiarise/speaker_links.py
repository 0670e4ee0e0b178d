"""Link speaker labels in sources to the participants of the cases data, and mark the
research team.

A label is linked, in this order, when:

1. the source's profile in the cases table maps it (``speakers`` column, ``P1=P05``);
2. it is marked as the research team (below, rules 1, 2 and 4): never linked by name;
3. it equals one participant's key, name, pseudonym, alias or first name, looking first
   among the participants the profile lists for the source, then among all (only an
   unambiguous match links);
4. it is a generic respondent label (``R``, ``Respondent``, ``P``) and the profile lists
   exactly one participant.

A speaker is the research team (``Speaker.is_interviewer``) by the first of these that
applies:

1. a mark on the source, from ``import --interviewer LABEL`` or the reader's control
   (:func:`set_speaker_team`), kept in ``Source.meta["team_marks"]``;
2. the cases table's source row lists the label in ``interviewers``;
3. the speaker is linked to a participant: that participant's ``team``;
4. the label is an interviewer label (``Interviewer``, ``I``, ``Facilitator`` ...).

A source whose kind was inferred (``Source.meta["kind_from"] == "speakers"``) is given
its kind again from its non-team speakers whenever the marking changes.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only, selectinload

from framesynth.errors import NotFound
from framesynth.familiarise.speakers import (
    RESPONDENT_LABELS,
    is_interviewer_label,
    normalise_label,
)
from framesynth.store.events import log_event
from framesynth.store.models import Participant, Source, SourceProfile, Speaker

TEAM_MARKS = "team_marks"
KIND_FROM = "kind_from"


def participant_labels(participant: Participant) -> set[str]:
    """Every normalised label that may name ``participant`` in a transcript."""
    names = [participant.key, participant.name, participant.pseudonym or "", *participant.aliases]
    labels = {normalise_label(name) for name in names if name}
    first = participant.name.split()[0] if participant.name.split() else ""
    if first:
        labels.add(normalise_label(first))
    return labels


def known_labels(session: Session) -> set[str]:
    """All labels that name a participant of the project."""
    labels: set[str] = set()
    for participant in session.scalars(select(Participant)):
        labels |= participant_labels(participant)
    return labels


def team_participant_labels(session: Session) -> set[str]:
    """The labels that name a participant marked as the research team (``team=yes``)."""
    labels: set[str] = set()
    for participant in session.scalars(select(Participant).where(Participant.team.is_(True))):
        labels |= participant_labels(participant)
    return labels


def team_marks(source: Source) -> dict[str, bool]:
    """The labels marked on ``source`` (normalised) -> team or not."""
    return {str(k): bool(v) for k, v in ((source.meta or {}).get(TEAM_MARKS) or {}).items()}


def mark_team(source: Source, labels: Collection[str], team: bool = True) -> None:
    """Record ``labels`` as (not) the research team on ``source``; call
    :func:`link_source_speakers` after to apply it."""
    marks = team_marks(source) | {normalise_label(label): team for label in labels}
    source.meta = {**(source.meta or {}), TEAM_MARKS: marks}


def stated_team(label: str, source: Source, profile: SourceProfile | None) -> bool | None:
    """What a mark or the cases table says about ``label`` being the team; None: nothing."""
    wanted = normalise_label(label)
    marks = team_marks(source)
    if wanted in marks:
        return marks[wanted]
    if profile is not None and wanted in {normalise_label(item) for item in profile.team or []}:
        return True
    return None


def link_source_speakers(session: Session, source: Source, *,
                         profile: SourceProfile | None = None,
                         participants: dict[str, Participant] | None = None) -> None:
    """(Re)link the unlinked speakers of ``source`` (existing links are kept), mark its
    research team again and, if its kind was inferred, infer it again.

    :param participants: (by key) and ``profile``: pass them to save queries in a loop;
        with ``participants`` given, ``profile`` None means the source has no profile.
    """
    if profile is None and participants is None:
        profile = session.scalar(select(SourceProfile).where(SourceProfile.name == source.name))
    if participants is None:
        participants = {p.key: p for p in session.scalars(select(Participant).order_by(Participant.id))}
    for speaker in source.speakers:
        stated = stated_team(speaker.label, source, profile)
        guessed = stated if stated is not None else is_interviewer_label(speaker.label)
        if speaker.participant_id is None and speaker.participant is None:
            speaker.participant = _match(speaker.label, profile, participants,
                                         by_name=not guessed)
        if stated is None and speaker.participant is not None:
            guessed = speaker.participant.team
        speaker.is_interviewer = guessed
    refresh_kind(source)


def relink_all(session: Session) -> None:
    """Link what the latest cases data allows in every source."""
    profiles = {p.name: p for p in session.scalars(select(SourceProfile))}
    participants = {p.key: p for p in session.scalars(select(Participant).order_by(Participant.id))}
    # speakers in one query, not one per source; the texts stay unread
    sources = select(Source).options(load_only(Source.name), selectinload(Source.speakers))
    for source in session.scalars(sources):
        link_source_speakers(session, source, profile=profiles.get(source.name),
                             participants=participants)


def kind_for_respondents(count: int) -> str:
    """interview for one non-team speaker, focus_group for several, document for none."""
    if count == 0:
        return "document"
    return "interview" if count == 1 else "focus_group"


def refresh_kind(source: Source) -> None:
    """Infer the kind again from the non-team speakers, if it was inferred at all."""
    if (source.meta or {}).get(KIND_FROM) == "speakers":
        source.kind = kind_for_respondents(sum(1 for s in source.speakers if not s.is_interviewer))


def set_speaker_team(session: Session, source: Source, label: str, team: bool, *,
                     actor: str) -> Speaker:
    """Mark (or unmark) the speaker ``label`` of ``source`` as the research team.

    Its turns drop out of (or return to) units, auto-coding, prevalence, quotes and word
    counts from the next analysis on; a team member is unlinked from a participant who
    is not on the team, and unmarking links the label again where the cases data can.
    """
    wanted = normalise_label(label)
    speaker = next((s for s in source.speakers if normalise_label(s.label) == wanted), None)
    if speaker is None:
        raise NotFound(f"{source.name} has no speaker {label!r}")
    mark_team(source, [speaker.label], team)
    if team and speaker.participant is not None and not speaker.participant.team:
        speaker.participant = None
    link_source_speakers(session, source)
    log_event(session, "speaker.team", actor=actor, source=source.name, speaker=speaker.label,
              team=team)
    return speaker


def _match(label: str, profile: SourceProfile | None,
           participants: dict[str, Participant], *, by_name: bool = True) -> Participant | None:
    wanted = normalise_label(label)
    if profile:
        mapping = {normalise_label(k): v for k, v in profile.speakers.items()}
        if wanted in mapping and mapping[wanted] in participants:
            return participants[mapping[wanted]]
    if not by_name:
        return None
    listed = [participants[key] for key in (profile.participants if profile else [])
              if key in participants]
    for pool in (listed, list(participants.values())):
        found = [p for p in pool if wanted in participant_labels(p)]
        if len(found) == 1:
            return found[0]
        if found:
            return None
    if wanted in RESPONDENT_LABELS and len(listed) == 1:
        return listed[0]
    return None
