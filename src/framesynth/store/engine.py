"""Engines for project stores: a SQLite file by default, PostgreSQL for team servers."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from sqlalchemy import Engine


def is_url(location: str | Path) -> bool:
    return "://" in str(location)


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
    every connect.
    """
    from sqlalchemy import QueuePool, create_engine, event

    if is_url(location):
        sqlite = str(location).startswith("sqlite")
        engine = create_engine(str(location), connect_args={"timeout": 30} if sqlite else {})
    else:
        uri = sqlite_uri(location, read_only=read_only)
        # writers queue for up to 30 s rather than fail while another request commits
        engine = create_engine("sqlite://", poolclass=QueuePool, creator=lambda: sqlite3.connect(
            uri, uri=True, timeout=30, check_same_thread=False))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_read_pragmas if read_only else _sqlite_pragmas)
    return engine


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
