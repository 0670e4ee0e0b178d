"""The independent name audit: identifier forms, the folded matcher, every output type."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from framesynth.interpret.audit import (
    audit_file,
    audit_text,
    known_identifiers,
    quotes_in,
    unknown_words,
)
from framesynth.io.importers.case_table import import_case_table

CASES = """type,id,name,sector,role,organisation,pseudonym,aliases,kind
organisation,ORG01,Marshcombe Tenants Forum,community,,,,the Forum,
participant,P01,Siobhán Carraway,,project lead,ORG01,Niamh,,
participant,P02,Declan O'Brien,,project worker,ORG01,Owen,,
participant,P03,A.J. Mercer,,funding officer,ORG01,Alex,,
participant,P04,Dawn Price,,project worker,ORG01,Tracey,,
place,,St Brannock's church hall,,,,,,venue
"""
CLEAN = "The price of bread went up at dawn; 11 interviews in 2024 with Niamh and the Forum."


@pytest.fixture
def identifiers(session, tmp_path):
    table = tmp_path / "cases.csv"
    table.write_text(CASES, encoding="utf-8")
    import_case_table(session, table)
    return known_identifiers(session)


def forms(identifiers, entity):
    return [(i.form, i.rule) for i in identifiers if i.entity == entity]


def test_audit_known_identifiers_lists_every_form_of_a_person(identifiers):
    found = forms(identifiers, "Declan O'Brien")
    assert found[:6] == [("Declan O'Brien", "any"), ("Declan", "any"), ("O'Brien", "any"),
                         ("D. O'Brien", "any"), ("Declan O.", "any"), ("Mr O'Brien", "any")]
    assert ("Owen", "any") not in found  # the pseudonym is no name to hide
    assert ("Dawn", "capitalised") in forms(identifiers, "Dawn Price")
    assert ("Price", "capitalised") in forms(identifiers, "Dawn Price")


def test_audit_known_identifiers_short_forms_acronyms_and_generic_references(identifiers):
    assert forms(identifiers, "Marshcombe Tenants Forum") == [
        ("Marshcombe Tenants Forum", "any"), ("Marshcombe Tenants", "any"),
        ("Marshcombe", "any"), ("MTF", "upper")]  # "the Forum" is generic
    assert forms(identifiers, "St Brannock's church hall") == [
        ("St Brannock's church hall", "any"), ("St Brannock's", "any"),
        ("St Brannock's church", "any"), ("Brannock", "any")]


@pytest.mark.parametrize("text, form", [
    ("we met Siobhan Carraway there", "Siobhan Carraway"),
    ("we met SIOBHÁN CARRAWAY there", "SIOBHÁN CARRAWAY"),
    ("we met Siobhán\n  Carraway there", "Siobhán Carraway"),
    ("ask O’Brien’s team", "O’Brien"),
    ("ask obrien about it", "obrien"),
    ("If A.J. notices a child", "A.J."),
    ("If A. J. notices a child", "A. J."),
    ("If AJ notices a child", "AJ"),
    ("ask Mrs. Price about it", "Mrs. Price"),
    ("and then Dawn said no", "Dawn"),
    ("the MTF meets", "MTF"),
    ("at st brannock’s on Tuesdays", "st brannock’s"),
    ("at St Brannock's on Tuesdays", "St Brannock's"),
    ("write to s.carraway@example.org", "s.carraway@example.org"),
    ("ring 01632 960 123 today", "01632 960 123"),
    ("post to ZX1 1AB please", "ZX1 1AB"),
])
def test_audit_text_finds_a_name_in_every_written_form(identifiers, text, form):
    leaks = audit_text(text, identifiers, where="t")
    assert form in [leak.form for leak in leaks]


def test_audit_text_gives_entity_kind_and_context(identifiers):
    leaks = audit_text("x" * 50 + " Siobhan's view " + "y" * 50, identifiers)
    assert [(leak.form, leak.entity, leak.kind, leak.context, leak.start) for leak in leaks] == [
        ("Siobhan", "Siobhán Carraway", "participant",
         "x" * 39 + " Siobhan's view " + "y" * 32, 51)]


@pytest.mark.parametrize("text", [
    CLEAN, "Dawn broke over the estate.", "Price rises hit everyone. dawn", "the mtf is",
    "number 01632", "11 of 19 (58%)"])
def test_audit_text_keeps_ordinary_words_and_numbers(identifiers, text):
    assert audit_text(text, identifiers) == []


def _docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("The price of bread.")
    document.add_table(rows=1, cols=1).rows[0].cells[0].text = "If A. J. notices"
    document.sections[0].header.paragraphs[0].text = "DECLAN O'BRIEN"
    document.core_properties.author = "Siobhán Carraway"
    document.save(str(path))


def _xlsx(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["price", "dawn"])
    book.active.append(["", "ask Mrs Price"])
    book.save(str(path))


def _zip(path: Path, members: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)


def test_audit_file_reads_every_output_type(identifiers, tmp_path):
    html = tmp_path / "report.html"
    html.write_text('<html><body><p>Met Siobhan\nCarraway&#8217;s team</p><img alt="Declan '
                    'O’Brien" src="data:image/png;base64,U2FtIFByaWNl"></body></html>')
    _docx(tmp_path / "report.docx")
    (tmp_path / "report.md").write_text("# Report\n\nThe price of bread.\n", encoding="utf-8")
    (tmp_path / "report_files").mkdir()
    (tmp_path / "report_files" / "chart.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><text>ask Mrs Price</text>'
        "<!-- Marshcombe --></svg>", encoding="utf-8")
    _xlsx(tmp_path / "matrix.xlsx")
    (tmp_path / "codings.csv").write_text("source,text\nx,siobhan carraway said\n")
    _zip(tmp_path / "project.qdpx", {
        "project.qde": '<?xml version="1.0"?><Project name="Marshcombe study"><Note>'
                       "fine</Note></Project>",
        "sources/a.txt": "at st brannock's"})
    _zip(tmp_path / "bundle.zip", {"inner/report.md": "Declan's view", "x.png": "Declan"})
    found = {name: [(leak.form, leak.where) for leak in audit_file(tmp_path / name, identifiers)]
             for name in ["report.html", "report.docx", "report.md", "matrix.xlsx",
                          "codings.csv", "project.qdpx", "bundle.zip"]}
    assert found == {
        "report.html": [("Siobhan Carraway", "text"), ("Declan O’Brien", "<img alt>")],
        "report.docx": [("A. J.", "table 1"), ("DECLAN O'BRIEN", "section 1 header"),
                        ("Siobhán Carraway", "property author")],
        "report.md": [("Mrs Price", "chart.svg, text"), ("Marshcombe", "chart.svg, text")],
        "matrix.xlsx": [("Mrs Price", "sheet Sheet, B2")],
        "codings.csv": [("siobhan carraway", "row 2, column 2")],
        "project.qdpx": [("Marshcombe", "member project.qde Project name"),
                         ("st brannock's", "sources/a.txt, text")],
        "bundle.zip": [("Declan", "inner/report.md, text")],
    }


def test_audit_file_finds_nothing_in_clean_files(identifiers, tmp_path):
    (tmp_path / "clean.html").write_text(f"<p>{CLEAN}</p>", encoding="utf-8")
    (tmp_path / "clean.md").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "clean.csv").write_text(f"a,b\n1,{CLEAN}\n", encoding="utf-8")
    for name in ["clean.html", "clean.md", "clean.csv"]:
        assert audit_file(tmp_path / name, identifiers) == []


def test_audit_unknown_words_lists_possible_names_with_their_quote(identifiers):
    quotes = quotes_in("“Then Kirsty rang the Hub, and Siobhan came.” “Tuesdays at Zorbury.”")
    found = [(u.word, u.quote) for u in unknown_words(quotes, identifiers)]
    assert found == [("Kirsty", "Then Kirsty rang the Hub, and Siobhan came."),
                     ("Zorbury", "Tuesdays at Zorbury.")]


def test_audit_reads_offline_word_frequencies(monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    from framesynth.interpret.audit import is_ordinary

    is_ordinary.cache_clear()
    assert (is_ordinary("price"), is_ordinary("siobhan")) == (True, False)
