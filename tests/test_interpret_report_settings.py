"""The team's report file (``study.report.yaml`` beside ``study.fsdb``) shapes the report:
its outline (sections, themes and analyses, in the team's order), its texts (title,
authors, date, summary, key findings, the method) and its quote count. ``report init``
writes the default; the web report page edits the same file; a mistake in it stops in one
line naming the file and the line, and nothing is written."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import docx
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from typer.testing import CliRunner

from framesynth.accounts import add_user
from framesynth.cli.main import app
from framesynth.embeddings import HashingEmbedder
from framesynth.frame.framework import framework_codes
from framesynth.interpret.method import method_section
from framesynth.interpret.report import Report, build_report
from framesynth.interpret.report_settings import (
    COMMENTS,
    ReportSettings,
    default_settings,
    load_settings,
    settings_path,
)
from framesynth.io.exporters.docx_report import write_docx
from framesynth.io.exporters.html import render_html
from framesynth.io.exporters.markdown import render_markdown
from framesynth.io.exporters.pdf import render_pdf
from framesynth.project import Project
from framesynth.store.engine import local_path
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def study(module_stores, tmp_path_factory, demo_path) -> Path:
    """A copy of the demo, named study.fsdb; tests that write its report file remove it."""
    path = module_stores.copy(demo_path, "study.fsdb")
    return path


@pytest.fixture
def fresh(stores, demo_path, tmp_path) -> Path:
    path = stores.copy(demo_path, "study.fsdb")
    return path


def build(path: Path, settings: ReportSettings) -> Report:
    with Project.open(path) as project, project.session() as session:
        return build_report(session, embedder=HashingEmbedder(), actor="ruth",
                            settings=settings)


def markdown_headings(report: Report, level: str = "## ") -> list[str]:
    return [line[len(level):] for line in render_markdown(report, "f")
            if line.startswith(level)]


def docx_headings(report: Report) -> list[str]:
    buffer = io.BytesIO()
    write_docx(report, buffer)
    return [p.text for p in docx.Document(io.BytesIO(buffer.getvalue())).paragraphs
            if p.style.name == "Heading 1"]


def html_headings(report: Report) -> list[str]:
    return re.findall(r"<h2[^>]*>(.*?)</h2>", render_html(report))


def test_report_init_writes_every_setting_and_the_method_from_the_project(fresh, snapshot):
    runner = CliRunner()
    result = runner.invoke(app, ["report", "init", str(fresh)])
    assert result.exit_code == 0, result.output
    beside = local_path(fresh)  # the file itself, or FRAMESYNTH_LOCAL_DIR/DATABASE
    written = beside.with_name(beside.stem + ".report.yaml")
    assert settings_path(fresh) == written and written.is_file()
    text = written.read_text(encoding="utf-8")
    assert all(re.search(rf"^#? ?{key}:", text, re.MULTILINE) for key in COMMENTS)
    settings = load_settings(written)
    with Project.open(fresh) as project, project.session() as session:
        default = default_settings(session)
        generated = method_section(session, True)
    assert settings.model_dump(exclude={"method"}) == default.model_dump(exclude={"method"})
    assert settings.paragraphs("method") == generated and len(generated) == 4
    assert settings.title == "Stronger Starts evaluation" and settings.group_by == "sector"

    before = snapshot(fresh)
    again = runner.invoke(app, ["report", "init", str(fresh)])
    assert again.exit_code == 1
    assert again.stderr.splitlines() == [
        f"error: {written.name}: the report file already exists; edit it, or pass --force "
        "to write the default over it [FS003]"]
    assert written.read_text(encoding="utf-8") == text and snapshot(fresh) == before
    written.write_text("quotes: 5\n", encoding="utf-8")
    assert runner.invoke(app, ["report", "init", str(fresh), "--force"]).exit_code == 0
    assert written.read_text(encoding="utf-8") == text


def test_report_settings_change_the_outline(study):
    report = build(study, ReportSettings(
        sections=["themes", "framework", "method"],
        themes=["Funding and sustainability", "access and referrals"]))
    expected = ["Funding and sustainability", "Access and referrals", "The framework",
                "How we did it"]
    assert [heading for _anchor, heading in report.contents()] == expected
    assert markdown_headings(report) == expected
    assert html_headings(report) == expected
    assert docx_headings(report) == expected
    assert report.partnerships == [] and report.network is None  # no organisations section
    # each theme keeps its parts: the codes of that theme, in the framework's order
    with Project.open(study) as project, project.session() as session:
        codes = framework_codes(session)
    access = next(c for c in codes if c.name == "Access and referrals")
    assert [part.title for part in report.themes[1].parts] == [
        c.name for c in codes if c.parent_id == access.id]
    assert len(report.themes[1].parts) >= 3


def test_report_settings_choose_the_analyses(study):
    every = build(study, ReportSettings())
    assert every.glance and every.network and every.overview and every.partnership_table
    assert all(t.table and t.figure for t in every.themes)
    assert any(t.comparison for t in every.themes)

    some = build(study, ReportSettings(analyses=["prevalence", "network"]))
    assert some.glance == [] and some.overview is None and some.partnership_table is None
    assert some.network is not None and some.partnerships == []
    assert all(t.table and t.figure is None and t.comparison == "" for t in some.themes)
    markdown = "\n".join(render_markdown(some, "f"))
    assert "At a glance" not in markdown and "heatmap" not in markdown
    assert "Participants mentioning each code" in markdown

    none = build(study, ReportSettings(analyses=[]))
    assert "The partnerships" not in markdown_headings(none)  # nothing left to show
    assert all(t.table is None and t.figure is None for t in none.themes)


def test_report_settings_texts_appear_in_every_format(study):
    settings = ReportSettings(
        title="What we learnt together", subtitle="A learning paper",
        authors=["Rosa Lindqvist", "Tom Reilly"], date=date(2026, 11, 30),
        summary="Families came through people.\n\nMaureen Okafor said so at the Hub.",
        key_findings=["Co-located workers unblock referrals.", "Grants end too early."],
        method="We read every transcript twice.\n\nThen we coded them together.")
    report = build(study, settings)
    assert report.title == "What we learnt together"
    assert report.subtitle == "A learning paper · 30 November 2026"
    assert report.method == ["We read every transcript twice.", "Then we coded them together."]
    assert report.summary[0] == "Families came through people."
    assert "Okafor" not in report.summary[1]  # the team's words are anonymised too
    assert report.contents()[0] == ("summary", "Summary")

    html = render_html(report)
    markdown = "\n".join(render_markdown(report, "f"))
    buffer = io.BytesIO()
    write_docx(report, buffer)
    document = docx.Document(io.BytesIO(buffer.getvalue()))
    word = "\n".join(p.text for p in document.paragraphs)
    pdf = " ".join(" ".join((page.extract_text() or "").split())
                   for page in PdfReader(io.BytesIO(render_pdf(report))).pages)
    texts = ["What we learnt together", "A learning paper · 30 November 2026",
             "Rosa Lindqvist, Tom Reilly", "Families came through people.",
             "Co-located workers unblock referrals.", "Grants end too early.",
             "We read every transcript twice.", "Then we coded them together."]
    for output in (html, markdown, word, pdf):
        assert [t for t in texts if t not in output] == []
        assert "Okafor" not in output
    assert document.core_properties.author == "Rosa Lindqvist, Tom Reilly"
    assert "<h3>Key findings</h3>" in html and "- Grants end too early." in markdown
    generated = build(study, ReportSettings())
    assert generated.method[0].startswith("The evaluation drew on 14 interviews")


def test_report_settings_set_the_quote_count(study):
    counts = {n: build(study, ReportSettings(quotes=n)) for n in (0, 1, 4)}
    sections = {n: [part for theme in report.themes for part in theme.parts]
                for n, report in counts.items()}
    assert [len(r.quotes()) for r in counts.values()] == [0, 19, 4 * 19 - sum(
        4 - len(part.quotes) for part in sections[4])]
    assert all(len(part.quotes) == 1 for part in sections[1])
    assert max(len(part.quotes) for part in sections[4]) == 4


@pytest.mark.parametrize(("edit", "message"), [
    ("quotes: lots\n", "study.report.yaml, line 1: quotes: Input should be a valid integer, "
                       "unable to parse string as an integer [FS003]"),
    ("title: A\nsections:\n- summary\n- chapters\n",
     "study.report.yaml, line 4: sections: 'chapters' is not one of summary, method, "
     "organisations, themes, framework [FS003]"),
    ("title: A\nsubtitel: B\n", "study.report.yaml, line 2: unknown setting 'subtitel'; the "
     "settings are: title, subtitle, authors, date, summary, key_findings, sections, themes, "
     "analyses, method, quotes, group_by, names [FS003]"),
    ("analyses: [chart, chart]\n", "study.report.yaml, line 1: analyses: 'chart' is listed "
                                   "twice [FS003]"),
    ("\n\nthemes: [Money]\n", "study.report.yaml, line 3: themes: 'Money' is not a theme of "
     "the framework; the themes are: Access and referrals, Partnership working, Trust and "
     "relationships, Workforce and capacity, Funding and sustainability, Place and "
     "circumstances [FS003]"),
    ("names: [role\n", "study.report.yaml, line 2: not valid YAML (expected ',' or ']', but "
                       "got '<stream end>') [FS102]"),
    ("- just a list\n", "study.report.yaml: a report file is a list of 'key: value' lines "
                        "[FS003]"),
])
def test_report_with_a_mistake_in_its_file_stops_in_one_line(fresh, tmp_path, snapshot,
                                                              edit, message):
    settings_path(fresh).write_text(edit, encoding="utf-8")
    before = snapshot(fresh)
    out = tmp_path / "report.md"
    result = CliRunner().invoke(app, ["report", str(fresh), "--format", "md", "--out",
                                      str(out), "--embedder", "hashing.v1"])
    message = message.replace("study.report.yaml", settings_path(fresh).name)  # a database's
    assert (result.exit_code, result.stderr.splitlines()) == (1, [f"error: {message}"])
    assert not out.exists() and snapshot(fresh) == before


def test_report_reads_the_file_beside_the_project_and_options_win(fresh, tmp_path):
    settings_path(fresh).write_text("title: Our paper\nquotes: 0\nsections: [themes]\n",
                                    encoding="utf-8")
    runner, out = CliRunner(), tmp_path / "report.md"
    command = ["report", str(fresh), "--format", "md", "--out", str(out), "--embedder",
               "hashing.v1"]
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"wrote {out} (settings from {settings_path(fresh)})"
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Our paper\n") and "> \u201c" not in text  # no quotes
    assert "## How we did it" not in text and "## Access and referrals" in text
    assert runner.invoke(app, [*command, "--quotes", "1"]).exit_code == 0
    assert out.read_text(encoding="utf-8").count("> \u201c") == 19

    other = tmp_path / "other.yaml"
    other.write_text("title: Another paper\n", encoding="utf-8")
    assert runner.invoke(app, [*command, "--settings", str(other)]).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# Another paper\n")


def test_web_report_page_edits_the_report_file(fresh):
    with Project.open(fresh) as project, project.session() as session:
        add_user(session, "cora", "correct horse battery", role="coder", actor="test")
        add_user(session, "vic", "correct horse battery", role="viewer", actor="test")
    web = create_app(Settings(project=fresh, local_user="ruth", embedder="hashing.v1"))

    def login(name: str) -> tuple[TestClient, str]:
        client = TestClient(web, base_url=LOCAL)
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"name": name, "password": "correct horse battery",
                                    "csrf": token})
        page = client.get("/report").text
        return client, re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    coder, token = login("cora")
    themes = ["Access and referrals", "Partnership working", "Trust and relationships",
              "Workforce and capacity", "Funding and sustainability", "Place and circumstances"]
    form = {"csrf": token, "title": "Learning together", "authors": "Rosa Lindqvist\n\nTom Reilly",
            "date": "2026-11-30", "summary": "One.\n\nTwo.", "key_findings": "First\nSecond",
            "quotes": "3", "group_by": "role", "names": "pseudonym", "method": "",
            "section_row": ["summary", "method", "organisations", "themes", "framework"],
            "section_position": ["1", "5", "2", "3", "4"],
            "section": ["summary", "method", "themes", "framework"],
            "theme_row": themes, "theme_position": ["2", "1", "3", "4", "5", "6"],
            "theme": themes[:3], "analysis": ["glance", "chart"]}
    saved = coder.post("/report/settings", data=form, follow_redirects=False)
    assert (saved.status_code, saved.headers["location"]) == (
        303, "/report?message=Saved%20the%20report%20settings.")
    assert load_settings(settings_path(fresh)).model_dump() == ReportSettings(
        title="Learning together", authors=["Rosa Lindqvist", "Tom Reilly"],
        date=date(2026, 11, 30), summary="One.\n\nTwo.", key_findings=["First", "Second"],
        quotes=3, group_by="role", names="pseudonym",
        sections=["summary", "themes", "framework", "method"],
        themes=["Partnership working", "Access and referrals", "Trust and relationships"],
        analyses=["glance", "chart"]).model_dump()
    preview = coder.get("/report/preview").text
    assert re.findall(r"<h2[^>]*>(.*?)</h2>", preview) == [
        "Summary", "Partnership working", "Access and referrals", "Trust and relationships",
        "The framework", "How we did it"]
    page = coder.get("/report").text
    assert 'value="Learning together"' in page and "Rosa Lindqvist\nTom Reilly" in page

    before = settings_path(fresh).read_text(encoding="utf-8")
    wrong = coder.post("/report/settings", data={**form, "theme_row": ["Money", *themes[1:]],
                                                 "theme": ["Money"]})
    assert "&#39;Money&#39; is not a theme of the framework" in wrong.text
    assert settings_path(fresh).read_text(encoding="utf-8") == before
    viewer, viewer_token = login("vic")
    refused = viewer.post("/report/settings", data={**form, "csrf": viewer_token})
    assert refused.status_code == 403
    assert settings_path(fresh).read_text(encoding="utf-8") == before
