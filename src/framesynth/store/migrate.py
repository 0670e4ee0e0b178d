"""Schema migrations with Alembic; the scripts ship inside the package.

A project file made by an older framesynth is upgraded when it is opened, after a
``.bak`` copy of it is taken with SQLite's online backup API. Opening an up-to-date
project reads its revision with one query and the scripts' revisions from their
``revision``/``down_revision`` lines, so Alembic (a large import) loads only to upgrade.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).parent / "migrations"
REVISION_LINE = re.compile(r'^(down_revision|revision)\s*(?::[^=]*)?=\s*"([^"]*)"', re.M)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


@lru_cache(maxsize=1)
def _revisions() -> dict[str, str | None]:
    """revision -> down_revision of every script in ``migrations/versions``."""
    found: dict[str, str | None] = {}
    for script in sorted((MIGRATIONS / "versions").glob("*.py")):
        lines = dict(REVISION_LINE.findall(script.read_text(encoding="utf-8")))
        if "revision" in lines:
            found[lines["revision"]] = lines.get("down_revision") or None
    return found


def head_revision() -> str:
    """The newest revision: the one no other script revises."""
    revisions = _revisions()
    [head] = set(revisions) - {down for down in revisions.values() if down}
    return head


def known_revisions() -> set[str]:
    """Every revision this framesynth's migrations know."""
    return set(_revisions())


def current_revision(engine: Engine) -> str | None:
    from sqlalchemy import inspect, text

    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema of ``engine`` to ``revision`` (default: the newest)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def upgrade_in(connection: Connection, revision: str = "head") -> None:
    """Bring the schema to ``revision`` inside ``connection``'s open transaction.

    Nothing is committed: the schema lands (or vanishes) with the caller's transaction.
    Meant for PostgreSQL, whose DDL is transactional; on SQLite use :func:`upgrade`.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def backup_sqlite(path: Path) -> Path:
    """Copy a live SQLite file to ``<path>.bak`` consistently, WAL included."""
    target = path.with_name(path.name + ".bak")
    source = sqlite3.connect(path)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    return target
