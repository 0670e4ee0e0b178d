"""Memos: the researcher's notes on the project, a source, or a span of a source."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.errors import InvalidArgument, NotFound
from framesynth.familiarise.search import compile_pattern
from framesynth.familiarise.sources import get_source
from framesynth.store.events import log_event
from framesynth.store.ids import get_by_id
from framesynth.store.models import Memo, utcnow


def add_memo(
    session: Session,
    body: str,
    *,
    author: str,
    title: str | None = None,
    source: str | None = None,
    start: int | None = None,
    end: int | None = None,
    code_id: int | None = None,
) -> Memo:
    """Write a memo; with ``source`` it belongs to that source, with ``start``/``end`` to
    that span of it (code-point offsets, end exclusive); with ``code_id`` to a code."""
    if not body.strip():
        raise InvalidArgument("a memo needs some text")
    memo = Memo(title=title or _default_title(body), body=body, author=author, code_id=code_id)
    if (start is None) != (end is None):
        raise InvalidArgument("give both --start and --end for a memo on a span")
    if source is not None:
        memo.source = get_source(session, source)
        if start is not None and end is not None:
            if not 0 <= start <= end <= len(memo.source.text):
                raise InvalidArgument(
                    f"span {start}-{end} is outside {source!r} (0-{len(memo.source.text)})")
            memo.start, memo.end = start, end
    elif start is not None:
        raise InvalidArgument("a memo on a span needs --source")
    session.add(memo)
    session.flush()
    log_event(session, "add_memo", actor=author, memo=memo.id, source=source)
    return memo


def list_memos(session: Session, *, source: str | None = None, containing: str | None = None
               ) -> list[Memo]:
    """Memos, oldest first; only those on ``source`` and/or whose title or text contains
    ``containing`` (a plain search pattern)."""
    query = select(Memo).order_by(Memo.id)
    if source is not None:
        query = query.where(Memo.source_id == get_source(session, source).id)
    memos = list(session.scalars(query))
    if containing:
        matcher = compile_pattern(containing)
        memos = [m for m in memos if matcher.search(m.body) or matcher.search(m.title)]
    return memos


def get_memo(session: Session, memo_id: int) -> Memo:
    memo = get_by_id(session, Memo, memo_id)
    if memo is None:
        raise NotFound(f"no memo with id {memo_id}")
    return memo


def edit_memo(session: Session, memo_id: int, body: str, *, author: str) -> Memo:
    memo = get_memo(session, memo_id)
    memo.body, memo.updated_at = body, utcnow()
    log_event(session, "edit_memo", actor=author, memo=memo_id)
    return memo


def memo_anchor(memo: Memo) -> str:
    """Where a memo is attached: ``project``, ``a.txt``, ``a.txt:120-180`` or ``code:3``."""
    if memo.code_id is not None:
        return f"code:{memo.code_id}"
    if memo.source is None:
        return "project"
    if memo.start is None:
        return memo.source.name
    return f"{memo.source.name}:{memo.start}-{memo.end}"


def _default_title(body: str) -> str:
    first = " ".join(body.split())
    return first if len(first) <= 60 else first[:57].rsplit(" ", 1)[0] + "..."
