"""Small fixtures shared by the tests: a fresh project, a session on it, the demo."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from framesynth.demo import build_demo_project
from framesynth.project import Project

DATA = Path(__file__).parent / "data"


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
