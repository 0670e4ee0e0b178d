"""Alembic environment: runs against the engine framesynth hands over.

On SQLite, batch migrations rebuild a table (copy, drop, rename). With foreign keys on,
dropping a table that others refer to would cascade (deleting cases, nulling links), so
foreign keys are switched off for the migration and checked once it has run.
"""

from alembic import context

from framesynth.errors import ProjectError
from framesynth.store.models import Base

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    with connection.begin():
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
        )
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise ProjectError(f"migration left {len(broken)} broken references; "
                                   "the project was not changed")
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()
