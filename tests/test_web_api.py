"""The web workbench's API and pages: permissions, CSRF, errors, concurrency, downloads."""

from __future__ import annotations

import html
import json
import re
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from framesynth.accounts import add_user
from framesynth.familiarise.search import search
from framesynth.project import Project
from framesynth.store.models import Code, Coding, Source
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

LOCAL = "http://127.0.0.1"  # the Host a browser on this machine sends

PASSWORD = "correct horse battery"


@pytest.fixture
def web_project(stores, demo_path, tmp_path):
    """A copy of the demo with an owner, a coder and a viewer."""
    path = stores.copy(demo_path, "web.fsdb")
    with Project.open(path) as project, project.session() as session:
        for name, role in (("olive", "owner"), ("cora", "coder"), ("vic", "viewer")):
            add_user(session, name, PASSWORD, role=role, actor="test")
    return path


def csrf_of(client: TestClient) -> str:
    page = client.get("/").text
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def login(app, name: str) -> tuple[TestClient, str]:
    client = TestClient(app, base_url=LOCAL)
    form = client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    response = client.post("/login", data={"name": name, "password": PASSWORD, "csrf": token},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    return client, csrf_of(client)


@pytest.fixture
def plain_project(stores, demo_path, tmp_path):
    """A copy of the demo without accounts."""
    path = stores.copy(demo_path, "plain.fsdb")
    return path


@pytest.fixture
def team(web_project):
    """The app as served beyond loopback: everyone must log in."""
    return create_app(Settings(project=web_project, host="0.0.0.0", embedder="hashing.v1"))


@pytest.fixture
def local(plain_project):
    """The app on loopback over a project without accounts: the local user is its owner."""
    return create_app(Settings(project=plain_project, host="127.0.0.1", local_user="ruth",
                               embedder="hashing.v1"))


def first_ids(path) -> tuple[int, int]:
    with Project.open(path) as project, project.session() as session:
        source = session.scalar(select(Source.id).order_by(Source.id))
        code = session.scalar(select(Code.id).where(Code.codable.is_(True)).order_by(Code.id))
        return source, code


def test_web_errors_have_one_json_shape(local):
    client = TestClient(local, base_url=LOCAL)
    assert client.get("/api/jobs/nope").json() == {
        "error": {"code": "FS002", "message": "no job nope [FS002]"}}
    response = client.post("/api/codings", json={"source_id": 1, "start": 0, "end": 5,
                                                 "code_id": 2})
    assert (response.status_code, response.json()) == (403, {"error": {
        "code": "FS502", "message": "missing or wrong CSRF token; reload the page [FS502]"}})


def test_web_loopback_acts_as_the_local_owner_and_codes_as_them(local, plain_project):
    client = TestClient(local, base_url=LOCAL)
    source, code = first_ids(plain_project)
    response = client.post("/api/codings", json={"source_id": source, "start": 300, "end": 340,
                                                 "code_id": code},
                           headers={"X-CSRF-Token": csrf_of(client)})
    assert response.status_code == 201 and response.json()["coder"] == "ruth"
    fresh = TestClient(local, base_url=LOCAL).get("/").headers["set-cookie"].lower()
    assert "fs_local=" in fresh and "httponly" in fresh and "samesite=strict" in fresh


def test_web_beyond_loopback_pages_and_api_need_a_login(team):
    client = TestClient(team, base_url=LOCAL)
    response = client.get("/matrix", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=/matrix")
    assert client.get("/api/codes").json() == {"error": {"code": "FS500",
                                                         "message": "log in first [FS500]"}}
    form = client.get("/login")
    assert "httponly" in form.headers["set-cookie"].lower()
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    wrong = client.post("/login", data={"name": "cora", "password": "nope nope", "csrf": token},
                        follow_redirects=False)
    assert wrong.status_code == 401 and "Wrong name or password." in wrong.text
    forged = TestClient(team, base_url=LOCAL).post("/login", data={"name": "cora", "password": PASSWORD,
                                                   "csrf": "forged"})
    assert forged.status_code == 403


def test_web_session_cookie_is_httponly_and_samesite(team):
    client = TestClient(team, base_url=LOCAL)
    form = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    response = client.post("/login", data={"name": "cora", "password": PASSWORD, "csrf": token},
                           follow_redirects=False)
    cookie = response.headers["set-cookie"].lower()
    assert "fs_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie


@pytest.mark.parametrize(("user", "code_status", "rename_status"), [
    ("olive", 201, 200), ("cora", 201, 403), ("vic", 403, 403)])
def test_web_roles_decide_who_may_change_what(team, web_project, user, code_status,
                                              rename_status):
    client, token = login(team, user)
    source, code = first_ids(web_project)
    headers = {"X-CSRF-Token": token}
    coded = client.post("/api/codings", json={"source_id": source, "start": 300, "end": 320,
                                              "code_id": code}, headers=headers)
    assert coded.status_code == code_status
    if code_status == 201:
        assert coded.json()["coder"] == user
    else:
        assert coded.json()["error"]["code"] == "FS501"
    renamed = client.post(f"/api/codes/{code}/rename", json={"name": f"Renamed by {user}"},
                          headers=headers)
    assert renamed.status_code == rename_status
    cell = client.post("/api/matrix/cell", json={"case": "P01", "code_id": code,
                                                 "summary": "x"}, headers=headers)
    assert cell.status_code == (403 if user == "vic" else 200)
    assert client.get("/matrix").status_code == 200  # everyone may read


def test_web_two_coders_at_once_lose_nothing(team, web_project):
    source, code = first_ids(web_project)
    with Project.open(web_project) as project, project.session() as session:
        before = session.scalar(select(func.count(Coding.id)))
    coders = [login(team, name) for name in ("olive", "cora")]
    errors = []

    def work(client: TestClient, token: str, offset: int) -> None:
        for n in range(15):
            start = offset + n * 3
            response = client.post("/api/codings", headers={"X-CSRF-Token": token}, json={
                "source_id": source, "start": start, "end": start + 2, "code_id": code})
            if response.status_code != 201:
                errors.append(response.text)

    threads = [threading.Thread(target=work, args=(*coders[i], 200 + i * 100)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Project.open(web_project) as project, project.session() as session:
        after = session.scalar(select(func.count(Coding.id)))
        by = dict(session.execute(select(Coding.coder, func.count()).group_by(Coding.coder)).all())
    assert after - before == 30 and by["olive"] == 15 and by["cora"] == 15


def shown_cell(client: TestClient, case: str) -> tuple[int, int, str]:
    """The first matrix cell of ``case`` as the page shows it: code id, version, text."""
    page = client.get("/matrix").text
    found = re.search(rf'data-case="{case}" data-code="(\d+)" data-version="(\d+)"[^>]*>([^<]*)<',
                      page)
    return int(found.group(1)), int(found.group(2)), html.unescape(found.group(3))


def test_web_matrix_second_save_over_the_same_version_is_a_conflict(team, web_project):
    (olive, olive_token), (cora, cora_token) = login(team, "olive"), login(team, "cora")
    code, version, _ = shown_cell(olive, "P01")
    assert shown_cell(cora, "P01")[:2] == (code, version)  # both open the same cell
    saved = olive.post("/api/matrix/cell", headers={"X-CSRF-Token": olive_token}, json={
        "case": "P01", "code_id": code, "summary": "Olive: the Hub refers early.",
        "version": version})
    assert saved.status_code == 200
    assert saved.json() == {"status": "edited", "summary": "Olive: the Hub refers early.",
                            "version": version + 1}
    refused = cora.post("/api/matrix/cell", headers={"X-CSRF-Token": cora_token}, json={
        "case": "P01", "code_id": code, "summary": "Cora: referrals wait.", "version": version})
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "FS410" and error["message"].startswith(
        "P01 x ") and "was changed by olive at " in error["message"]
    assert {k: error["current"][k] for k in ("summary", "status", "version", "updated_by")} == {
        "summary": "Olive: the Hub refers early.", "status": "edited", "version": version + 1,
        "updated_by": "olive"}
    assert shown_cell(cora, "P01") == (code, version + 1, "Olive: the Hub refers early.")
    accept = cora.post("/api/matrix/accept", headers={"X-CSRF-Token": cora_token},
                       json={"case": "P01", "code_id": code, "version": version})
    assert accept.status_code == 409  # not accepted unseen either
    # Cora has read Olive's text; she saves hers over the version she now has
    again = cora.post("/api/matrix/cell", headers={"X-CSRF-Token": cora_token}, json={
        "case": "P01", "code_id": code, "summary": "Cora: referrals wait.",
        "version": version + 1})
    assert again.status_code == 200 and again.json()["version"] == version + 2


def test_web_matrix_racing_saves_of_one_cell_exactly_one_wins(local):
    clients = [TestClient(local, base_url=LOCAL) for _ in range(6)]
    tokens = [csrf_of(client) for client in clients]
    code, version, _ = shown_cell(clients[0], "P06")
    start, statuses = threading.Barrier(len(clients)), []

    def save(number: int) -> None:
        start.wait()
        statuses.append(clients[number].post(
            "/api/matrix/cell", headers={"X-CSRF-Token": tokens[number]},
            json={"case": "P06", "code_id": code, "summary": f"Summary {number}.",
                  "version": version}).status_code)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * (len(clients) - 1)
    assert shown_cell(clients[0], "P06")[1] == version + 1


def test_web_autocode_job_then_review(local):
    client = TestClient(local, base_url=LOCAL)
    token = csrf_of(client)
    job = client.post("/api/jobs/autocode", json={"method": "keyword"},
                      headers={"X-CSRF-Token": token}).json()
    for _ in range(100):
        state = client.get(f"/api/jobs/{job['id']}").json()
        if state["status"] in {"done", "failed"}:
            break
        time.sleep(0.1)
    assert state["status"] == "done" and state["result"]["stored"] > 0
    page = client.get("/review?method=keyword").text
    ids = [int(i) for i in re.findall(r'class="pick" value="(\d+)"', page)][:2]
    assert client.post("/api/suggestions/accept", json={"ids": ids[:1]},
                       headers={"X-CSRF-Token": token}).json() == {"accepted": 1}
    assert client.post("/api/suggestions/reject", json={"ids": ids[1:]},
                       headers={"X-CSRF-Token": token}).json() == {"rejected": 1}


def test_web_review_score_slider_counts_and_filters(local, plain_project):
    from framesynth.embeddings import HashingEmbedder
    from framesynth.index.review import pending_suggestions, run_autocode, suggestion_counts

    with Project.open(plain_project) as project, project.session() as session:
        run_autocode(session, "semantic", embedder=HashingEmbedder(), actor="ruth")
        expected = [vars(c) for c in suggestion_counts(session)]
        at = {c.min_score: (c.suggestions, c.units)
              for c in suggestion_counts(session, cut_offs=(0.5, 0.6))}
        scores = [s.score for s in pending_suggestions(session)]
    client = TestClient(local, base_url=LOCAL)
    assert client.get("/api/suggestions/counts").json() == expected
    assert [c["min_score"] for c in expected] == [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]
    page = client.get("/review").text  # the default cut-off: 0.50
    assert re.search(r'id="min-score" name="min_score" min="0" max="1" step="0.05" '
                     r'value="0.50"', page)
    assert f"{at[0.5][0]} suggestions on {at[0.5][1]} units at \u2265 0.50" in page
    slider = json.loads(html.unescape(re.search(r'data-counts="([^"]+)"', page).group(1)))
    assert slider["0.60"] == list(at[0.6]) and slider["0.00"][0] == len(scores)
    rows = re.findall(r'data-score="([0-9.e-]+)"( hidden)?>',
                      client.get("/review?min_score=0.6").text)
    assert [float(score) for score, _ in rows] == scores[:300]
    assert all(bool(hidden) == (float(score) < 0.6) for score, hidden in rows)


@pytest.mark.parametrize(("name", "kind"), [
    ("report.html", "text/html"), ("report.docx", "wordprocessingml"),
    ("report.pdf", "application/pdf"), ("report.md.zip", "application/zip"),
    ("matrix.xlsx", "spreadsheetml")])
def test_web_downloads(local, name, kind):
    response = TestClient(local, base_url=LOCAL).get(f"/download/{name}")
    assert response.status_code == 200 and kind in response.headers["content-type"]
    assert f'filename="{name}"' in response.headers["content-disposition"]
    assert len(response.content) > 2000


@pytest.mark.parametrize("path", ["/", "/sources/1", "/search?q=waiting+list", "/review",
                                  "/matrix?rows=organisation&group_by=sector", "/framework",
                                  "/interpret", "/report", "/study"])
def test_web_pages_render(local, path):
    response = TestClient(local, base_url=LOCAL).get(path)
    assert response.status_code == 200 and "<main>" in response.text


def test_cli_serve_get_prints_one_response(fs, plain_project, web_project):
    code, out, _ = fs("serve", plain_project, "--get", "/api/codes")
    assert code == 0 and '"path":"Access and referrals"' in out
    assert fs("serve", web_project, "--get", "/api/codes")[:2] == (
        1, '{"error":{"code":"FS500","message":"log in first [FS500]"}}\n')


def test_cli_users(fs, web_project):
    assert fs("users", "add", web_project, "dee", "--role", "viewer", "--password",
              "long enough pw")[1] == "added dee as viewer\n"
    assert fs("users", "role", web_project, "dee", "coder")[1] == (
        "dee is now coder (their sessions have ended)\n")
    rows = [line.split()[:2] for line in fs("users", "list", web_project)[1].splitlines()[2:]]
    assert rows == [["cora", "coder"], ["dee", "coder"], ["olive", "owner"], ["vic", "viewer"]]
    assert fs("users", "add", web_project, "x", "--password", "short")[2] == (
        "error: a password needs at least 8 characters [FS003]\n")


def wait_for(client: TestClient, job: dict) -> dict:
    for _ in range(300):
        state = client.get(f"/api/jobs/{job['id']}").json()
        if state["status"] in {"done", "failed"}:
            return state
        time.sleep(0.1)
    raise AssertionError("the job did not finish")


def test_web_import_runs_in_the_background(local, data_dir):
    client = TestClient(local, base_url=LOCAL)
    token = csrf_of(client)
    files = [("files", ("extra.txt", b"Interviewer: Hi?\nR: Hello.\nInterviewer: Bye.", "text/plain")),
             ("files", ("interview.md", (data_dir / "interview.md").read_bytes(), "text/markdown"))]
    job = client.post("/api/jobs/import", files=files, headers={"X-CSRF-Token": token}).json()
    state = wait_for(client, job)
    assert (state["status"], state["result"]["imported"]) == ("done", ["extra.txt", "interview.md"])
    assert (state["done"], state["total"]) == (2, 2)
    bad = [("files", ("broken.docx", b"not a zip", "application/octet-stream"))]
    failed = wait_for(client, client.post("/api/jobs/import", files=bad,
                                          headers={"X-CSRF-Token": token}).json())
    assert failed["status"] == "failed" and "broken.docx" in failed["message"]


def test_web_report_is_built_in_the_background(local):
    client = TestClient(local, base_url=LOCAL)
    job = client.post("/api/jobs/report", json={}, headers={"X-CSRF-Token": csrf_of(client)})
    state = wait_for(client, job.json())
    assert state["status"] == "done" and state["done"] == 5
    files = state["result"]["files"]
    assert sorted(files) == ["report.docx", "report.html", "report.md.zip", "report.pdf"]
    html = client.get(files["report.html"])
    assert html.status_code == 200 and b"Stronger Starts evaluation" in html.content
    assert client.get(files["report.pdf"]).content.startswith(b"%PDF-")
    import io
    import zipfile

    markdown = zipfile.ZipFile(io.BytesIO(client.get(files["report.md.zip"]).content))
    names = markdown.namelist()
    assert "report.md" in names and any(n.startswith("report_files/") for n in names)


def test_web_owner_edits_a_codes_definition_and_rules(local, plain_project):
    client = TestClient(local, base_url=LOCAL)
    _source, code = first_ids(plain_project)
    response = client.post(f"/api/codes/{code}/edit", headers={"X-CSRF-Token": csrf_of(client)},
                           json={"definition": "How families are referred.",
                                 "inclusion": ["schools referring"], "exclusion": ["thresholds"],
                                 "keywords": ["referr*"]})
    assert response.status_code == 200
    page = client.get("/framework").text
    assert "include: schools referring." in page and "keywords: referr*" in page


def test_web_logout_needs_the_csrf_token(team):
    client, token = login(team, "cora")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    response = client.post("/logout", data={"csrf": token}, follow_redirects=False)
    assert response.status_code == 303


def source_named(path, name: str) -> int:
    with Project.open(path) as project, project.session() as session:
        return session.scalar(select(Source.id).where(Source.name == name))


@pytest.mark.parametrize(("user", "status"), [("cora", 200), ("vic", 403)])
def test_web_reader_marks_a_speaker_as_the_research_team(team, web_project, user, status):
    from framesynth.store.models import Speaker

    client, token = login(team, user)
    source = source_named(web_project, "int01-maureen-okafor.txt")
    page = client.get(f"/sources/{source}").text
    assert 'data-team-label="Maureen"' + ("" if status == 200 else " disabled") + "> Maureen" in page
    assert 'data-team-label="Interviewer" checked' in page
    url = f"/api/sources/{source}/team"
    assert client.post(url, json={"label": "Maureen", "team": True}).status_code == 403  # CSRF
    marked = client.post(url, json={"label": "maureen", "team": True},
                         headers={"X-CSRF-Token": token})
    assert marked.status_code == status
    if status != 200:
        assert marked.json()["error"]["code"] == "FS501"
        return
    assert marked.json() == {"source_id": source, "label": "Maureen", "team": True,
                             "kind": "interview"}  # the cases table states it
    assert 'data-team-label="Maureen" checked' in client.get(f"/sources/{source}").text
    missing = client.post(url, json={"label": "Okafor", "team": True},
                          headers={"X-CSRF-Token": token})
    assert (missing.status_code, missing.json()["error"]["message"]) == (
        404, "int01-maureen-okafor.txt has no speaker 'Okafor' [FS002]")
    with Project.open(web_project) as project, project.session() as session:
        assert session.scalar(select(Speaker.is_interviewer).where(
            Speaker.source_id == source, Speaker.label == "Maureen")) is True


def test_web_autocode_unknown_method_is_refused_like_the_cli(local):
    client = TestClient(local, base_url=LOCAL)
    response = client.post("/api/jobs/autocode", json={"method": "magic"},
                           headers={"X-CSRF-Token": csrf_of(client)})
    assert (response.status_code, response.json()) == (400, {"error": {"code": "FS003", "message": (
        "method 'magic' is not one of: keyword, semantic, supervised, tuned [FS003]")}})


def test_web_search_api_pages_through_every_hit_once(local, plain_project):
    client = TestClient(local, base_url=LOCAL)
    first = client.get("/api/search", params={"q": "the", "limit": 7}).json()
    pages, offset = [first], 7
    while offset < first["total"]:
        pages.append(client.get("/api/search", params={"q": "the", "limit": 7,
                                                        "offset": offset}).json())
        offset += 7
    hits = [hit for page in pages for hit in page["hits"]]
    with Project.open(plain_project) as project, project.session() as session:
        expected = [hit.as_dict() for hit in search(session, "the", width=50)]
    assert (first["total"], first["offset"], first["limit"], hits) == (
        len(expected), 0, 7, expected)
    assert len(first["hits"]) == 7 < first["total"]


def test_web_search_api_bad_regex_is_one_json_error(local):
    response = TestClient(local, base_url=LOCAL).get("/api/search",
                                                     params={"q": "(", "regex": "true"})
    assert response.json()["error"]["code"] == "FS003"


def test_web_search_page_links_to_the_next_and_previous_pages(local):
    client = TestClient(local, base_url=LOCAL)
    page = client.get("/search", params={"q": "the", "limit": 5, "offset": 5}).text
    total = client.get("/api/search", params={"q": "the"}).json()["total"]
    assert f"hits 6–10 of {total} hits" in page
    assert page.count('<td class="match">') == 5
    assert '<a rel="prev" href="/search?q=the&amp;offset=0&amp;limit=5">' in page
    assert '<a rel="next" href="/search?q=the&amp;offset=10&amp;limit=5">' in page
    last = client.get("/search", params={"q": "the", "limit": 5, "offset": total - 1}).text
    assert 'rel="next"' not in last and f"hits {total}–{total} of {total} hits" in last
