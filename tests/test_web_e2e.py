"""End to end in a real headless Chromium (Debian's, driven by Playwright): a researcher
opens a document, codes a selection, sees and keeps the highlight, accepts a suggestion,
edits a matrix cell, downloads the report; and a viewer can change nothing."""

from __future__ import annotations

import shutil
import socket
import threading
import time

import pytest
from sqlalchemy import select

from framesynth.accounts import add_user
from framesynth.embeddings import HashingEmbedder
from framesynth.index.review import run_autocode
from framesynth.project import Project
from framesynth.store.models import Code, Coding, MatrixCell, Source, User
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.browser  # skipped without Chromium, failed under CI=true (conftest)
PASSWORD = "correct horse battery"
# headless on a closed network: no background connections that would be refused
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(path, host: str):  # type: ignore[no-untyped-def]
    import uvicorn

    port = free_port()
    settings = Settings(project=path, host=host, local_user="ruth", embedder="hashing.v1")
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture
def site(stores, demo_path, tmp_path):
    """A copy of the demo with keyword suggestions, served on loopback."""
    path = stores.copy(demo_path, "site.fsdb")
    with Project.open(path) as project, project.session() as session:
        run_autocode(session, "keyword", embedder=HashingEmbedder(), actor="test")
    server, thread, url = serve(path, "127.0.0.1")
    yield path, url
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


SELECT = """([index, length]) => {
  const node = document.querySelectorAll('.turn .text span')[index].firstChild;
  const range = document.createRange();
  range.setStart(node, 0); range.setEnd(node, length);
  getSelection().removeAllRanges(); getSelection().addRange(range);
  node.parentElement.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
  return node.textContent.slice(0, length);
}"""


def test_e2e_code_a_selection_see_it_and_keep_it(site, browser, tmp_path):
    path, url = site
    with Project.open(path) as project, project.session() as session:
        source = session.scalar(select(Source).where(Source.name == "int07-jide-adeyemi.txt"))
        source_id, before = source.id, len(list(session.scalars(
            select(Coding).where(Coding.source_id == source.id, Coding.status.is_(None)))))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{url}/sources/{source_id}")
    chosen = page.evaluate(SELECT, [2, 25])
    page.wait_for_selector("#picker:not([hidden])")
    page.fill("#picker-filter", "waiting lists")
    # the codes arrive from /api/codes: press Enter once the list shows the match, as a
    # person would
    page.wait_for_selector("#picker-list li:has-text('Waiting lists')")
    with page.expect_navigation():
        page.press("#picker-filter", "Enter")
    with Project.open(path) as project, project.session() as session:
        new = session.scalar(select(Coding).where(Coding.source_id == source_id,
                                                  Coding.coder == "ruth"))
        coding = {"start": new.start, "text": new.text, "code": new.code.name}
    assert (coding["text"], coding["code"]) == (chosen, "Waiting lists")
    page.goto(f"{url}/sources/{source_id}")
    highlight = page.locator(f'.turn .text span.coded[data-start="{coding["start"]}"]')
    highlight.wait_for()
    assert "Access and referrals/Waiting lists (ruth)" in highlight.get_attribute("title")
    page.screenshot(path=str(tmp_path / "reader.png"))
    page.reload()
    page.locator(f'.turn .text span.coded[data-start="{coding["start"]}"]').wait_for()
    with Project.open(path) as project, project.session() as session:
        after = list(session.scalars(select(Coding).where(Coding.source_id == source_id,
                                                          Coding.status.is_(None))))
    assert len(after) == before + 1
    assert any(c.text == chosen and c.coder == "ruth" for c in after)
    with page.expect_navigation():
        page.click("#undo")
    with Project.open(path) as project, project.session() as session:
        assert len(list(session.scalars(select(Coding).where(
            Coding.source_id == source_id, Coding.status.is_(None))))) == before


def test_e2e_accept_a_suggestion(site, browser):
    path, url = site
    page = browser.new_page()
    page.goto(f"{url}/review?method=keyword")
    first = page.locator("input.pick").first
    suggestion = int(first.get_attribute("value"))
    first.check()
    with page.expect_navigation():
        page.click("button[data-review=accept]")
    with Project.open(path) as project, project.session() as session:
        accepted = session.get(Coding, suggestion)
        assert accepted.status == "accepted"
        mine = session.scalar(select(Coding).where(
            Coding.coder == "ruth", Coding.start == accepted.start,
            Coding.code_id == accepted.code_id, Coding.status.is_(None)))
        assert mine is not None


def test_e2e_edit_a_matrix_cell(site, browser):
    path, url = site
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{url}/matrix")
    cell = page.locator('.summary[data-case="P07"]').first
    cell.click()
    page.keyboard.type("Jide's referrals move because he is in the building.")
    page.click("h1")  # leave the cell: it saves
    page.wait_for_selector("#toast.show")
    page.reload()
    assert "he is in the building" in page.locator('.summary[data-case="P07"]').first.inner_text()
    with Project.open(path) as project, project.session() as session:
        assert session.scalar(select(MatrixCell.status)) == "edited"


def test_e2e_a_matrix_cell_changed_meanwhile_shows_both_texts(site, browser):
    from framesynth.chart.matrix import edit_cell, find_case

    path, url = site
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{url}/matrix")
    cell = page.locator('.summary[data-case="P07"]').first
    code_id = int(cell.get_attribute("data-code"))
    with Project.open(path) as project, project.session() as session:  # Olive, elsewhere
        edit_cell(session, find_case(session, "P07"), session.get_one(Code, code_id),
                  "Olive: referrals move with Jide.", actor="olive", expected_version=0)
    cell.click()
    page.keyboard.type("Ruth: the building is the reason.")
    page.click("h1")  # leave the cell: the save is refused
    box = page.wait_for_selector(".conflict")
    assert "was changed by olive" in box.inner_text()
    assert page.locator(".conflict .theirs").inner_text() == "Olive: referrals move with Jide."
    assert cell.inner_text() == "Ruth: the building is the reason."  # her text is kept
    with Project.open(path) as project, project.session() as session:
        assert session.scalar(select(MatrixCell.summary)) == "Olive: referrals move with Jide."
    page.click(".conflict .keep-mine")
    page.wait_for_selector(".conflict", state="detached")
    with Project.open(path) as project, project.session() as session:
        stored = session.scalar(select(MatrixCell))
        assert (stored.summary, stored.updated_by, stored.version) == (
            "Ruth: the building is the reason.", "ruth", 2)


def test_e2e_download_the_report(site, browser, tmp_path):
    _path, url = site
    page = browser.new_page()
    page.goto(f"{url}/report")
    with page.expect_download() as info:
        page.click('a[href="/download/report.html"]')
    target = tmp_path / "report.html"
    info.value.save_as(target)
    text = target.read_text(encoding="utf-8")
    assert "<h1>Stronger Starts evaluation</h1>" in text and "Maureen" not in text


def test_e2e_a_viewer_can_read_but_not_change(stores, demo_path, tmp_path, browser):
    path = stores.copy(demo_path, "team.fsdb")
    with Project.open(path) as project, project.session() as session:
        add_user(session, "vic", PASSWORD, role="viewer", actor="test")
    server, thread, url = serve(path, "0.0.0.0")
    try:
        page = browser.new_page()
        page.goto(f"{url}/matrix")
        assert "/login" in page.url
        page.fill("input[name=name]", "vic")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert page.locator(".summary[contenteditable]").count() == 0
        page.goto(f"{url}/sources/1")
        assert page.locator("#undo").count() == 0
        status = page.evaluate("""async () => (await fetch('/api/codings', {method: 'POST',
            headers: {'Content-Type': 'application/json', 'X-CSRF-Token':
            document.querySelector('meta[name=csrf-token]').content},
            body: JSON.stringify({source_id: 1, start: 0, end: 5, code_id: 2})})).status""")
        assert status == 403
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def test_e2e_an_owner_manages_accounts_and_a_demoted_viewer_is_logged_out(stores,
        demo_path, tmp_path, browser):
    path = stores.copy(demo_path, "accounts.fsdb")
    with Project.open(path) as project, project.session() as session:
        add_user(session, "olive", PASSWORD, role="owner", actor="test")
        add_user(session, "cora", PASSWORD, role="coder", actor="test")
    server, thread, url = serve(path, "127.0.0.1")  # loopback, but the project has accounts
    try:
        pages = {}
        for name in ("olive", "cora"):
            page = browser.new_context().new_page()
            page.goto(f"{url}/accounts" if name == "olive" else f"{url}/matrix")
            assert "/login" in page.url
            page.fill("input[name=name]", name)
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("button[type=submit]")
            pages[name] = page
        owner = pages["olive"]
        with owner.expect_navigation():
            owner.select_option('tr[data-name="cora"] select[name=role]', "viewer")
        assert "cora is now viewer; their sessions have ended" in owner.inner_text(".notice")
        pages["cora"].goto(f"{url}/matrix")
        assert "/login" in pages["cora"].url
        with Project.open(path) as project, project.session() as session:
            assert {u.name: u.role for u in session.scalars(select(User))} == {
                "olive": "owner", "cora": "viewer"}
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def test_e2e_search_opens_the_reader_at_the_hit(site, browser):
    _path, url = site
    page = browser.new_page()
    page.goto(f"{url}/search?q=steering+group")
    with page.expect_navigation():
        page.locator("td.match a").first.click()
    assert "#o" in page.url
    marked = page.locator('.turn .text span[style*="outline"]')
    marked.wait_for()
    assert "steering group" in marked.first.inner_text().lower()


def test_e2e_mark_a_speaker_as_the_research_team(site, browser):
    path, url = site
    with Project.open(path) as project, project.session() as session:
        source = session.scalar(select(Source).where(Source.name == "int07-jide-adeyemi.txt"))
        speaker = next(s for s in source.speakers if not s.is_interviewer)
        source_id, label = source.id, speaker.label
    page = browser.new_page()
    page.goto(f"{url}/sources/{source_id}")
    with page.expect_navigation():
        page.check(f'#team input[data-team-label="{label}"]')
    assert page.locator(f'#team input[data-team-label="{label}"]').is_checked()
    with Project.open(path) as project, project.session() as session:
        source = session.get(Source, source_id)
        assert [s.is_interviewer for s in source.speakers if s.label == label] == [True]


def test_e2e_replace_a_source_then_remove_it(site, browser, tmp_path):
    path, url = site
    name = "int12-lena-hartmann.txt"
    with Project.open(path) as project, project.session() as session:
        source = session.scalar(select(Source).where(Source.name == name))
        source_id, text = source.id, source.text
        coded = len(list(session.scalars(select(Coding).where(Coding.source_id == source_id))))
    corrected = tmp_path / name
    corrected.write_text(text.replace("Interviewer:", "Interviewer:  ", 1), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{url}/")
    form = page.locator(f'form.replace-source[data-source="{source_id}"]')
    form.locator("input[type=file]").set_input_files(str(corrected))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#replace-review:not([hidden])")
    assert page.inner_text("#replace-summary").startswith(f"{name}: {coded} carried")
    page.on("dialog", lambda dialog: dialog.accept())
    remove = page.locator(f'form.remove-source[data-source="{source_id}"]')
    remove.locator("input[name=with_codings]").check()
    with page.expect_navigation():
        remove.locator("button[type=submit]").click()
    assert page.locator(f'tr[data-source="{source_id}"]').count() == 0
    with Project.open(path) as project, project.session() as session:
        assert session.get(Source, source_id) is None


def test_e2e_the_map_filters_levels_whose_names_have_spaces(stores, demo_path, tmp_path, browser):
    from framesynth.familiarise.vocabulary import rename_term

    path = stores.copy(demo_path, "levels.fsdb")
    with Project.open(path) as project, project.session() as session:
        rename_term(session, "level", "strategic", "board level", actor="test")
    server, thread, url = serve(path, "127.0.0.1")
    try:
        page = browser.new_page()
        page.goto(f"{url}/interpret")
        shown = ("[...document.querySelectorAll('#network line')]"
                 ".filter(l => !l.classList.contains('hidden')).length")
        before = page.evaluate(shown)
        page.uncheck('[data-level="board level"]')
        only_board = page.evaluate("""[...document.querySelectorAll('#network line')].filter(
            l => JSON.stringify(JSON.parse(l.dataset.levels)) === '["board level"]').length""")
        assert only_board > 0 and page.evaluate(shown) == before - only_board
        page.check('[data-level="board level"]')
        assert page.evaluate(shown) == before
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def test_e2e_no_page_breaks_the_content_security_policy(site, browser):
    """Every page's scripts, styles and images load under the policy (Chromium reports
    each blocked one on the console)."""
    _path, url = site
    page = browser.new_page()
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    for path in ["/", "/sources/1", "/matrix", "/framework", "/interpret", "/review",
                 "/study", "/report", "/search?q=trust", "/quotes/1"]:
        page.goto(f"{url}{path}")
        page.wait_for_load_state("networkidle")
    assert blocked == []
