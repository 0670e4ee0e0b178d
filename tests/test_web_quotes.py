"""The quotes page (issue 12): a code's picks in the report's order, as printed, with the
coded span beside an edited one, and the best ranked to pick from; every change a form
with the CSRF token that calls the library, refusals shown on the page."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from framesynth.accounts import add_user
from framesynth.frame.framework import find_code
from framesynth.interpret.quote_edits import picked_quotes
from framesynth.project import Project
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

LOCAL = "http://127.0.0.1"
PASSWORD = "correct horse battery"
CODE = "Partnership working/Shared premises"


@pytest.fixture
def site(stores, demo_path, tmp_path):
    path = stores.copy(demo_path, "quotes.fsdb")
    with Project.open(path) as project, project.session() as session:
        code_id = find_code(session, CODE).id
    app = create_app(Settings(project=path, host="127.0.0.1", local_user="ruth",
                              embedder="hashing.v1"))
    client = TestClient(app, base_url=LOCAL)
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text).group(1)
    return path, code_id, client, token


def listed(page: str, kind: str) -> list[int]:
    block = re.search(rf'class="{kind}">(.*?)</(?:ol|ul)>', page, re.S).group(1)
    return [int(n) for n in re.findall(r'<li data-coding="(\d+)"', block)]


def printed(path, code_id: int) -> list[tuple[int, str, bool]]:
    with Project.open(path) as project, project.session() as session:
        code = find_code(session, CODE)
        assert code.id == code_id
        return [(q.coding_id, q.text, q.edited) for q in picked_quotes(session, code)]


def test_web_quotes_pick_move_edit_unpick(site):
    path, code_id, client, token = site
    page = client.get(f"/quotes/{code_id}").text
    assert "Nothing picked" in page and listed(page, "picked-quotes") == []
    first, second, *_ = listed(page, "candidate-quotes")
    for coding in (first, second):
        done = client.post(f"/quotes/{code_id}/pick", data={"csrf": token, "coding_id": coding},
                           follow_redirects=False)
        assert (done.status_code, unquote(done.headers["location"])) == (
            303, f"/quotes/{code_id}?message=picked coding {coding}")
    page = client.get(f"/quotes/{code_id}").text
    assert listed(page, "picked-quotes") == [first, second]
    assert first not in listed(page, "candidate-quotes")
    client.post(f"/quotes/{code_id}/move", data={"csrf": token, "coding_id": second, "to": 1})
    assert [c for c, _t, _e in printed(path, code_id)] == [second, first]
    words = printed(path, code_id)[1][1].split()
    edit = " ".join(words[:4]) + " [...] " + " ".join(words[-3:])
    page = client.post(f"/quotes/{code_id}/edit", data={"csrf": token, "coding_id": first,
                                                        "text": edit}).text
    shown = edit.replace("[...]", "[…]")
    assert printed(path, code_id)[1] == (first, shown, True)
    assert f"&ldquo;{shown}&rdquo;" in page.replace("&#39;", "'")
    assert '<span class="pill">edited</span>' in page and "coded: &ldquo;" in page
    refused = client.post(f"/quotes/{code_id}/edit", data={
        "csrf": token, "coding_id": first, "text": "we never once argued"})
    assert ("“we never once argued” is not in the coded text; only […] cuts and "
            "[bracketed] insertions may differ [FS003]") in refused.text
    assert printed(path, code_id)[1] == (first, shown, True)
    client.post(f"/quotes/{code_id}/edit", data={"csrf": token, "coding_id": first, "text": ""})
    assert printed(path, code_id)[1][2] is False
    client.post(f"/quotes/{code_id}/unpick", data={"csrf": token, "coding_id": second})
    assert [c for c, _t, _e in printed(path, code_id)] == [first]


def test_web_quotes_refusals_come_back_to_the_page(site):
    path, code_id, client, token = site
    page = client.post(f"/quotes/{code_id}/unpick", data={"csrf": token, "coding_id": 99999})
    assert page.status_code == 200
    assert f"coding 99999 is not picked for &#39;{CODE}&#39; [FS002]" in page.text
    assert client.post(f"/quotes/{code_id}/pick", data={"coding_id": 1}).status_code == 403
    assert printed(path, code_id) == []


def test_web_quotes_a_viewer_reads_but_changes_nothing(site):
    path, code_id, _client, _token = site
    with Project.open(path) as project, project.session() as session:
        add_user(session, "vic", PASSWORD, role="viewer", actor="test")
    viewer = TestClient(_client.app, base_url=LOCAL)
    login = re.search(r'name="csrf" value="([^"]+)"', viewer.get("/login").text).group(1)
    viewer.post("/login", data={"name": "vic", "password": PASSWORD, "csrf": login})
    page = viewer.get(f"/quotes/{code_id}").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    assert "<form" not in page.split("<main>")[1]
    coding = listed(page, "candidate-quotes")[0]
    refused = viewer.post(f"/quotes/{code_id}/pick", data={"csrf": token, "coding_id": coding})
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "FS501")
    assert printed(path, code_id) == []


def test_web_quotes_linked_from_the_matrix_and_the_report(site):
    _path, code_id, client, _token = site
    with Project.open(_path) as project, project.session() as session:
        theme = find_code(session, "Partnership working").id
    assert f'href="/quotes/{theme}"' in client.get("/matrix").text
    assert f'href="/quotes/{theme}"' in client.get("/report").text
    assert client.get("/quotes/999999").status_code == 404
