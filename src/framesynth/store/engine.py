"""Engines for project stores: a SQLite file by default, PostgreSQL for team servers."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event


def is_url(location: str | Path) -> bool:
    return "://" in str(location)


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path)}"


def make_engine(location: str | Path) -> Engine:
    """Create an engine for a project file path or a database URL.

    SQLite connections get ``foreign_keys=ON`` and the WAL journal on every connect.
    """
    url = str(location) if is_url(location) else sqlite_url(location)
    sqlite = url.startswith("sqlite")
    # writers queue for up to 30 s rather than fail while another request commits
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}
                           if sqlite else {})
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
