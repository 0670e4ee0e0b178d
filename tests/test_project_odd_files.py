"""Odd project files: one made by a newer framesynth, and a read-only one.

Tests may run as root, where ``chmod`` does not stop writes and ``os.access`` says yes: there
the file and folder are still made read-only, and the detection is told the truth through
``framesynth.project.file_is_read_only``, so the rest of the path is the real one.
"""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
from sqlalchemy import select

import framesynth.project as project_module
from framesynth.errors import NewerSchema, ReadOnlyProject
from framesynth.familiarise.memos import add_memo, list_memos
from framesynth.project import Project
from framesynth.store import migrate
from framesynth.store.engine import file_is_read_only, make_engine
from framesynth.store.models import Source

NEWER = ("error: study.fsdb: was made by a newer framesynth (schema 9999_future); "
         "upgrade framesynth to open it [FS004]\n")
READ_ONLY = ("error: study.fsdb: the project file is read-only; nothing was changed "
             "(make it writable to edit) [FS005]\n")


def set_revision(path, revision: str) -> None:
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    connection.close()


def project_files(path) -> list[str]:
    """The project file and any journal, ``-shm`` or ``.bak`` beside it."""
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name))


@pytest.fixture
def read_only(monkeypatch):
    """``read_only(path)``: make the file and its folder read-only for this test."""
    made = []

    def make(path):
        path.chmod(0o444)
        path.parent.chmod(0o555)
        made.append(path)
        if os.geteuid() == 0:  # root writes anyway: tell the detection what a user sees
            monkeypatch.setattr(project_module, "file_is_read_only", lambda _path: True)
        return path

    yield make
    for path in made:
        path.parent.chmod(stat.S_IRWXU)
        path.chmod(0o644)


def test_project_newer_schema_refused_by_every_command_and_nothing_written(fs, project_path):
    set_revision(project_path, "9999_future")
    before = project_path.read_bytes()
    for command in (["info"], ["sources", "list"], ["memo", "add"]):
        args = [*command, project_path, *(["note"] if command == ["memo", "add"] else [])]
        assert fs(*args) == (1, "", NEWER)
    assert project_path.read_bytes() == before
    assert project_files(project_path) == ["study.fsdb"]


def test_project_newer_schema_is_a_stable_library_error(project_path):
    set_revision(project_path, "9999_future")
    with pytest.raises(NewerSchema) as raised:
        Project.open(project_path)
    assert raised.value.code == "FS004"
    assert "schema 9999_future" in str(raised.value)


def test_project_read_only_file_reads_and_refuses_writes(fs, charted_path, read_only):
    expected = {args: fs(*args) for args in [
        ("info", charted_path), ("sources", "list", charted_path),
        ("search", charted_path, "weeks"), ("codings", "list", charted_path)]}
    before = read_only(charted_path).read_bytes()
    for args, answer in expected.items():
        assert answer[0] == 0
        assert fs(*args) == answer
    code, page, _ = fs("serve", charted_path, "--get", "/")
    assert code == 0 and "interview.txt" in page
    assert fs("memo", "add", charted_path, "A note") == (1, "", READ_ONLY)
    assert charted_path.read_bytes() == before
    assert project_files(charted_path) == ["study.fsdb"]


def test_project_read_only_open_writes_nothing_and_names_the_reason(charted_path):
    before = charted_path.read_bytes()
    with Project.open(charted_path, read_only=True) as project:
        assert project.read_only
        with project.session() as session:
            assert len(session.scalars(select(Source)).all()) == 2
        with pytest.raises(ReadOnlyProject) as raised, project.session() as session:
            add_memo(session, "A note", author="ruth")
    assert str(raised.value) == READ_ONLY.removeprefix("error: ").strip()
    assert charted_path.read_bytes() == before
    assert project_files(charted_path) == ["study.fsdb"]


def test_project_read_only_sees_what_a_writer_has_not_checkpointed(project_path):
    with Project.open(project_path) as writer:
        with writer.session() as session:
            add_memo(session, "Still in the journal", author="ruth")
        assert (project_path.parent / "study.fsdb-wal").stat().st_size > 0
        with Project.open(project_path, read_only=True) as reader, reader.session() as session:
            assert [m.body for m in list_memos(session)] == ["Still in the journal"]


def test_project_read_only_older_schema_asks_for_a_writable_file(tmp_path, read_only):
    path = tmp_path / "study.fsdb"
    engine = make_engine(path)
    migrate.upgrade(engine, "0001")
    engine.dispose()
    before = read_only(path).read_bytes()
    with pytest.raises(ReadOnlyProject) as raised:
        Project.open(path)
    assert str(raised.value) == (
        f"study.fsdb: needs upgrading from schema 0001 to {migrate.head_revision()}, but the "
        "project file is read-only; make it writable and open it once [FS005]")
    assert path.read_bytes() == before
    assert project_files(path) == ["study.fsdb"]


def test_project_read_only_detection_follows_the_permissions(project_path):
    assert not file_is_read_only(project_path)
    project_path.parent.chmod(0o555)
    try:
        assert file_is_read_only(project_path) == (os.geteuid() != 0)
    finally:
        project_path.parent.chmod(stat.S_IRWXU)
