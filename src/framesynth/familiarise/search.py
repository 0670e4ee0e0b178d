r"""Keyword in context (KWIC) search over speaker turns and memos.

A plain pattern matches where a word starts: ``refer`` finds "referral" and "Referred",
``waiting list`` finds "waiting  lists" (any whitespace between the words), and case is
ignored unless asked. ``regex=True`` takes a regular expression instead, in Python's
syntax with Unicode classes (``\w`` matches "é"), run by the ``regex`` package under a
time limit (:data:`REGEX_SECONDS` for the whole search): ``regex`` avoids the runaway
backtracking of ``(a+)+$`` that hangs Python's ``re``, and a pattern slow in any other way
is stopped with a clear error instead of holding the process (matching releases the GIL,
so a web server goes on serving others meanwhile). The full-text index (FTS5
on SQLite) narrows plain searches to candidate turns; every hit is then confirmed with the
exact pattern, so results do not depend on the backend.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from itertools import islice
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from framesynth.errors import InvalidArgument
from framesynth.familiarise.context import TurnFilter, Where, load_context
from framesynth.familiarise.literals import required_literals
from framesynth.store.models import Memo, Source, Turn
from framesynth.store.text_index import WORD, text_index_for


@dataclass(frozen=True)
class Hit:
    """One match: where it is (source and code-point offset) and its context."""

    source: str
    speaker: str | None
    role: str | None
    offset: int
    end: int
    left: str
    match: str
    right: str
    turn_id: int | None = None
    memo_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


REGEX_SECONDS = 5.0  # the most time the matching of one regular-expression search may take


class Matcher(Protocol):
    """What a compiled search pattern offers (``re`` patterns and timed regexes alike)."""

    def finditer(self, text: str) -> Iterator[Any]: ...

    def search(self, text: str) -> Any: ...


def compile_pattern(pattern: str, *, regex: bool = False, case_sensitive: bool = False
                    ) -> Matcher:
    """The matcher a search pattern stands for: a user's regular expression under a time
    limit, a plain pattern as an escaped, word-anchored expression (linear by construction)."""
    if not pattern.strip():
        raise InvalidArgument("the search pattern is empty")
    if regex:
        return guarded_regex(pattern, case_sensitive=case_sensitive)
    body = r"\s+".join(re.escape(word) for word in pattern.split())
    prefix = r"(?<!\w)" if pattern.strip()[0].isalnum() or pattern.strip()[0] == "_" else ""
    return re.compile(prefix + body, 0 if case_sensitive else re.IGNORECASE)


def guarded_regex(pattern: str, *, case_sensitive: bool = False,
                  seconds: float | None = None) -> Matcher:
    """``pattern`` compiled by ``regex``; all matching done with it, together, may take
    at most ``seconds`` (default :data:`REGEX_SECONDS`) from now."""
    import regex

    try:
        compiled = regex.compile(pattern, 0 if case_sensitive else regex.IGNORECASE)
    except regex.error as error:
        raise InvalidArgument(f"invalid regular expression: {error}") from None
    limit = seconds or REGEX_SECONDS
    return _TimedRegex(compiled, time.monotonic() + limit, pattern, limit)


class _TimedRegex:
    """A compiled ``regex`` pattern with one deadline shared by all its searches."""

    def __init__(self, compiled: Any, deadline: float, pattern: str, limit: float):
        self.compiled, self.deadline, self.pattern, self.limit = compiled, deadline, pattern, limit

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self._too_slow()
        return left

    def _too_slow(self) -> InvalidArgument:
        return InvalidArgument(f"the regular expression {self.pattern!r} took longer than "
                               f"{self.limit:g} s; make it simpler")

    def finditer(self, text: str) -> Iterator[Any]:
        try:
            yield from self.compiled.finditer(text, timeout=self._left(), concurrent=True)
        except TimeoutError:
            raise self._too_slow() from None

    def search(self, text: str) -> Any:
        try:
            return self.compiled.search(text, timeout=self._left(), concurrent=True)
        except TimeoutError:
            raise self._too_slow() from None


@dataclass(frozen=True)
class SearchPage:
    """One page of hits (context built for these only) and the total over all pages."""

    hits: list[Hit]
    total: int
    offset: int
    limit: int | None

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "offset": self.offset, "limit": self.limit,
                "hits": [hit.as_dict() for hit in self.hits]}


@dataclass
class _Plan:
    """A compiled search: the matcher, the filters and the candidate turns' query."""

    matcher: Matcher
    where: TurnFilter | None
    query: Select[*tuple[Any, ...]]  # the candidates' ids, for counting them
    ordered: Select[*tuple[Any, ...]]  # the same, to be read in order a page at a time
    words: list[str]
    memos: bool


def _plan(session: Session, pattern: str, *, regex: bool, case_sensitive: bool,
          where: Where | None, memos: bool) -> _Plan:
    matcher = compile_pattern(pattern, regex=regex, case_sensitive=case_sensitive)
    words = [] if regex else WORD.findall(pattern)
    query = ordered = select(Turn.id).join(Source, Source.id == Turn.source_id)
    filtered = TurnFilter(session, where) if where else None
    narrowing = filtered.condition if filtered else None
    for streamed in (False, True):
        conditions = [_candidates(session, pattern, words, regex, streamed), narrowing]
        found = [condition for condition in conditions if condition is not None]
        if streamed:
            ordered = ordered.where(*found)
        else:
            query = query.where(*found)
    return _Plan(matcher, filtered, query, ordered, words, memos and not where)


def _candidates(session: Session, pattern: str, words: list[str], regex: bool,
                streamed: bool) -> ColumnElement[bool] | None:
    """The index's narrowing of the turns, or None where it cannot narrow them."""
    index = text_index_for(session)
    if words:
        return index.turn_condition(words, streamed=streamed)
    if regex:
        clauses = required_literals(pattern)
        return index.turn_literals_condition(clauses, streamed=streamed) if clauses else None
    return None


_ROWS = select(Turn.id, Turn.source_id, Turn.speaker_id, Turn.start, Turn.text,
               Source.name).join(Source, Source.id == Turn.source_id)


def _turn_matches(session: Session, plan: _Plan, *, ordered: bool = True
                  ) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Each match in the candidate turns, in (source name, offset) order, as it is read.

    The candidates' ids are sorted first and their text read a growing batch at a time,
    so the sort never carries transcript text and a first page reads a few turns. With
    ``where``, the query has already left out the turns whose participant rules them out
    (:class:`TurnFilter`); each batch's sources and speakers decide the rest."""
    for rows in _candidate_rows(session, plan, ordered):
        for row in plan.where.keep(rows) if plan.where else rows:
            for found in plan.matcher.finditer(row[4]):
                if found.end() > found.start():
                    yield row, found


def _candidate_rows(session: Session, plan: _Plan, ordered: bool) -> Iterator[list[Any]]:
    connection = session.connection()
    if not ordered:
        rows = iter(connection.execute(_ROWS.where(Turn.id.in_(plan.query))))
        while chunk := list(islice(rows, 2048)):
            yield chunk
        return
    ids = iter(connection.execute(plan.ordered.order_by(Source.name, Turn.position)).scalars())
    size = 64
    while batch := list(islice(ids, size)):
        found = {row[0]: row for row in connection.execute(_ROWS.where(Turn.id.in_(batch)))}
        yield [found[turn_id] for turn_id in batch]
        size = min(size * 2, 2048)


def iter_hits(session: Session, pattern: str, *, regex: bool = False,
              case_sensitive: bool = False, where: Where | None = None, width: int = 40,
              offset: int = 0, memos: bool = False, batch: int = 100) -> Iterator[Hit]:
    """Hits one at a time in order, from the ``offset``-th on; skipped hits get no
    context, and the speakers' attributes are read ``batch`` hits at a time, so a page
    costs what its hits cost."""
    plan = _plan(session, pattern, regex=regex, case_sensitive=case_sensitive, where=where,
                 memos=memos)
    seen, pending = 0, []
    for match in _turn_matches(session, plan):
        seen += 1
        if seen > offset:
            pending.append(match)
            if len(pending) >= batch:
                yield from _turn_hits(session, plan, pending, width)
                pending = []
    yield from _turn_hits(session, plan, pending, width)
    if plan.memos:
        memo_hits = search_memos(session, plan.matcher, plan.words, width=width)
        memo_hits.sort(key=lambda hit: (hit.source, hit.offset))
        yield from memo_hits[max(0, offset - seen):]


def _turn_hits(session: Session, plan: _Plan, matches: list[tuple[tuple[Any, ...], Any]],
               width: int) -> list[Hit]:
    context = plan.where.index if plan.where else load_context(  # keep() read them
        session, {row[1] for row, _ in matches},
        {row[2] for row, _ in matches if row[2] is not None})
    hits = []
    for (turn_id, source_id, speaker_id, start, text, name), found in matches:
        attrs = context.attributes(source_id, speaker_id)
        hits.append(_hit(name, attrs.get("speaker"), attrs.get("role"), start, text, found,
                         width, turn_id=turn_id))
    return hits


def count_hits(session: Session, pattern: str, *, regex: bool = False,
               case_sensitive: bool = False, where: Where | None = None,
               memos: bool = False) -> int:
    """How many hits :func:`search` finds, without building any of them."""
    plan = _plan(session, pattern, regex=regex, case_sensitive=case_sensitive, where=where,
                 memos=memos)
    total = sum(1 for _ in _turn_matches(session, plan, ordered=False))
    if plan.memos:
        total += len(search_memos(session, plan.matcher, plan.words))
    return total


def search(
    session: Session,
    pattern: str,
    *,
    regex: bool = False,
    case_sensitive: bool = False,
    where: Where | None = None,
    width: int = 40,
    limit: int | None = None,
    offset: int = 0,
    memos: bool = False,
) -> list[Hit]:
    """Find ``pattern`` in the turns (and, with ``memos``, the memos) of the project:
    the ``limit`` hits from the ``offset``-th on (all of them without ``limit``), ordered
    by source name and offset, memo hits last.

    :param where: attribute filters (see :mod:`framesynth.familiarise.context`).
    :param width: characters of context on each side.
    """
    if limit is not None and limit < 0 or offset < 0:
        raise InvalidArgument("limit and offset must not be negative")
    hits = iter_hits(session, pattern, regex=regex, case_sensitive=case_sensitive,
                     where=where, width=width, offset=offset, memos=memos,
                     batch=limit or 100)
    return list(islice(hits, limit))


def search_page(session: Session, pattern: str, *, regex: bool = False,
                case_sensitive: bool = False, where: Where | None = None, width: int = 40,
                limit: int = 50, offset: int = 0, memos: bool = False) -> SearchPage:
    """One page of :func:`search` and the total count of hits."""
    options: dict[str, Any] = {"regex": regex, "case_sensitive": case_sensitive,
                               "where": where, "memos": memos}
    hits = search(session, pattern, width=width, limit=limit, offset=offset, **options)
    total = count_hits(session, pattern, **options)
    return SearchPage(hits, total, offset, limit)


def search_memos(session: Session, matcher: Matcher, words: list[str], *,
                 width: int = 40) -> list[Hit]:
    """Hits in memo bodies; the source column reads ``memo:<id>``."""
    query = select(Memo)
    if words:
        query = query.where(text_index_for(session).memo_condition(words))
    hits = []
    for memo in session.scalars(query):
        for found in matcher.finditer(memo.body):
            hits.append(_hit(f"memo:{memo.id}", memo.author, None, 0, memo.body, found, width,
                             memo_id=memo.id))
    return hits


def _hit(source: str, speaker: str | None, role: str | None, base: int, text: str,
         found: Any, width: int, **ids: int) -> Hit:
    left = " ".join(text[max(0, found.start() - width):found.start()].split())
    right = " ".join(text[found.end():found.end() + width].split())
    return Hit(source, speaker, role, base + found.start(), base + found.end(),
               left[-width:], found.group(0), right[:width], **ids)
