"""``copy`` moves a whole project between SQLite files and PostgreSQL, losing nothing."""

from __future__ import annotations

import io
import shutil
import sqlite3
import zipfile
from dataclasses import astuple
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, inspect, select, text

from framesynth.chart.matrix import build_matrix, edit_cell, find_case
from framesynth.errors import CopyMismatch, ProjectError
from framesynth.familiarise.memos import add_memo
from framesynth.familiarise.search import search
from framesynth.frame.framework import find_code
from framesynth.interpret.report_settings import init_settings, settings_path
from framesynth.io.refi.qdpx_write import export_qdpx
from framesynth.project import Project
from framesynth.store import copy as store_copy
from framesynth.store import migrate
from framesynth.store.copy import copy_project
from framesynth.store.dump import dump
from framesynth.store.models import Code, Event, MatrixCell, Memo

# Each test copies between a file and PostgreSQL itself (postgres_url), in both directions:
# the source project is a file by construction.
pytestmark = pytest.mark.sqlite_only("copies start from a project file; PostgreSQL is the "
                                     "other end of every copy (postgres_url)")

LONG_NAME = "Greater " * 40  # 320 characters: SQLite keeps it, PostgreSQL's varchar(255) not


@pytest.fixture(scope="module")
def study(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, plus what it lacks: saved matrix cells (evidence SQL NULL, JSON null and a
    list), a code whose parent has a higher id, bytes, a user, non-ASCII text, the report
    file and a tuned models' folder beside it. Tests copy it; none changes it."""
    path = tmp_path_factory.mktemp("study") / "study.fsdb"
    shutil.copyfile(demo_path, path)
    with Project.open(path) as project, project.session() as session:
        add_memo(session, "Siobhán said “wait and see” 🙂", title="Tone", author="ana")
        theme = find_code(session, "Access and referrals")
        edit_cell(session, find_case(session, "P01"), theme, "Waited 14 weeks.", actor="ana")
        edit_cell(session, find_case(session, "P02"), theme, "Drafted.", actor="tom",
                  status="draft", evidence=[{"source_id": 1, "start": 0, "end": 12}])
        edit_cell(session, find_case(session, "P03"), theme, "Own words.", actor="tom")
        init_settings(session, path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE matrix_cells SET evidence = NULL WHERE summary = 'Own words.'")
        leaf = connection.execute("SELECT min(id) FROM codes WHERE id NOT IN "
                                  "(SELECT parent_id FROM codes WHERE parent_id IS NOT NULL)"
                                  ).fetchone()[0]
        connection.execute("UPDATE codes SET parent_id = (SELECT max(id) FROM codes) "
                           "WHERE id = ?", (leaf,))
        connection.execute("INSERT INTO embeddings (model, text_hash, vector) "
                           "VALUES ('hashing.v1', 'ab12', x'00ff7f80')")
        connection.execute("INSERT INTO users (name, password_hash, role, created_at) "
                           "VALUES ('ana', 'argon2-hash', 'owner', '2024-05-01 09:30:00.250000')")
    models = Path(f"{path}-models") / "tuned-1"
    models.mkdir(parents=True)
    (models / "heads.json").write_text("{}", encoding="utf-8")
    media = Path(f"{path}-media")
    shutil.copytree(f"{demo_path}-media", media)  # the demo's spoken recording
    (media / "0a1b2c3d4e5f-int03.wav").write_bytes(b"RIFF recording bytes")
    return path


def answers(location: str | Path) -> dict[str, Any]:
    """What a researcher reads from a project: searches, the matrix, the REFI export."""
    with Project.open(location) as project, project.session() as session:
        matrix = build_matrix(session, group_by="sector")
        exported = io.BytesIO()
        export_qdpx(session, exported)
        package = zipfile.ZipFile(exported)
        null_evidence = session.scalar(select(func.count()).select_from(MatrixCell)
                                       .where(MatrixCell.evidence.is_(None)))
        return {
            "words": [astuple(hit) for hit in search(session, "waiting list", memos=True)],
            "regex": [astuple(hit) for hit in search(session, r"wait\w* (and|for)", regex=True)],
            "matrix": [(row.label, column.name, cell.count, cell.summary, cell.status,
                        cell.evidence, [astuple(segment) for segment in cell.segments])
                       for row in matrix.rows for column in matrix.columns
                       for cell in [matrix.cell(row, column)]],
            "qdpx": {name: package.read(name) for name in package.namelist()},
            "evidence SQL NULL": null_evidence,
        }


def project_dump(location: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    with Project.open(location) as project:
        return dump(project.engine)


def table_names(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return sorted(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_copy_file_to_file_keeps_every_row_and_the_files_beside(study: Path, tmp_path: Path
                                                                ) -> None:
    target = tmp_path / "copy.fsdb"
    report = copy_project(study, target)
    assert project_dump(target) == project_dump(study)
    assert answers(target) == answers(study)
    assert answers(study)["evidence SQL NULL"] == 1
    assert report.checked and report.rows["codings"] == 1037 and report.revision == migrate.head_revision()
    assert report.carried == [str(tmp_path / "copy.report.yaml"),
                              str(tmp_path / "copy.fsdb-models"),
                              str(tmp_path / "copy.fsdb-media")]
    assert (tmp_path / "copy.fsdb-media" / "0a1b2c3d4e5f-int03.wav").read_bytes() == (
        b"RIFF recording bytes")
    assert settings_path(target).read_text() == settings_path(study).read_text()
    assert (tmp_path / "copy.fsdb-models" / "tuned-1" / "heads.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "copy.fsdb", "copy.fsdb-media", "copy.fsdb-models", "copy.report.yaml"]
    with Project.open(target) as project, project.session() as session:
        last = session.scalar(select(func.max(Memo.id)))
        assert add_memo(session, "Added to the copy.", author="ana").id == last + 1


def test_copy_to_postgresql_and_back_reads_the_same(study: Path, postgres_url: str,
                                                   tmp_path: Path, monkeypatch,
                                                   tmp_path_factory) -> None:
    local = tmp_path_factory.mktemp("local")
    monkeypatch.setenv("FRAMESYNTH_LOCAL_DIR", str(local))
    report = copy_project(study, postgres_url)
    # the recordings stay behind; put them where the message says, as a researcher would
    shutil.copytree(f"{study}-media", report.left_behind[2].rsplit(" copy it to ", 1)[1]
                    .split(",", 1)[0])
    back = tmp_path / "back.fsdb"
    copy_project(postgres_url, back)
    shutil.copytree(f"{study}-media", f"{back}-media")
    original = project_dump(study)
    assert project_dump(postgres_url) == original
    assert project_dump(back) == original
    assert answers(postgres_url) == answers(study) == answers(back)
    assert [line.split(" ", 1)[0] for line in report.left_behind] == [
        "study.report.yaml", "study.fsdb-models/", "study.fsdb-media/"]
    assert report.left_behind[2].endswith("-media, where the database project looks for them")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["back.fsdb", "back.fsdb-media"]


def test_copy_to_postgresql_then_new_rows_get_fresh_ids(demo_path: Path, postgres_url: str
                                                       ) -> None:
    copy_project(demo_path, postgres_url)
    with Project.open(postgres_url) as project, project.session() as session:
        last_memo = session.scalar(select(func.max(Memo.id)))
        last_event = session.scalar(select(func.max(Event.id)))
        last_code = session.scalar(select(func.max(Code.id)))
        memo = add_memo(session, "Read again after the move.", title="Check", author="ana")
        code = Code(name="Moved", guid="6d3c1f0e-0000-4000-8000-000000000001")
        session.add(code)
        session.flush()
        assert memo.id == last_memo + 1
        assert session.scalar(select(func.max(Event.id))) == last_event + 1
        assert code.id == last_code + 1


def test_copy_refuses_a_database_that_is_not_empty(demo_path: Path, postgres_url: str
                                                  ) -> None:
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (body text)"))
        connection.execute(text("INSERT INTO notes VALUES ('keep me')"))
    with pytest.raises(ProjectError, match=r"the database is not empty \(1 tables, e.g. notes\)"):
        copy_project(demo_path, postgres_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT body FROM notes")).all() == [("keep me",)]
    engine.dispose()
    assert table_names(postgres_url) == ["notes"]


def test_copy_refuses_an_existing_file_and_leaves_it_alone(demo_path: Path, tmp_path: Path
                                                          ) -> None:
    target = tmp_path / "taken.fsdb"
    target.write_bytes(b"someone's notes")
    with pytest.raises(ProjectError, match="taken.fsdb: already exists; copy writes a new "
                                           "project file and never overwrites"):
        copy_project(demo_path, target)
    assert target.read_bytes() == b"someone's notes"
    assert [p.name for p in tmp_path.iterdir()] == ["taken.fsdb"]


def test_copy_of_a_missing_source_says_so_in_one_line(fs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = fs("copy", tmp_path / "missing.fsdb", tmp_path / "copy.fsdb")
    assert code == 1
    assert err == ("error: missing.fsdb: no such project file (create one with "
                   "`framesynth init`) [FS001]\n")
    assert list(tmp_path.iterdir()) == []


def test_a_copy_that_fails_part_way_leaves_no_file(study: Path, tmp_path: Path) -> None:
    def stop(table: str, done: int, total: int) -> None:
        if table == "turns" and done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        copy_project(study, tmp_path / "copy.fsdb", progress=stop)
    assert list(tmp_path.iterdir()) == []


def test_a_copy_that_reads_back_differently_is_not_kept(study: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The check is the last word: a value changed on the way (here on purpose) stops it."""
    values = store_copy._Rows.values

    def changed(self: store_copy._Rows, row: Any) -> list[Any]:
        found = values(self, row)
        return [v.replace("Tone", "Tune") if isinstance(v, str) else v for v in found] \
            if self.table.name == "memos" else found

    monkeypatch.setattr(store_copy._Rows, "values", changed)
    with pytest.raises(CopyMismatch, match=r"memos: row 9 differs after copying \(\(9, "
                                           r"'Tone', .* became \(9, 'Tune', .*nothing was kept"):
        copy_project(study, tmp_path / "copy.fsdb")
    assert list(tmp_path.iterdir()) == []


def test_a_copy_postgresql_refuses_part_way_leaves_the_database_empty(
        study: Path, postgres_url: str, tmp_path: Path) -> None:
    source = tmp_path / "long.fsdb"
    shutil.copyfile(study, source)
    with sqlite3.connect(source) as connection:
        connection.execute("INSERT INTO places (name) VALUES (?)", (LONG_NAME,))
    with pytest.raises(ProjectError, match=r"places: cannot copy the rows from key 1 to 8 "
                                           r"\(value too long for type character varying"
                                           r"\(255\)\); nothing was kept"):
        copy_project(source, postgres_url)
    assert table_names(postgres_url) == []


def test_copy_upgrades_an_older_source_first(tmp_path: Path) -> None:
    from framesynth.store.engine import make_engine

    old = tmp_path / "old.fsdb"
    engine = make_engine(old)
    migrate.upgrade(engine, "0010")
    engine.dispose()
    report = copy_project(old, tmp_path / "new.fsdb")
    assert report.revision == migrate.head_revision()
    assert project_dump(tmp_path / "new.fsdb")["alembic_version"] == [(migrate.head_revision(),)]
    assert (tmp_path / "old.fsdb.bak").is_file()  # as any open of an older project


def test_cli_copy_prints_each_table_and_never_the_password(fs, demo_path: Path,  # type: ignore[no-untyped-def]
                                                           postgres_url: str) -> None:
    from sqlalchemy.engine import make_url

    with_password = make_url(postgres_url).set(password="sekrit-pass").render_as_string(
        hide_password=False)
    code, out, err = fs("copy", demo_path, with_password)
    assert (code, err) == (0, "")
    assert "sekrit-pass" not in out
    lines = out.splitlines()
    hidden = make_url(with_password).render_as_string(hide_password=True)
    assert ":***@" in hidden
    assert lines[0] == f"copying {demo_path} to {hidden}"
    assert "  codings                    1,037 rows" in lines
    assert "  turns                        604 rows" in lines
    copied = next(line for line in lines if line.startswith("copied "))
    assert copied.startswith(f"copied 2,968 rows in 25 tables (schema {migrate.head_revision()}) in ")
    assert copied.endswith(" s; every row checked")
    assert any("(recordings) stays beside the source" in line for line in lines)
