"""Small fixtures shared by the tests: a fresh project, a session on it, the demo.

Tests marked ``browser`` drive a real headless Chromium. Without one (or without
Playwright) they are skipped locally, with the reason in the summary (``-ra``), and they
fail under ``CI=true``: in CI the browser tests must run, never silently vanish.

Tests on PostgreSQL (``postgres_url``) need ``FRAMESYNTH_TEST_POSTGRES``: the URL of a
database whose role may create databases (``tools/throwaway-postgres start DIR`` prints
one; ``.ci/run`` starts such a cluster). Without it they are skipped locally and fail in CI.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from framesynth.demo import build_demo_project
from framesynth.project import Project

DATA = Path(__file__).parent / "data"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or ``None`` when they can."""
    if CHROMIUM is None:
        return "Chromium is not installed (.ci/run installs it)"
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed (pip install -e '.[test]')"
    return None


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def skip_or_fail(reason: str) -> None:
    """Skip locally; in CI a test that cannot run is a failure."""
    if in_ci():
        pytest.fail(f"CI=true but {reason}: this test must run in CI", pytrace=False)
    pytest.skip(reason)


def postgres_missing() -> str | None:
    """Why the PostgreSQL tests cannot run here, or ``None`` when they can."""
    if not os.environ.get("FRAMESYNTH_TEST_POSTGRES"):
        return ("PostgreSQL is not set up: set FRAMESYNTH_TEST_POSTGRES to a server URL "
                "(tools/throwaway-postgres start DIR prints one; .ci/run starts it)")
    if importlib.util.find_spec("psycopg") is None:
        return "psycopg is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    reason = postgres_missing()
    if reason is not None:
        skip_or_fail(reason)
    from uuid import uuid4

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(os.environ["FRAMESYNTH_TEST_POSTGRES"])
    name = f"fs_test_{uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a headless Chromium (required in CI)")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = browser_missing() if item.get_closest_marker("browser") else None
    if reason is not None:
        skip_or_fail(reason)


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "study.fsdb"
    Project.create(path).close()
    return path


@pytest.fixture
def project(project_path: Path) -> Iterator[Project]:
    with Project.open(project_path) as opened:
        yield opened


@pytest.fixture
def session(project: Project) -> Iterator[Session]:
    with project.session() as opened:
        yield opened


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project, built once per test run; tests must not change it."""
    return build_demo_project(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def demo_session(demo_path: Path) -> Iterator[Session]:
    with Project.open(demo_path) as project, project._sessions() as opened:
        yield opened
        opened.rollback()


def dump(path: Path) -> list[str]:
    """Every row of every table of a project file, for before/after comparisons."""
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


@pytest.fixture
def snapshot() -> Callable[[Path], list[str]]:
    """``snapshot(path)``: the project's whole content as SQL, to compare before/after."""
    return dump


FRAMEWORK_YAML = """
framework: Test framework
codes:
  - name: Access
    codable: false
    definition: How families reach support.
    children:
      - name: Waiting lists
        definition: Waiting for a service after referral.
        include: [length of waits for counselling]
        exclude: [delays caused by thresholds]
        examples: [Fourteen weeks for counselling.]
        keywords: ["waiting list*", "weeks"]
      - name: Referral routes
        definition: How families are referred.
        keywords: ["referr*", "form*"]
  - name: Partnership
    codable: false
    children:
      - name: Meeting rhythms
        definition: How often partners meet.
        keywords: ["steering group", "meet*"]
"""


@pytest.fixture
def framework_file(tmp_path: Path) -> Path:
    path = tmp_path / "framework.yaml"
    path.write_text(FRAMEWORK_YAML, encoding="utf-8")
    return path


@pytest.fixture
def coded(session, data_dir, framework_file):
    """A session with the test transcripts, the cases table and the test framework."""
    from framesynth.io.codebook import import_codebook
    from framesynth.io.importers import import_files
    from framesynth.io.importers.case_table import import_case_table

    import_case_table(session, data_dir / "cases.csv")
    import_files(session, [data_dir / name for name in ("interview.txt", "focus_group.txt")])
    import_codebook(session, framework_file, actor="ruth")
    return session


@pytest.fixture
def hashing():
    from framesynth.embeddings import HashingEmbedder

    return HashingEmbedder()


@pytest.fixture(scope="session")
def minilm():
    """The real offline model; loaded once per test run."""
    from framesynth.embeddings import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture
def fs(monkeypatch):
    """Run ``framesynth ARGS...`` in-process; returns (exit code, stdout, stderr)."""
    from typer.testing import CliRunner

    from framesynth.cli.main import app

    monkeypatch.setenv("FRAMESYNTH_USER", "ruth")
    monkeypatch.setenv("FRAMESYNTH_EMBEDDER", "hashing.v1")
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def run(*args: object) -> tuple[int, str, str]:
        result = runner.invoke(app, [str(a) for a in args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    return run


def locate(session: Session, source: str, phrase: str) -> tuple[int, int]:
    """``(start, end)`` of ``phrase`` in a stored source's text."""
    from framesynth.familiarise.sources import get_source

    text = get_source(session, source).text
    start = text.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def at() -> Callable[[Session, str, str], tuple[int, int]]:
    """``at(session, source, phrase)``: where a phrase stands in a source."""
    return locate


TEST_CODINGS = [
    ("interview.txt", "Fourteen weeks for counselling", "Waiting lists"),
    ("focus_group.txt", "Referrals bounce back without a reason", "Referral routes"),
    ("focus_group.txt", "Referrals bounce back without a reason", "Waiting lists"),
    ("focus_group.txt", "the threshold is the problem", "Referral routes"),
]


def add_test_codings(session: Session, extra: list[tuple[str, str, str]] = ()) -> None:
    """Code the test transcripts as 'ruth' (:data:`TEST_CODINGS` and ``extra``)."""
    from framesynth.index.coding import code_span

    for source, phrase, code in [*TEST_CODINGS, *extra]:
        code_span(session, source, *locate(session, source, phrase), code, coder="ruth")


@pytest.fixture
def charted(coded):
    """The ``coded`` project with codings by 'ruth' on three participants' turns."""
    add_test_codings(coded, [
        ("focus_group.txt", "Referrals bounce back", "Referral routes"),
        ("focus_group.txt", "The food bank sees them first", "Meeting rhythms"),
    ])
    return coded


@pytest.fixture
def charted_path(project_path, data_dir, framework_file):
    """A project file with the test transcripts, framework and :data:`TEST_CODINGS`."""
    from framesynth.io.codebook import import_codebook
    from framesynth.io.importers import import_files
    from framesynth.io.importers.case_table import import_case_table

    with Project.open(project_path) as project, project.session() as session:
        import_case_table(session, data_dir / "cases.csv")
        import_files(session, [data_dir / n for n in ("interview.txt", "focus_group.txt")])
        import_codebook(session, framework_file, actor="ruth")
        add_test_codings(session)
    return project_path


# Words of organisation and place names that are generic on their own ("the school").
GENERIC_NAME_WORDS = {"Trust", "Hub", "Family", "Families", "Council", "Team", "Service",
                      "Primary", "School", "Bank", "Food", "Young", "Carers", "Network",
                      "Parents'", "Counselling", "Health", "Visiting", "Early", "Help",
                      "Centre", "Dads", "St", "church", "hall", "the"}


@pytest.fixture(scope="session")
def demo_name_forms() -> list[str]:
    """Every name in the demo's cases table as written there: full names and aliases of
    participants, organisations and places, and each of their words that is a name on its
    own (for people, every word; for organisations and places, the non-generic ones)."""
    import csv

    from framesynth.demo import corpus_dir

    with open(corpus_dir() / "cases.csv", encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle)
                if r["type"] in {"participant", "organisation", "place"}]
    forms = [r["name"] for r in rows] + [a for r in rows for a in r["aliases"].split(";") if a]
    forms += [w for r in rows for w in re.split(r"[\s-]+", r["name"])
              if r["type"] == "participant" or w not in GENERIC_NAME_WORDS]
    return sorted(set(forms))


@pytest.fixture(scope="session")
def demo_name_leaks(demo_name_forms: list[str]) -> Callable[[str], list[str]]:
    """text -> the demo's name forms found in it as whole words, case-sensitively (plain
    containment, not the anonymiser's matcher)."""
    return lambda text: [f for f in demo_name_forms
                         if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text)]
