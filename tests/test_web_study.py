"""The study page and vocabulary API: everyone reads, the owner changes, errors are JSON."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from framesynth.accounts import add_user
from framesynth.familiarise.vocabulary import terms
from framesynth.io.importers.case_table import import_case_table
from framesynth.project import Project
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

LOCAL = "http://127.0.0.1"  # the Host a browser on this machine sends

PASSWORD = "correct horse battery"


@pytest.fixture
def app(project_path, data_dir):
    with Project.open(project_path) as project, project.session() as session:
        import_case_table(session, data_dir / "cases.csv")
        for name, role in (("olive", "owner"), ("vic", "viewer")):
            add_user(session, name, PASSWORD, role=role, actor="test")
    return create_app(Settings(project=project_path, host="0.0.0.0", embedder="hashing.v1"))


def login(app, name: str) -> tuple[TestClient, dict[str, str]]:
    client = TestClient(app, base_url=LOCAL)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"name": name, "password": PASSWORD, "csrf": token},
                follow_redirects=False)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/study").text).group(1)
    return client, {"X-CSRF-Token": csrf}


def test_study_page_reads_for_everyone_and_edits_for_the_owner(app):
    viewer, _ = login(app, "vic")
    page = viewer.get("/study").text
    assert "Only the project owner changes them." in page and 'data-act="rename"' not in page
    assert '<a href="/study">Study</a>' in page
    owner, _ = login(app, "olive")
    page = owner.get("/study").text
    assert 'data-act="rename"' in page and '<form class="add-term actions">' in page


def test_study_api_owner_changes_viewer_is_refused(app, project_path):
    viewer, headers = login(app, "vic")
    response = viewer.post("/api/vocabularies/sector/terms", json={"term": "private"},
                           headers=headers)
    assert (response.status_code, response.json()) == (403, {"error": {
        "code": "FS501", "message": "a viewer may not change the framework or accounts [FS501]"}})
    owner, headers = login(app, "olive")
    added = owner.post("/api/vocabularies/sector/terms", json={
        "term": "private", "label": "Private sector", "aliases": ["business"]}, headers=headers)
    assert added.status_code == 201
    assert added.json()["terms"][-1] == {"term": "private", "label": "Private sector",
                                         "aliases": ["business"], "uses": 0}
    ordered = owner.post("/api/vocabularies/level/order",
                         json={"terms": ["strategic", "management", "delivery"]}, headers=headers)
    assert [t["term"] for t in ordered.json()["terms"]] == ["strategic", "management", "delivery"]
    refused = owner.post("/api/vocabularies/sector/remove", json={"term": "community"},
                         headers=headers)
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "FS003")
    assert refused.json()["error"]["message"].startswith(
        "cannot remove 'community' of 'sector': it is used (2 organisations)")
    assert owner.post("/api/vocabularies/sector/remove", json={"term": "funder"},
                      headers=headers).status_code == 200
    missing = owner.get("/api/vocabularies/region")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "FS002")
    with Project.open(project_path) as project, project.session() as session:
        assert terms(session, "sector") == ["community", "voluntary", "statutory", "private"]
        assert terms(session, "level") == ["strategic", "management", "delivery"]


def test_study_api_set_replaces_a_vocabulary(app):
    owner, headers = login(app, "olive")
    response = owner.put("/api/vocabularies/region", json={
        "terms": ["north", "south"], "labels": ["North", "South"], "closed": False},
        headers=headers)
    assert response.json() == {"name": "region", "label": "Region", "ordered": False,
                               "closed": False, "terms": [
        {"term": "north", "label": "North", "aliases": [], "uses": 0},
        {"term": "south", "label": "South", "aliases": [], "uses": 0}]}
    assert owner.put("/api/vocabularies/region", json={"terms": ["x"]}).status_code == 403
