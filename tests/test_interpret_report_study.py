"""The report adapts to a study that is not the demo: eleven allotment interviews with no
organisations or partnerships (tests/data/study-no-orgs), in HTML, DOCX and Markdown."""

from __future__ import annotations

import html
import re
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from framesynth.cli.main import app
from framesynth.interpret.figures import write_plots
from framesynth.interpret.method import method_section, plural
from framesynth.interpret.prevalence import case_groups, default_group_by, prevalence
from framesynth.project import Project

LOCAL = "http://127.0.0.1"  # the Host a browser on this machine sends

STUDY = Path(__file__).parent / "data" / "study-no-orgs"
FORMATS = ["html", "docx", "md"]
METHOD = ("The evaluation drew on 11 interviews. Participants included 7 plot holders, "
          "2 site secretaries and 2 volunteers.")
SYNTHESIS = ("Tools and seeds move freely: Harold Penhaligon's rotavator at Northgate and "
             "Percy's seed tin at Riverside are shared by everyone, and 11 people told us so.")
THEMES = ["Growing together", "Rules and running the site", "Wellbeing"]


def cli(*args: object) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args],
                                env={"FRAMESYNTH_USER": "nell", "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def study(module_stores) -> str | Path:
    """The allotment study, built with the CLI from the fixture files."""
    path = module_stores.empty("allotments.fsdb")
    cli("init", path, "--template", "blank")
    cli("import", path, STUDY / "transcripts", "--cases", STUDY / "cases.csv")
    cli("codebook", "import", path, STUDY / "framework.yaml")
    cli("codings", "import", path, STUDY / "codings.csv")
    cli("memo", "add", path, SYNTHESIS, "--code", "Growing together")
    return path


@pytest.fixture(scope="module")
def reports(study, tmp_path_factory) -> dict[tuple[str, str], Path]:
    """``framesynth report`` in each format, by default grouping, by site and by none."""
    folder = tmp_path_factory.mktemp("reports")
    written = {}
    for grouping in ("default", "site", "none"):
        for fmt in FORMATS:
            out = folder / f"{grouping}.{fmt}"
            extra = [] if grouping == "default" else ["--group-by", grouping]
            assert cli("report", study, "--format", fmt, "--out", out,
                       "--embedder", "hashing.v1", *extra) == f"wrote {out}\n"
            written[(grouping, fmt)] = out
    return written


@pytest.fixture
def study_session(study) -> Session:
    with Project.open(study) as project, project.session() as session:
        yield session
        session.rollback()


def blocks(path: Path) -> list[tuple[str, str]]:
    """The document as (kind, text) in reading order: kind ``h1``..``h3`` for headings
    (the title is ``h0``), ``body`` for anything else with text or a picture."""
    return {".docx": _docx_blocks, ".md": _md_blocks, ".html": _html_blocks}[path.suffix](path)


def _docx_blocks(path: Path) -> list[tuple[str, str]]:
    document = docx.Document(str(path))
    paragraphs = {p._p: p for p in document.paragraphs}
    found = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:tbl"):
            found.append(("body", "[table]"))
        elif element in paragraphs:
            paragraph = paragraphs[element]
            style = paragraph.style.name
            picture = bool(element.findall(".//" + qn("w:drawing")))
            if style == "Title":
                found.append(("h0", paragraph.text))
            elif style.startswith("Heading "):
                found.append((f"h{style.split()[-1]}", paragraph.text))
            elif paragraph.text.strip() or picture:
                found.append(("body", paragraph.text or "[picture]"))
    return found


def _md_blocks(path: Path) -> list[tuple[str, str]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"(#+) (.*)", line)
        if heading:
            found.append((f"h{len(heading.group(1)) - 1}", heading.group(2)))
        elif line.strip():
            found.append(("body", line))
    return found


def _html_blocks(path: Path) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    main = text[text.index("</nav>"):text.index("</main>")]
    found = []
    for tag, inner in re.findall(r"<(h[1-3]|p|figure|table|blockquote)\b[^>]*>(.*?)</\1>",
                                 main, flags=re.S):
        words = html.unescape(re.sub(r"<[^>]+>", " ", inner)).split()
        kind = f"h{int(tag[1]) - 1}" if tag.startswith("h") else "body"
        found.append((kind, " ".join(words) or f"[{tag}]"))
    return found


def plain(path: Path) -> str:
    return "\n".join(text for _, text in blocks(path))


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_study_method_paragraph_is_exactly_right(reports, fmt):
    paragraphs = [text for kind, text in blocks(reports[("default", fmt)]) if kind == "body"]
    assert METHOD in paragraphs
    assert ("The analysis followed the framework method. The coding framework has 3 themes "
            "and 6 codes, each with a definition and inclusion and exclusion rules. One "
            "researcher coded the transcripts.") in paragraphs
    assert ("Prevalence counts people, not passages: a participant mentions a theme when any "
            "of their words is coded with it. Quotes are anonymised: names of people, "
            "organisations and places are replaced by their role, and each quote is "
            "attributed by role.") in paragraphs


@pytest.mark.parametrize("grouping", ["default", "site", "none"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_report_study_has_no_empty_section_and_no_artefacts(reports, fmt, grouping):
    found = blocks(reports[(grouping, fmt)])
    top = [text for kind, text in found if kind == "h1"]
    assert top == ["How we did it", *THEMES, "The framework"]
    for (kind, text), (next_kind, _) in zip(found, found[1:] + [("end", "")], strict=True):
        if kind.startswith("h") and kind != "h0":
            assert next_kind == "body", f"{text!r} is followed by {next_kind}"
    text = plain(reports[(grouping, fmt)])
    for artefact in ("[participant]", "()", " , ", "Kappa", "kappa", "partnership",
                     "organisations:", "focus group"):
        assert artefact not in text, artefact
    assert not re.search(r"(?<![\d.])0 ", text)


def test_report_study_table_of_contents_lists_the_sections_there_are(reports):
    text = reports[("default", "html")].read_text(encoding="utf-8")
    toc = text[text.index('<nav class="toc">'):text.index("</nav>")]
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc) == [
        ("method", "How we did it"), ("theme-1", THEMES[0]), ("theme-2", THEMES[1]),
        ("theme-3", THEMES[2]), ("framework", "The framework")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_study_group_by_site_gives_prevalence_by_site(reports, fmt):
    text = plain(reports[("site", fmt)])
    assert text.count("Participants mentioning each code, by site") == 3
    assert "The largest difference between Northgate (n=6) and Riverside (n=5) participants " \
           "is on Inspections: 50% against 20%" in text
    assert "Groups are small, so comparisons are exploratory." in text
    if fmt == "md":
        assert ("| Code | Northgate (n=6) | Riverside (n=5) |\n|---|---|---|\n"
                "| Waiting list | 3 of 6 | 3 of 5 |\n| Inspections | 3 of 6 | 1 of 5 |"
                ) in reports[("site", fmt)].read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_study_group_by_none_counts_all_participants(reports, fmt):
    text = plain(reports[("none", fmt)])
    assert text.count("Participants mentioning each code") == 3
    assert "by site" not in text and "largest difference" not in text
    assert "Groups are small" not in text
    if fmt == "md":
        assert ("| Code | All participants (n=11) |\n|---|---|\n"
                "| Waiting list | 6 of 11 |\n| Inspections | 4 of 11 |"
                ) in reports[("none", fmt)].read_text(encoding="utf-8")


def test_report_study_default_grouping_is_none_without_organisations(reports, study_session):
    assert default_group_by(study_session) is None
    default = reports[("default", "md")].read_text(encoding="utf-8")
    assert default.replace("default_files/", "none_files/") == reports[("none", "md")].read_text(
        encoding="utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_study_quotes_and_synthesis_anonymised(reports, fmt):
    text = plain(reports[("default", fmt)])
    assert ("Tools and seeds move freely: [site secretary]'s rotavator at Northgate and "
            "[site secretary]'s seed tin at Riverside are shared by everyone, and 11 people "
            "told us so.") in text
    assert "– Plot holder" in text
    for name in ("Bridget", "Harold", "Percy", "Olwen", "Osei"):
        assert name not in text


def test_report_study_group_by_a_missing_attribute_is_one_line(study, tmp_path):
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", str(study), "--format", "html", "--out",
                                      str(out), "--group-by", "sector", "--embedder",
                                      "hashing.v1"])
    assert result.exit_code == 1
    assert result.output.startswith("error: cannot group participants by 'sector'; known: ")
    assert "role" in result.output and "site" in result.output and "season" in result.output
    assert result.output.endswith("(or none) [FS003]\n")
    assert not out.exists()


def test_prevalence_groups_by_a_source_attribute(study_session):
    figures = {(f.code.rsplit("/", 1)[-1], f.group): (f.cases, f.size)
               for f in prevalence(study_session, by="season")}
    assert figures[("Waiting list", "spring")] == (3, 5)
    assert figures[("Waiting list", "summer")] == (3, 6)
    groups = case_groups(study_session, "participant", "none")
    assert set(map(tuple, groups.values())) == {("all",)} and len(groups) == 11


def test_plots_leave_out_the_network_without_partnerships(study_session, tmp_path):
    written = write_plots(study_session, tmp_path, by="site")
    assert sorted(p.name for p in written) == sorted(p.name for p in tmp_path.iterdir()) == [
        "heatmap.png", "heatmap.svg", "prevalence.png", "prevalence.svg"]


def test_method_section_with_organisations_and_partnerships(charted):
    [data, *_] = method_section(charted, True)
    assert data == ("The evaluation drew on 1 interview and 1 themed focus group (waiting "
                    "lists). Participants included 3 project workers and 2 project leads, from "
                    "4 organisations: 2 community, 1 voluntary and 1 statutory. They were "
                    "linked by 2 partnerships (1 working and 1 deep).")


@pytest.mark.parametrize(("word", "n", "expected"), [
    ("interview", 1, "interview"), ("interview", 11, "interviews"),
    ("focus group", 2, "focus groups"), ("site secretary", 2, "site secretaries"),
    ("day", 3, "days"), ("box", 2, "boxes"), ("head of service", 2, "heads of service"),
])
def test_method_plural(word, n, expected):
    assert plural(word, n) == expected


def test_web_interpret_and_matrix_download_work_without_organisations(study):
    from fastapi.testclient import TestClient

    from framesynth.web.app import create_app
    from framesynth.web.deps import Settings

    client = TestClient(create_app(Settings(project=study, host="127.0.0.1", local_user="nell",
                                            embedder="hashing.v1")), base_url=LOCAL)
    page = client.get("/interpret")
    assert page.status_code == 200
    assert "Growing together" in page.text
    by_site = client.get("/interpret", params={"by": "site"})
    assert by_site.status_code == 200 and "Northgate" in by_site.text
    download = client.get("/download/matrix.xlsx")
    assert download.status_code == 200 and download.content[:2] == b"PK"


def code_first_turns(session, coder: str, count: int | None,
                     code_name: str = "Waiting lists") -> None:
    from sqlalchemy import select

    from framesynth.index.coding import code_turn
    from framesynth.store.models import Code, Source

    code = session.scalar(select(Code).where(Code.name == code_name))
    source = session.scalar(select(Source).where(Source.name == "interview.txt"))
    for turn in source.turns[:count]:
        code_turn(session, turn, code, coder=coder)


def test_method_perfect_agreement_is_reported_not_a_crash(coded):
    """Two coders who code exactly the same turns: kappa and alpha are undefined (before,
    ``None`` was formatted with ``:.2f`` and the report failed)."""
    from framesynth.interpret.method import method_section

    for coder in ("ruth", "sam"):
        code_first_turns(coded, coder, None)  # every turn: no variation at all
    agreement = [p for p in method_section(coded, True) if p.startswith("Two researchers")]
    assert agreement == [
        "Two researchers coded 1 of the transcripts independently; across 2 speaker turns "
        "they agreed on 100% of coding decisions (complete agreement, so the "
        "chance-corrected figures (Cohen's kappa, Krippendorff's alpha) are not defined)."]


def test_method_agreement_compares_the_coders_who_double_coded(coded):
    """``abe`` coded nothing the others coded; ``ruth`` and ``sam`` share a transcript."""
    from sqlalchemy import select

    from framesynth.index.coding import code_turn
    from framesynth.interpret.method import double_coders
    from framesynth.store.models import Code, Source

    code_first_turns(coded, "ruth", 4)
    code_first_turns(coded, "sam", 2)
    code = coded.scalar(select(Code).where(Code.name == "Referral routes"))
    other = coded.scalar(select(Source).where(Source.name == "focus_group.txt"))
    code_turn(coded, other.turns[0], code, coder="abe")
    assert double_coders(coded) == ("ruth", "sam")
