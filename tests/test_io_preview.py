"""``import --preview`` and ``POST /api/import/preview``: what an import would find."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from framesynth.cli.main import app
from framesynth.io.importers.preview import preview_files
from framesynth.project import Project
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

LOCAL = "http://127.0.0.1"  # the Host a browser on this machine sends

LAYOUTS = Path(__file__).parent / "data" / "layouts"
OTTER = {
    "name": "otter.txt", "format": "txt", "layout": "otter", "turns": 10, "unattributed": 0,
    "speakers": [{"label": "Interviewer", "turns": 5, "team": True},
                 {"label": "Maureen Okafor", "turns": 5, "team": False}],
    "first_turns": [
        {"speaker": "Interviewer",
         "words": "Thanks for meeting me at the larder. How did it start?"},
        {"speaker": "Maureen Okafor",
         "words": "With one chest freezer in the church hall and a rota on …"},
        {"speaker": "Interviewer", "words": "Who were the first volunteers?"}],
    "preamble": None, "recording": None, "duration": None,
}
REV_PREAMBLE = "Community larder study - interview 4 Recorded 4 March 2026"


def test_preview_files_reports_layout_speakers_and_first_turns():
    previews = preview_files([LAYOUTS / "otter.txt", LAYOUTS / "rev.txt"])
    assert previews[0].as_dict() == OTTER
    assert (previews[1].layout, previews[1].preamble) == ("rev", REV_PREAMBLE)


def test_preview_cli_prints_each_file_and_stores_nothing(project_path, snapshot):
    before = snapshot(project_path)
    result = CliRunner().invoke(app, ["import", str(project_path), str(LAYOUTS / "otter.txt"),
                                      str(LAYOUTS / "rev.txt"), "--preview"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "otter.txt (txt): layout otter, 10 turns, 0 without a speaker\n"
        "  speakers: Interviewer 5 (research team), Maureen Okafor 5\n"
        "  1. Interviewer: Thanks for meeting me at the larder. How did it start?\n"
        "  2. Maureen Okafor: With one chest freezer in the church hall and a rota on …\n"
        "  3. Interviewer: Who were the first volunteers?\n"
        "\n"
        "rev.txt (txt): layout rev, 10 turns, 0 without a speaker\n"
        "  speakers: Interviewer 5 (research team), Maureen Okafor 5\n"
        f"  preamble: {REV_PREAMBLE}\n"
        "  1. Interviewer: Thanks for meeting me at the larder. How did it start?\n"
        "  2. Maureen Okafor: With one chest freezer in the church hall and a rota on …\n"
        "  3. Interviewer: Who were the first volunteers?\n"
    )
    assert snapshot(project_path) == before


def test_preview_cli_json_and_a_custom_pattern(project_path):
    result = CliRunner().invoke(app, ["import", str(project_path), str(LAYOUTS / "otter.txt"),
                                      "--preview", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [OTTER]
    result = CliRunner().invoke(app, ["import", str(project_path), str(LAYOUTS / "otter.txt"),
                                      "--preview", "--speaker-pattern", "(("])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: --speaker-pattern '((' is not a valid regex (missing ), unterminated "
        "subpattern at position 1) [FS003]"]


def test_preview_api_returns_the_same_json_and_stores_nothing(project_path):
    client = TestClient(create_app(Settings(project=project_path, host="127.0.0.1",
                                            local_user="ruth", embedder="hashing.v1")), base_url=LOCAL)
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text).group(1)
    files = [("files", ("otter.txt", (LAYOUTS / "otter.txt").read_bytes(), "text/plain"))]
    response = client.post("/api/import/preview", files=files, headers={"X-CSRF-Token": token})
    assert response.status_code == 200, response.text
    assert response.json() == {"files": [OTTER]}
    assert 'id="import-preview"' in client.get("/").text
    with Project.open(project_path) as project, project.session() as session:
        from framesynth.familiarise.sources import count_sources
        assert count_sources(session) == 0
