"""The reader's transcription mode over the ASGI client: the recording served with Range
requests, a turn corrected and a turn's speaker set (coders only, with the CSRF token)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from test_web_sources import LOCAL, PASSWORD, login

from framesynth.accounts import add_user
from framesynth.familiarise.sources import get_source
from framesynth.index.coding import code_span
from framesynth.io.importers.media import media_folder
from framesynth.project import Project
from framesynth.store.models import Coding, SourceRevision
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

NAME = "int03.vtt"


@pytest.fixture
def site(recorded_interview, tmp_path):
    """The recorded interview with one coding, a coder and a viewer; the app and the
    recording's bytes."""
    location, spoken = recorded_interview
    (tmp_path / "notes.txt").write_text("Notes from the visit.\n", encoding="utf-8")
    with Project.open(location) as project, project.session() as session:
        from framesynth.io.importers import import_files

        import_files(session, [tmp_path / "notes.txt"])
        source = get_source(session, NAME)
        start = source.text.index("chest freezer")
        code_span(session, NAME, start, start + 13, "Access/Referral routes", coder="ruth")
        data = (media_folder(session) / source.media_file).read_bytes()
        for name, role in (("cora", "coder"), ("vic", "viewer")):
            add_user(session, name, PASSWORD, role=role, actor="test")
    return create_app(Settings(project=location, host="0.0.0.0")), location, data, spoken


def test_web_media_whole_file_for_any_logged_in_person(site):
    app, _, data, _ = site
    client, _ = login(app, "vic")
    response = client.get("/sources/1/media")
    assert (response.status_code, response.headers["content-type"],
            response.headers["accept-ranges"], response.content) == (200, "audio/wav", "bytes", data)


def test_web_media_answers_a_range(site):
    app, _, data, _ = site
    client, _ = login(app, "vic")
    response = client.get("/sources/1/media", headers={"Range": "bytes=100-199"})
    assert (response.status_code, response.headers["content-range"], response.content) == (
        206, f"bytes 100-199/{len(data)}", data[100:200])
    tail = client.get("/sources/1/media", headers={"Range": "bytes=-10"})
    assert (tail.status_code, tail.content) == (206, data[-10:])


def test_web_media_refuses_a_range_past_the_end(site):
    app, _, data, _ = site
    client, _ = login(app, "vic")
    response = client.get("/sources/1/media", headers={"Range": f"bytes={len(data)}-"})
    assert (response.status_code, response.headers["content-range"]) == (
        416, f"bytes */{len(data)}")


def test_web_media_needs_a_login(site):
    app, _, _, _ = site
    client = TestClient(app, base_url=LOCAL)
    response = client.get("/sources/1/media", follow_redirects=False)
    assert (response.status_code, response.headers["location"], response.content) == (
        303, "/login?next=/sources/1/media", b"")


def test_web_media_404_without_a_recording_or_outside_the_folder(site):
    app, location, _, _ = site
    client, _ = login(app, "vic")
    response = client.get("/sources/2/media")
    assert (response.status_code, response.json()) == (404, {"error": {
        "code": "FS002", "message": "notes.txt: this source has no recording [FS002]"}})
    with Project.open(location) as project, project.session() as session:
        get_source(session, NAME).media_file = "../" + media_folder(session).name
    response = client.get("/sources/1/media")
    assert response.status_code == 404
    assert "is not in the media folder" in response.json()["error"]["message"]


def test_web_correct_turn_coders_only_with_the_csrf_token(site):
    app, location, _, _ = site
    client, token = login(app, "vic")
    body = {"text": "With one big chest freezer in the hall."}
    refused = client.post("/api/sources/1/turns/1", json=body, headers={"X-CSRF-Token": token})
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "FS501")
    client, token = login(app, "cora")
    assert client.post("/api/sources/1/turns/1", json=body).status_code == 403  # no token
    response = client.post("/api/sources/1/turns/1", json=body, headers={"X-CSRF-Token": token})
    result = response.json()
    assert (response.status_code, result["source"], result["revision"], result["carried"],
            result["review"], result["dropped"]) == (200, NAME, 1, 1, [], [])
    with Project.open(location) as project, project.session() as session:
        source = get_source(session, NAME)
        coding = session.scalar(select(Coding))
        assert source.turns[1].text == body["text"]
        assert source.text[coding.start:coding.end] == coding.text == "chest freezer"
        assert session.scalar(select(SourceRevision.replaced_by)) == "cora"


def test_web_turn_speaker_coders_only(site):
    app, location, _, _ = site
    client, token = login(app, "vic")
    refused = client.post("/api/sources/1/turns/4/speaker", json={"label": "Maureen"},
                          headers={"X-CSRF-Token": token})
    assert refused.status_code == 403
    client, token = login(app, "cora")
    assert client.post("/api/sources/1/turns/4/speaker", json={"label": "Maureen"}
                       ).status_code == 403  # no token
    response = client.post("/api/sources/1/turns/4/speaker", json={"label": "Maureen"},
                           headers={"X-CSRF-Token": token})
    assert (response.status_code, response.json()) == (200, {
        "source_id": 1, "position": 4, "label": "Maureen", "team": False})
    with Project.open(location) as project, project.session() as session:
        assert get_source(session, NAME).turns[4].speaker.label == "Maureen"


def test_web_reader_shows_the_player_and_turn_times(site):
    app, _, _, spoken = site
    client, _ = login(app, "cora")
    page = client.get("/sources/1").text
    assert '<audio id="player" src="/sources/1/media" preload="metadata" controls></audio>' in page
    times = re.findall(r'data-position="(\d+)" data-start="([\d.]+)" data-end="([\d.]+)"', page)
    assert times == [(str(n), str(t.start), str(t.end)) for n, t in enumerate(spoken)]
    assert '<button class="play" type="button" title="Play from here">▶ 0:03</button>' in page
    assert "F4" in page and 'data-speaker-key="1"' in page
    assert "<audio" not in client.get("/sources/2").text
