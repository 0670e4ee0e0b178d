"""``Project``: the facade a notebook user or a shell starts from.

>>> project = Project.create("study.fsdb")            # doctest: +SKIP
>>> with project.session() as session: ...            # doctest: +SKIP

A project is one SQLite file or a database URL (``postgresql://user@host/study``, see
docs/postgresql.md). Opening a file made by an older framesynth upgrades it in place
after writing ``<file>.bak`` (a database is upgraded in one transaction, no copy). A file made by a newer
framesynth is refused before anything is written; a read-only file (or one in a read-only
folder) opens read-only: reading works, and any change fails with one clear error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from framesynth.errors import NewerSchema, ProjectError, ReadOnlyProject
from framesynth.familiarise.vocabulary import DEFAULT_TEMPLATE, TEMPLATES, apply_template
from framesynth.store import migrate
from framesynth.store.engine import (
    file_is_read_only,
    is_url,
    make_engine,
    normalise_url,
    project_location,
)

READ_ONLY_HINT = "the project file is read-only; nothing was changed (make it writable to edit)"
READ_ONLY_DATABASE = "the project is open read-only; nothing was changed"
READ_ONLY_SQLSTATE = "25006"  # PostgreSQL: a write in a read-only transaction


class Project:
    """An open project store."""

    def __init__(self, location: str | Path, engine: Engine, *, read_only: bool = False):
        self.location = normalise_url(location) if isinstance(location, str) and is_url(
            location) else location
        self.engine = engine
        self.read_only = read_only
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def create(cls, location: str | Path, *, template: str = DEFAULT_TEMPLATE) -> Project:
        """Create a new, empty project; refuses to overwrite an existing file, or a
        database that already holds a project (the database itself must exist: create it
        with ``createdb`` first).

        :param template: the vocabularies to start with (``partnership-evaluation``, whose
            sector list stays open to new sectors, or ``blank``); see
            :mod:`framesynth.familiarise.vocabulary`.
        """
        if template not in TEMPLATES:
            raise ProjectError(f"unknown template {template!r}; use one of {', '.join(TEMPLATES)}",
                               path=location)
        location = project_location(location)
        if not is_url(location):
            path = Path(location)
            if path.exists():
                raise ProjectError("a file of that name already exists", path=path)
            if not path.parent.is_dir():
                raise ProjectError("the folder does not exist", path=path)
        engine = _engine(location)
        try:
            if is_url(location):
                _check_connects(engine, location)
                if "alembic_version" in inspect(engine).get_table_names():
                    raise ProjectError("the database already holds a framesynth project",
                                       path=location)
            migrate.upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        project = cls(location, engine)
        with project.session() as session:
            apply_template(session, template)
        return project

    @classmethod
    def open(cls, location: str | Path, *, upgrade: bool = True,
             read_only: bool | None = None) -> Project:
        """Open an existing project, upgrading its schema if it is older than this code.

        :param read_only: open without writing anything; by default only when the file or
            its folder is read-only to this process (a database is opened read-only only
            when asked). A read-only project is never upgraded.
        """
        location = project_location(location)
        if not is_url(location) and not Path(location).is_file():
            raise ProjectError("no such project file (create one with `framesynth init`)",
                               path=location)
        if read_only is None:
            read_only = not is_url(location) and file_is_read_only(location)
        engine = _engine(location, read_only=read_only)
        try:
            if is_url(location):
                _check_connects(engine, location)
            _check_is_project(engine, location)
            _check_schema(engine, location, upgrade=upgrade, read_only=read_only)
        except BaseException:
            engine.dispose()
            raise
        return cls(location, engine, read_only=read_only)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        try:
            with self._sessions.begin() as session:
                yield session
        except DBAPIError as error:
            if is_url(self.location):
                if getattr(error.orig, "sqlstate", None) == READ_ONLY_SQLSTATE:
                    raise ReadOnlyProject(READ_ONLY_DATABASE, path=self.location) from None
            elif isinstance(error, OperationalError) and (
                    self.read_only or "readonly database" in str(error.orig)):
                raise ReadOnlyProject(READ_ONLY_HINT, path=self.location) from None
            raise

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _engine(location: str | Path, *, read_only: bool = False) -> Engine:
    from sqlalchemy.exc import ArgumentError

    try:
        return make_engine(location, read_only=read_only)
    except ArgumentError as error:  # an unknown scheme or a URL that does not parse
        raise ProjectError(f"not a database URL framesynth can open ({error})",
                           path=location) from None


def _check_connects(engine: Engine, location: str | Path) -> None:
    """One clear line when the database server cannot be reached or refuses us."""
    try:
        with engine.connect():
            pass
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise ProjectError(f"cannot connect to the database ({reason})", path=location) from None


def _check_is_project(engine: Engine, location: str | Path) -> None:
    try:
        tables = set(inspect(engine).get_table_names())
    except Exception as error:  # sqlite3.DatabaseError: file is not a database
        raise ProjectError(f"not a framesynth project ({error.__class__.__name__})",
                           path=location) from None
    if "alembic_version" not in tables or "sources" not in tables:
        raise ProjectError("not a framesynth project (no framesynth tables)", path=location)


def _check_schema(engine: Engine, location: str | Path, *, upgrade: bool,
                  read_only: bool) -> None:
    """Refuse a newer schema; upgrade an older one (after a ``.bak`` copy) when allowed."""
    current, head = migrate.current_revision(engine), migrate.head_revision()
    if current == head:
        return
    if current is not None and current not in migrate.known_revisions():
        raise NewerSchema(f"was made by a newer framesynth (schema {current}); "
                          "upgrade framesynth to open it", path=location)
    if read_only:
        raise ReadOnlyProject(f"needs upgrading from schema {current} to {head}, but the "
                              "project file is read-only; make it writable and open it once",
                              path=location)
    if not upgrade:
        raise ProjectError(f"schema {current} is older than {head}", path=location)
    if not is_url(location):
        migrate.backup_sqlite(Path(location))
    migrate.upgrade(engine)


def open_project(location: str | Path) -> Project:
    """Open ``location``, the shortest way in: ``open_project("study.fsdb")``."""
    return Project.open(location)
