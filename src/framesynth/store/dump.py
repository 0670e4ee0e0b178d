"""A whole project's rows in one backend-neutral form, to compare two stores.

``dump(engine)`` reads every table of the schema (the models' tables and
``alembic_version``) ordered by primary key, each value normalised so that the same data
reads the same on SQLite and PostgreSQL: JSON as canonical text, date-times as ISO text,
floats as ``repr`` after rounding to 12 significant digits (the two drivers print the last
bit differently). Full-text index tables are not part of it: they are derived from the
rows and rebuilt by their triggers. Used by ``copy`` to check a copy and by the tests to
show that an operation left a project exactly as it was.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, Table, inspect, select

from framesynth.store.models import Base

Dump = dict[str, list[tuple[Any, ...]]]


def normalised(value: Any) -> Any:
    """``value`` in the form both backends agree on."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def schema_tables() -> list[Table]:
    """The project's tables, parents before children."""
    return list(Base.metadata.sorted_tables)


def dump(engine: Engine) -> Dump:
    """Every row of every project table, ordered by primary key, values normalised."""
    found: Dump = {}
    with engine.connect() as connection:
        for table in schema_tables():
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(select(table).order_by(*order))
            found[table.name] = [tuple(normalised(value) for value in row) for row in rows]
        if inspect(connection).has_table("alembic_version"):
            found["alembic_version"] = [tuple(row) for row in connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version")]
    return found


def differences(before: Dump, after: Dump, *, limit: int = 5) -> list[str]:
    """Readable lines on how two dumps differ (empty when they are equal)."""
    lines: list[str] = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, []), after.get(name, [])
        if old == new:
            continue
        lines.append(f"{name}: {len(old)} rows before, {len(new)} after")
        gone = [row for row in old if row not in set(new)][:limit]
        added = [row for row in new if row not in set(old)][:limit]
        lines += [f"  - {row!r}" for row in gone] + [f"  + {row!r}" for row in added]
    return lines
