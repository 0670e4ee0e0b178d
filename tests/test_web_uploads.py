"""Uploads over HTTP: streamed under the limit, each under its own safe name, refusals in
one line with nothing left behind and the project unchanged."""

from __future__ import annotations

import io
import re
import tempfile
import time
import zipfile

import pytest
from fastapi.testclient import TestClient

from framesynth.io.importers import import_files
from framesynth.io.uploads import max_upload_bytes
from framesynth.project import Project
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

MB = 1024 * 1024
TURNS = b"Interviewer: How long did you wait?\n\nMaureen: Fourteen weeks.\n"


@pytest.fixture
def temp_root(tmp_path, monkeypatch):
    """Where the routes' temp folders go, so a test can see what is left behind."""
    root = tmp_path / "temp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


@pytest.fixture
def client(project_path, tmp_path, temp_root):
    (tmp_path / "int22.txt").write_bytes(TURNS)
    with Project.open(project_path) as project, project.session() as session:
        import_files(session, [tmp_path / "int22.txt"])
    app = create_app(Settings(project=project_path, host="127.0.0.1", embedder="hashing.v1"))
    return TestClient(app, base_url="http://127.0.0.1")


def token_of(client: TestClient) -> str:
    page = client.get("/").text
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def left_behind(root) -> list[str]:
    return sorted(path.name for path in root.iterdir() if path.name.startswith("framesynth-"))


def wait_for(client: TestClient, job: dict) -> dict:
    for _ in range(200):
        state = client.get(f"/api/jobs/{job['id']}").json()
        if state["status"] in {"done", "failed"}:
            return state
        time.sleep(0.05)
    raise AssertionError("the job did not finish")


def test_web_uploads_same_name_twice_are_both_previewed(client):
    files = [("files", ("int.txt", TURNS, "text/plain")),
             ("files", ("int.txt", b"Interviewer: Hello?\n\nRuth: Hi.\n", "text/plain"))]
    response = client.post("/api/import/preview", files=files,
                           headers={"X-CSRF-Token": token_of(client)})
    assert response.status_code == 200
    previews = response.json()["files"]
    assert [(p["name"], [s["label"] for s in p["speakers"]]) for p in previews] == [
        ("int.txt", ["Interviewer", "Maureen"]), ("int.txt", ["Interviewer", "Ruth"])]


@pytest.mark.parametrize("route", ["/api/import/preview", "/api/jobs/import"])
def test_web_uploads_dot_dot_is_refused_and_leaves_nothing(client, project_path, snapshot,
                                                          temp_root, route):
    before = snapshot(project_path)
    files = [("files", ("ok.txt", TURNS, "text/plain")), ("files", ("..", TURNS, "text/plain"))]
    response = client.post(route, files=files, headers={"X-CSRF-Token": token_of(client)})
    assert (response.status_code, response.json()["error"]) == (400, {
        "code": "FS003", "message": "the upload name '..' is not a usable file name; rename "
                                    "the file and upload it again [FS003]"})
    assert left_behind(temp_root) == []
    assert snapshot(project_path) == before


def test_web_uploads_path_in_a_name_keeps_the_base_name(client):
    files = [("files", ("../../etc/int 07.txt", b"Interviewer: And?\n\nRuth: Done.\n",
                        "text/plain"))]
    job = client.post("/api/jobs/import", files=files, headers={"X-CSRF-Token": token_of(client)})
    state = wait_for(client, job.json())
    assert (state["status"], state["result"]["imported"]) == ("done", ["int 07.txt"])


def test_web_uploads_over_the_limit_are_refused(client, project_path, snapshot, temp_root,
                                                monkeypatch):
    monkeypatch.setenv("FRAMESYNTH_MAX_UPLOAD_MB", "1")
    client.app.state.settings.max_upload_bytes = max_upload_bytes()  # as `serve` reads it
    before = snapshot(project_path)
    streamed = [("files", ("big.txt", TURNS * (MB // len(TURNS) + 1000), "text/plain"))]
    response = client.post("/api/jobs/import", files=streamed,
                           headers={"X-CSRF-Token": token_of(client)})
    assert (response.status_code, response.json()["error"]["message"]) == (
        413, "big.txt: the upload passes the limit of 1 MB (FRAMESYNTH_MAX_UPLOAD_MB) [FS108]")
    declared = [("files", ("huge.txt", b"a" * (3 * MB), "text/plain"))]
    response = client.post("/api/import/preview", files=declared,
                           headers={"X-CSRF-Token": token_of(client)})
    assert (response.status_code, response.json()["error"]["message"]) == (
        413, "the upload (3.0 MB) passes the limit of 1 MB (FRAMESYNTH_MAX_UPLOAD_MB) [FS108]")
    assert left_behind(temp_root) == []
    assert snapshot(project_path) == before


def test_web_uploads_replace_refuses_an_unusable_name(client, project_path, snapshot,
                                                      temp_root):
    before = snapshot(project_path)
    response = client.post("/api/sources/1/replace", headers={"X-CSRF-Token": token_of(client)},
                           files={"file": (".", TURNS, "text/plain")})
    assert (response.status_code, response.json()["error"]["message"]) == (
        400, "the upload name '.' is not a usable file name; rename the file and upload it "
             "again [FS003]")
    assert left_behind(temp_root) == []
    assert snapshot(project_path) == before


def test_web_uploads_docx_bomb_fails_the_job_in_one_line(client, project_path, snapshot):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", b"<w:document>" + b"a" * (60 * MB))
    before = snapshot(project_path)
    files = [("files", ("bomb.docx", buffer.getvalue(), "application/octet-stream"))]
    job = client.post("/api/jobs/import", files=files, headers={"X-CSRF-Token": token_of(client)})
    state = wait_for(client, job.json())
    assert state["status"] == "failed"
    assert state["message"].splitlines()[0].startswith(
        "bomb.docx, member word/document.xml: is compressed ")
    assert snapshot(project_path) == before


def test_web_uploads_a_recording_and_its_transcript_become_one_timed_source(
        client, project_path, tmp_path):
    from framesynth.demo.speech import speak, write_vtt
    from framesynth.store.models import Source

    spoken = speak([("Interviewer", "How long did you wait?"),
                    ("Maureen", "Fourteen weeks, near enough.")], tmp_path / "int30.wav")
    write_vtt(spoken, tmp_path / "int30.vtt")
    files = [("files", ("int30.wav", (tmp_path / "int30.wav").read_bytes(), "audio/wav")),
             ("files", ("int30.vtt", (tmp_path / "int30.vtt").read_bytes(), "text/vtt"))]
    job = client.post("/api/jobs/import", files=files, headers={"X-CSRF-Token": token_of(client)})
    assert job.status_code == 202, job.text
    assert wait_for(client, job.json())["status"] == "done"
    with Project.open(project_path) as project, project.session() as session:
        source = session.query(Source).filter_by(name="int30.vtt").one()
        assert (source.media_format, source.media_kind) == ("wav", "audio")
        assert source.media_duration == pytest.approx(spoken[-1].end + 0.9 + 0.5, abs=0.05)  # pause, lead
        times = [(t.text, t.started_at) for t in sorted(source.turns, key=lambda t: t.position)]
        assert times == [("How long did you wait?", spoken[0].start),
                         ("Fourteen weeks, near enough.", spoken[1].start)]
