"""The report as PDF (WeasyPrint): pages, running title, quotes, fonts, figures, audit."""

from __future__ import annotations

import re
import shutil
import socket
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from weasyprint import HTML

from framesynth.embeddings import HashingEmbedder
from framesynth.errors import CorruptFile
from framesynth.interpret.audit import audit_file, known_identifiers
from framesynth.interpret.report import Report, build_report
from framesynth.io.exporters import pdf as pdf_exporter
from framesynth.io.exporters.pdf import write_pdf
from framesynth.io.output_text import output_parts
from framesynth.project import Project


@pytest.fixture(scope="module")
def built(tmp_path_factory, demo_path) -> tuple[Report, Path, list]:
    """The demo's anonymised report, its PDF and the project's known names, made once."""
    target = tmp_path_factory.mktemp("pdf") / "report.pdf"
    with Project.open(demo_path) as project, project.session() as session:
        report = build_report(session, embedder=HashingEmbedder(), actor="test")
        identifiers = known_identifiers(session)
        write_pdf(report, target)
        session.rollback()
    return report, target, identifiers


def pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def test_io_pdf_every_page_has_its_number_and_later_pages_the_running_title(built):
    report, path, _ = built
    texts = pages(path)
    count = len(texts)
    assert count > 5
    first = texts[0].splitlines()
    assert first[-1] == f"page 1 of {count}" and report.title not in first[-2]
    for number, text in enumerate(texts[1:], start=2):
        assert text.splitlines()[-2:] == [report.title, f"page {number} of {count}"]


def test_io_pdf_has_every_theme_heading_and_each_quote_with_its_attribution(built):
    report, path, _ = built
    texts = [flat(text) for text in pages(path)]
    whole = " ".join(texts)
    for heading in ("How we did it", "The partnerships", "The framework"):
        assert heading in whole
    quotes = report.quotes()
    assert len(quotes) >= 19  # codes' quotes, not only themes'
    for part in (p for theme in report.themes for p in theme.parts):
        assert part.title in whole
    for theme in report.themes:
        assert theme.title in whole
    for quote in quotes:
        assert quote.attribution.startswith("– ")
        block = f"“{flat(quote.text)}” {quote.attribution}"
        assert any(block in text for text in texts), block  # on one page, together


def test_io_pdf_theme_sections_start_a_page_with_their_heading(built):
    report, path, _ = built
    texts = [flat(text) for text in pages(path)]
    for theme in report.themes:
        start = f"{theme.title} {theme.definition} WHAT WE HEARD "
        assert sum(text.startswith(start) for text in texts) == 1, start


def test_io_pdf_embeds_its_fonts_and_every_figure(built):
    _, path, _ = built
    fonts, images = {}, set()
    for page in PdfReader(path).pages:
        resources = page["/Resources"]
        for font in resources["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[str(font["/BaseFont"]).split("+")[1]] = sorted(
                key for key in descriptor if key.startswith("/FontFile"))
        images |= {ref.idnum for ref in resources.get("/XObject", {}).values()
                   if ref.get_object()["/Subtype"] == "/Image"}
    assert fonts == {name: ["/FontFile2"] for name in (
        "DejaVu-Sans", "DejaVu-Sans-Bold", "DejaVu-Serif", "DejaVu-Serif-Bold",
        "DejaVu-Serif-Italic")}
    assert len(images) == 8  # network, heatmap, one chart per theme


def test_io_pdf_has_no_known_name(built, demo_name_leaks):
    _, path, identifiers = built
    assert audit_file(path, identifiers) == []
    text = "\n".join(text for _, text in output_parts(path))
    assert demo_name_leaks(text) == [] and "Aidan" not in text


def test_io_pdf_fetches_nothing_but_data_uris(built, monkeypatch, tmp_path):
    """An image from the web or the disk is left out; no connection is attempted."""
    report, _, _ = built

    def refuse(*args, **kwargs):
        raise AssertionError("the PDF exporter tried the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    secret = tmp_path / "secret.png"
    Image.new("RGB", (40, 40), "red").save(secret)
    page = (f'<html><head></head><body><p>Fine.</p><img src="http://example.org/a.png">'
            f'<img src="{secret.as_uri()}"><link rel="stylesheet" href="https://example.org/'
            'x.css"></body></html>')
    monkeypatch.setattr(pdf_exporter, "render_html", lambda _report: page)
    target = tmp_path / "out.pdf"
    write_pdf(report, target)
    reader = PdfReader(target)
    assert [flat(p.extract_text()) for p in reader.pages] == ["Fine. page 1 of 1"]
    assert not reader.pages[0]["/Resources"].get("/XObject")


def test_io_pdf_audit_reads_page_text_headers_and_properties(tmp_path):
    page = ("<html><head><title>Declan O’Brien’s notes</title><style>@page { @top-center "
            "{ content: 'ask Mrs Price' } }</style></head><body><p>Met Siobhan</p><p "
            "style='break-before: page'>Carraway’s team, at St Brannock’s</p></body></html>")
    target = tmp_path / "notes.pdf"
    HTML(string=page).write_pdf(target)
    parts = dict(output_parts(target))
    assert flat(parts["page 1"]) == "Met Siobhan ask Mrs Price"
    assert flat(parts["page 2"]) == "Carraway’s team, at St Brannock’s ask Mrs Price"
    assert parts["property title"] == "Declan O’Brien’s notes"


def test_io_pdf_audit_refuses_a_broken_pdf_naming_the_file(tmp_path):
    broken = tmp_path / "report.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot really")
    with pytest.raises(CorruptFile, match=re.escape("report.pdf")):
        list(output_parts(broken))


def test_io_pdf_report_format_pdf_through_the_cli(fs, demo_path, tmp_path):
    project = tmp_path / "demo.fsdb"
    shutil.copy(demo_path, project)
    out = tmp_path / "report.pdf"
    code, stdout, stderr = fs("report", project, "--format", "pdf", "--out", out)
    assert (code, stdout, stderr) == (0, f"wrote {out}\n", "")
    texts = pages(out)
    assert len(texts) > 5 and texts[-1].splitlines()[-1] == f"page {len(texts)} of {len(texts)}"
    assert "Stronger Starts evaluation" in texts[0]
