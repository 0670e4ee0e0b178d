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
         "fastapi", "jinja2", "openpyxl", "sqlalchemy"]
SRC = Path(__file__).resolve().parents[1] / "src"


def loaded_after(code: str) -> list[str]:
    """The HEAVY modules a fresh interpreter has imported after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "100"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=env, check=True)
    modules = json.loads(done.stdout.splitlines()[-1])
    return sorted({name.split(".")[0] for name in modules} & set(HEAVY))


def test_cli_startup_main_imports_no_heavy_library() -> None:
    assert loaded_after("import framesynth.cli.main") == []


def test_cli_startup_help_imports_no_heavy_library() -> None:
    code = "from framesynth.cli.main import app\napp(['--help'], standalone_mode=False)"
    assert loaded_after(code) == []


def test_cli_startup_info_loads_only_the_store(demo_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "study.fsdb"
    shutil.copyfile(demo_path, path)
    code = f"from framesynth.cli.main import app\napp(['info', {str(path)!r}], standalone_mode=False)"
    assert loaded_after(code) == ["sqlalchemy"]


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
