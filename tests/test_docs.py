"""The documentation keeps up with the code."""

from __future__ import annotations

import re
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


def mentions(text: str, command: str) -> bool:
    """Whether ``text`` names ``command`` as whole words: ``framesynth code`` is not
    named by ``framesynth codebook`` nor ``framesynth import`` by ``import-qdpx``."""
    words = r"\s+".join(re.escape(word) for word in command.split())
    return re.search(rf"(?<![\w-]){words}(?![\w-])", text) is not None


@pytest.mark.parametrize(("text", "found"), [
    ("run `framesynth code study.fsdb`", True), ("framesynth code\n", True),
    ("framesynth codebook import", False), ("framesynth code-x", False),
    ("myframesynth code", False), ("framesynth  code", True),
])
def test_docs_mentions_matches_whole_command_words(text, found):
    assert mentions(text, "framesynth code") is found


@pytest.mark.parametrize("name", COMMANDS)
def test_docs_readme_tours_every_command(name):
    assert mentions((ROOT / "README.md").read_text(encoding="utf-8"), name), name


def test_docs_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
