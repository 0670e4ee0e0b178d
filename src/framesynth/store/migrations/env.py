"""Alembic environment: runs against the engine (or connection) framesynth hands over.

On SQLite, batch migrations rebuild a table (copy, drop, rename). With foreign keys on,
dropping a table that others refer to would cascade (deleting cases, nulling links), so
foreign keys are switched off for the migration and checked once it has run.

Given a ``connection`` instead of an ``engine`` (``migrate.upgrade_in``), the migrations
run inside that connection's open transaction and commit or roll back with whatever the
caller does next: ``copy`` creates a PostgreSQL project's schema and its rows in one
transaction, so a failed copy leaves the database as empty as it found it.
"""

from alembic import context

from framesynth.errors import ProjectError
from framesynth.store.models import Base


def run_in(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=True)
    context.run_migrations()


def run_on(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            run_in(connection)
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise ProjectError(f"migration left {len(broken)} broken references; "
                                       "the project was not changed")
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if "connection" in context.config.attributes:
    run_in(context.config.attributes["connection"])
else:
    run_on(context.config.attributes["engine"])
