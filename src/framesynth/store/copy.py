"""Copy a whole project between stores: SQLite file <-> PostgreSQL, or file to file.

>>> copy_project("study.fsdb", "postgresql+psycopg://ana@db.example/study")  # doctest: +SKIP

Not a file copy nor ``pg_dump``: the two backends hold the same rows in different forms
(JSON as text or ``json``, booleans as 0/1 or ``boolean``, date-times as text or
``timestamp``), so every row goes through the models' column types, into Python and out
in the destination's form. The destination's schema comes from the migrations, as any
project's does, so its indexes, triggers and full-text tables are the ones a project made
there would have; the migrations only (not ``Project.create``'s vocabulary template), and
any row they might make is cleared, so the source's rows go in with their ids.

Rows stream from the source a batch at a time (a few thousand rows, fewer when they are
long). Into SQLite a batch is one ``INSERT`` statement, and so one write of the full-text
triggers (see ``familiarise.sources._insert_turns``); into PostgreSQL one ``COPY``. The source
is read in one snapshot; the destination is written in one transaction. A new file is
written under a temporary name beside the destination and renamed once complete, so a
failure (or an interrupted copy) leaves no half project; on PostgreSQL the migrations run
in the copy's transaction (DDL is transactional there), so a failure leaves the database
empty. On PostgreSQL every id sequence is then set past the largest id copied.

The check compares every table row by row (:mod:`framesynth.store.dump`'s normalised
form, in key order) inside the destination's transaction, before it commits.

Outside the database: the report file (``study.report.yaml``), the tuned models' folder
(``study.fsdb-models/``) and the recordings (``study.fsdb-media/``) beside a source file
are copied beside a destination file
(under its name); a database has no folder to put them in, so for a URL the report says
what stays behind. ``.bak`` copies and the web server's ``-jobs`` folder are not copied.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    Table,
    Text,
    bindparam,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from framesynth.errors import CopyMismatch, ProjectError
from framesynth.store import migrate
from framesynth.store.dump import key_order, revision_rows, schema_tables, table_rows
from framesynth.store.engine import is_url, local_path, make_engine

Progress = Callable[[str, int, int], None]
"""``progress(table, rows_done, rows_total)``: at the start of each table and per batch."""

BATCH_ROWS = 2000
BATCH_CHARACTERS = 8_000_000  # a batch of long texts (sources) stops here
MAX_PARAMETERS = 30_000  # per statement; SQLite allows 32,766, PostgreSQL 65,535


@dataclass
class CopyReport:
    """What a copy did: rows per table (in copy order), what was checked and carried."""

    source: str
    destination: str
    revision: str
    rows: dict[str, int]
    checked: bool
    seconds: float
    carried: list[str] = field(default_factory=list)
    left_behind: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def display_location(location: str | Path) -> str:
    """A project's location fit to print: a URL's password (and query) hidden."""
    if not is_url(location):
        return str(location)
    try:
        url = make_url(str(location))
    except ArgumentError:
        return str(location).split("://", 1)[0] + "://..."
    return url.set(query={}).render_as_string(hide_password=True)


def copy_project(source: str | Path, destination: str | Path, *, check: bool = True,
                 progress: Progress | None = None) -> CopyReport:
    """Copy the project at ``source`` to ``destination``, a new file or an empty database.

    ``source`` is opened as any project is (upgraded if older). ``destination`` must not
    exist (a file) or hold no tables (a URL); otherwise :class:`ProjectError` and nothing
    is written. With ``check``, every row of both is compared before the copy is kept;
    a difference raises :class:`CopyMismatch` and nothing is kept.
    """
    from framesynth.project import Project

    started = time.perf_counter()
    target = _target(destination)
    with Project.open(source) as project:
        beside = _beside(source, target)
        if isinstance(target, Path):
            rows = _copy_to_file(project.engine, target, beside, check=check,
                                 progress=progress)
        else:
            rows = _copy_to_database(project.engine, target, check=check, progress=progress)
        revision = migrate.current_revision(project.engine) or ""
    return CopyReport(display_location(source), display_location(target), revision, rows,
                      check, time.perf_counter() - started,
                      carried=[str(to) for _, to in beside.pairs],
                      left_behind=beside.notes)


# --- where things go ---------------------------------------------------------------------


def _target(destination: str | Path) -> Path | str:
    """A file's path (a ``sqlite:///`` URL too), or a database URL; refused if taken."""
    if is_url(destination):
        try:
            url = make_url(str(destination))
        except ArgumentError:
            raise ProjectError("not a database URL (e.g. postgresql+psycopg://user@host/db)",
                               path=display_location(destination)) from None
        if url.get_backend_name() != "sqlite":
            return str(destination)
        if url.database in (None, "", ":memory:"):
            raise ProjectError("an in-memory database vanishes when the copy ends; "
                               "name a file", path=display_location(destination))
        destination = url.database
    path = Path(destination)
    if path.exists():
        raise ProjectError("already exists; copy writes a new project file and never "
                           "overwrites", path=path)
    if not path.parent.is_dir():
        raise ProjectError("the folder does not exist", path=path)
    return path


@dataclass
class _Beside:
    """Files beside the source file to copy beside the destination, and what stays."""

    pairs: list[tuple[Path, Path]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _beside(source: str | Path, target: Path | str) -> _Beside:
    from framesynth.interpret.report_settings import settings_path

    found = _Beside()
    source_path = _file_of(source)
    if source_path is None:
        return found
    candidates = [(settings_path(source_path), "the report file", ""),
                  (Path(f"{source_path}-models"), "the tuned models' folder", "-models"),
                  (Path(f"{source_path}-media"), "the recordings' folder", "-media")]
    for path, what, suffix in candidates:
        if not path.exists():
            continue
        if isinstance(target, Path):
            to = settings_path(target) if not suffix else Path(f"{target}{suffix}")
            if to.exists():
                raise ProjectError(f"{to.name} already exists beside the new project; move it "
                                   f"away (copy would write {what} of {source_path.name} "
                                   "there)", path=target)
            found.pairs.append((path, to))
        else:
            found.notes.append(_left_behind(path, what, target))
    return found


def _file_of(location: str | Path) -> Path | None:
    """The file of a project path or ``sqlite:///`` URL; None for a database server."""
    if not is_url(location):
        return Path(location)
    url = make_url(str(location))
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


def _left_behind(path: Path, what: str, target: str | Path) -> str:
    if what == "the recordings' folder":
        return (f"{path.name}/ (recordings) stays beside the source: copy it to "
                f"{local_path(target)}-media, where the database project looks for them")
    if what == "the report file":
        return (f"{path.name} (the report file) stays beside the source: a database has no "
                "folder; keep it with the team and pass it to `framesynth report --settings`")
    return (f"{path.name}/ (tuned models) stays beside the source: the copy lists the "
            "versions, but tuned models live beside a project file, so `autocode --method "
            "tuned` needs a file project (copy back to one, or train again)")


# --- the two kinds of destination ------------------------------------------------------


def _copy_to_file(source: Engine, target: Path, beside: _Beside, *, check: bool,
                  progress: Progress | None) -> dict[str, int]:
    """Write ``target`` under a temporary name, rename it once complete and checked."""
    partial = target.with_name(f".{target.name}.copying")
    staged = [(to.with_name(f".{to.name}.copying"), frm, to) for frm, to in beside.pairs]
    for leftover in [partial, *(temporary for temporary, _, _ in staged)]:
        _remove(leftover)  # left by an interrupted copy
    engine = make_engine(partial)
    try:
        migrate.upgrade(engine)
        with engine.connect() as writer, _snapshot(source) as reader:
            writer.exec_driver_sql("PRAGMA synchronous=OFF")  # a failure deletes the file
            rows = _copy_all(reader, writer, check=check, progress=progress)
            writer.commit()
            writer.exec_driver_sql("PRAGMA synchronous=FULL")
            writer.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        if partial.with_name(partial.name + "-wal").exists():
            raise ProjectError("the copy's journal was not written back; nothing was kept",
                               path=target)
        for temporary, frm, _ in staged:
            _copy_beside(frm, temporary)
        for temporary, to in [(partial, target), *((t, to) for t, _, to in staged)]:
            _rename_new(temporary, to)
    except BaseException:
        engine.dispose()
        for leftover in [partial, *(temporary for temporary, _, _ in staged)]:
            _remove(leftover)
        raise
    return rows


def _copy_to_database(source: Engine, url: str, *, check: bool,
                      progress: Progress | None) -> dict[str, int]:
    """Schema and rows in one transaction on an empty database; sequences set after."""
    engine = make_engine(url)
    try:
        with _connected(engine, url) as writer, _snapshot(source) as reader:
            _refuse_tables(writer, url)
            migrate.upgrade_in(writer)
            rows = _copy_all(reader, writer, check=check, progress=progress)
            writer.commit()
    finally:
        engine.dispose()
    return rows


@contextmanager
def _connected(engine: Engine, url: str) -> Iterator[Connection]:
    """A connection to ``url``, or one line on why there is none (no password in it)."""
    try:
        connection = engine.connect()
    except DBAPIError as error:
        raise ProjectError(f"cannot connect to the database ({_reason(error.orig or error)})",
                           path=display_location(url)) from None
    with connection:
        yield connection


def _refuse_tables(connection: Connection, url: str) -> None:
    tables = inspect(connection).get_table_names()
    if tables:
        raise ProjectError(f"the database is not empty ({len(tables)} tables, e.g. "
                           f"{sorted(tables)[0]}); copy writes only into an empty database",
                           path=display_location(url))


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection reading the source in one snapshot, even while others write to it."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN")
        else:
            connection.execution_options(isolation_level="REPEATABLE READ")
        try:
            yield connection
        finally:
            connection.rollback()


# --- rows ---------------------------------------------------------------------------------


def _copy_all(reader: Connection, writer: Connection, *, check: bool,
              progress: Progress | None) -> dict[str, int]:
    """Every table, parents first; then sequences, the revision and (optionally) the check."""
    tables = schema_tables()
    for table in reversed(tables):  # rows the migrations may have made
        writer.execute(table.delete())
    rows = {table.name: _copy_table(reader, writer, table, progress) for table in tables}
    if writer.dialect.name == "postgresql":
        _reset_sequences(writer, tables)
        writer.exec_driver_sql("ANALYZE")  # the planner's statistics, as if it had grown
    if revision_rows(reader) != revision_rows(writer):
        raise CopyMismatch(f"schema {revision_rows(writer)} differs from the source's "
                           f"{revision_rows(reader)}; nothing was kept")
    if check:
        _check(reader, writer, tables)
    return rows


def _copy_table(reader: Connection, writer: Connection, table: Table,
                progress: Progress | None) -> int:
    """Copy ``table`` in batches; a column referring to the table itself is filled after."""
    total = reader.execute(select(func.count()).select_from(table)).scalar_one()
    if progress:
        progress(table.name, 0, total)
    inserts = _rows_into(writer, table)
    query = select(*table.columns, *(table.columns[i].is_(None) for i in inserts.json))
    query = query.order_by(*key_order(table, reader.dialect.name))
    done = 0
    long = [index for index, column in enumerate(table.columns)
            if isinstance(column.type, Text | LargeBinary)]
    for batch in _batches(reader.execute(query.execution_options(yield_per=BATCH_ROWS)),
                          _rows_per_statement(table), long):
        inserts.write(batch)
        done += len(batch)
        if progress:
            progress(table.name, done, total)
    if inserts.own:
        _fill_own_references(reader, writer, table, [table.columns[i] for i in inserts.own])
    return done


def _rows_per_statement(table: Table) -> int:
    return max(1, min(BATCH_ROWS, MAX_PARAMETERS // len(table.columns)))


def _batches(rows: Any, size: int, long: Sequence[int] = ()) -> Iterator[list[Any]]:
    """Rows in lists of ``size``, a list cut short once the values in its ``long`` columns
    (texts, bytes) pass BATCH_CHARACTERS."""
    batch: list[Any] = []
    characters = 0
    for row in rows:
        batch.append(row)
        characters += sum(len(row[index] or "") for index in long)
        if len(batch) == size or characters >= BATCH_CHARACTERS:
            yield batch
            batch, characters = [], 0
    if batch:
        yield batch


class _Rows:
    """Rows going into one table of the destination, a batch at a time.

    The values are bound by the columns' own bind processors, as SQLAlchemy would bind
    them, and go to the driver as they are. A JSON column's SQL NULL stays NULL (its
    processor would write JSON ``null``); a column referring to the table itself is left
    NULL for now (:func:`_fill_own_references`).
    """

    def __init__(self, writer: Connection, table: Table) -> None:
        self.writer, self.table = writer, table
        dialect = writer.dialect
        columns = list(table.columns)
        self.width = len(columns)
        self.processors = [column.type.dialect_impl(dialect).bind_processor(dialect)
                           for column in columns]
        self.json = [i for i, column in enumerate(columns) if isinstance(column.type, JSON)]
        self.own = [i for i, column in enumerate(columns)
                    if any(fk.column.table is table for fk in column.foreign_keys)]

    def values(self, row: Any) -> list[Any]:
        """A source row's values as the destination's driver takes them."""
        values = [value if process is None else process(value)
                  for value, process in zip(row[:self.width], self.processors, strict=True)]
        for index, sql_null in zip(self.json, row[self.width:], strict=True):
            if sql_null:
                values[index] = None
        for index in self.own:
            values[index] = None
        return values

    def write(self, batch: Sequence[Any]) -> None:
        raise NotImplementedError

    def refused(self, batch: Sequence[Any], reason: str) -> ProjectError:
        return ProjectError(f"{self.table.name}: cannot copy the rows from key "
                            f"{batch[0][0]!r} to {batch[-1][0]!r} ({reason}); nothing was "
                            "kept")


class _Inserts(_Rows):
    """Multi-row INSERTs (SQLite: the full-text triggers write once per statement).

    SQLAlchemy takes longer to compile a statement of thousands of parameters than the
    database takes to run it, so one row's ``VALUES (...)`` is compiled (with the
    dialect's casts) and repeated.
    """

    def __init__(self, writer: Connection, table: Table) -> None:
        super().__init__(writer, table)
        self.head, self.group = _one_row_sql(writer, table)
        self.sql: dict[int, str] = {}

    def write(self, batch: Sequence[Any]) -> None:
        sql = self.sql.get(len(batch))
        if sql is None:
            sql = self.sql[len(batch)] = self.head + ", ".join([self.group] * len(batch))
        parameters = tuple(value for row in batch for value in self.values(row))
        try:
            self.writer.exec_driver_sql(sql, parameters)
        except DBAPIError as error:
            raise self.refused(batch, _reason(error.orig or error)) from None


class _Copies(_Rows):
    """PostgreSQL through psycopg: ``COPY ... FROM STDIN``, a batch per COPY.

    psycopg parses a statement's parameters in Python, which for an INSERT of thousands
    of rows cost more than the server's work; COPY takes the rows as they are (and the
    server loads them faster). Row triggers and foreign keys apply as to an INSERT.
    """

    def __init__(self, writer: Connection, table: Table) -> None:
        super().__init__(writer, table)
        quote = writer.dialect.identifier_preparer.quote
        names = ", ".join(quote(column.name) for column in table.columns)
        self.sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"

    def write(self, batch: Sequence[Any]) -> None:
        import psycopg

        connection = self.writer.connection.dbapi_connection
        try:
            with connection.cursor() as cursor, cursor.copy(self.sql) as copy:  # type: ignore[union-attr]
                for row in batch:
                    copy.write_row(self.values(row))
        except psycopg.Error as error:
            raise self.refused(batch, _reason(error)) from None


def _rows_into(writer: Connection, table: Table) -> _Rows:
    if writer.dialect.name == "postgresql" and writer.dialect.driver == "psycopg":
        return _Copies(writer, table)
    return _Inserts(writer, table)


def _reason(error: BaseException) -> str:
    """A database error's first line."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else error.__class__.__name__


NAMED = re.compile(r"%\((p_\d+)\)s")


def _one_row_sql(writer: Connection, table: Table) -> tuple[str, str]:
    """``INSERT INTO t (...) VALUES `` and one row's ``(?, ?)``, positional parameters in
    column order (psycopg's ``%(name)s`` become ``%s``)."""
    names = [f"p_{index}" for index in range(len(table.columns))]
    compiled = insert(table).values({
        column.name: bindparam(name, type_=column.type)
        for name, column in zip(names, table.columns, strict=True)}
    ).compile(dialect=writer.dialect)
    head, group = str(compiled).rsplit(" VALUES ", 1)
    found = list(compiled.positiontup or []) if compiled.positional else NAMED.findall(group)
    if found != names:  # a dialect that orders or names its parameters otherwise
        raise RuntimeError(f"cannot repeat the VALUES of {table.name}: {group}")
    if not compiled.positional:
        group = NAMED.sub("%s", group)
    return head + " VALUES ", group


def _fill_own_references(reader: Connection, writer: Connection, table: Table,
                         own: list[Column[Any]]) -> None:
    """Set columns like ``codes.parent_id`` once every row they may point at is in."""
    [key] = table.primary_key.columns
    for column in own:
        query = select(key, column).where(column.is_not(None)).order_by(key)
        statement = update(table).where(key == bindparam("_key")).values(
            {column.name: bindparam("_value")})
        for batch in _batches(reader.execute(query.execution_options(yield_per=BATCH_ROWS)),
                              BATCH_ROWS):
            writer.execute(statement, [{"_key": k, "_value": v} for k, v in batch])


def _reset_sequences(writer: Connection, tables: list[Table]) -> None:
    """Each serial id's next value past the largest copied, so new rows get fresh ids."""
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        quoted = writer.dialect.identifier_preparer.quote
        writer.execute(text(
            f"SELECT setval(pg_get_serial_sequence(:table, :column), "
            f"coalesce(max({quoted(keys[0].name)}), 0) + 1, false) FROM {quoted(table.name)}"),
            {"table": table.name, "column": keys[0].name})


def _check(reader: Connection, writer: Connection, tables: list[Table]) -> None:
    """Every table the same, row by row, in the two stores (streamed, not held)."""
    for table in tables:
        pairs = zip_longest(table_rows(reader, table), table_rows(writer, table))
        for number, (old, new) in enumerate(pairs, 1):
            if old != new:
                raise CopyMismatch(f"{table.name}: row {number} differs after copying "
                                   f"({_brief(old)} became {_brief(new)}); nothing was kept")


def _brief(row: tuple[Any, ...] | None) -> str:
    if row is None:
        return "no row"
    shown = repr(row[:4])
    return shown if len(shown) <= 120 else shown[:117] + "..."


# --- files ---------------------------------------------------------------------------------


def _copy_beside(frm: Path, to: Path) -> None:
    if frm.is_dir():
        shutil.copytree(frm, to)
    else:
        shutil.copy2(frm, to)


def _rename_new(partial: Path, target: Path) -> None:
    """``partial`` becomes ``target``, never over a file that appeared meanwhile."""
    try:
        os.link(partial, target)
    except FileExistsError:
        raise ProjectError("appeared while copying; the copy was removed", path=target) from None
    except OSError:  # a file system without hard links
        if target.exists():
            raise ProjectError("appeared while copying; the copy was removed",
                               path=target) from None
        os.replace(partial, target)
        return
    partial.unlink()


def _remove(path: Path) -> None:
    """A file (with a SQLite file's journals) or a folder, if it is there."""
    if path.is_dir():
        shutil.rmtree(path)
        return
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
