"""Small fixtures shared by the tests: a fresh project, a session on it, the demo.

Tests marked ``browser`` drive a real headless Chromium. Without one (or without
Playwright) they are skipped locally, with the reason in the summary (``-ra``), and they
fail under ``CI=true``: in CI the browser tests must run, never silently vanish.

The store, familiarise, frame, index, chart, interpret and web tests run on both
backends: their project fixtures (``project_path``, ``project``, ``session``, ``stores``,
``demo_path`` ...) depend on ``backend``, which is ``sqlite`` or ``postgresql`` (test ids
``[sqlite]``, ``[postgresql]``); tests about the SQLite file itself are marked
``sqlite_only("why")``. PostgreSQL needs ``FRAMESYNTH_TEST_POSTGRES``: the URL of a
database whose role may create databases (``tools/throwaway-postgres start DIR`` prints
one; ``.ci/run`` starts such a cluster). Without it those tests are skipped locally and
fail in CI. Each PostgreSQL project is a clone of a template database migrated once per
run (the demo too), dropped after its test.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import queue
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy.orm import Session

from framesynth.demo import build_demo, build_demo_project
from framesynth.demo.speech import SpokenTurn
from framesynth.project import Project
from framesynth.store.dump import Dump
from framesynth.store.dump import dump as dump_store

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


BOTH_BACKENDS = ("test_store_", "test_familiarise_", "test_frame_", "test_index_", "test_chart_",
                 "test_interpret_", "test_web_")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests in :data:`BOTH_BACKENDS` modules that use a project run once per backend
    (``[sqlite]``, ``[postgresql]``), unless marked ``sqlite_only("why")``."""
    if "backend" not in metafunc.fixturenames:
        return
    module = metafunc.module.__name__.rpartition(".")[2]
    marker = metafunc.definition.get_closest_marker("sqlite_only")
    if marker is not None and not marker.args:
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: sqlite_only needs a reason")
    if module.startswith(BOTH_BACKENDS) and marker is None:
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True,
                             scope="session")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """The store the test's projects live in: ``sqlite`` files, or databases on the
    ``postgresql`` test server (skipped locally without one, failing in CI)."""
    name: str = getattr(request, "param", "sqlite")
    if name == "postgresql":
        reason = postgres_missing()
        if reason is not None:
            skip_or_fail(reason)
    return name


class PgServer:
    """The test server: databases made (and dropped) for the tests, and templates they
    are cloned from, so each test's project costs one ``CREATE DATABASE ... TEMPLATE``
    instead of running the migrations. A thread keeps a few clones of each template
    ready, so a test mostly waits only for a rename."""

    READY = 2  # clones kept ready per template

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        self.server = make_url(url)
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.run = uuid4().hex[:6]
        self.numbers = itertools.count(1)
        self.templates: dict[str, str] = {}  # what -> template database
        self.clone_of: dict[str, str] = {}  # a database -> the template to copy it from
        self.ready: dict[str, queue.SimpleQueue[str]] = {}  # template -> clones
        self.wake, self.closing = threading.Event(), threading.Event()
        self.worker = threading.Thread(target=self._keep_clones_ready, daemon=True)
        self.worker.start()

    def url(self, database: str) -> str:
        return self.server.set(database=database).render_as_string(hide_password=False)

    def name_of(self, location: str | Path) -> str | None:
        from sqlalchemy.engine import make_url

        return make_url(str(location)).database if "://" in str(location) else None

    def _sql(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(statement)

    def _name(self, label: str) -> str:
        stem = re.sub(r"\W+", "_", Path(label).stem.lower())[:30] or "project"
        return f"{stem}_{self.run}{next(self.numbers)}"

    def _keep_clones_ready(self) -> None:
        while not self.closing.is_set():
            low = [t for t, clones in list(self.ready.items()) if clones.qsize() < self.READY]
            if not low:
                self.wake.wait(1)
                self.wake.clear()
                continue
            for template in low:
                name = self._name("ready")
                self._sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                self.ready[template].put(name)

    def create(self, label: str, *, template: str | None = None) -> str:
        """A new database named after ``label`` (``study_<run><n>``); returns its URL."""
        name = self._name(label)
        clones = self.ready.get(template or "")
        if clones is not None and not clones.empty():
            self._sql(f'ALTER DATABASE "{clones.get()}" RENAME TO "{name}"')
        else:
            self._sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template
                                                     else ""))
        if template in self.templates.values():
            self.ready.setdefault(template, queue.SimpleQueue())
            self.wake.set()
        return self.url(name)

    def copy(self, source: str | Path, label: str) -> str:
        """A new database holding what ``source`` holds (other connections to it are
        ended first: a template must have none)."""
        name = self.name_of(source)
        assert name is not None, f"not a database URL: {source}"
        template = self.clone_of.get(name, name)
        self._sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                  f"WHERE datname = '{template}' AND pid <> pg_backend_pid()")
        return self.create(label, template=template)

    def template(self, what: str, build: Callable[[str], None]) -> str:
        """The template database ``what``, built (once per run) by ``build(url)``."""
        if what not in self.templates:
            url = self.create(f"tpl_{what}")
            build(url)
            self.templates[what] = self.name_of(url) or ""
        return self.templates[what]

    def drop(self, location: str | Path) -> None:
        name = self.name_of(location)
        if name:
            self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.closing.set()
        self.wake.set()
        self.worker.join()
        left = [clones.get() for clones in self.ready.values() for _ in range(clones.qsize())]
        for name in {*self.templates.values(), *self.clone_of, *left}:
            self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """The PostgreSQL test server (``FRAMESYNTH_TEST_POSTGRES``)."""
    reason = postgres_missing()
    if reason is not None:
        skip_or_fail(reason)
    server = PgServer(os.environ["FRAMESYNTH_TEST_POSTGRES"])
    yield server
    server.close()


@pytest.fixture
def postgres_url(pg_server: PgServer) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    url = pg_server.create("empty")
    yield url
    pg_server.drop(url)


def new_project(location: str | Path) -> None:
    Project.create(location).close()


class Stores:
    """Where a test keeps its projects: files in its temporary folder (``sqlite``) or
    databases on the test server (``postgresql``), dropped when the test ends.

    ``empty(name)`` is a location a project may be created at (``Project.create``,
    ``framesynth init``); ``project(name)`` a new project (the default template);
    ``copy(location, name)`` a copy of a project, the demo included."""

    def __init__(self, backend: str, folder: Path, server: PgServer | None) -> None:
        self.backend, self.folder, self.server = backend, folder, server
        self.made: list[str] = []

    @property
    def postgresql(self) -> bool:
        return self.server is not None

    def _made(self, url: str) -> str:
        self.made.append(url)
        return url

    def empty(self, name: str = "study.fsdb") -> str | Path:
        if self.server is None:
            return self.folder / name
        return self._made(self.server.create(name))

    def project(self, name: str = "study.fsdb") -> str | Path:
        if self.server is None:
            path = self.folder / name
            Project.create(path).close()
            return path
        return self._made(self.server.create(name, template=self.server.template(
            "project", new_project)))

    def copy(self, location: str | Path, name: str = "study.fsdb") -> str | Path:
        if self.server is None:
            path = self.folder / name
            shutil.copyfile(location, path)
            return path
        return self._made(self.server.copy(location, name))

    def close(self) -> None:
        for url in self.made:
            assert self.server is not None
            self.server.drop(url)


def stores_for(request: pytest.FixtureRequest, backend: str, folder: Path) -> Stores:
    server = request.getfixturevalue("pg_server") if backend == "postgresql" else None
    return Stores(backend, folder, server)


@pytest.fixture
def stores(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[Stores]:
    """This test's project locations on its backend (see :class:`Stores`)."""
    made = stores_for(request, backend, tmp_path)
    yield made
    made.close()


@pytest.fixture(scope="module")
def module_stores(request: pytest.FixtureRequest, backend: str,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stores]:
    """:func:`stores` for a module's shared fixtures."""
    made = stores_for(request, backend, tmp_path_factory.mktemp("module"))
    yield made
    made.close()


@pytest.fixture(autouse=True, scope="session")
def _database_projects_keep_local_files_in_tmp(tmp_path_factory: pytest.TempPathFactory
                                               ) -> Iterator[None]:
    """A database project's report file, jobs and tuned models go in FRAMESYNTH_LOCAL_DIR
    (:func:`framesynth.store.engine.local_path`): a temporary folder for the run (the
    databases' names differ, so their files do too)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FRAMESYNTH_LOCAL_DIR", str(tmp_path_factory.mktemp("database-files")))
        yield


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a headless Chromium (required in CI)")
    config.addinivalue_line("markers", "sqlite_only(reason): about the SQLite file itself, so "
                                       "not run on PostgreSQL")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = browser_missing() if item.get_closest_marker("browser") else None
    if reason is not None:
        skip_or_fail(reason)


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def project_path(stores: Stores) -> str | Path:
    """A new project: a file on SQLite, a database URL on PostgreSQL."""
    return stores.project()


@pytest.fixture
def project(project_path: str | Path) -> Iterator[Project]:
    with Project.open(project_path) as opened:
        yield opened


@pytest.fixture
def session(project: Project) -> Iterator[Session]:
    with project.session() as opened:
        yield opened


@pytest.fixture(scope="session")
def demo_path(request: pytest.FixtureRequest, backend: str,
              tmp_path_factory: pytest.TempPathFactory) -> str | Path:
    """The demo project, built once per test run and backend; tests must not change it
    (``stores.copy(demo_path, name)`` gives a copy to change)."""
    if backend == "sqlite":
        return build_demo_project(tmp_path_factory.mktemp("demo"))
    server: PgServer = request.getfixturevalue("pg_server")
    template = server.template("demo", build_demo)
    url = server.create("demo", template=template)
    server.clone_of[server.name_of(url) or ""] = template
    return url


@pytest.fixture
def demo_session(demo_path: str | Path) -> Iterator[Session]:
    with Project.open(demo_path) as project, project._sessions() as opened:
        yield opened
        opened.rollback()


def dump(location: str | Path) -> Dump:
    """Every row of every table of a project, for before/after comparisons."""
    from framesynth.store.engine import make_engine

    engine = make_engine(location)
    try:
        return dump_store(engine)
    finally:
        engine.dispose()


@pytest.fixture
def snapshot() -> Callable[[str | Path], Dump]:
    """``snapshot(location)``: the project's whole content (:mod:`framesynth.store.dump`),
    on either backend, to compare before/after."""
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


RECORDED_SCRIPT = [
    ("Interviewer", "How did the larder start?"),
    ("Maureen", "With one chest freezer in the church hall."),
    ("Interviewer", "And who runs it now?"),
    ("Maureen", "Four volunteers, and the waiting list is long."),
    ("Interviewer", "Thank you."),
]


@pytest.fixture
def recorded_interview(project_path: str | Path, framework_file: Path, tmp_path: Path
                       ) -> tuple[str | Path, list[SpokenTurn]]:
    """A project holding one interview spoken by espeak-ng (``int03.wav``) with its
    WebVTT transcript (``int03.vtt``), imported as one source with timed turns, and the
    test framework; returns the project and the spoken turns (their times)."""
    from framesynth.demo.speech import speak, write_vtt
    from framesynth.io.codebook import import_codebook
    from framesynth.io.importers import import_files

    folder = tmp_path / "recording"
    folder.mkdir()
    spoken = speak(RECORDED_SCRIPT, folder / "int03.wav")
    write_vtt(spoken, folder / "int03.vtt")
    with Project.open(project_path) as project, project.session() as session:
        import_files(session, [folder / "int03.wav", folder / "int03.vtt"])
        import_codebook(session, framework_file, actor="ruth")
    return project_path, spoken
