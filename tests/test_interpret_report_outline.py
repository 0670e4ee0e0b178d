"""The report follows the framework: one section per theme, one part per code at any
depth, and every quote the analyst picked printed under its own code, in the order picked,
in HTML, DOCX, Markdown and PDF."""

from __future__ import annotations

import html
import io
import re

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from framesynth.embeddings import HashingEmbedder
from framesynth.frame.framework import code_path, framework_codes
from framesynth.interpret.quotes import pick_quote
from framesynth.interpret.report import CodeSection, build_report
from framesynth.io.exporters.docx_report import write_docx
from framesynth.io.exporters.html import render_html
from framesynth.io.exporters.markdown import render_markdown
from framesynth.io.exporters.pdf import render_pdf
from framesynth.project import Project
from framesynth.store.models import Code, Coding

PICKS_PER_CODE = 3


def top_theme(code: Code, by_id: dict[int, Code]) -> Code:
    while code.parent_id is not None:
        code = by_id[code.parent_id]
    return code


@pytest.fixture(scope="module")
def picked(module_stores, tmp_path_factory, demo_path):
    """A copy of the demo where the analyst picked up to three quotes for every code, in
    an order that is not the order of the codings (newest first), half of them under the
    code's theme and half under the code itself. Returns the report and, per code path,
    the picked codings' (source, start) in the order picked."""
    path = module_stores.copy(demo_path, "picked.fsdb")
    order: dict[str, list[tuple[str, int]]] = {}
    with Project.open(path) as project, project.session() as session:
        codes = framework_codes(session)
        by_id = {c.id: c for c in codes}
        for code in codes:
            if code.parent_id is None:
                continue
            codings = list(session.scalars(select(Coding).where(
                Coding.code_id == code.id, Coding.status.is_(None),
                ~Coding.coder.startswith("auto:")).order_by(Coding.id.desc())))
            chosen = [c for c in codings if len(c.text.split()) >= 6][:PICKS_PER_CODE]
            for n, coding in enumerate(chosen):
                under = top_theme(code, by_id) if n % 2 == 0 else code
                pick_quote(session, coding.id, under, actor="ruth")
            order[code_path(code)] = [(c.source.name, c.start) for c in chosen]
        report = build_report(session, embedder=HashingEmbedder(), actor="ruth")
    return report, order


def sections(report) -> list[tuple[str, CodeSection]]:
    found = []

    def walk(part: CodeSection, path: str) -> None:
        found.append((f"{path}/{part.title}", part))
        for sub in part.parts:
            walk(sub, f"{path}/{part.title}")

    for theme in report.themes:
        for part in theme.parts:
            walk(part, theme.title)
    return found


def test_report_outline_every_pick_is_under_its_own_code_in_the_order_picked(picked):
    report, order = picked
    printed = {path: [(q.source, q.start) for q in part.quotes] for path, part in sections(report)}
    assert sum(len(v) for v in order.values()) >= 50
    assert {path: quotes for path, quotes in printed.items() if quotes} == {
        path: quotes for path, quotes in order.items() if quotes}
    assert all(q.picked for _path, part in sections(report) for q in part.quotes)


def flat(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def texts(report) -> dict[str, str]:
    buffer = io.BytesIO()
    write_docx(report, buffer)
    document = docx.Document(io.BytesIO(buffer.getvalue()))
    pdf = PdfReader(io.BytesIO(render_pdf(report)))
    return {"html": flat(render_html(report)),
            "docx": flat("\n".join([p.text for p in document.paragraphs] + [
                " ".join(c.text for c in row.cells) for t in document.tables for row in t.rows])),
            "md": flat("\n".join(render_markdown(report, "report_files")).replace("|", " ")),
            "pdf": flat(" ".join(page.extract_text() for page in pdf.pages))}


@pytest.mark.parametrize("fmt", ["html", "docx", "md", "pdf"])
def test_report_outline_quotes_follow_their_code_heading_in_every_format(picked, fmt):
    report, _order = picked
    text = texts(report)[fmt]
    at = 0
    misplaced = []
    for path, part in sections(report):
        heading = text.find(part.title, at)
        if heading < 0:
            misplaced.append((path, "heading"))
            continue
        at = heading + len(part.title)
        for quote in part.quotes:
            start = " ".join(quote.text.split()[:6])
            found = text.find(start, at)
            following = [text.find(p.title, at) for _q, p in sections(report)
                         if p is not part and text.find(p.title, at) >= 0]
            if found < 0 or (following and found > min(following) and part.parts == []):
                misplaced.append((path, start))
            else:
                at = found + len(start)
    assert misplaced == []


def test_report_method_at_a_glance_in_every_format(picked):
    """The summary box of the method: sources by kind (focus groups with their themes),
    participants, organisations by sector, partnerships by depth, the framework's size."""
    report, _order = picked
    labels = [label for label, _value in report.glance]
    assert labels == ["Interviews", "Focus groups", "Participants", "Organisations",
                      "Partnerships", "Framework"]
    values = dict(report.glance)
    assert values["Framework"] == "6 themes, 19 codes"
    assert values["Organisations"].startswith("10: ")
    assert values["Partnerships"].startswith("7: ")
    for fmt, text in texts(report).items():
        at = text.casefold().find("at a glance")  # the PDF prints the heading in capitals
        assert at >= 0, fmt
        for label, value in report.glance:
            assert f"{label} {flat(value)}" in text[at:], (fmt, label)
