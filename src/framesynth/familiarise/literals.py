r"""The literal text every match of a regular expression must contain.

:func:`required_literals` reads a pattern in the ``regex`` package's syntax and returns
clauses, all of which a match must satisfy, each a list of alternatives of which a match
contains at least one: ``\b(bus|van|minibus)es\b`` gives ``[["bus", "van", "minibus"]]``
(``es`` is too short), ``waiting list|queue`` gives ``[["waiting list", "queue"]]``.
Only runs of at least :data:`MIN_LITERAL` characters count (a trigram index needs three).
The reading is conservative: whatever it does not understand (inline flags, optional
parts, classes, escapes such as ``\w``) ends a literal run or gives no clause, so the
clauses may miss text a match needs but never ask for text it does not need.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MIN_LITERAL = 3
_OPTIONAL = ("?", "*", "{")  # quantifiers that may repeat zero times (or fuzzy constraints)
_QUANTIFIERS = ("?", "*", "{", "+")
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}
Clause = list[str]


class _GiveUp(Exception):
    """The pattern uses syntax whose literals this reader does not work out."""


@dataclass
class _Branch:
    """One alternative of a sequence: its finished clauses and the literal run so far."""

    clauses: list[Clause] = field(default_factory=list)
    run: str = ""

    def end_run(self) -> None:
        if len(self.run) >= MIN_LITERAL:
            self.clauses.append([self.run])
        self.run = ""


def required_literals(pattern: str) -> list[Clause]:
    """Clauses of literal text (AND of ORs) every match of ``pattern`` contains; empty
    when none is known."""
    try:
        branches, end = _sequence(pattern, 0)
    except _GiveUp:
        return []
    if end != len(pattern):
        return []
    clause = _union(branches)
    if clause is None:
        return []
    return [clause] if len(branches) > 1 else branches[0].clauses


def _union(branches: list[_Branch]) -> Clause | None:
    """One clause any branch satisfies: each branch's strongest clause, joined."""
    alternatives: Clause = []
    for branch in branches:
        if not branch.clauses:
            return None
        alternatives += max(branch.clauses, key=lambda clause: min(map(len, clause)))
    return list(dict.fromkeys(alternatives))


def _sequence(pattern: str, i: int) -> tuple[list[_Branch], int]:
    """The branches from ``i`` to the closing ``)`` (or the end) and where that is."""
    branches, branch = [], _Branch()
    while i < len(pattern) and pattern[i] != ")":
        char = pattern[i]
        if char == "|":
            branch.end_run()
            branches.append(branch)
            branch, i = _Branch(), i + 1
        elif char == "(":
            i = _group(pattern, i, branch)
        elif char == "[":
            branch.end_run()
            i = _skip_class(pattern, i)
        elif char == "\\":
            i = _escape(pattern, i, branch)
        elif char in _QUANTIFIERS:  # on a class, a dot or an escape: already no literal
            branch.end_run()
            i = _skip_quantifier(pattern, i)
        elif char in ".^$":
            branch.end_run()
            i += 1
        else:
            branch.run += char
            i = _after_literal(pattern, i + 1, branch)
    branch.end_run()
    branches.append(branch)
    return branches, i


def _after_literal(pattern: str, i: int, branch: _Branch) -> int:
    """After a literal character: a quantifier on it ends the run (and drops the
    character where it may occur zero times)."""
    if i < len(pattern) and pattern[i] in _QUANTIFIERS:
        if pattern[i] in _OPTIONAL:
            branch.run = branch.run[:-1]
        branch.end_run()
        return _skip_quantifier(pattern, i)
    return i


def _skip_quantifier(pattern: str, i: int) -> int:
    if pattern[i] == "{":
        close = pattern.find("}", i)
        if close < 0:
            raise _GiveUp
        i = close
    i += 1
    return i + 1 if i < len(pattern) and pattern[i] in "?+" else i


def _group(pattern: str, i: int, branch: _Branch) -> int:
    """A parenthesised group: its union clause counts unless the group is optional."""
    branch.end_run()
    body, lookaround = _group_body_start(pattern, i)
    branches, end = _sequence(pattern, body)
    if end >= len(pattern):
        raise _GiveUp
    end += 1
    optional = end < len(pattern) and pattern[end] in _OPTIONAL
    if end < len(pattern) and pattern[end] in _QUANTIFIERS:
        end = _skip_quantifier(pattern, end)
    clause = _union(branches)
    if clause is not None and not optional and not lookaround:
        branch.clauses.append(clause)
    return end


def _group_body_start(pattern: str, i: int) -> tuple[int, bool]:
    """Where a group's body starts and whether it is a look-around (which matches no
    text); inline flags and other extensions give up."""
    if not pattern.startswith("(?", i):
        return i + 1, False
    for opener, lookaround in (("(?:", False), ("(?>", False), ("(?=", True), ("(?!", True),
                               ("(?<=", True), ("(?<!", True)):
        if pattern.startswith(opener, i):
            return i + len(opener), lookaround
    if pattern.startswith("(?P<", i) or pattern.startswith("(?<", i):
        close = pattern.find(">", i)
        if close < 0:
            raise _GiveUp
        return close + 1, False
    raise _GiveUp


def _skip_class(pattern: str, i: int) -> int:
    """Past a ``[...]`` set (a ``]`` first in the set is literal)."""
    i += 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        if pattern[i] == "[":
            raise _GiveUp  # nested sets (version 1 syntax)
        i += 2 if pattern[i] == "\\" else 1
    if i >= len(pattern):
        raise _GiveUp
    return i + 1


def _escape(pattern: str, i: int, branch: _Branch) -> int:
    """An escape: punctuation is itself; letters and digits are classes, anchors,
    references or code points, which end the run."""
    if i + 1 >= len(pattern):
        raise _GiveUp
    char = pattern[i + 1]
    if not char.isalnum() and char != "_":
        branch.run += char
        return _after_literal(pattern, i + 2, branch)
    branch.end_run()
    i += 2
    if char in _HEX_DIGITS:
        return i + _HEX_DIGITS[char]
    if char in "pPNgL" and i < len(pattern) and pattern[i] in "{<":
        close = pattern.find("}" if pattern[i] == "{" else ">", i)
        if close < 0:
            raise _GiveUp
        return close + 1
    if char in "pP":
        return i + 1  # \pL: a one-letter property
    while char.isdigit() and i < len(pattern) and pattern[i].isdigit():
        i += 1
    return _skip_quantifier(pattern, i) if i < len(pattern) and pattern[i] in _QUANTIFIERS \
        else i
