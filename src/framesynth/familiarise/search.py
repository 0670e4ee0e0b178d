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
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.errors import InvalidArgument
from framesynth.familiarise.context import Where, load_context
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


def search(
    session: Session,
    pattern: str,
    *,
    regex: bool = False,
    case_sensitive: bool = False,
    where: Where | None = None,
    width: int = 40,
    limit: int | None = None,
    memos: bool = False,
) -> list[Hit]:
    """Find ``pattern`` in the turns (and, with ``memos``, the memos) of the project.

    :param where: attribute filters (see :mod:`framesynth.familiarise.context`).
    :param width: characters of context on each side.
    """
    matcher = compile_pattern(pattern, regex=regex, case_sensitive=case_sensitive)
    where = where or {}
    context = load_context(session)
    context.check(where)
    words = [] if regex else WORD.findall(pattern)
    query = select(Turn.id, Turn.source_id, Turn.speaker_id, Turn.start, Turn.text)
    if words:
        query = query.where(text_index_for(session).turn_condition(words))
    names = dict(session.execute(select(Source.id, Source.name)).all())
    hits: list[Hit] = []
    for turn_id, source_id, speaker_id, start, text in session.execute(query):
        if not context.matches(source_id, speaker_id, where):
            continue
        attrs = context.attributes(source_id, speaker_id)
        for found in matcher.finditer(text):
            if found.end() > found.start():
                hits.append(_hit(names[source_id], attrs.get("speaker"), attrs.get("role"),
                                 start, text, found, width, turn_id=turn_id))
    if memos and not where:
        hits += search_memos(session, matcher, words, width=width)
    hits.sort(key=lambda hit: (hit.memo_id is not None, hit.source, hit.offset))
    return hits[:limit] if limit is not None else hits


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
