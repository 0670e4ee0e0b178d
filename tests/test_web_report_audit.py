"""The web report page lists words its quotes use that the cases table does not know, and
a download in which a known name survived is refused (409), never sent."""

from __future__ import annotations

from fastapi.testclient import TestClient

from framesynth.frame.framework import find_code
from framesynth.index.coding import code_turn
from framesynth.interpret.anonymise import Anonymiser
from framesynth.io.codebook import import_codebook
from framesynth.io.importers import import_files
from framesynth.io.importers.case_table import import_case_table
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

LOCAL = "http://127.0.0.1"


def app_over(project, data_dir, framework_file, tmp_path):  # type: ignore[no-untyped-def]
    """The app over ``project`` with a coded interview naming Kirsty, Zorbury and Maureen Okafor."""
    transcript = tmp_path / "int09.txt"
    transcript.write_text("Interviewer: Who helped?\n\nMaureen: Then Kirsty rang the Zorbury "
                          "office, and Maureen Okafor sent the form the same day.\n", encoding="utf-8")
    with project.session() as session:
        import_case_table(session, data_dir / "cases.csv")
        [source] = import_files(session, [transcript])
        import_codebook(session, framework_file, actor="ruth")
        code_turn(session, source.turns[-1], find_code(session, "Referral routes"), coder="ruth")
    return create_app(Settings(project=project.location, local_user="ruth", embedder="hashing.v1"))


def test_web_report_page_lists_words_the_cases_table_does_not_know(
        project, data_dir, framework_file, tmp_path):
    page = TestClient(app_over(project, data_dir, framework_file, tmp_path),
                      base_url=LOCAL).get("/report").text
    listed = page[page.index('<section class="unknown-names">'):].split("</section>")[0]
    assert "<strong>Kirsty</strong>" in listed and "<strong>Zorbury</strong>" in listed
    assert "<strong>Maureen" not in listed and "<strong>Okafor" not in listed  # known


def test_web_download_with_a_surviving_name_is_refused(project, data_dir, framework_file,
                                                       tmp_path, monkeypatch):
    """A replacer with a blind spot (it leaves "Okafor" alone) stands in for a bug."""
    client = TestClient(app_over(project, data_dir, framework_file, tmp_path), base_url=LOCAL)
    assert client.get("/download/report.html").status_code == 200
    replace = Anonymiser.__call__
    monkeypatch.setattr(Anonymiser, "__call__", lambda self, text: replace(
        self, text.replace("Okafor", "\0")).replace("\0", "Okafor"))
    refused = client.get("/download/report.html")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "FS610")
    assert "Okafor" in refused.json()["error"]["message"]
    assert b"<html" not in refused.content
