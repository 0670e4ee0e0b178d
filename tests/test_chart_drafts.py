"""Matrix drafts: whole sentences of the coded turns, no filler, no repeats, within a word
budget, each linked to the sentence it came from."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from framesynth.chart.drafts import (
    MAX_WORDS,
    MIN_CONTENT_WORDS,
    Sentence,
    cut,
    draft,
    draft_cells,
    origins,
)
from framesynth.chart.fillers import content_words
from framesynth.chart.matrix import accept_cell, build_matrix, edit_cell, find_case
from framesynth.errors import InvalidArgument
from framesynth.familiarise.units import units
from framesynth.frame.framework import find_code
from framesynth.index.coding import code_span
from framesynth.io.importers import import_files
from framesynth.project import Project
from framesynth.store.models import MatrixCell, Source
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

# Our own words, in the plain-text layout of the test focus group.
CHATTY = """Follow-up - referrals

Facilitator: Tell us about the referrals.

Dawn: Mm-hmm. Yeah, yeah. Referrals bounce back from the council without a reason.

Facilitator: Mm-hmm and is there.

Dawn: Right, okay. You know, um. Referrals bounce back from the council without any reason.
The mums stop trusting us after the second refusal letter arrives.
"""


def sentences_of(session, cell) -> list[str]:
    """The sentences a draft's stored links point at, whitespace collapsed."""
    texts = {s.id: s.text for s in session.scalars(select(Source))}
    return [" ".join(texts[e["source_id"]][e["start"]:e["end"]].split()) for e in cell.evidence]


def assert_whole_sentences(session, cell) -> None:
    """A draft is, exactly, the quoted sentences its links point at, and each link is a
    whole sentence of a turn."""
    spans = {(u.source_id, u.start, u.end) for u in units(session, "sentence")}
    assert cell.evidence
    assert cell.summary == " ".join(f"\u201c{s}\u201d" for s in sentences_of(session, cell))
    assert all((e["source_id"], e["start"], e["end"]) in spans for e in cell.evidence)


@pytest.fixture
def chatty(charted, tmp_path):
    """``charted`` plus a transcript of back-channel and a repeated sentence, coded."""
    path = tmp_path / "follow_up.txt"
    path.write_text(CHATTY, encoding="utf-8")
    import_files(charted, [path])
    for phrase in ("Mm-hmm. Yeah, yeah. Referrals bounce back",
                   "Right, okay. You know, um. Referrals bounce", "stop trusting us"):
        start = CHATTY.index(phrase)  # a .txt source's text is the file's text
        code_span(charted, "follow_up.txt", start, start + len(phrase), "Referral routes",
                  coder="ruth")
    return charted


def test_drafts_widen_coded_fragments_to_whole_sentences(charted, hashing):
    assert draft_cells(charted, build_matrix(charted), hashing, actor="bot") == 4
    matrix = build_matrix(charted)
    drafts = {(row.key, column.name): matrix.cell(row, column).summary
              for row in matrix.rows for column in matrix.columns
              if matrix.cell(row, column).status == "draft"}
    assert drafts == {
        ("P01", "Access"): "\u201cFourteen weeks for counselling.\u201d",
        ("P15", "Access"): "\u201cReferrals bounce back without a reason.\u201d",
        ("P16", "Partnership"): "\u201cThe food bank sees them first, usually.\u201d",
        ("P19", "Access"): "\u201cFrom the council side, the threshold is the problem.\u201d",
    }
    for cell in matrix.cells.values():
        if cell.status == "draft":
            assert_whole_sentences(charted, cell)


def test_drafts_leave_out_filler_and_near_duplicates(chatty, hashing):
    draft_cells(chatty, build_matrix(chatty), hashing, actor="bot")
    dawn, access = find_case(chatty, "P15"), find_code(chatty, "Access")
    cell = build_matrix(chatty).cells[(dawn.id, access.id)]
    assert cell.summary == (
        "\u201cReferrals bounce back without a reason.\u201d "
        "\u201cReferrals bounce back from the council without a reason.\u201d "
        "\u201cThe mums stop trusting us after the second refusal letter arrives.\u201d")
    assert_whole_sentences(chatty, cell)
    assert "Mm-hmm" not in cell.summary and "any reason" not in cell.summary


def test_drafts_filler_sentences_have_no_content_words():
    for text in ("Mm-hmm.", "Yeah, yeah.", "Right, okay.", "You know, um.",
                 "Mm-hmm and is there.", "Of course, I mean, sort of."):
        assert content_words(text) == [], text
    assert content_words("Fourteen weeks for counselling, you know.", "en-GB") == [
        "fourteen", "weeks", "counselling"]


def test_drafts_keep_within_the_word_budget_or_cut_at_a_clause(charted, hashing):
    claire, access = find_case(charted, "P19"), find_code(charted, "Access")
    cell = build_matrix(charted).cells[(claire.id, access.id)]
    made = draft(charted, cell, hashing, max_words=4)
    assert made.text == "\u201cFrom the council side\u2026\u201d"
    text = charted.get_one(Source, made.evidence[0]["source_id"]).text
    assert text[made.evidence[0]["start"]:made.evidence[0]["end"]] == "From the council side"
    dawn = find_case(charted, "P15")
    chatty_cell = build_matrix(charted).cells[(dawn.id, access.id)]
    assert draft(charted, chatty_cell, hashing, max_words=6).text == (
        "\u201cReferrals bounce back without a reason.\u201d")
    long = Sentence(1, "x.txt", 10, 61, "Referrals bounce back, without a reason, every week")
    assert (cut(long, 3).text, cut(long, 3).end) == ("Referrals bounce back\u2026", 31)
    assert cut(long, 6).text == "Referrals bounce back, without a reason\u2026"
    assert cut(Sentence(1, "x.txt", 0, 20, "Referrals bounce back often"), 2).text == (
        "Referrals bounce\u2026")
    with pytest.raises(InvalidArgument, match="at least one sentence"):
        draft_cells(charted, build_matrix(charted), hashing, actor="bot", max_words=0)


def test_drafts_link_opens_the_sentence_and_edits_drop_it(charted, hashing):
    draft_cells(charted, build_matrix(charted), hashing, actor="bot")
    maureen, claire = find_case(charted, "P01"), find_case(charted, "P19")
    access = find_code(charted, "Access")
    cells = build_matrix(charted).cells
    [said] = origins(charted, cells[(maureen.id, access.id)].evidence)
    assert (said.label, said.source) == ("interview.txt, 00:35", "interview.txt")
    [fg] = origins(charted, cells[(claire.id, access.id)].evidence)
    assert fg.label == "focus_group.txt, line 9"
    accepted = accept_cell(charted, maureen, access, actor="ruth")
    assert accepted.evidence == cells[(maureen.id, access.id)].evidence
    edited = edit_cell(charted, maureen, access, "Counselling waits 14 weeks.", actor="ruth")
    assert edited.evidence is None


def test_drafts_link_on_the_web_matrix(charted_path, hashing):
    with Project.open(charted_path) as project, project.session() as session:
        draft_cells(session, build_matrix(session), hashing, actor="bot")
        link = session.scalars(select(MatrixCell.evidence)).all()
        source_id = session.scalar(select(Source.id).where(Source.name == "interview.txt"))
    app = create_app(Settings(project=charted_path, host="127.0.0.1", local_user="ruth",
                              embedder="hashing.v1"))
    page = TestClient(app, base_url="http://127.0.0.1").get("/matrix").text
    start = next(e[0]["start"] for e in link if e[0]["source_id"] == source_id)
    assert (f'<p class="from muted">from: <a href="/sources/{source_id}#o{start}">'
            "interview.txt, 00:35</a></p>") in page


def test_drafts_of_the_demo_are_clean(stores, demo_path, tmp_path, hashing):
    path = stores.copy(demo_path, "demo.fsdb")
    with Project.open(path) as project, project.session() as session:
        matrix = build_matrix(session, group_by="sector")
        assert draft_cells(session, matrix, hashing, actor="bot") > 40
        drafted = [c for c in matrix.cells.values() if c.status == "draft"]
        for cell in drafted:
            sentences = sentences_of(session, cell)
            assert "Mm-hmm" not in cell.summary and len(sentences) == len(set(sentences))
            assert sum(len(s.split()) for s in sentences) <= MAX_WORDS
            assert all(len(content_words(s)) >= MIN_CONTENT_WORDS for s in sentences)
            assert_whole_sentences(session, cell)


def test_drafts_cli_chart_show_prints_summaries(fs, charted_path, monkeypatch):
    assert fs("chart", "draft", charted_path, "--max-words", "40")[1] == (
        "drafted 3 cells (marked draft until accepted or edited)\n")
    assert fs("chart", "accept", charted_path, "P19", "Access")[0] == 0
    assert fs("chart", "show", charted_path, "--group-by", "sector") == (0, """\
participants by themes, grouped by sector

community: Dawn Whitlock (P15)
  Access: 2 coded segments (draft)
    \u201cReferrals bounce back without a reason.\u201d
    from: focus_group.txt, line 13
  Partnership: no coded segments

community: Maureen Okafor (P01)
  Access: 1 coded segment (draft)
    \u201cFourteen weeks for counselling.\u201d
    from: interview.txt, 00:35
  Partnership: no coded segments

statutory: Claire Dunmore (P19)
  Access: 1 coded segment (accepted)
    \u201cFrom the council side, the threshold is the problem.\u201d
    from: focus_group.txt, line 9
  Partnership: no coded segments

statutory: Helen Ashworth (P06)
  Access: no coded segments
  Partnership: no coded segments

voluntary: Sam Okonjo (P16)
  Access: no coded segments
  Partnership: no coded segments
""", "")
    monkeypatch.setenv("COLUMNS", "44")
    out = fs("chart", "show", charted_path, "--rows", "organisation", "--theme", "Access")[1]
    assert out.split("\n\n")[3] == """\
Wrenmouth Council Early Help Team (ORG06)
  Waiting lists: no coded segments
  Referral routes: 1 coded segment
    (no summary yet)"""
    out = fs("chart", "show", charted_path)[1]
    assert out.split("\n\n")[5].splitlines()[1:4] == [
        "  Access: 1 coded segment (accepted)",
        "    \u201cFrom the council side, the threshold is",
        "    the problem.\u201d"]
    assert fs("chart", "show", charted_path, "--theme", "Access", "--counts")[1] == """\
  case            Waiting lists  Referral routes
  --------------  -------------  ---------------
  Maureen Okafor  1
  Helen Ashworth
  Dawn Whitlock   1              1
  Sam Okonjo
  Claire Dunmore                 1
"""
    cells = json.loads(fs("chart", "show", charted_path, "--format", "json")[1])
    maureen = next(c for c in cells if c["case"] == "P01")["cells"]["Access"]
    assert maureen["from"] == [{"source": "interview.txt", "start": 375, "end": 406,
                                "label": "interview.txt, 00:35"}]
