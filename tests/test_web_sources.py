"""The documents page and the source routes: list, remove (owners), replace (coders)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from framesynth.accounts import add_user
from framesynth.familiarise.sources import get_source
from framesynth.index.coding import code_span
from framesynth.io.codebook import import_codebook
from framesynth.io.importers import import_files
from framesynth.io.importers.case_table import import_case_table
from framesynth.project import Project
from framesynth.store.models import Coding, Source, SourceRevision
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

LOCAL = "http://127.0.0.1"  # the Host a browser on this machine sends

PASSWORD = "correct horse battery"
ORIGINAL = ("[00:00:03] Interviewer: And the waiting list?\n\n"
            "[00:00:08] Maureen: Fourteen weeks for counselling. Teh drop-in helps.\n\n"
            "[00:00:30] Interviewer: Thank you.\n")
CORRECTED = ("[00:00:03] Interviewer: And the waiting list?\n\n"
             "[00:00:08] Maureen: Sixteen weeks for counselling. It is long. The drop-in helps.\n\n"
             "[00:00:30] Interviewer: Thank you.\n")


@pytest.fixture
def app(project_path, data_dir, framework_file, tmp_path):
    """A project with one coded interview and an owner, a coder and a viewer."""
    (tmp_path / "int22.txt").write_text(ORIGINAL, encoding="utf-8")
    with Project.open(project_path) as project, project.session() as session:
        import_case_table(session, data_dir / "cases.csv")
        import_files(session, [tmp_path / "int22.txt"])
        import_codebook(session, framework_file, actor="ruth")
        for phrase, code in (("Fourteen weeks for counselling", "Access/Waiting lists"),
                             ("drop-in helps", "Access/Referral routes")):
            start = ORIGINAL.index(phrase)
            code_span(session, "int22.txt", start, start + len(phrase), code, coder="ruth")
        get_source(session, "int22.txt").imported_at = datetime(2026, 3, 9, 11, 0)
        for name, role in (("olive", "owner"), ("cora", "coder"), ("vic", "viewer")):
            add_user(session, name, PASSWORD, role=role, actor="test")
    return create_app(Settings(project=project_path, host="0.0.0.0", embedder="hashing.v1"))


def login(app, name: str) -> tuple[TestClient, str]:
    client = TestClient(app, base_url=LOCAL)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"name": name, "password": PASSWORD, "csrf": token},
                follow_redirects=False)
    page = client.get("/").text
    return client, re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def count(project_path, model) -> int:
    with Project.open(project_path) as project, project.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_web_sources_list_has_the_cli_columns(app):
    client, _ = login(app, "vic")
    assert client.get("/api/sources").json() == [{
        "id": 1, "name": "int22.txt", "kind": "interview", "format": "txt", "language": "en",
        "turns": 3, "speakers": [{"label": "Interviewer", "team": True, "participant": None},
                                 {"label": "Maureen", "team": False, "participant": "P01"}],
        "codings": 2, "suggestions": 0, "memos": 0, "imported_at": "2026-03-09T11:00:00",
        "recording": None, "duration": None}]


@pytest.mark.parametrize(("user", "replace", "remove"), [
    ("olive", True, True), ("cora", True, False), ("vic", False, False)])
def test_web_sources_documents_page_offers_actions_by_role(app, user, replace, remove):
    client, _ = login(app, user)
    page = client.get("/").text
    cells = re.findall(r"<td>([^<]*)</td>", page)
    assert cells == ["interview", "txt", "en", "3", "Interviewer (team), Maureen", "2", "0", "0",
                     "2026-03-09"]
    assert ('class="replace-source' in page, 'class="remove-source' in page) == (replace, remove)


def test_web_sources_remove_is_for_owners_and_refused_while_coded(app, project_path):
    client, token = login(app, "cora")
    response = client.delete("/api/sources/1", headers={"X-CSRF-Token": token})
    assert (response.status_code, response.json()["error"]["code"]) == (403, "FS501")
    client, token = login(app, "olive")
    assert client.delete("/api/sources/1?with_codings=true").status_code == 403  # no CSRF
    response = client.delete("/api/sources/1", headers={"X-CSRF-Token": token})
    assert (response.status_code, response.json()) == (400, {"error": {"code": "FS130", "message": (
        "int22.txt: 'int22.txt' has 2 codings and 0 memos; remove them too with "
        "--with-codings [FS130]")}})
    assert count(project_path, Source) == 1
    response = client.delete("/api/sources/1?with_codings=true", headers={"X-CSRF-Token": token})
    body = response.json()
    assert (response.status_code, body["turns"], body["speakers"], len(body["codings"])) == (
        200, 3, 2, 2)
    assert (count(project_path, Source), count(project_path, Coding)) == (0, 0)


def test_web_sources_replace_uploads_a_corrected_file_and_lists_the_review(app, project_path):
    client, token = login(app, "vic")
    upload = {"file": ("int22.txt", CORRECTED.encode(), "text/plain")}
    response = client.post("/api/sources/1/replace", files=upload,
                           headers={"X-CSRF-Token": token})
    assert (response.status_code, response.json()["error"]["code"]) == (403, "FS501")
    client, token = login(app, "cora")
    response = client.post("/api/sources/1/replace", files=upload,
                           headers={"X-CSRF-Token": token})
    body = response.json()
    start = CORRECTED.index("Sixteen")
    assert response.status_code == 200
    assert (body["source"], body["revision"], body["turns"], body["carried"], body["dropped"]) == (
        "int22.txt", 1, 3, 2, [])
    assert body["review"] == [{
        "kind": "coding", "id": 1, "label": "Access/Waiting lists",
        "old_start": ORIGINAL.index("Fourteen"), "old_end": ORIGINAL.index("Fourteen") + 30,
        "old_text": "Fourteen weeks for counselling", "start": start, "end": start + 29,
        "text": "Sixteen weeks for counselling", "reason": "words changed", "human": True}]
    assert count(project_path, SourceRevision) == 1
    again = client.post("/api/sources/1/replace", files=upload, headers={"X-CSRF-Token": token})
    assert again.json()["error"]["message"] == (
        "int22.txt: it is the file 'int22.txt' already holds [FS003]")


def test_web_sources_replace_with_a_bad_file_names_it(app):
    client, token = login(app, "cora")
    response = client.post("/api/sources/1/replace", headers={"X-CSRF-Token": token},
                           files={"file": ("notes.pages", b"PK\x03\x04", "application/zip")})
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("notes.pages: unsupported format .pages")
