"""The code stays lint-clean and its public signatures type-check (as `make lint`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_lint_ruff_finds_nothing():
    result = run("ruff", "check", "src", "tests", "tools", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_lint_mypy_type_checks_the_package():
    result = run("mypy", "src")
    assert result.returncode == 0, result.stdout + result.stderr
