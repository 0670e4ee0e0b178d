"""PostgreSQL as a project store: URLs wherever a project is named, its own text search
giving the same hits as SQLite's FTS5, and one clear line when the server says no.

The other store, familiarise, frame, index, chart, interpret and web tests run on both
backends through the fixtures in conftest.py; these are about what only a URL has.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from sqlalchemy import text

from framesynth.errors import ProjectError, ReadOnlyProject
from framesynth.familiarise.memos import add_memo
from framesynth.familiarise.search import _plan, search
from framesynth.interpret.report_settings import settings_path
from framesynth.io.importers import import_files
from framesynth.project import Project
from framesynth.store.engine import display_location, local_path, project_location

# Words FTS5 and PostgreSQL's own parser would split differently, and a long turn whose
# phrase comes after the 256 positions a tsvector keeps per word.
TRANSCRIPT = """Interviewer: How do people get in touch?

Nadia: By e-mail mostly, or www.wrenmouth-hub.org, and the waiting_list form. The wait is
3.5 weeks, 100% of the time. Naïve of me, but the ÉCOLE café helps; we don’t turn anyone away.

Interviewer: And the drop-in?

Nadia: {long} and then the waiting list again.
"""
LONG = " ".join(["the"] * 300)
PATTERNS = [("e-mail", False), ("mail", False), ("wrenmouth hub", False), ("org", False),
            ("waiting list", False), ("list form", False), ("5 weeks", False),
            ("100%", False), ("école café", False), ("naive", False), ("naïve", False),
            ("don’t", False), ("the waiting list", False), ("the the the and", False),
            (r"wait\w*[_ ]list", True), (r"100% of", True), (r"(E|É)COLE", True),
            (r"drop-in\?", True)]


def hits(location: str | Path) -> dict[str, list[tuple[str, int, str]]]:
    with Project.open(location) as project, project.session() as session:
        return {pattern: [(h.source, h.offset, h.match)
                          for h in search(session, pattern, regex=regex, memos=True)]
                for pattern, regex in PATTERNS}


def fill(location: str | Path, folder: Path) -> None:
    transcript = folder / "nadia.txt"
    transcript.write_text(TRANSCRIPT.format(long=LONG), encoding="utf-8")
    with Project.open(location) as project, project.session() as session:
        import_files(session, [transcript])
        add_memo(session, "Ask about the e-mail waiting list.", title="Follow up", author="ruth")


def test_postgres_search_finds_what_sqlite_finds(tmp_path, postgres_url):
    sqlite_path = tmp_path / "study.fsdb"
    Project.create(sqlite_path).close()
    Project.create(postgres_url).close()
    for location in (sqlite_path, postgres_url):
        fill(location, tmp_path)
    found = hits(sqlite_path)
    assert hits(postgres_url) == found
    missing = [pattern for pattern, matches in found.items() if not matches]
    # candidates of both indexes that the exact pattern refuses: "wrenmouth-hub" has no
    # space, "_list" does not start a word, and FTS5 folds "ï" to "i"
    assert missing == ["wrenmouth hub", "list form", "naive"]
    # past the 256 positions a tsvector keeps for "the": found on its words alone
    assert [match for *_, match in found["the waiting list"]] == ["the waiting list"]
    assert found["e-mail"][-1][0] == "memo:1"


def test_postgres_searches_can_use_the_gin_indexes(postgres_url, tmp_path):
    Project.create(postgres_url).close()
    fill(postgres_url, tmp_path)
    with Project.open(postgres_url) as project, project.session() as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: ask for them
        for pattern, regex, index in [("waiting list", False, "ix_turns_text_words"),
                                      (r"wait\w+ list", True, "ix_turns_text_trigrams")]:
            query = _plan(session, pattern, regex=regex, case_sensitive=False, where=None,
                          memos=False).query
            compiled = query.compile(session.get_bind())
            plan = "\n".join(row[0] for row in session.connection().exec_driver_sql(
                f"EXPLAIN {compiled}", compiled.params))
            assert index in plan, plan
        extensions = session.scalars(text("SELECT extname FROM pg_extension")).all()
        assert "pg_trgm" in extensions


def test_postgres_urls_are_read_as_psycopg_and_shown_without_password(monkeypatch):
    assert project_location("postgres://ruth@db.example/study") == \
        "postgresql+psycopg://ruth@db.example/study"
    assert project_location("postgresql://ruth:s3cret@db.example:5433/study") == \
        "postgresql+psycopg://ruth:s3cret@db.example:5433/study"
    assert display_location("postgresql+psycopg://ruth:s3cret@db.example:5433/study") == \
        "postgresql+psycopg://ruth:***@db.example:5433/study"
    monkeypatch.setenv("HOME", "/home/ruth")
    assert project_location("~/studies/a.fsdb") == Path("/home/ruth/studies/a.fsdb")


def test_postgres_local_files_go_in_the_local_dir_or_the_current_folder(monkeypatch, tmp_path):
    url = "postgresql://ruth:s3cret@db.example/study"
    monkeypatch.setenv("FRAMESYNTH_LOCAL_DIR", str(tmp_path / "team"))
    assert local_path(url) == tmp_path / "team" / "study"
    assert settings_path(url) == tmp_path / "team" / "study.report.yaml"
    monkeypatch.delenv("FRAMESYNTH_LOCAL_DIR")
    monkeypatch.chdir(tmp_path)
    assert settings_path(url) == tmp_path / "study.report.yaml"
    assert settings_path(tmp_path / "a" / "study.fsdb") == tmp_path / "a" / "study.report.yaml"


def test_postgres_cli_takes_a_plain_url_and_the_environment(fs, postgres_url, data_dir,
                                                            monkeypatch):
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    assert fs("init", plain, "--template", "blank") == (
        0, f"created {postgres_url} (template blank)\n", "")
    assert fs("import", plain, data_dir / "interview.txt")[0] == 0
    monkeypatch.setenv("FRAMESYNTH_DATABASE_URL", plain)
    code, out, _ = fs("info", "--json")
    assert code == 0 and (json.loads(out)["sources"], json.loads(out)["turns"]) == (1, 4)
    code, out, _ = fs("sources", "list", "--json")
    assert code == 0 and [source["name"] for source in json.loads(out)] == ["interview.txt"]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_postgres_a_server_that_cannot_be_reached_is_one_line_without_the_password(fs):
    port = closed_port()
    url = f"postgresql://ruth:s3cret@127.0.0.1:{port}/study"
    code, out, err = fs("info", url)
    assert (code, out) == (1, "")
    [line] = err.splitlines()
    assert line.startswith(f"error: postgresql+psycopg://ruth:***@127.0.0.1:{port}/study: "
                           "cannot connect to the database (")
    assert line.endswith("[FS001]") and "s3cret" not in err
    with pytest.raises(ProjectError, match="cannot connect") as raised:
        Project.create(url)
    assert "s3cret" not in str(raised.value) and "s3cret" not in (raised.value.path or "")


def test_postgres_create_refuses_a_database_that_holds_a_project(postgres_url):
    Project.create(postgres_url).close()
    with pytest.raises(ProjectError, match="the database already holds a framesynth project"):
        Project.create(postgres_url)
    with pytest.raises(ProjectError, match="not a database URL framesynth can open"):
        Project.open("nosuchdb://somewhere/study")


def test_postgres_a_database_opened_read_only_refuses_changes(postgres_url):
    Project.create(postgres_url).close()
    with Project.open(postgres_url, read_only=True) as project:
        with pytest.raises(ReadOnlyProject, match="open read-only; nothing was changed"), \
                project.session() as session:
            add_memo(session, "Not written.", author="ruth")
    with Project.open(postgres_url) as project, project.session() as session:
        assert session.scalar(text("SELECT count(*) FROM memos")) == 0
