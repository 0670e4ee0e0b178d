"""Coding a recording's time range from the web: POST /api/codings/time."""

from __future__ import annotations

import re
import shutil

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from framesynth.demo.speech import speak, write_vtt
from framesynth.index.timecodes import format_range
from framesynth.io.codebook import import_codebook
from framesynth.io.importers import import_files
from framesynth.io.importers.case_table import import_case_table
from framesynth.project import Project
from framesynth.store.models import Code, Coding, Event, Source
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

LOCAL = "http://127.0.0.1"
ANSWER = ("Word of mouth mostly. The health visitors send them on a Tuesday and the waiting "
          "list for counselling is fourteen weeks long.")


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spoken")
    turns = speak([("Interviewer", "How do families find the larder?"),
                   ("Maureen Okafor", ANSWER)], folder / "int07.wav")
    write_vtt(turns, folder / "int07.vtt")
    return folder, turns


@pytest.fixture
def recorded(project_path, spoken, tmp_path, data_dir, framework_file):
    folder, turns = spoken
    for name in ("int07.wav", "int07.vtt"):
        shutil.copy(folder / name, tmp_path / name)
    with Project.open(project_path) as project, project.session() as session:
        import_case_table(session, data_dir / "cases.csv")
        import_files(session, [tmp_path / "int07.wav", tmp_path / "int07.vtt"])
        import_codebook(session, framework_file, actor="ruth")
        ids = (session.scalar(select(Source.id)),
               session.scalar(select(Code.id).where(Code.name == "Waiting lists")),
               session.scalar(select(Code.id).where(Code.name == "Access")))
    app = create_app(Settings(project=project_path, host="127.0.0.1", local_user="ruth",
                              embedder="hashing.v1"))
    client = TestClient(app, base_url=LOCAL)
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text).group(1)
    return client, token, ids, turns, project_path


def counts(path) -> tuple[int, int]:
    with Project.open(path) as project, project.session() as session:
        return (session.scalar(select(func.count()).select_from(Coding)),
                session.scalar(select(func.count()).select_from(Event)))


def test_web_time_coding_is_stored_returned_and_listed_with_its_times(recorded):
    client, token, (source, code, theme), turns, path = recorded
    answer = turns[1]
    response = client.post("/api/codings/time", headers={"X-CSRF-Token": token}, json={
        "source_id": source, "code_id": code, "start": answer.start, "end": answer.end})
    assert response.status_code == 201, response.text
    body = response.json()
    start = body["start"]
    assert body == {"id": 1, "source_id": source, "start": start, "end": start + len(ANSWER),
                    "code": "Access/Waiting lists", "code_id": code, "coder": "ruth",
                    "text": ANSWER, "media_start": answer.start, "media_end": answer.end}
    assert client.get(f"/api/sources/{source}/codings").json() == [body]
    by_path = client.post("/api/codings/time", headers={"X-CSRF-Token": token}, json={
        "source_id": source, "code": "Access/Referral routes", "start": answer.start,
        "end": answer.start + 2})
    assert by_path.status_code == 201 and by_path.json()["media_end"] == answer.start + 2
    picked = client.post(f"/quotes/{theme}/pick", data={"csrf": token, "coding_id": 1},
                         follow_redirects=False)
    assert picked.status_code == 303
    page = client.get(f"/quotes/{theme}").text
    assert f"({format_range(answer.start, answer.end)})" in page


def test_web_time_coding_refused_range_or_missing_csrf_changes_nothing(recorded):
    client, token, (source, code, _theme), _turns, path = recorded
    before = counts(path)
    response = client.post("/api/codings/time", headers={"X-CSRF-Token": token}, json={
        "source_id": source, "code_id": code, "start": 1.0, "end": 900.0})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "FS301"
    assert response.json()["error"]["message"].startswith(
        "time range 1-900 s is outside 'int07.vtt''s recording")
    response = client.post("/api/codings/time", json={
        "source_id": source, "code_id": code, "start": 1.0, "end": 2.0})
    assert response.status_code == 403
    assert counts(path) == before
