"""A whole project's rows in one backend-neutral form, to compare two stores.

``dump(engine)`` reads every table of the schema (the models' tables and
``alembic_version``) ordered by primary key, each value normalised so that the same data
reads the same on SQLite and PostgreSQL: JSON as canonical text, date-times as ISO text,
floats as ``repr`` after rounding to 12 significant digits (the two drivers print the last
bit differently). Rows come in primary-key order, text keys compared byte by byte on both
(``COLLATE "C"`` on PostgreSQL, whose default collation may sort ``B`` after ``a``).
Full-text index tables are not part of it: they are derived from the
rows and rebuilt by their triggers. Used by ``copy`` to check a copy and by the tests to
show that an operation left a project exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Connection, Engine, Integer, String, Table, inspect, select
from sqlalchemy.sql.elements import ColumnElement

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


PLAIN = (Integer, String, Boolean)  # read the same from both backends (Text is a String)


def key_order(table: Table, dialect: str) -> list[ColumnElement[Any]]:
    """``table``'s primary key (or all its columns) as an ORDER BY both backends agree on."""
    columns = list(table.primary_key.columns) or list(table.columns)
    return [column.collate("C") if dialect == "postgresql" and isinstance(column.type, String)
            else column for column in columns]


def table_rows(connection: Connection, table: Table, *, batch: int = 2000
               ) -> Iterator[tuple[Any, ...]]:
    """``table``'s rows in key order, normalised, streamed ``batch`` at a time."""
    query = select(table).order_by(*key_order(table, connection.dialect.name))
    result = connection.execute(query.execution_options(yield_per=batch))
    changing = [index for index, column in enumerate(table.columns)
                if not isinstance(column.type, PLAIN)]
    if not changing:
        yield from (tuple(row) for row in result)
        return
    for row in result:
        values = list(row)
        for index in changing:
            values[index] = normalised(values[index])
        yield tuple(values)


def revision_rows(connection: Connection) -> list[tuple[Any, ...]]:
    """The ``alembic_version`` rows (none where the table is missing)."""
    if not inspect(connection).has_table("alembic_version"):
        return []
    return [tuple(row) for row in connection.exec_driver_sql(
        "SELECT version_num FROM alembic_version")]


def dump(engine: Engine | Connection) -> Dump:
    """Every row of every project table, ordered by primary key, values normalised.

    Given a connection, it reads inside that connection's transaction (what it has
    written and not yet committed included).
    """
    if isinstance(engine, Engine):
        with engine.connect() as connection:
            return dump(connection)
    found: Dump = {table.name: list(table_rows(engine, table)) for table in schema_tables()}
    if inspect(engine).has_table("alembic_version"):
        found["alembic_version"] = revision_rows(engine)
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
