"""``info``: what a project holds, counted the ways a team reports it.

Organisations and partnerships are counted by the terms of the project's vocabularies
(``sector``, ``depth``, ``formality``, ``level``), in the vocabulary's order.

The counts are plain SQL run by :func:`count_info` through any ``rows(sql)`` function:
:func:`project_info` runs them on a session; :func:`quick_info` on the stdlib ``sqlite3``
for an up-to-date project file, so ``framesynth info`` starts without SQLAlchemy. Both
run the same statements.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Rows = Callable[[str], list[tuple[Any, ...]]]

TOTALS = {"sources": "sources", "turns": "turns", "participants": "participants",
          "organisations": "organisations", "partnerships": "partnerships",
          "places": "places", "memos": "memos"}
GROUPS = {"sources_by_kind": ("sources", "kind"), "sources_by_format": ("sources", "format"),
          "participants_by_role": ("participants", "role")}
BY_TERMS = {"organisations_by_sector": ("sector", "organisations", "sector"),
            "partnerships_by_depth": ("depth", "partnerships", "depth"),
            "partnerships_by_formality": ("formality", "partnerships", "formality"),
            "partnerships_by_level": ("level", "partnership_levels", "level")}
ORDER = ("sources", "sources_by_kind", "sources_by_format", "sources_by_language", "words",
         "turns", "speakers_linked", "participants", "participants_by_role", "organisations",
         "organisations_by_sector", "partnerships", "partnerships_by_depth",
         "partnerships_by_formality", "partnerships_by_level", "places", "memos")


def project_info(session: Session) -> dict[str, Any]:
    """Counts of sources by kind and language, participants by role, organisations by sector,
    partnerships by depth and by level, and totals."""
    from sqlalchemy import text

    from framesynth.familiarise.language import ensure_languages

    ensure_languages(session)
    return count_info(lambda sql: [tuple(row) for row in session.execute(text(sql))])


def count_info(rows: Rows) -> dict[str, Any]:
    """:func:`project_info`, from the statements run by ``rows``; sources' languages must
    be known (a missing one counts as English)."""
    def grouped(table: str, column: str) -> dict[str, int]:
        found = rows(f"SELECT {column}, count(*) FROM {table} GROUP BY {column}")
        return {str(key) if key is not None else "(none)": count for key, count in found}

    found: dict[str, Any] = {key: rows(f"SELECT count(*) FROM {table}")[0][0]
                             for key, table in TOTALS.items()}
    found |= {key: grouped(*where) for key, where in GROUPS.items()}
    for key, (vocabulary, table, column) in BY_TERMS.items():
        counts = grouped(table, column)
        listed = [term for (term,) in rows(
            "SELECT term FROM vocabulary_terms WHERE vocabulary = "
            f"'{vocabulary}' ORDER BY position, id")]
        rank = {term: position for position, term in enumerate(listed)}
        found[key] = {term: counts[term] for term in sorted(
            counts, key=lambda v: rank.get(v, len(listed)))}
    languages = grouped("sources", "coalesce(nullif(language, ''), 'en')")
    found["sources_by_language"] = dict(sorted(languages.items(),
                                               key=lambda item: (-item[1], item[0])))
    found["words"] = sum(len(text.split()) for (text,) in rows("SELECT text FROM sources"))
    linked = rows("SELECT count(*) FROM speakers WHERE participant_id IS NOT NULL")[0][0]
    respondents = rows("SELECT count(*) FROM speakers WHERE NOT is_interviewer")[0][0]
    found["speakers_linked"] = f"{linked}/{respondents}"
    return {key: found[key] for key in ORDER}


def quick_info(path: str | Path) -> dict[str, Any] | None:
    """:func:`project_info` of a project file read with ``sqlite3``, without SQLAlchemy;
    None where it needs the full way in: not a plain up-to-date project file, or a source
    whose language is not detected yet (opening it upgrades or detects, or says why not)."""
    from framesynth.store import migrate
    from framesynth.store.engine import is_url, sqlite_uri

    if is_url(path) or not Path(path).is_file():
        return None
    try:
        connection = sqlite3.connect(sqlite_uri(path, read_only=True), uri=True)
    except sqlite3.Error:
        return None
    try:
        rows: Rows = lambda sql: connection.execute(sql).fetchall()  # noqa: E731
        if (rows("SELECT version_num FROM alembic_version") != [(migrate.head_revision(),)]
                or rows("SELECT count(*) FROM sources WHERE coalesce(language, '') = ''")[0][0]):
            return None
        return count_info(rows)
    except sqlite3.Error:
        return None
    finally:
        connection.close()
