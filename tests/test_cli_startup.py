"""The CLI starts without its heavy libraries: commands load on demand (issue 13)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from framesynth.store import migrate

HEAVY = ["numpy", "networkx", "lxml", "docx", "pypdf", "sklearn", "torch", "matplotlib",
         "weasyprint", "sentence_transformers", "pandas", "scipy", "pysbd", "alembic",
         "fastapi", "jinja2", "openpyxl", "sqlalchemy", "yaml"]
PLAIN = ["rich", "markdown_it"]  # help's formatting, not needed for plain output
SRC = Path(__file__).resolve().parents[1] / "src"


def loaded_after(code: str, heavy: list[str] = HEAVY) -> list[str]:
    """The ``heavy`` modules a fresh interpreter has imported after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "100"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=env, check=True)
    modules = json.loads(done.stdout.splitlines()[-1])
    return sorted({name.split(".")[0] for name in modules} & set(heavy))


def test_cli_startup_main_imports_no_heavy_library() -> None:
    assert loaded_after("import framesynth.cli.main") == []


def test_cli_startup_help_imports_no_heavy_library() -> None:
    code = "from framesynth.cli.main import app\napp(['--help'], standalone_mode=False)"
    assert loaded_after(code) == []


def test_cli_startup_info_reads_the_file_without_sqlalchemy(demo_path: Path, tmp_path: Path
                                                           ) -> None:
    path = tmp_path / "study.fsdb"
    shutil.copyfile(demo_path, path)
    code = f"from framesynth.cli.main import app\napp(['info', {str(path)!r}], standalone_mode=False)"
    assert loaded_after(code, HEAVY + PLAIN) == []


def test_cli_startup_info_with_a_language_to_detect_takes_the_full_way(demo_path: Path,
                                                                tmp_path: Path) -> None:
    """A source whose language is not known yet: opened by SQLAlchemy, detected, counted."""
    import sqlite3

    path = tmp_path / "study.fsdb"
    shutil.copyfile(demo_path, path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE sources SET language = NULL WHERE id = 1")
    code = f"from framesynth.cli.main import app\napp(['info', {str(path)!r}], standalone_mode=False)"
    assert "sqlalchemy" in loaded_after(code)


def test_cli_startup_help_lists_each_command_as_it_loads() -> None:
    """The summaries in COMMANDS are the commands' own first help paragraphs."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "100"}
    lazy = "from framesynth.cli.main import app\napp(['--help'], prog_name='framesynth')"
    loaded = ("from framesynth.cli.main import COMMANDS, app, load_command\n"
              "[load_command(name) for name in COMMANDS]\n"
              "app(['--help'], prog_name='framesynth')")
    outputs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=env).stdout for code in (lazy, loaded)]
    assert "Count what the project holds" in outputs[0]
    assert outputs[0] == outputs[1]


def test_cli_startup_revisions_read_without_alembic_agree_with_alembic() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(migrate.MIGRATIONS))
    assert migrate.head_revision() == scripts.get_current_head()
    assert migrate.known_revisions() == {s.revision for s in scripts.walk_revisions()}


def test_cli_startup_quick_info_counts_as_the_session_does(demo_path: Path, tmp_path: Path
                                                           ) -> None:
    from framesynth.cli.project import DEFAULT_TEMPLATE
    from framesynth.familiarise import vocabulary
    from framesynth.familiarise.overview import project_info, quick_info
    from framesynth.project import Project

    path = tmp_path / "study.fsdb"
    shutil.copyfile(demo_path, path)
    with Project.open(path) as project, project.session() as session:
        full = project_info(session)
    assert quick_info(path) == full
    assert list(full) == ["sources", "sources_by_kind", "sources_by_format",
                          "sources_by_language", "words", "turns", "speakers_linked",
                          "participants", "participants_by_role", "organisations",
                          "organisations_by_sector", "partnerships", "partnerships_by_depth",
                          "partnerships_by_formality", "partnerships_by_level", "places",
                          "memos"]
    assert full["sources"] == 17 and full["sources_by_language"] == {"en": 17}
    assert DEFAULT_TEMPLATE == vocabulary.DEFAULT_TEMPLATE
    (tmp_path / "notes.fsdb").write_text("not a project", encoding="utf-8")
    assert quick_info(tmp_path / "notes.fsdb") is None
    assert quick_info(tmp_path / "missing.fsdb") is None
