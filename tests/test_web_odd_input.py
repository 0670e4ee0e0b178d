"""Odd input to the workbench: ids no database can hold, colours that are not colours."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from framesynth.project import Project
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

HUGE = 99999999999999999999999


@pytest.fixture
def app(stores, demo_path, tmp_path):
    path = stores.copy(demo_path, "web.fsdb")
    return create_app(Settings(project=path, host="127.0.0.1", local_user="ruth",
                               embedder="hashing.v1"))


@pytest.fixture
def client(app):
    return TestClient(app, base_url="http://127.0.0.1")


def csrf_of(client: TestClient) -> dict[str, str]:
    page = client.get("/").text
    return {"X-CSRF-Token": re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)}


def id_routes(app, method: str) -> list[str]:
    """Every path the app serves by ``method`` (its OpenAPI schema) with an integer id."""
    return sorted(path for path, operations in app.openapi()["paths"].items()
                  if method.lower() in operations and re.search(r"\{\w*_id\}", path)
                  and "job_id" not in path)


def test_web_id_routes_are_walked(app):
    assert id_routes(app, "GET") == ["/api/sources/{source_id}/codings",
                                     "/quotes/{code_id}", "/sources/{source_id}",
                                     "/sources/{source_id}/media"]
    assert len(id_routes(app, "POST")) == 15


@pytest.mark.parametrize("key", [HUGE, -HUGE, 2**63])
def test_web_get_with_an_id_beyond_64_bits_is_404(app, client, key):
    for path in id_routes(app, "GET"):
        response = client.get(re.sub(r"\{\w+\}", str(key), path))
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "FS002"


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/api/codings", {"source_id": HUGE, "start": 0, "end": 5, "code_id": 1}),
    ("POST", "/api/codings", {"source_id": 1, "start": 0, "end": 5, "code_id": HUGE}),
    ("POST", "/api/codings/turn", {"turn_id": HUGE, "code_id": 1}),
    ("POST", "/api/codings/time", {"source_id": HUGE, "start": 0, "end": 1, "code_id": 1}),
    ("POST", f"/api/sources/{HUGE}/turns/0", {"text": "New words."}),
    ("POST", f"/api/sources/{HUGE}/turns/0/speaker", {"label": "Sam"}),
    ("POST", "/api/memos", {"source_id": HUGE, "body": "A note"}),
    ("POST", "/api/suggestions/accept", {"ids": [HUGE]}),
    ("POST", "/api/suggestions/reject", {"ids": [HUGE]}),
    ("POST", "/api/codes", {"name": "New", "parent_id": HUGE}),
    ("POST", f"/api/codes/{HUGE}/rename", {"name": "New"}),
    ("POST", "/api/codes/1/merge", {"into_id": HUGE}),
    ("POST", f"/api/codes/{HUGE}/retire", None),
    ("POST", "/api/matrix/cell", {"case": "P01", "code_id": HUGE, "summary": "x"}),
    ("POST", f"/api/sources/{HUGE}/resplit", None),
    ("POST", f"/api/sources/{HUGE}/team", {"label": "Sam", "team": True}),
    ("DELETE", f"/api/codings/{HUGE}", None),
    ("DELETE", f"/api/sources/{HUGE}", None),
])
def test_web_change_with_an_id_beyond_64_bits_is_404(client, method, path, body):
    response = client.request(method, path, json=body, headers=csrf_of(client))
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "FS002"


def test_web_reader_of_a_missing_source_is_404(client):
    response = client.get("/sources/424242")
    assert (response.status_code, response.json()) == (404, {"error": {
        "code": "FS002", "message": "no source with id 424242 [FS002]"}})


def test_web_project_reopens_after_odd_ids(app, client):
    client.get(f"/sources/{HUGE}")
    assert client.get("/sources/1").status_code == 200
    assert isinstance(app.state.project, Project)


ODD = "red;background:url(x)"
STORED_ODD = 'red;"><b>'  # fits the column's 9 characters (PostgreSQL holds it to them)
PAGES = ["/", "/framework", "/sources/{source}", "/matrix", "/review", "/interpret",
         "/search?q=weeks", "/study"]


def test_web_odd_stored_colour_never_reaches_a_page(charted_path):
    """A colour stored before colours were checked is shown as the default colour."""
    with Project.open(charted_path) as project, project.engine.begin() as connection:
        connection.execute(text("UPDATE codes SET colour = :odd"), {"odd": STORED_ODD})
        source = connection.execute(text("SELECT id FROM sources ORDER BY id")).scalar()
    client = TestClient(create_app(Settings(project=charted_path, host="127.0.0.1",
                                            local_user="ruth", embedder="hashing.v1")),
                        base_url="http://127.0.0.1")
    for page in PAGES:
        response = client.get(page.format(source=source))
        assert response.status_code == 200, page
        assert '"><b>' not in response.text and "red;" not in response.text, page
    reader = client.get(f"/sources/{source}").text
    assert 'style="background: #71809633; border-bottom: 2px solid #718096"' in reader


@pytest.mark.parametrize(("path", "body"), [
    ("/api/codes", {"name": "Trust", "colour": ODD}),
    ("/api/codes/{code}/edit", {"colour": ODD}),
])
def test_web_odd_colour_is_refused_with_400(client, path, body):
    code = client.get("/api/codes").json()[0]["id"]
    response = client.post(path.format(code=code), json=body, headers=csrf_of(client))
    assert (response.status_code, response.json()) == (400, {"error": {
        "code": "FS003", "message": f"colour {ODD!r} is not #rrggbb or #rgb [FS003]"}})


def test_web_colour_is_stored_normalised(client):
    response = client.post("/api/codes", json={"name": "Trust", "colour": "#ABC"},
                           headers=csrf_of(client))
    assert response.status_code == 201
    codes = {c["name"]: c["colour"] for c in client.get("/api/codes").json()}
    assert codes["Trust"] == "#aabbcc"
