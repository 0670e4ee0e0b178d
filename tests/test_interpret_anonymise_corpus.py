"""The anonymisation corpus (tests/data/anonymise): three transcripts that write names in
every way people do, imported, coded and reported in HTML, DOCX and Markdown. No raw
form of a name survives, and every listed ordinary word and number is kept."""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from framesynth.embeddings import HashingEmbedder
from framesynth.familiarise.memos import add_memo
from framesynth.frame.framework import find_code
from framesynth.index.coding import apply_code
from framesynth.interpret.report import build_report
from framesynth.io.codebook import import_codebook
from framesynth.io.exporters.docx_report import write_docx
from framesynth.io.exporters.html import write_html
from framesynth.io.exporters.markdown import write_markdown
from framesynth.io.importers import import_files
from framesynth.io.importers.case_table import import_case_table
from framesynth.project import Project
from framesynth.store.models import Source, Turn

CORPUS = Path(__file__).parent / "data" / "anonymise"
FORMATS = ("html", "docx", "md")
MEMO = ("Shiv and A.J. hold the network together at St Brannock's; Wenna's caseload and "
        "Dr Marrack's visit came up in all 3 sources.")

# Every way the corpus writes a name, exactly as written there (checked case-sensitively).
RAW = ["Siobhán", "siobhán", "siobhan", "Siobhan", "SIOBHAN TRELOAR", "Treloar", "Shiv",
       "Ciarán O’Dwyer", "Ciaran", "O'Dwyer", "O’Dwyer", "A.J.", "A. J.", "AJ", "Pengelly",
       "Morwenna", "Hext-Tregear", "Wenna", "Hazel", "Rose", "Tamsin", "Vyvyan Kitto",
       "Kitto", "TVK", "Marrack", "Elowen", "James", "Quayside Community Trust", "Quayside",
       "QCT", "Tollgate", "Larder", "Family Support", "Ferncliffe", "Penhallow",
       "St Brannock's", "Brannock", "01632 960 418", "s.treloar@quaysidetrust.org.uk",
       "s.treloar@", "TR7 4QX"]
# Ordinary words, generic references and numbers next to those names, which must stay.
KEPT = ["hazel eyes", "the price of the bus", "Prices rose", "family support from the council",
        "early start at dawn", "never the Trust", "the school refers", "14 years",
        "40 families", "£2.50 in 2025", "6 families", "60 households", "3 years",
        "at 9 sharp", "three mornings a week", "in May"]


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@pytest.fixture(scope="module")
def corpus(module_stores) -> str | Path:
    """The corpus as a project: every participant turn coded, and one segment that spans
    two speakers (so a speaker label is inside a quote); a synthesis memo with names."""
    path = module_stores.empty("harbour.fsdb")
    Project.create(path).close()
    with Project.open(path) as project, project.session() as session:
        import_case_table(session, CORPUS / "cases.csv", actor="test")
        import_files(session, sorted((CORPUS / "transcripts").iterdir()), actor="test")
        import_codebook(session, CORPUS / "framework.yaml", actor="test")
        codes = [find_code(session, "People who help"), find_code(session, "Places and services")]
        turns = [t for t in session.scalars(select(Turn).order_by(Turn.id))
                 if t.speaker is not None and t.speaker.participant is not None]
        for number, turn in enumerate(turns):
            apply_code(session, turn.source, turn.start, turn.end, codes[number % 2],
                       coder="test")
        group = session.scalar(select(Source).where(Source.name == "a03-larder-group.txt"))
        start = group.text.index("I keep the shelf list")
        apply_code(session, group, start, group.text.index(" From the council side") + 30,
                   codes[0], coder="test")
        add_memo(session, MEMO, title="Synthesis", author="test",
                 code_id=find_code(session, "Support in the community").id)
    return path


def text_of(path: Path) -> str:
    if path.suffix == ".docx":
        document = docx.Document(str(path))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", path.read_text(encoding="utf-8"))
    return html.unescape(text)


@pytest.fixture(scope="module")
def report_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="module")
def reports(corpus, report_folder) -> dict[tuple[str, str], str]:
    """(names style, format) -> the report's text; the files are in ``report_folder``."""
    folder = report_folder
    found = {}
    with Project.open(corpus) as project, project.session() as session:
        for names in ("role", "pseudonym"):
            report = build_report(session, embedder=HashingEmbedder(), actor="test",
                                  quotes=100, names=names)
            for fmt, write in zip(FORMATS, (write_html, write_docx, write_markdown), strict=True):
                write(report, folder / f"{names}.{fmt}")
                found[(names, fmt)] = text_of(folder / f"{names}.{fmt}")
        session.rollback()
    return found


def leaks(text: str) -> list[str]:
    """Raw forms in ``text``: as written, and (for forms of four letters or more that are
    not ordinary words) also accent- and case-folded."""
    found = [form for form in RAW if re.search(rf"(?<!\w){re.escape(form)}(?!\w)", text)]
    folded = fold(text)
    ordinary = {"Hazel", "Rose", "James", "Larder", "Family Support"}
    found += [form for form in RAW if len(form) >= 4 and form not in ordinary
              and form not in found and fold(form) in folded]
    return found


@pytest.mark.parametrize("names", ["role", "pseudonym"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_anonymise_corpus_no_raw_form_survives(reports, names, fmt):
    assert leaks(reports[(names, fmt)]) == []


@pytest.mark.parametrize("names", ["role", "pseudonym"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_anonymise_corpus_keeps_ordinary_words_and_numbers(reports, names, fmt):
    """Over-redaction: the number of listed ordinary phrases damaged is 0."""
    assert [phrase for phrase in KEPT if phrase not in reports[(names, fmt)]] == []


def test_anonymise_corpus_every_raw_form_is_in_the_transcripts():
    """The lists test something: each raw form and kept phrase is in the corpus."""
    text = " ".join(p.read_text(encoding="utf-8")
                    for p in (CORPUS / "transcripts").iterdir()).replace("\n", " ")
    assert [form for form in RAW if form not in text] == []
    assert [phrase for phrase in KEPT if phrase not in text] == []


def test_anonymise_corpus_report_names_option(corpus, tmp_path):
    from typer.testing import CliRunner

    from framesynth.cli.main import app

    out = tmp_path / "r.md"
    args = ["report", str(corpus), "--format", "md", "--out", str(out), "--embedder",
            "hashing.v1"]
    result = CliRunner().invoke(app, [*args, "--names", "pseudonym"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert ("Nessa and Kit hold the network together at [venue]; Jenna's caseload and Ruth's "
            "visit came up in all 3 sources.") in text
    attributions = re.findall(r"^> – (\w+), ", text, flags=re.M)
    assert attributions and set(attributions) <= {"Nessa", "Rory", "Kit", "Jenna", "Lily",
                                                  "Bryony"}
    assert "people are given pseudonyms" in text and leaks(text) == []
    out.unlink()
    result = CliRunner().invoke(app, [*args, "--names", "initials"])
    assert result.exit_code == 1 and not out.exists()
    assert result.output == ("error: --names must be one of role, pseudonym, not 'initials' "
                             "[FS003]\n")


@pytest.mark.parametrize("names", ["role", "pseudonym"])
def test_anonymise_corpus_reports_pass_the_independent_audit(corpus, reports, report_folder,
                                                              fs, names):
    """``framesynth audit-names`` (its own matcher, not the replacer's) finds nothing."""
    files = [report_folder / f"{names}.{fmt}" for fmt in FORMATS]
    assert fs("audit-names", corpus, *files)[:2] == (0, "no known names in 3 files\n")
