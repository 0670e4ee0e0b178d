"""``info``: what a project holds, counted the ways a team reports it.

Organisations and partnerships are counted by the terms of the project's vocabularies
(``sector``, ``depth``, ``formality``, ``level``), in the vocabulary's order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from framesynth.familiarise.language import sources_by_language
from framesynth.familiarise.vocabulary import in_order
from framesynth.store.models import (
    Memo,
    Organisation,
    Participant,
    Partnership,
    PartnershipLevel,
    Place,
    Source,
    Speaker,
    Turn,
)


def project_info(session: Session) -> dict[str, Any]:
    """Counts of sources by kind and language, participants by role, organisations by sector,
    partnerships by depth and by level, and totals."""
    def grouped(column: Any) -> dict[str, int]:
        rows = session.execute(select(column, func.count()).group_by(column)).all()
        return {str(key) if key is not None else "(none)": count for key, count in rows}

    def by_terms(name: str, column: Any) -> dict[str, int]:
        counts = grouped(column)
        return {term: counts[term] for term in in_order(session, name, list(counts))}

    linked = session.scalar(select(func.count(Speaker.id)).where(
        Speaker.participant_id.is_not(None))) or 0
    respondents = session.scalar(select(func.count(Speaker.id)).where(
        Speaker.is_interviewer.is_(False))) or 0
    return {
        "sources": session.scalar(select(func.count(Source.id))) or 0,
        "sources_by_kind": grouped(Source.kind),
        "sources_by_format": grouped(Source.format),
        "sources_by_language": sources_by_language(session),
        "words": sum(len(text.split()) for text in session.scalars(select(Source.text))),
        "turns": session.scalar(select(func.count(Turn.id))) or 0,
        "speakers_linked": f"{linked}/{respondents}",
        "participants": session.scalar(select(func.count(Participant.id))) or 0,
        "participants_by_role": grouped(Participant.role),
        "organisations": session.scalar(select(func.count(Organisation.id))) or 0,
        "organisations_by_sector": by_terms("sector", Organisation.sector),
        "partnerships": session.scalar(select(func.count(Partnership.id))) or 0,
        "partnerships_by_depth": by_terms("depth", Partnership.depth),
        "partnerships_by_formality": by_terms("formality", Partnership.formality),
        "partnerships_by_level": by_terms("level", PartnershipLevel.level),
        "places": session.scalar(select(func.count(Place.id))) or 0,
        "memos": session.scalar(select(func.count(Memo.id))) or 0,
    }
