"""Full-text candidate lookup behind a small interface.

SQLite uses the FTS5 tables the migrations create (``turn_fts``, ``memo_fts``); other
databases fall back to a case-insensitive ``LIKE`` on the first word. Either way the index
only narrows the candidates: callers confirm each hit with the exact pattern in Python, so
both backends give the same results.
"""

from __future__ import annotations

import re
from typing import Protocol

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from framesynth.store.models import Memo, Turn

WORD = re.compile(r"\w+")


class TextIndex(Protocol):
    def turn_candidates(self, session: Session, words: list[str]) -> set[int]: ...

    def memo_candidates(self, session: Session, words: list[str]) -> set[int]: ...


def _phrase(words: list[str]) -> str:
    """An FTS5 phrase query for ``words`` whose last word may be a prefix."""
    body = " ".join(word.replace('"', '""') for word in words)
    return f'"{body}" *'


class Fts5Index:
    """SQLite FTS5: the phrase query, last word as a prefix."""

    def turn_candidates(self, session: Session, words: list[str]) -> set[int]:
        rows = session.execute(
            text("SELECT rowid FROM turn_fts WHERE turn_fts MATCH :query"),
            {"query": _phrase(words)},
        )
        return {row[0] for row in rows}

    def memo_candidates(self, session: Session, words: list[str]) -> set[int]:
        rows = session.execute(
            text("SELECT rowid FROM memo_fts WHERE memo_fts MATCH :query"),
            {"query": _phrase(words)},
        )
        return {row[0] for row in rows}


class LikeIndex:
    """Portable fallback: rows whose text contains the longest word."""

    def turn_candidates(self, session: Session, words: list[str]) -> set[int]:
        needle = f"%{max(words, key=len).lower()}%"
        return set(session.scalars(select(Turn.id).where(func.lower(Turn.text).like(needle))))

    def memo_candidates(self, session: Session, words: list[str]) -> set[int]:
        needle = f"%{max(words, key=len).lower()}%"
        query = select(Memo.id).where(
            func.lower(Memo.body).like(needle) | func.lower(Memo.title).like(needle)
        )
        return set(session.scalars(query))


def text_index_for(session: Session) -> TextIndex:
    """The best index the session's database offers."""
    if session.get_bind().dialect.name == "sqlite":
        return Fts5Index()
    return LikeIndex()
