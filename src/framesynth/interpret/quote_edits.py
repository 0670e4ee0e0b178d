"""The analyst's work on a theme's picked quotes: an edited display text ("[…]" cuts,
[bracketed] insertions, checked against the coded span by ``quote_text.checked_edit``),
their order, and what the quotes page lists (the picks in order, the best-ranked others).

The coded span (``Coding.start``/``end``/``text``) never changes: it stays the evidence.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.chart.evidence import evidence
from framesynth.embeddings import Embedder
from framesynth.errors import InvalidArgument, NotFound
from framesynth.frame.framework import code_path
from framesynth.index.coding import descendants
from framesynth.interpret.quote_text import checked_edit
from framesynth.interpret.quotes import (
    PICK_ORDER,
    Quote,
    Speakers,
    as_quote,
    rank_quotes,
)
from framesynth.store.events import log_event
from framesynth.store.models import Code, PickedQuote


def _pick(session: Session, coding_id: int, theme: Code) -> PickedQuote:
    found = session.scalar(select(PickedQuote).where(PickedQuote.coding_id == coding_id,
                                                     PickedQuote.code_id == theme.id))
    if found is None:
        raise NotFound(f"coding {coding_id} is not picked for {code_path(theme)!r}")
    return found


def edit_quote(session: Session, coding_id: int, theme: Code, text: str, *,
               actor: str) -> PickedQuote:
    """Set how the report prints a picked quote; an empty ``text`` clears the edit.
    Refused (``InvalidArgument``) unless every piece outside "[…]" and [brackets] is the
    coded span's own words, in order."""
    picked = _pick(session, coding_id, theme)
    shown = checked_edit(picked.coding.text, text) if text.strip() else None
    picked.display_text = shown
    log_event(session, "quote.edit", actor=actor, coding=coding_id, theme=code_path(theme),
              text=shown)
    return picked


def move_quote(session: Session, coding_id: int, theme: Code, *, to: int,
               actor: str) -> PickedQuote:
    """Put a picked quote at place ``to`` (1 = first) among ``theme``'s picks; a place
    past the end puts it last. Every pick of the theme is then placed."""
    if to < 1:
        raise InvalidArgument(f"--to must be 1 or more, not {to}")
    picked = _pick(session, coding_id, theme)
    picks = [p for p in _theme_picks(session, theme) if p.id != picked.id]
    picks.insert(min(to, len(picks) + 1) - 1, picked)
    for place, pick in enumerate(picks, start=1):
        pick.position = place
    session.flush()
    log_event(session, "quote.move", actor=actor, coding=coding_id, theme=code_path(theme),
              to=picked.position)
    return picked


def _theme_picks(session: Session, theme: Code) -> list[PickedQuote]:
    return list(session.scalars(select(PickedQuote).where(PickedQuote.code_id == theme.id)
                                .order_by(*PICK_ORDER)))


def picked_quotes(session: Session, theme: Code) -> list[Quote]:
    """The quotes picked for ``theme`` itself, in the analyst's order, as printed."""
    speakers = Speakers.of(session)
    items = {e.coding_id: e for e in evidence(session)}
    return [as_quote(items[p.coding_id], speakers.people, speakers.kinds, picked=True,
                   edit=p.display_text)
            for p in _theme_picks(session, theme) if p.coding_id in items]


def candidate_quotes(session: Session, theme: Code, embedder: Embedder, *,
                     count: int = 6) -> list[Quote]:
    """The best-ranked segments of ``theme`` and its sub-codes not yet picked for it."""
    speakers = Speakers.of(session)
    taken = {p.coding_id for p in _theme_picks(session, theme)}
    members = {theme.id, *(d.id for d in descendants(theme))}
    pool = [e for e in evidence(session) if e.code_id in members and e.coding_id not in taken]
    return [as_quote(e, speakers.people, speakers.kinds)
            for e in rank_quotes(session, pool, speakers.people, embedder, count=count)]
