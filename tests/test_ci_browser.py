"""Browser tests cannot silently vanish: skipped with a reason locally, failed under CI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


SELECTION = ["tests/test_web_e2e.py", "tests/test_interpret_report.py", "-k", "chromium or e2e"]


def run_e2e_without_chromium(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the browser test module with a PATH that holds no Chromium."""
    empty = tmp_path / "bin"
    empty.mkdir()
    environment = {k: v for k, v in os.environ.items() if k != "CI"}
    environment |= {"PATH": str(empty), **env}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-ra", *SELECTION],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)


def browser_tests() -> int:
    """How many browser tests the selection holds (collected, not run)."""
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only",
         "-m", "browser", *SELECTION], cwd=ROOT, capture_output=True, text=True, timeout=300)
    return sum(1 for line in listed.stdout.splitlines() if "::" in line)


@pytest.mark.parametrize("ci", ["true", "1"])
def test_ci_browser_tests_fail_without_chromium(tmp_path, ci):
    result = run_e2e_without_chromium(tmp_path, CI=ci)
    assert result.returncode == 1, result.stdout
    assert ("ERROR tests/test_interpret_report.py::"
            "test_report_renders_in_headless_chromium_without_broken_images") in result.stdout
    assert "ERROR tests/test_web_e2e.py::test_e2e_code_a_selection_see_it_and_keep_it" \
        in result.stdout
    assert re.match(rf"\d+ deselected, {browser_tests()} errors in ", result.stdout.splitlines()[-1])
    assert ("CI=true but Chromium is not installed (.ci/run installs it): this test "
            "must run in CI") in result.stdout
    assert " skipped" not in result.stdout


def test_ci_browser_tests_skip_locally_and_say_why(tmp_path):
    result = run_e2e_without_chromium(tmp_path)
    assert result.returncode == 0, result.stdout
    count = browser_tests()
    assert count >= 12 and f"SKIPPED [{count}] " in result.stdout
    assert "Chromium is not installed (.ci/run installs it)" in result.stdout
    assert re.match(rf"{count} skipped, \d+ deselected in ", result.stdout.splitlines()[-1])
