"""The documentation keeps up with the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from framesynth.cli.reference import iter_commands, render_reference

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [name for name, _ in iter_commands()]


def test_docs_cli_reference_is_current():
    written = (ROOT / "docs" / "cli-reference.md").read_text(encoding="utf-8")
    assert written == render_reference(), "run `make docs` to regenerate docs/cli-reference.md"


@pytest.mark.parametrize("name", COMMANDS)
def test_docs_every_command_has_help_ending_with_an_example(name):
    command = dict(iter_commands())[name]
    help_text = (command.help or "").strip()
    assert help_text.splitlines()[-1].startswith(f"Example: {name}")
    assert all(param.help for param in command.params if param.name != "project"), name


@pytest.mark.parametrize("name", COMMANDS)
def test_docs_readme_tours_every_command(name):
    assert name in (ROOT / "README.md").read_text(encoding="utf-8")


def test_docs_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
