"""Engines for project stores: a SQLite file by default, PostgreSQL for team servers.

A project's *location* is a file path (``study.fsdb``, ``~/studies/a.fsdb``) or a
database URL (``postgresql://user@host/study``). Plain ``postgresql://`` and
``postgres://`` URLs are read as psycopg 3 (``postgresql+psycopg://``), the driver
framesynth depends on. Whatever names a URL in a message shows it without its password
(:func:`display_location`).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.orm import Session

Location = str | Path


def is_url(location: str | Path) -> bool:
    return "://" in str(location)


def normalise_url(url: str) -> str:
    """``url`` with a plain PostgreSQL scheme read as psycopg 3's; other URLs unchanged."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return url


def project_location(value: str | Path) -> Location:
    """What a user typed as the project, ready to open: a URL (normalised) stays text,
    a path gets ``~`` expanded and becomes a :class:`Path`."""
    text = str(value).strip() if isinstance(value, str) else value
    if is_url(text):
        return normalise_url(str(text))
    return Path(text).expanduser()


def display_location(location: str | Path) -> str:
    """The location as messages show it: a URL with its password as ``***``."""
    if not is_url(location):
        return str(location)
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(str(location)).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # not a URL SQLAlchemy reads: drop user and password
        parts = urlsplit(str(location))
        return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def database_name(location: str | Path) -> str:
    """The database a URL names (``study`` for ``postgresql://host/study``), or a file's name."""
    if not is_url(location):
        return Path(location).name
    from sqlalchemy.engine import make_url

    database = make_url(str(location)).database or ""
    return Path(database).name if database else "project"


LOCAL_DIR_VARIABLE = "FRAMESYNTH_LOCAL_DIR"


def local_path(location: str | Path) -> Path:
    """The file a project is, or what stands in for it for a database URL: the database
    name in the folder ``FRAMESYNTH_LOCAL_DIR`` names, else the current folder
    (``postgresql://host/study`` -> ``./study``). Files that belong with a project but
    not in its store (the report file ``study.report.yaml``, the web server's
    ``study-jobs`` folder, tuned models in ``study-models``) are named after this path."""
    if not is_url(location):
        return Path(location)
    from sqlalchemy.engine import make_url

    url = make_url(str(location))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database)
    folder = os.environ.get(LOCAL_DIR_VARIABLE, "").strip()
    return (Path(folder).expanduser() if folder else Path.cwd()) / database_name(location)


def folder_beside(session: Session, suffix: str, what: str) -> Path:
    """The folder of a project's local files named ``suffix`` (``-models``, ``-media``):
    ``<project file><suffix>`` beside the file the session is on; for a database server,
    ``DATABASE<suffix>`` in ``FRAMESYNTH_LOCAL_DIR`` or the current folder
    (:func:`local_path`). ``what`` names the files in the error of a session with no file
    (an in-memory SQLite database)."""
    from sqlalchemy import text

    from framesynth.errors import InvalidArgument

    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        stand_in = local_path(bind.engine.url.render_as_string(hide_password=True))
        return stand_in.with_name(stand_in.name + suffix)
    rows = session.execute(text("PRAGMA database_list")).all()
    path = next((row[2] for row in rows if row[1] == "main"), "")
    if not path:
        raise InvalidArgument(f"{what} beside a project file; this project has none")
    return Path(f"{path}{suffix}")


def sqlite_uri(path: str | Path, *, read_only: bool = False) -> str:
    """The SQLite URI of a project file (any characters in the path are escaped).

    A read-only file whose ``-wal`` journal exists (someone has it open) is opened with
    ``mode=ro`` so the journal is read too; otherwise with ``immutable=1``, which creates
    no ``-shm``/``-wal`` files (a read-only connection could not remove them again, and a
    left-behind read-only ``-shm`` would block later writers).
    """
    resolved = Path(path).absolute()
    uri = f"file:{quote(resolved.as_posix())}"
    if not read_only:
        return uri
    wal = resolved.with_name(resolved.name + "-wal")
    return uri + ("?mode=ro" if wal.exists() else "?immutable=1")


def file_is_read_only(path: str | Path) -> bool:
    """Whether this process may not write ``path`` or create files beside it."""
    target = Path(path)
    return not (os.access(target, os.W_OK) and os.access(target.parent, os.W_OK))


def make_engine(location: str | Path, *, read_only: bool = False) -> Engine:
    """Create an engine for a project file path or a database URL.

    SQLite connections get ``foreign_keys=ON`` and, unless read-only, the WAL journal on
    every connect; read-only ones ``query_only``. A read-only PostgreSQL engine's
    transactions are read-only (``default_transaction_read_only``).
    """
    from sqlalchemy import QueuePool, create_engine, event

    if is_url(location):
        url = normalise_url(str(location))
        sqlite = url.startswith("sqlite")
        connect_args: dict[str, object] = {"timeout": 30} if sqlite else {}
        if read_only and url.startswith("postgresql"):  # every transaction refuses writes
            connect_args["options"] = "-c default_transaction_read_only=on"
        # a server's connections are checked before use (the database may have restarted)
        engine = create_engine(url, connect_args=connect_args, pool_pre_ping=not sqlite)
    else:
        uri = sqlite_uri(location, read_only=read_only)
        # writers queue for up to 30 s rather than fail while another request commits
        engine = create_engine("sqlite://", poolclass=QueuePool, creator=lambda: sqlite3.connect(
            uri, uri=True, timeout=30, check_same_thread=False))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_read_pragmas if read_only else _sqlite_pragmas)
    return engine


def is_read_only(connection: Connection) -> bool:
    """Whether writes on ``connection`` are refused: SQLite's ``query_only``, or a
    read-only PostgreSQL transaction."""
    if connection.dialect.name == "sqlite":
        return bool(connection.exec_driver_sql("PRAGMA query_only").scalar())
    if connection.dialect.name == "postgresql":
        return connection.exec_driver_sql("SHOW transaction_read_only").scalar() == "on"
    return False


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_read_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()
