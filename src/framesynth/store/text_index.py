"""Full-text candidate lookup behind a small interface.

SQLite uses the FTS5 tables the migrations create (``turn_fts``, ``memo_fts``); other
databases fall back to a case-insensitive ``LIKE`` on the longest word. Either way the
index only narrows the candidates: callers confirm each hit with the exact pattern in
Python, so both backends give the same results.

Regular expressions are narrowed by ``turn_trigram`` (FTS5's trigram tokenizer, case
folded) on the literal text every match contains (:mod:`framesynth.familiarise.literals`).

Triggers keep ``turn_fts`` and ``turn_trigram`` in step with ``turns``; FTS5 writes a
segment per statement, so bulk inserts of turns go many rows per statement (see ``sources._insert_turns``).
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from sqlalchemy import ColumnElement, func, literal_column, select, table
from sqlalchemy.orm import Session

from framesynth.store.models import Memo, Turn

WORD = re.compile(r"\w+")


class TextIndex(Protocol):
    def turn_condition(self, words: list[str], *, streamed: bool = False
                       ) -> ColumnElement[bool]:
        """A WHERE clause on :class:`Turn` keeping turns that may contain ``words``.

        ``streamed``: for a query read in (source, position) order a page at a time, so
        the database walks the turns in that order and checks each against the index,
        instead of looking up every candidate and sorting them all first."""

    def memo_condition(self, words: list[str]) -> ColumnElement[bool]:
        """The same for :class:`Memo`."""

    def turn_literals_condition(self, clauses: list[list[str]], *, streamed: bool = False
                                ) -> ColumnElement[bool] | None:
        """Turns that may contain, for every clause, one of its literal strings (in any
        case); None where the index cannot narrow on them."""


def fts5_phrase(words: list[str]) -> str:
    """An FTS5 phrase query for ``words`` whose last word may be a prefix."""
    body = " ".join(word.replace('"', '""') for word in words)
    return f'"{body}" *'


def trigram_query(clauses: list[list[str]]) -> str:
    """An FTS5 query on a trigram table: every clause, each any of its strings."""
    def quoted(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'
    return " AND ".join("(" + " OR ".join(map(quoted, clause)) + ")" for clause in clauses)


class Fts5Index:
    """SQLite FTS5: the phrase query, last word as a prefix."""

    def _rowids(self, fts_table: str, words: list[str]):  # type: ignore[no-untyped-def]
        fts = table(fts_table)
        match = literal_column(fts_table).op("MATCH")(fts5_phrase(words))
        return select(literal_column("rowid")).select_from(fts).where(match)

    def turn_condition(self, words: list[str], *, streamed: bool = False
                       ) -> ColumnElement[bool]:
        return _turn_id(streamed).in_(self._rowids("turn_fts", words))

    def memo_condition(self, words: list[str]) -> ColumnElement[bool]:
        return Memo.id.in_(self._rowids("memo_fts", words))

    def turn_literals_condition(self, clauses: list[list[str]], *, streamed: bool = False
                                ) -> ColumnElement[bool] | None:
        fts = table("turn_trigram")
        match = literal_column("turn_trigram").op("MATCH")(trigram_query(clauses))
        return _turn_id(streamed).in_(select(literal_column("rowid")).select_from(fts)
                                      .where(match))


def _turn_id(streamed: bool) -> Any:
    """``turns.id``, or for a streamed query ``turns.id + 0``: an expression SQLite cannot
    drive the query from, so it walks sources by name and their turns by position (both
    indexes) and reads a first page after a few sources, where looking up every
    candidate turn by id would sort them all first (76,870 turns of "trust" in 10,000
    sources: 250 ms to the first row, against 20 ms)."""
    return Turn.id + 0 if streamed else Turn.id


class LikeIndex:
    """Portable fallback: rows whose text contains the longest word."""

    def turn_condition(self, words: list[str], *, streamed: bool = False
                       ) -> ColumnElement[bool]:
        return func.lower(Turn.text).like(f"%{max(words, key=len).lower()}%")

    def memo_condition(self, words: list[str]) -> ColumnElement[bool]:
        needle = f"%{max(words, key=len).lower()}%"
        return func.lower(Memo.body).like(needle) | func.lower(Memo.title).like(needle)

    def turn_literals_condition(self, clauses: list[list[str]], *, streamed: bool = False
                                ) -> ColumnElement[bool] | None:
        return None  # LIKE's case folding differs between databases: scan every turn


def text_index_for(session: Session) -> TextIndex:
    """The best index the session's database offers."""
    if session.get_bind().dialect.name == "sqlite":
        return Fts5Index()
    return LikeIndex()
