"""The reader's transcription mode in a real headless Chromium: a recording spoken by
espeak-ng with its WebVTT transcript; a click on a turn seeks the player to the turn's
start and marks it, F3 goes back 3 s, a turn is corrected in the page (its coding carried,
the old text kept) and a digit key sets a turn's speaker."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_web_e2e import CHROMIUM, CHROMIUM_ARGS, serve

from framesynth.familiarise.sources import get_source
from framesynth.index.coding import code_span
from framesynth.project import Project
from framesynth.store.models import Coding, SourceRevision

pytestmark = pytest.mark.browser  # skipped without Chromium, failed under CI=true (conftest)
NAME = "int03.vtt"
PLAYER = "document.getElementById('player')"


@pytest.fixture
def site(recorded_interview):
    location, spoken = recorded_interview
    with Project.open(location) as project, project.session() as session:
        source = get_source(session, NAME)
        start = source.text.index("chest freezer")
        code_span(session, NAME, start, start + 13, "Access/Referral routes", coder="ruth")
        source_id = source.id
    server, thread, url = serve(location, "127.0.0.1")
    yield location, f"{url}/sources/{source_id}", spoken
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"])
        yield browser.new_page(viewport={"width": 1280, "height": 800})
        browser.close()


def watch_seek(page) -> None:  # type: ignore[no-untyped-def]
    """Note the player's time at its next ``seeked`` event (read with :func:`seeked`)."""
    page.evaluate(f"""() => {{ window.seekedAt = null; {PLAYER}.addEventListener('seeked',
        () => {{ window.seekedAt = {PLAYER}.currentTime; }}, {{once: true}}); }}""")


def seeked(page) -> float:  # type: ignore[no-untyped-def]
    page.wait_for_function("() => window.seekedAt !== null", timeout=10_000)
    return float(page.evaluate("() => window.seekedAt"))


def test_e2e_transcription_mode_plays_corrects_and_sets_speakers(site, page):
    location, url, spoken = site
    page.goto(url)
    page.wait_for_function(f"() => {PLAYER}.readyState >= 1")  # the recording's metadata came
    watch_seek(page)
    page.click('.turn[data-position="3"] .text')
    assert abs(seeked(page) - spoken[3].start) < 0.3
    page.wait_for_selector('.turn.playing[data-position="3"]')
    assert page.locator(".turn.playing").count() == 1
    page.wait_for_function(f"() => !{PLAYER}.paused && {PLAYER}.currentTime > {spoken[3].start}")

    page.keyboard.press("F4")  # pause
    page.wait_for_function(f"() => {PLAYER}.paused")
    before = page.evaluate(f"() => {PLAYER}.currentTime")
    watch_seek(page)
    page.keyboard.press("F3")  # back 3 s
    assert abs(seeked(page) - max(0.0, before - 3)) < 0.05
    page.keyboard.press("F6")
    assert page.inner_text("#rate") == "1.1×"

    page.click('.turn[data-position="1"] button.edit-turn')
    page.fill(".turn-editor textarea", "With one big chest freezer in the hall.")
    with page.expect_navigation():
        page.click(".turn-editor .save-turn")
    with Project.open(location) as project, project.session() as session:
        source = get_source(session, NAME)
        coding = session.scalar(select(Coding))
        assert source.turns[1].text == "With one big chest freezer in the hall."
        assert source.text[coding.start:coding.end] == coding.text == "chest freezer"
        assert "church hall" in session.scalar(select(SourceRevision.text))
    assert page.inner_text('.turn[data-position="1"] .text') == (
        "With one big chest freezer in the hall.")

    page.focus('.turn[data-position="4"]')
    with page.expect_navigation():
        page.keyboard.press("2")  # the second speaker in the legend: Maureen
    assert page.inner_text('.turn[data-position="4"] .who strong') == "Maureen"
    with Project.open(location) as project, project.session() as session:
        assert get_source(session, NAME).turns[4].speaker.label == "Maureen"


def test_e2e_a_time_range_marked_while_listening_is_coded(site, page):
    location, url, spoken = site
    page.goto(url)
    page.wait_for_function(f"() => {PLAYER}.readyState >= 1")
    start, end = spoken[2].start + 0.1, spoken[3].end - 0.1  # across two turns
    for moment, key in ((start, "F7"), (end, "F8")):
        watch_seek(page)
        page.evaluate(f"() => {{ {PLAYER}.currentTime = {moment}; }}")
        seeked(page)
        page.keyboard.press(key)
    assert page.inner_text("#marked") == (
        f"{int(start // 60)}:{int(start % 60):02d} to {int(end // 60)}:{int(end % 60):02d}")
    page.click("#code-range")
    page.fill("#picker-filter", "Referral routes")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    with Project.open(location) as project, project.session() as session:
        timed = session.scalar(select(Coding).where(Coding.media_start.is_not(None)))
        assert (timed.media_start, timed.media_end) == (pytest.approx(start, abs=0.01),
                                                        pytest.approx(end, abs=0.01))
        assert spoken[2].text.split()[0] in timed.text and spoken[3].text.split()[-1] in timed.text
        assert timed.coder == "ruth"
