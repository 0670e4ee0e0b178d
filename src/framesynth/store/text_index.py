"""Full-text candidate lookup behind a small interface.

SQLite uses the FTS5 tables the migrations create (``turn_fts``, ``memo_fts``);
PostgreSQL its own text search (:class:`PgTextIndex`); other databases fall back to a
case-insensitive ``LIKE`` on the longest word. Whichever, the index only narrows the
candidates, always to a superset of the turns the pattern matches: callers confirm each
hit with the exact pattern in Python, so every backend gives the same results.

Regular expressions are narrowed on the literal text every match contains
(:mod:`framesynth.familiarise.literals`): by ``turn_trigram`` (FTS5's trigram tokenizer,
case folded) on SQLite, by ``pg_trgm`` and ``ILIKE`` on PostgreSQL.

Triggers keep ``turn_fts`` and ``turn_trigram`` in step with ``turns``; FTS5 writes a
segment per statement, so bulk inserts of turns go many rows per statement (see
``sources._insert_turns``). PostgreSQL's indexes are expression indexes on the tables
themselves and need no triggers.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select, table
from sqlalchemy.orm import InstrumentedAttribute, Session

from framesynth.store.models import Memo, Turn

WORD = re.compile(r"\w+")
Column = ColumnElement[str] | InstrumentedAttribute[str]


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


# PostgreSQL: the text every tsvector index is built on, with each run of characters that
# are not letters or digits made one space, as FTS5's unicode61 tokenizer splits words
# ("e-mail", "3.5", "www.example.org" and "foo_bar" are two or three words, where
# PostgreSQL's parser would keep one token). The migrations create the same expressions
# (0001, 0002): the planner uses an index only for a query on the very same expression.
PG_WORDS_PATTERN = "[^[:alnum:]]+"
PG_CONFIG = "simple"  # lower-cases, no stemming, no stop words
# A tsvector keeps at most 256 positions per word and none past 16383, so a phrase can be
# missed in a long text; texts of this many characters or more (at least 256 words) are
# kept as candidates on their words alone (all present, in any order).
PG_PHRASE_SAFE_CHARS = 511
PG_NON_WORD = re.compile(r"[\W_]+")
# the indexes 0001, 0002 and 0011 create on PostgreSQL (not in the models: expressions)
PG_INDEXES = ("ix_turns_text_words", "ix_memos_title_words", "ix_memos_body_words",
              "ix_turns_text_trigrams")


def pg_tsvector(column: Column) -> ColumnElement[object]:
    """``to_tsvector('simple', regexp_replace(column, '[^[:alnum:]]+', ' ', 'g'))``,
    written with literals (not parameters) so that it is the indexed expression."""
    words = func.regexp_replace(column, literal_column(f"'{PG_WORDS_PATTERN}'"),
                                literal_column("' '"), literal_column("'g'"))
    return func.to_tsvector(literal_column(f"'{PG_CONFIG}'"), words)


def pg_words(words: list[str]) -> list[str]:
    """The search words as the index splits text: runs of letters and digits."""
    return [part for word in words for part in PG_NON_WORD.split(word) if part]


def pg_tsquery(words: list[str], operator: str) -> str:
    """A ``to_tsquery`` text: the words joined by ``<->`` (a phrase) or ``&``, the last
    one a prefix (``'waiting' <-> 'list':*``). The words hold only letters and digits,
    so quoting them is enough."""
    return f" {operator} ".join(f"'{word}'" for word in words) + ":*"


def like_contains(text: str) -> str:
    """An ``ILIKE`` pattern matching ``text`` anywhere (``%``, ``_`` and ``\\`` escaped)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class PgTextIndex:
    """PostgreSQL: ``tsvector`` expression indexes (GIN) for words and phrases, the last
    word a prefix as in FTS5; ``pg_trgm`` (GIN, ``gin_trgm_ops``) for regex literals.

    Like FTS5 it splits words at every character that is not a letter or digit and folds
    case (the ``simple`` configuration lower-cases), so the candidates hold every turn
    the exact pattern matches; FTS5 also drops diacritics, which only adds candidates
    the pattern then refuses. The indexes are created by the migrations (0001, 0002,
    0011), ``pg_trgm`` with ``CREATE EXTENSION IF NOT EXISTS``."""

    def _matches(self, column: Column, words: list[str]) -> ColumnElement[bool]:
        parts = pg_words(words)
        if not parts:
            return literal_column("TRUE")  # nothing the index can look up: every row
        vector = pg_tsvector(column)
        anywhere = vector.op("@@")(func.to_tsquery(literal_column(f"'{PG_CONFIG}'"),
                                                   pg_tsquery(parts, "&")))
        if len(parts) == 1:
            return anywhere
        phrase = vector.op("@@")(func.to_tsquery(literal_column(f"'{PG_CONFIG}'"),
                                                 pg_tsquery(parts, "<->")))
        return and_(anywhere, or_(func.char_length(column) >= PG_PHRASE_SAFE_CHARS, phrase))

    def turn_condition(self, words: list[str], *, streamed: bool = False
                       ) -> ColumnElement[bool]:
        # a condition on the row itself: PostgreSQL's planner needs no hint for streaming
        return self._matches(Turn.text, words)

    def memo_condition(self, words: list[str]) -> ColumnElement[bool]:
        return or_(self._matches(Memo.body, words), self._matches(Memo.title, words))

    def turn_literals_condition(self, clauses: list[list[str]], *, streamed: bool = False
                                ) -> ColumnElement[bool] | None:
        # literals have at least three characters (literals.MIN_LITERAL), which a trigram
        # index needs (a shorter one is still right, only unindexed); ILIKE folds case as
        # FTS5's trigram tokenizer does
        return and_(*(or_(*(Turn.text.ilike(like_contains(literal), escape="\\")
                            for literal in clause)) for clause in clauses))


def text_index_for(session: Session) -> TextIndex:
    """The best index the session's database offers."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return Fts5Index()
    if dialect == "postgresql":
        return PgTextIndex()
    return LikeIndex()
