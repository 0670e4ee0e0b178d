"""Link speaker labels in sources to the participants of the cases data.

A label is linked, in this order, when:

1. the source's profile in the cases table maps it (``speakers`` column, ``P1=P05``);
2. it is an interviewer label (``Interviewer``, ``I``, ``Facilitator`` ...): marked as
   the research team, never linked;
3. it equals one participant's key, name, pseudonym, alias or first name, looking first
   among the participants the profile lists for the source, then among all (only an
   unambiguous match links);
4. it is a generic respondent label (``R``, ``Respondent``, ``P``) and the profile lists
   exactly one participant.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only, selectinload

from framesynth.familiarise.speakers import (
    RESPONDENT_LABELS,
    is_interviewer_label,
    normalise_label,
)
from framesynth.store.models import Participant, Source, SourceProfile


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


def link_source_speakers(session: Session, source: Source, *,
                         profile: SourceProfile | None = None,
                         participants: dict[str, Participant] | None = None) -> None:
    """(Re)link the unlinked speakers of ``source``; existing links are kept.

    :param participants: (by key) and ``profile``: pass them to save queries in a loop;
        with ``participants`` given, ``profile`` None means the source has no profile.
    """
    if profile is None and participants is None:
        profile = session.scalar(select(SourceProfile).where(SourceProfile.name == source.name))
    if participants is None:
        participants = {p.key: p for p in session.scalars(select(Participant))}
    for speaker in source.speakers:
        if speaker.participant_id is not None:
            continue
        speaker.is_interviewer = is_interviewer_label(speaker.label)
        if not speaker.is_interviewer:
            speaker.participant = _match(speaker.label, profile, participants)


def relink_all(session: Session) -> None:
    """Link what the latest cases data allows in every source."""
    profiles = {p.name: p for p in session.scalars(select(SourceProfile))}
    participants = {p.key: p for p in session.scalars(select(Participant))}
    # speakers in one query, not one per source; the texts stay unread
    sources = select(Source).options(load_only(Source.name), selectinload(Source.speakers))
    for source in session.scalars(sources):
        link_source_speakers(session, source, profile=profiles.get(source.name),
                             participants=participants)


def _match(label: str, profile: SourceProfile | None,
           participants: dict[str, Participant]) -> Participant | None:
    wanted = normalise_label(label)
    if profile:
        mapping = {normalise_label(k): v for k, v in profile.speakers.items()}
        if wanted in mapping and mapping[wanted] in participants:
            return participants[mapping[wanted]]
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
