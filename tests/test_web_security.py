"""Security of the web workbench (issue 10): each probe of a team server that a browser on
another site, a reverse proxy, a revoked user or a password guesser would try, refused.

Headers on every response and no inline script; Host checked; every change refused without
the session's CSRF token or from another site (a walk over every route the app registers);
a login wherever the project has accounts; sessions that end at once; throttled logins;
a slow regular expression that leaves the server answering; report jobs for coders only,
their files on disk and expired; an uploaded zip bomb and an XML entity refused in one
line and bounded memory; ids beyond 64 bits. The same probes at the library's level live
beside the code they test: `test_io_bounded.py` (a 1.5 GB `.qdpx` member refused with the
importing process's own peak memory measured), `test_web_uploads.py` (upload names and
limits), `test_web_odd_input.py` (ids, colours in `style=`) and `test_project_odd_files.py`
(a newer schema, a read-only project)."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from framesynth.accounts import add_user, remove_user, set_password, set_role
from framesynth.familiarise.search import REGEX_SECONDS
from framesynth.io.importers import import_files
from framesynth.logins import ThrottlePolicy
from framesynth.project import Project
from framesynth.store.engine import local_path
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

LOCAL = "http://127.0.0.1"  # the Host a browser on this machine sends

TEMPLATES = Path(__file__).parent.parent / "src" / "framesynth" / "web" / "templates"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; ")


@pytest.fixture
def client(demo_path):
    return TestClient(create_app(Settings(project=demo_path, host="127.0.0.1", local_user="ruth",
                                          embedder="hashing.v1")), base_url=LOCAL)


@pytest.mark.parametrize("path", ["/", "/sources/1", "/matrix", "/api/sources", "/api/jobs/nope",
                                  "/static/app.js", "/login"])
def test_web_security_headers_on_pages_api_errors_and_files(client, path):
    headers = client.get(path).headers
    assert {name: headers[name] for name in (
        "content-security-policy", "x-frame-options", "x-content-type-options",
        "referrer-policy")} == {
        "content-security-policy": CSP + "frame-ancestors 'none'",
        "x-frame-options": "DENY", "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin"}


def test_web_security_only_the_report_preview_may_be_framed_and_only_by_us(client):
    headers = client.get("/report/preview").headers
    assert headers["content-security-policy"] == CSP + "frame-ancestors 'self'"
    assert headers["x-frame-options"] == "SAMEORIGIN"


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_web_security_templates_have_no_inline_script_or_handlers(template):
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text) == []
    assert re.findall(r"\son[a-z]+\s*=", text) == []


PASSWORD = "correct horse battery"
FOREIGN = "http://rebound.example"  # a site whose name a DNS rebinding points at 127.0.0.1


@pytest.fixture
def team_path(stores, demo_path, tmp_path):
    path = stores.copy(demo_path, "team.fsdb")
    with Project.open(path) as project, project.session() as session:
        for name, role in (("olive", "owner"), ("cora", "coder"), ("vic", "viewer")):
            add_user(session, name, PASSWORD, role=role, actor="test")
    return path


def app_for(path, host="127.0.0.1", **settings):
    return create_app(Settings(project=path, host=host, local_user="ruth",
                               embedder="hashing.v1", **settings))


def login(app, name: str, password: str = PASSWORD) -> tuple[TestClient, str]:
    client = TestClient(app, base_url=LOCAL)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"name": name, "password": password, "csrf": token})
    page = client.get("/framework")
    return client, re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)


def code_something(client: TestClient, token: str):  # type: ignore[no-untyped-def]
    return client.post("/api/codings", headers={"X-CSRF-Token": token},
                       json={"source_id": 1, "start": 300, "end": 320, "code_id": 2})


# --- Host ------------------------------------------------------------------------------

def test_web_security_a_foreign_host_reads_and_writes_nothing(client):
    rebound = TestClient(client.app, base_url=FOREIGN)
    read = rebound.get("/api/sources/1/codings")
    assert (read.status_code, read.json()) == (421, {"error": {"code": "FS504", "message": (
        "this server does not answer to 'rebound.example'; start it with --allow-host NAME "
        "to add a name [FS504]")}})
    assert rebound.post("/api/codes", json={"name": "Planted"}).status_code == 421
    assert read.headers["x-frame-options"] == "DENY"  # refusals carry the headers too


@pytest.mark.parametrize(("host", "status"), [
    ("localhost:8765", 200), ("127.0.0.1", 200), ("127.3.4.5:80", 200), ("[::1]:8765", 200),
    ("LOCALHOST", 200), ("qual.example.org", 200), ("evil.example", 421),
    ("qual.example.org.evil.example", 421), ("", 400), ("a b", 400), ("x:notaport", 400),
    ("user@127.0.0.1", 400)])
def test_web_security_hosts_the_server_answers_to(demo_path, host, status):
    app = app_for(demo_path, allow_hosts=("qual.example.org",))
    response = TestClient(app, base_url=LOCAL).get("/api/sources", headers={"host": host})
    assert response.status_code == status


def test_web_security_a_server_on_every_address_takes_any_host_but_needs_a_login(demo_path):
    app = app_for(demo_path, host="0.0.0.0")
    response = TestClient(app, base_url="http://192.0.2.7").get("/api/sources")
    assert (response.status_code, response.json()["error"]["code"]) == (401, "FS500")


# --- who is asking ---------------------------------------------------------------------

def test_web_security_accounts_mean_a_login_even_on_loopback(team_path):
    client = TestClient(app_for(team_path), base_url=LOCAL)
    assert client.get("/api/sources").status_code == 401
    assert client.get("/matrix", follow_redirects=False).headers["location"] == (
        "/login?next=/matrix")


@pytest.mark.parametrize("header", [{"x-forwarded-for": "203.0.113.9"},
                                    {"forwarded": "for=203.0.113.9;proto=https"},
                                    {"x-real-ip": "203.0.113.9"}])
def test_web_security_a_proxied_request_is_not_the_local_owner(demo_path, header):
    client = TestClient(app_for(demo_path), base_url=LOCAL)
    response = client.get("/api/sources", headers=header)
    assert (response.status_code, response.json()["error"]["message"]) == (401, (
        "this project has no accounts yet, and this server is not a local one: add one with "
        "`framesynth users add` [FS500]"))
    assert client.get("/api/sources").status_code == 200  # the same request, not proxied


def test_web_security_every_route_but_login_needs_a_login(team_path):
    app = app_for(team_path)
    anonymous = TestClient(app, base_url=LOCAL)
    open_routes = []
    for route, method, path in routes(app):
        response = anonymous.request(method, path, json={}, follow_redirects=False)
        if method == "GET" and not path.startswith("/api/"):
            refused = response.status_code == 303 and response.headers["location"].startswith(
                "/login")
        else:
            refused = response.status_code in {401, 403}
        if not refused:
            open_routes.append((method, route, response.status_code))
    assert open_routes == [("GET", "/login", 200)]


def test_web_security_api_docs_are_for_those_logged_in(team_path):
    app = app_for(team_path)
    assert TestClient(app, base_url=LOCAL).get("/api/openapi.json").status_code == 401
    client, _ = login(app, "vic")
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "<code>/api/codings</code>" in docs.text
    assert "/api/codings" in client.get("/api/openapi.json").json()["paths"]


# --- CSRF and other sites, on every route ------------------------------------------------

def routes(app) -> list[tuple[str, str, str]]:
    """Every (route, method, concrete path) the app serves, ids and names filled in: read
    from its OpenAPI description, which lists every route (no route leaves itself out:
    ``test_web_security_no_route_hides_from_the_walk``)."""
    found = []
    for route, methods in app.openapi()["paths"].items():
        path = re.sub(r"\{[a-z_]+\}", "1", route.replace("{name}", "cora"))
        found.extend((route, method.upper(), path) for method in sorted(methods))
    return found


def test_web_security_no_route_hides_from_the_walk():
    source = Path(__file__).parent.parent / "src" / "framesynth" / "web"
    assert [p.name for p in source.rglob("*.py") if "include_in_schema" in p.read_text(
        encoding="utf-8")] == []


def changing_routes(app) -> list[tuple[str, str]]:
    return [(method, path) for _route, method, path in routes(app)
            if method not in {"GET", "HEAD"}]


def test_web_security_the_walk_covers_the_changes_a_user_makes(team_path):
    walked = set(changing_routes(app_for(team_path)))
    assert {("POST", "/api/codings"), ("POST", "/api/jobs/report"), ("POST", "/api/jobs/import"),
            ("POST", "/accounts/cora/role"), ("POST", "/logout"), ("POST", "/login"),
            ("DELETE", "/api/codings/1")} <= walked
    assert len(walked) >= 30


def test_web_security_every_change_needs_the_csrf_token(team_path):
    app = app_for(team_path)
    client, _token = login(app, "olive")
    answers = {(method, path): client.request(method, path, json={}) for method, path
               in changing_routes(app)}
    assert {key: (r.status_code, r.json()["error"]["code"]) for key, r in answers.items()
            if (r.status_code, r.json().get("error", {}).get("code")) != (403, "FS502")} == {}


@pytest.mark.parametrize("header", [{"origin": FOREIGN}, {"origin": "null"},
                                    {"sec-fetch-site": "cross-site"},
                                    {"sec-fetch-site": "same-site"}])
def test_web_security_every_change_from_another_site_is_refused(team_path, header):
    app = app_for(team_path)
    client, token = login(app, "olive")
    statuses = {(method, path): client.request(method, path, json={}, headers={
        "X-CSRF-Token": token, **header}).status_code for method, path in changing_routes(app)}
    assert {key: status for key, status in statuses.items() if status != 403} == {}


def test_web_security_a_change_from_this_site_with_the_token_goes_through(team_path):
    client, token = login(app_for(team_path), "cora")
    response = client.post("/api/codings", json={
        "source_id": 1, "start": 300, "end": 320, "code_id": 2}, headers={
        "X-CSRF-Token": token, "origin": LOCAL, "sec-fetch-site": "same-origin"})
    assert response.status_code == 201


# --- sessions end at once ----------------------------------------------------------------

@pytest.mark.parametrize("change", [
    lambda session: set_role(session, "cora", "viewer", actor="olive"),
    lambda session: set_password(session, "cora", "another long one", actor="olive"),
    lambda session: remove_user(session, "cora", actor="olive")])
def test_web_security_an_account_change_ends_its_sessions_at_once(team_path, change):
    app = app_for(team_path)
    client, token = login(app, "cora")
    assert code_something(client, token).status_code == 201
    with Project.open(team_path) as project, project.session() as session:
        change(session)  # what `framesynth users role|password|remove` does
    refused = code_something(client, token)
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "FS500")


def test_web_security_logout_ends_the_session_for_a_copied_cookie_too(team_path):
    app = app_for(team_path)
    client, token = login(app, "cora")
    copied = TestClient(app, base_url=LOCAL, cookies=dict(client.cookies))
    assert code_something(copied, token).status_code == 201
    client.post("/logout", data={"csrf": token})
    assert code_something(copied, token).status_code == 401


def test_web_security_the_role_is_read_from_the_store_on_every_request(team_path):
    app = app_for(team_path)
    owner, owner_token = login(app, "olive")
    coder, token = login(app, "cora")
    assert owner.post("/accounts/cora/role", data={"role": "viewer", "csrf": owner_token},
                      follow_redirects=False).status_code == 303
    assert coder.get("/api/sources").status_code == 401  # logged out at once
    coder, token = login(app, "cora")
    assert code_something(coder, token).status_code == 403  # now a viewer


def test_web_security_sessions_expire_when_idle_and_in_all(team_path):
    from datetime import timedelta

    from framesynth.logins import SessionPolicy, find_session, log_in

    policy = SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=8))
    with Project.open(team_path) as project, project.session() as session:
        started = log_in(session, "cora", PASSWORD)
        begun = started.session.created_at
        assert find_session(session, started.token, policy=policy,
                            now=begun + timedelta(minutes=29)) is not None
        for step in range(1, 17):  # used every 29 minutes: alive until 8 hours have passed
            alive = find_session(session, started.token, policy=policy,
                                 now=begun + timedelta(minutes=29 * step))
            assert (alive is not None) == (29 * step <= 8 * 60)
        again = log_in(session, "cora", PASSWORD)
        assert find_session(session, again.token, policy=policy,
                            now=again.session.created_at + timedelta(minutes=31)) is None


def test_web_security_the_cookie_holds_a_random_token_not_the_role(team_path):
    client, _ = login(app_for(team_path), "olive")
    cookie = client.cookies["fs_session"]
    assert len(cookie) >= 40 and "owner" not in cookie and "olive" not in cookie
    with Project.open(team_path) as project, project.session() as session:
        from sqlalchemy import select

        from framesynth.store.models import WebSession
        stored = session.scalars(select(WebSession.token_hash)).all()
    assert len(stored) == 1 and cookie not in stored[0] and len(stored[0]) == 64


# --- login throttling ----------------------------------------------------------------------

def try_login(client: TestClient, name: str, password: str):  # type: ignore[no-untyped-def]
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    return client.post("/login", data={"name": name, "password": password, "csrf": token},
                       follow_redirects=False)


def test_web_security_twenty_wrong_passwords_are_throttled(team_path):
    client = TestClient(app_for(team_path), base_url=LOCAL)
    statuses = [try_login(client, "cora", f"guess number {n}").status_code for n in range(20)]
    assert statuses == [401] * 5 + [429] * 15  # five failures, then every try waits
    right = try_login(client, "cora", PASSWORD)
    assert right.status_code == 429 and "fs_session" not in client.cookies
    assert "too many failed logins for this account; try again in" in right.text
    assert try_login(client, "olive", PASSWORD).status_code == 303  # others are not locked out


def test_web_security_unknown_names_are_throttled_like_real_ones(team_path):
    client = TestClient(app_for(team_path), base_url=LOCAL)
    assert [try_login(client, "nobody", "guess it").status_code for _ in range(6)] == (
        [401] * 5 + [429])


def test_web_security_one_address_guessing_many_names_is_throttled(team_path):
    app = app_for(team_path, throttle=ThrottlePolicy(free=50, free_per_address=10))
    client = TestClient(app, base_url=LOCAL)
    statuses = [try_login(client, f"name{n}", "guess it").status_code for n in range(12)]
    assert statuses == [401] * 10 + [429] * 2
    assert "too many failed logins for this address" in try_login(client, "olive",
                                                                   PASSWORD).text


def test_web_security_a_wait_ends_and_a_success_forgets_the_failures(team_path):
    from datetime import timedelta

    from framesynth.logins import LoginThrottled, log_in
    from framesynth.store.models import utcnow

    with Project.open(team_path) as project, project.session() as session:
        start = utcnow()
        for n in range(5):
            assert log_in(session, "cora", "wrong wrong", now=start + timedelta(seconds=n)) is None
        with pytest.raises(LoginThrottled, match="try again in 30 s"):
            log_in(session, "cora", PASSWORD, now=start + timedelta(seconds=5))
        later = start + timedelta(seconds=40)
        assert log_in(session, "cora", PASSWORD, now=later) is not None
        assert log_in(session, "cora", "wrong wrong", now=later) is None  # counted afresh


def test_web_security_an_unknown_name_costs_an_argon2_check_too(team_path, monkeypatch):
    """The timing of a refusal must not tell whether the name exists: both verify a hash."""
    from argon2 import PasswordHasher

    from framesynth.accounts import authenticate

    checked = []
    real = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify",
                        lambda self, hash, password: checked.append(hash[:9]) or real(
                            self, hash, password))
    with Project.open(team_path) as project, project.session() as session:
        assert authenticate(session, "nobody", "guess it") is None
        assert authenticate(session, "cora", "guess it") is None
        assert authenticate(session, "cora", PASSWORD).name == "cora"
    assert checked == ["$argon2id"] * 3


# --- long work does not stop the server --------------------------------------------------

def serve(path):  # type: ignore[no-untyped-def]
    import socket

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app_for(path), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def test_web_security_a_slow_regex_leaves_the_server_answering(project, project_path, tmp_path):
    import httpx

    transcript = tmp_path / "long.txt"
    transcript.write_text("Interviewer: Say it.\n\nRuth: " + "x" * 5000 + "\n",
                          encoding="utf-8")
    with project.session() as session:
        import_files(session, [transcript])
    server, thread, url = serve(project_path)
    slow: dict[str, object] = {}

    def search() -> None:
        began = time.monotonic()
        response = httpx.get(f"{url}/search", params={"q": "(x+x+)+y", "regex": "true"},
                             timeout=60)
        slow.update(status=response.status_code, seconds=time.monotonic() - began,
                    text=response.text)

    try:
        running = threading.Thread(target=search)
        running.start()
        time.sleep(0.5)  # the search is now backtracking
        began = time.monotonic()
        other = httpx.get(f"{url}/api/sources", timeout=60)
        answered_in = time.monotonic() - began
        running.join(timeout=60)
    finally:
        server.should_exit = True
        thread.join(timeout=5)
    assert other.status_code == 200 and answered_in < 1.0
    assert slow["status"] == 400 and slow["seconds"] < REGEX_SECONDS + 5
    assert "took longer than 5 s; make it simpler [FS003]" in str(slow["text"])


# --- background jobs ---------------------------------------------------------------------

def wait_for(client: TestClient, job: dict) -> dict:
    for _ in range(600):
        state = client.get(f"/api/jobs/{job['id']}").json()
        if state.get("status") in {"done", "failed"}:
            return state
        time.sleep(0.1)
    raise AssertionError("the job did not finish")


def test_web_security_a_report_job_needs_a_coder_and_the_token(team_path):
    app = app_for(team_path)
    viewer, token = login(app, "vic")
    refused = viewer.post("/api/jobs/report", json={}, headers={"X-CSRF-Token": token})
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "FS501")
    coder, token = login(app, "cora")
    assert coder.post("/api/jobs/report", json={}).status_code == 403


def test_web_security_job_files_are_on_disk_for_their_owner_and_expire(team_path):
    app = app_for(team_path)
    coder, token = login(app, "cora")
    state = wait_for(coder, coder.post("/api/jobs/report", json={},
                                       headers={"X-CSRF-Token": token}).json())
    beside = local_path(team_path)  # the file, or FRAMESYNTH_LOCAL_DIR/DATABASE
    folder = beside.with_name(beside.name + "-jobs") / state["id"]
    assert sorted(p.name for p in folder.iterdir()) == ["job.json", "report.docx", "report.html",
                                                        "report.md.zip", "report.pdf"]
    assert app.state.jobs.jobs[state["id"]].result == state["result"]  # no bytes in memory
    url = state["result"]["files"]["report.html"]
    assert coder.get(url).content == (folder / "report.html").read_bytes()
    viewer, _ = login(app, "vic")
    assert viewer.get(url).status_code == 404  # someone else's job
    owner, _ = login(app, "olive")
    assert owner.get(url).status_code == 200
    app.state.jobs.expire(now=time.time() + 25 * 3600)
    assert not folder.exists() and coder.get(url).status_code == 404


def test_web_security_a_job_started_by_one_worker_is_followed_through_another(team_path):
    """``serve --workers N``: the polling request may reach another process than the one
    running the job; it reads the job's state (and files) from the jobs folder."""
    first, second = app_for(team_path), app_for(team_path)  # two workers, one project
    coder, token = login(first, "cora")
    other, _ = login(second, "cora")
    started = coder.post("/api/jobs/report", json={}, headers={"X-CSRF-Token": token}).json()
    state = wait_for(other, started)
    assert state["status"] == "done"
    assert state["id"] not in second.state.jobs.jobs  # it ran in the first worker
    url = state["result"]["files"]["report.md.zip"]
    assert other.get(url).content == coder.get(url).content
    viewer, _ = login(second, "vic")
    assert viewer.get(f"/api/jobs/{state['id']}").status_code == 404  # still only its owner's


# --- what `serve` says ----------------------------------------------------------------------

@pytest.mark.parametrize(("host", "accounts", "line"), [
    ("127.0.0.1", 0, "no accounts: open to this machine only, as the project owner"),
    ("127.0.0.2", 0, "no accounts: open to this machine only, as the project owner"),
    ("::1", 0, "no accounts: open to this machine only, as the project owner"),
    ("0.0.0.0", 0, "no accounts: nobody can log in until you add one with "
                   "`framesynth users add`"),
    ("127.0.0.2", 3, "login required: 3 accounts"),
    ("0.0.0.0", 1, "login required: 1 account")])
def test_web_security_serve_says_who_may_enter(host, accounts, line):
    from framesynth.cli.serve import who_may_enter

    assert who_may_enter(host, accounts) == line


# --- bounded input through the web ---------------------------------------------------------

MB = 1024 * 1024


def word_bomb(size_mb: int) -> bytes:
    """A .docx of a few hundred KB whose document.xml unpacks to ``size_mb`` megabytes."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        with package.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(b"<w:document>")
            for _ in range(size_mb):
                member.write(b"a" * MB)
    return buffer.getvalue()


def import_job(client: TestClient, name: str, data: bytes) -> dict:
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text).group(1)
    job = client.post("/api/jobs/import", files=[("files", (name, data, "application/zip"))],
                      headers={"X-CSRF-Token": token})
    return wait_for(client, job.json())


def test_web_security_an_uploaded_zip_bomb_is_refused_in_bounded_memory(stores, demo_path, tmp_path,
                                                                        snapshot):
    import tracemalloc

    path = stores.copy(demo_path, "bomb.fsdb")
    client = TestClient(app_for(path), base_url=LOCAL)
    bomb = word_bomb(1024)  # 1 GB of text in about a megabyte
    before = snapshot(path)
    tracemalloc.start()
    try:
        state = import_job(client, "bomb.docx", bomb)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(bomb) < 2 * MB
    assert (state["status"], state["message"].splitlines()) == ("failed", [
        "bomb.docx, member word/document.xml: declares 1,024 MB uncompressed, more than the "
        "512 MB a member may hold [FS106]", "1 file(s) failed; nothing was imported [FS100]"])
    assert peak < 64 * MB  # before: 2.2 GB for a 1 MB bomb
    assert snapshot(path) == before


def test_web_security_an_xml_entity_is_refused_not_cut_short(stores, demo_path, tmp_path, snapshot):
    import io

    import docx

    document = docx.Document()
    document.add_paragraph("Interviewer: before &who; after")
    buffer = io.BytesIO()
    document.save(buffer)
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    planted = io.BytesIO()
    with zipfile.ZipFile(planted, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "word/document.xml":
                content = content.replace(b"&amp;who;", b"&who;").replace(
                    b"?>", b'?><!DOCTYPE w:document [<!ENTITY who "Ruth">]>', 1)
            out.writestr(info.filename, content)
    path = stores.copy(demo_path, "entity.fsdb")
    before = snapshot(path)
    state = import_job(TestClient(app_for(path), base_url=LOCAL), "entity.docx",
                       planted.getvalue())
    assert (state["status"], state["message"].splitlines()[0]) == ("failed", (
        "entity.docx, member word/document.xml: the XML declares entities (who); framesynth "
        "does not expand entities, save the file again without them [FS107]"))
    assert snapshot(path) == before


@pytest.mark.parametrize("path", ["/sources/99999999999999999999999",
                                  "/api/sources/99999999999999999999999/codings",
                                  "/sources/9223372036854775808"])
def test_web_security_ids_beyond_64_bits_are_not_found(client, path):
    response = client.get(path)
    assert (response.status_code, response.json()["error"]["code"]) == (404, "FS002")
