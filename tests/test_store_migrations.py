"""The schema comes from Alembic migrations; old project files are upgraded on open."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from framesynth.errors import ProjectError
from framesynth.familiarise.memos import list_memos
from framesynth.familiarise.search import search
from framesynth.project import Project
from framesynth.store import migrate
from framesynth.store.engine import make_engine
from framesynth.store.models import Base, Memo, Source
from framesynth.store.text_index import PG_INDEXES

FTS_TABLES = ("turn_fts", "memo_fts", "turn_trigram")


def test_migrations_build_exactly_the_models(project):
    """Besides the models, only the text indexes: FTS5 tables, or PostgreSQL's GIN indexes."""
    def include(obj, name, type_, reflected, compare_to):  # noqa: ARG001
        return not (type_ == "table" and name.startswith(FTS_TABLES)
                    or type_ == "index" and name in PG_INDEXES)

    with project.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include})
        assert compare_metadata(context, Base.metadata) == []


@pytest.mark.sqlite_only("the WAL journal and foreign-key PRAGMAs are SQLite's")
def test_migrations_new_project_is_at_head_in_wal_mode_with_foreign_keys(project, project_path):
    assert migrate.current_revision(project.engine) == migrate.head_revision()
    with project.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@pytest.mark.sqlite_only("FTS5 internals")
def test_migrations_turn_index_merges_eight_segments_at_a_time(project):
    with project.engine.connect() as connection:
        assert connection.exec_driver_sql(
            "SELECT v FROM turn_fts_config WHERE k = 'automerge'").scalar() == 8


def make_old_project(path):
    """A project file as framesynth wrote it at schema 0001, with a source and a memo."""
    engine = make_engine(path)
    migrate.upgrade(engine, "0001")
    engine.dispose()
    connection = sqlite3.connect(path)
    now = datetime(2026, 1, 5, 9, 30).isoformat(" ")
    connection.execute(
        "INSERT INTO sources (id, name, kind, format, text, checksum, imported_at, meta) "
        "VALUES (1, 'old.txt', 'interview', 'txt', 'Interviewer: Hi.\nR: Trust matters.', "
        "'abc', ?, '{}')", (now,))
    connection.execute(
        "INSERT INTO turns (source_id, position, start, \"end\", text) "
        "VALUES (1, 0, 21, 35, 'Trust matters.')")
    connection.execute(
        "INSERT INTO memos (id, title, body, author, created_at, updated_at, source_id) "
        "VALUES (1, 'Early thought', 'Trust between sectors keeps coming up', 'ruth', ?, ?, 1)",
        (now, now))
    connection.commit()
    connection.close()


def test_migrations_opening_an_old_project_upgrades_it_and_keeps_a_backup(tmp_path):
    path = tmp_path / "old.fsdb"
    make_old_project(path)
    with Project.open(path) as project:
        assert migrate.current_revision(project.engine) == migrate.head_revision()
        with project.session() as session:
            memo = session.scalar(select(Memo))
            assert (memo.title, memo.source.name, memo.start, memo.end) == (
                "Early thought", "old.txt", None, None)
            assert [m.id for m in list_memos(session, containing="trust")] == [1]
            assert [h.match for h in search(session, "trust", memos=True)] == ["Trust", "Trust"]
            assert session.scalar(select(Source.name)) == "old.txt"
    backup = tmp_path / "old.fsdb.bak"
    old = sqlite3.connect(backup)
    assert old.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
    assert old.execute("SELECT title FROM memos").fetchall() == [("Early thought",)]
    old.close()


def test_migrations_refuse_to_upgrade_when_asked_not_to(tmp_path):
    path = tmp_path / "old.fsdb"
    make_old_project(path)
    with pytest.raises(ProjectError, match=r"old.fsdb: schema 0001 is older than"):
        Project.open(path, upgrade=False)


def test_migrations_downgrade_to_base_and_back(stores):
    from alembic import command
    from sqlalchemy import inspect

    engine = make_engine(stores.empty("round.fsdb"))
    migrate.upgrade(engine)
    command.downgrade(migrate.alembic_config(engine), "base")
    assert migrate.current_revision(engine) is None
    assert inspect(engine).get_table_names() == ["alembic_version"]
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_project_create_refuses_an_existing_file(project_path, backend):
    message = {"sqlite": r"^study.fsdb: a file of that name already exists",
               "postgresql": r"^postgresql\+psycopg://.*/study_\w+: the database already "
                             r"holds a framesynth project"}[backend]
    with pytest.raises(ProjectError, match=message):
        Project.create(project_path)


def test_project_open_refuses_a_file_that_is_no_project(tmp_path):
    path = tmp_path / "notes.fsdb"
    path.write_text("just some notes", encoding="utf-8")
    with pytest.raises(ProjectError, match=r"^notes.fsdb: not a framesynth project"):
        Project.open(path)


def test_project_open_refuses_a_missing_file(tmp_path):
    with pytest.raises(ProjectError, match=r"^nothing.fsdb: no such project file"):
        Project.open(tmp_path / "nothing.fsdb")


def test_project_session_rolls_back_on_error(project):
    with pytest.raises(RuntimeError), project.session() as session:
        session.add(Source(name="x.txt", kind="interview", format="txt", text="x",
                           checksum="1", meta={}))
        session.flush()
        raise RuntimeError("boom")
    with project.session() as session:
        assert session.scalar(select(Source)) is None


def test_migration_0006_keeps_cases_and_opens_the_vocabularies(tmp_path):
    """Rebuilding organisations and partnerships (to drop their CHECK lists) must not
    cascade: cases, participants' links and partnership levels survive, and a sector
    outside the old list is accepted afterwards."""
    path = tmp_path / "old.fsdb"
    engine = make_engine(path)
    migrate.upgrade(engine, "0005")
    with engine.begin() as connection:
        sql = connection.exec_driver_sql
        sql("INSERT INTO organisations (id, key, name, sector, aliases) "
            "VALUES (1, 'O1', 'Harbour Hub', 'community', '[]'), "
            "(2, 'O2', 'Council', 'statutory', '[]')")
        sql("INSERT INTO participants (id, key, name, aliases, organisation_id) "
            "VALUES (1, 'P1', 'Ana Díaz', '[]', 1)")
        sql("INSERT INTO partnerships (id, key, name, organisation_a_id, organisation_b_id, "
            "formality, depth) VALUES (1, 'L1', 'Hub + Council', 1, 2, 'formal', 'deep')")
        sql("INSERT INTO partnership_levels (partnership_id, level) VALUES (1, 'strategic')")
        sql("INSERT INTO cases (id, kind, name, organisation_id) VALUES (1, 'organisation', 'O1', 1)")
        sql("INSERT INTO cases (id, kind, name, participant_id) VALUES (2, 'participant', 'P1', 1)")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        sql = connection.exec_driver_sql
        assert sql("SELECT count(*) FROM cases").scalar() == 2
        assert sql("SELECT organisation_id FROM participants").scalar() == 1
        assert sql("SELECT level FROM partnership_levels").scalar() == "strategic"
        assert sql("SELECT team FROM participants").scalar() == 0
        assert sql("SELECT value FROM settings WHERE key = 'template'").scalar() == \
            '"partnership-evaluation"'
        assert [row[0] for row in sql("SELECT term FROM vocabulary_terms WHERE vocabulary = 'depth' "
                                      "ORDER BY position")] == ["on_paper", "shallow", "working", "deep"]
        sql("INSERT INTO organisations (key, name, sector, aliases) "
            "VALUES ('O3', 'Quay University', 'university', '[]')")
        assert sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_migration_0010_keeps_picked_quotes_in_pick_order_unedited(tmp_path):
    path = tmp_path / "old.fsdb"
    engine = make_engine(path)
    migrate.upgrade(engine, "0009")
    engine.dispose()
    connection = sqlite3.connect(path)
    now = "2026-11-30 10:00:00"
    connection.execute(
        "INSERT INTO sources (id, name, kind, format, text, checksum, imported_at, meta) "
        "VALUES (1, 'old.txt', 'interview', 'txt', 'R: Trust matters.', 'abc', ?, '{}')", (now,))
    connection.execute(
        "INSERT INTO codes (id, framework, name, definition, inclusion, exclusion, examples, "
        "keywords, codable, retired, position, guid) "
        "VALUES (3, 'main', 'Trust', '', '[]', '[]', '[]', '[]', 1, 0, 0, 'g3')")
    connection.execute(
        "INSERT INTO codings (id, source_id, start, \"end\", code_id, coder, created_at, text) "
        "VALUES (7, 1, 3, 17, 3, 'ruth', ?, 'Trust matters.')", (now,))
    connection.execute("INSERT INTO picked_quotes (id, coding_id, code_id, picked_by, picked_at) "
                       "VALUES (1, 7, 3, 'ruth', ?)", (now,))
    connection.commit()
    connection.close()
    engine = make_engine(path)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql(
            "SELECT coding_id, code_id, picked_by, display_text, position FROM picked_quotes"
        ).all() == [(7, 3, "ruth", None, None)]
    migrate.upgrade(engine)  # at head: nothing to do
    from alembic import command

    command.downgrade(migrate.alembic_config(engine), "0009")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT coding_id FROM picked_quotes").all() == [(7,)]
    engine.dispose()


def test_migration_0012_numbers_stored_cells_version_1_and_swaps_the_codings_index(tmp_path):
    path = tmp_path / "old.fsdb"
    engine = make_engine(path)
    migrate.upgrade(engine, "0011")
    with engine.begin() as connection:
        sql = connection.exec_driver_sql
        sql("INSERT INTO codes (id, framework, name, definition, inclusion, exclusion, examples, "
            "keywords, codable, retired, position, guid) "
            "VALUES (3, 'main', 'Trust', '', '[]', '[]', '[]', '[]', 1, 0, 0, 'g3')")
        sql("INSERT INTO cases (id, kind, name) VALUES (1, 'project', 'Whole study')")
        sql("INSERT INTO matrix_cells (case_id, code_id, summary, status, updated_at, updated_by) "
            "VALUES (1, 3, 'Trust is slow to build.', 'edited', '2026-12-01 10:00:00', 'ruth')")
    migrate.upgrade(engine)
    with engine.connect() as connection:
        sql = connection.exec_driver_sql
        assert sql("SELECT summary, version FROM matrix_cells").all() == [
            ("Trust is slow to build.", 1)]
        indexes = {row[1] for row in sql("PRAGMA index_list('codings')")}
        assert "ix_codings_covering" in indexes and "ix_codings_source_id_start" not in indexes
    from alembic import command

    command.downgrade(migrate.alembic_config(engine), "0011")
    with engine.connect() as connection:
        indexes = {row[1] for row in connection.exec_driver_sql("PRAGMA index_list('codings')")}
        assert "ix_codings_source_id_start" in indexes and "ix_codings_covering" not in indexes
        assert connection.exec_driver_sql("SELECT summary FROM matrix_cells").all() == [
            ("Trust is slow to build.",)]
    engine.dispose()
