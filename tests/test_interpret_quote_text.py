"""Quotes as papers print them (issue 12): trimmed to sentence boundaries within the turn,
or as the analyst edited them ("[…]" cuts, [bracketed] insertions, nothing else), in the
analyst's order; the report prints the edit, anonymised, in its place."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from framesynth.embeddings import HashingEmbedder
from framesynth.errors import InvalidArgument, NotFound
from framesynth.frame.framework import find_code
from framesynth.interpret.quote_edits import (
    candidate_quotes,
    edit_quote,
    move_quote,
    picked_quotes,
)
from framesynth.interpret.quote_text import checked_edit, sentence_bounded
from framesynth.interpret.quotes import pick_quote, theme_quotes, unpick_quote
from framesynth.interpret.report import build_report
from framesynth.io.exporters.html import render_html
from framesynth.io.exporters.markdown import render_markdown
from framesynth.project import Project
from framesynth.store.models import Coding, Event, PickedQuote

CLINIC = ("Um, yeah. So we, er, we went to see Dr. Okafor at the clinic, e.g. the one on "
          "Quay Street, and she was brilliant. Mm-hmm. Did you ever hear back? No. I think "
          "José Núñez said it was fine, but honestly nobody from the council ever rang us "
          "back about it at all.")
GAPS = ("We had the referral forms, the shared drive, the weekly panel, the lot, and still "
        "the families in Harbour Ward kept falling through the gaps between us. That's the "
        "honest answer. Mm-hmm. And Dr. Ngozi Okafor, who chairs it, says the same.")
LOCALITY = ("So what happened was the council moved the whole early help offer over to the "
            "new locality model in the spring, and honestly nobody from the Hub was asked, "
            "not once, about what that would mean for the families we already had on our "
            "books.")


def bounded(turn: str, first: str, last: str | None = None) -> str:
    """The display text of the span from ``first`` to the end of ``last`` in ``turn``."""
    start = turn.index(first)
    end = turn.index(last, start) + len(last) if last else start + len(first)
    return sentence_bounded(turn, start, end)


@pytest.mark.parametrize(("turn", "first", "last", "printed"), [
    # a few words either side: widened to the sentence, abbreviations inside it kept
    (CLINIC, "we went to see Dr. Okafor at the clinic", None,
     "So we, er, we went to see Dr. Okafor at the clinic, e.g. the one on Quay Street, and "
     "she was brilliant."),
    (CLINIC, "Did you ever hear back? No.", None, "Did you ever hear back? No."),
    (CLINIC, "Did you ever hear", None, "Did you ever hear back?"),
    (CLINIC, "Mm-hmm.", None, "Mm-hmm."),
    # widened on the left (two words), cut with "…" on the right (14 more words)
    (CLINIC, "José Núñez said it was fine", None, "I think José Núñez said it was fine…"),
    # 20 words before it: the fragment is dropped, the whole sentence kept
    (GAPS, "kept falling", "honest answer.", "That's the honest answer."),
    (GAPS, "the families in Harbour", "And Dr. Ngozi",
     "That's the honest answer. Mm-hmm. And Dr. Ngozi Okafor, who chairs it, says the same."),
    (GAPS, "the shared drive", "weekly panel",
     "We had the referral forms, the shared drive, the weekly panel…"),
    # too far from both ends of one long sentence: "…" on both sides, the comma dropped
    (LOCALITY, "honestly nobody", "not once,",
     "…honestly nobody from the Hub was asked, not once…"),
])
def test_quote_text_sentence_bounded_on_speech(turn, first, last, printed):
    assert bounded(turn, first, last) == printed


def test_quote_text_sentence_bounded_whole_turn_and_spaces():
    assert sentence_bounded(CLINIC, 0, len(CLINIC)) == CLINIC
    turn = "  Yes.\n\nWe did,   in the\tend.  "
    assert sentence_bounded(turn, 0, len(turn)) == "Yes. We did, in the end."
    assert sentence_bounded(turn, turn.index("in the"), len(turn)) == "We did, in the end."


SPAN = ("Jide Adeyemi, he's a family support worker from the council's Early Help Team and "
        "he's based with us two days a week, Tuesdays and Thursdays.")


@pytest.mark.parametrize(("typed", "stored"), [
    ("Jide Adeyemi, he's a family support worker [...] based with us two days a week",
     "Jide Adeyemi, he's a family support worker […] based with us two days a week"),
    ("Jide Adeyemi [ … ] Thursdays.", "Jide Adeyemi […] Thursdays."),
    ("[He]'s a family support worker from the council's Early Help Team […] Tuesdays and "
     "Thursdays.",
     "[He]'s a family support worker from the council's Early Help Team […] Tuesdays and "
     "Thursdays."),
    ("he's   based with us\n two days a week [at the Hub]",
     "he's based with us two days a week [at the Hub]"),
])
def test_quote_text_checked_edit_keeps_the_participants_words(typed, stored):
    assert checked_edit(SPAN, typed) == stored


@pytest.mark.parametrize(("typed", "message"), [
    ("Jide Adeyemi, he's a brilliant family support worker",
     "“Jide Adeyemi, he's a brilliant family support worker” is not in the coded text; "
     "only […] cuts and [bracketed] insertions may differ"),
    ("Tuesdays and Thursdays. […] Jide Adeyemi",
     "“Jide Adeyemi” is not in the coded text after “Tuesdays and Thursdays.”; only […] "
     "cuts and [bracketed] insertions may differ"),
    ("jide adeyemi", "“jide adeyemi” is not in the coded text; only […] cuts and "
     "[bracketed] insertions may differ"),
    ("[…] [the council]", "the edited text holds none of the coded text's own words"),
])
def test_quote_text_checked_edit_refuses_words_not_said(typed, message):
    with pytest.raises(InvalidArgument) as refused:
        checked_edit(SPAN, typed)
    assert str(refused.value) == f"{message} [FS003]"


@pytest.fixture
def shared(stores, demo_path, tmp_path):
    """A copy of the demo with three codings of "Partnership working/Shared premises"
    picked for it, in coding order."""
    path = stores.copy(demo_path, "quotes.fsdb")
    with Project.open(path) as project, project.session() as session:
        code = find_code(session, "Partnership working/Shared premises")
        codings = list(session.scalars(select(Coding.id).where(
            Coding.code_id == code.id, Coding.status.is_(None)).order_by(Coding.id)))[:3]
        for coding_id in codings:
            pick_quote(session, coding_id, code, actor="ruth")
    return path, codings


def test_quote_edit_is_printed_and_the_coded_span_kept(shared):
    path, (first, *_rest) = shared
    with Project.open(path) as project, project.session() as session:
        code = find_code(session, "Partnership working/Shared premises")
        coding = session.get(Coding, first)
        span = (coding.start, coding.end, coding.text)
        edit_quote(session, first, code, "Jide Adeyemi, he's a family support worker [...] "
                   "based with us two days a week", actor="ruth")
        quote = picked_quotes(session, code)[0]
        assert (quote.text, quote.edited, quote.coding_id, quote.start, quote.end) == (
            "Jide Adeyemi, he's a family support worker […] based with us two days a week",
            True, first, span[0], span[1])
        assert quote.coded == " ".join(span[2].split())
        assert (coding.start, coding.end, coding.text) == span
        event = session.scalar(select(Event).where(Event.action == "quote.edit"))
        assert (event.actor, event.payload["coding"], event.payload["text"]) == (
            "ruth", first, quote.text)
        edit_quote(session, first, code, "  ", actor="ruth")
        again = picked_quotes(session, code)[0]
        assert (again.edited, again.text) == (False, (
            "Jide Adeyemi, he's a family support worker from the council's Early Help Team "
            "and he's based with us two days a week, Tuesdays and Thursdays. He shares the "
            "little office at the back that used to be the children's library store — "
            "there's a locked cabinet in there for his files that took four months of emails "
            "to sort [laughs]."))


def test_quote_edit_refused_leaves_the_pick_as_it_was(shared):
    path, (first, *_rest) = shared
    with Project.open(path) as project, project.session() as session:
        code = find_code(session, "Partnership working/Shared premises")
        with pytest.raises(InvalidArgument, match=r"^“he is the best” is not in the coded"):
            edit_quote(session, first, code, "he is the best", actor="ruth")
        assert session.scalar(select(PickedQuote.display_text).where(
            PickedQuote.coding_id == first)) is None
        other = find_code(session, "Partnership working")
        with pytest.raises(NotFound, match="is not picked for 'Partnership working'"):
            edit_quote(session, first, other, "Jide", actor="ruth")


def test_quote_move_sets_the_order_and_new_picks_come_after(shared):
    path, codings = shared
    a, b, c = codings
    with Project.open(path) as project, project.session() as session:
        code = find_code(session, "Partnership working/Shared premises")
        assert [q.coding_id for q in picked_quotes(session, code)] == [a, b, c]
        move_quote(session, c, code, to=1, actor="ruth")
        assert [q.coding_id for q in picked_quotes(session, code)] == [c, a, b]
        move_quote(session, c, code, to=9, actor="ruth")
        assert [q.coding_id for q in picked_quotes(session, code)] == [a, b, c]
        move_quote(session, b, code, to=1, actor="ruth")
        unpick_quote(session, a, code, actor="ruth")
        pick_quote(session, a, code, actor="ruth")
        assert [q.coding_id for q in picked_quotes(session, code)] == [b, c, a]
        assert [q.coding_id for q in theme_quotes(session, code, HashingEmbedder())] == [
            b, c, a]
        with pytest.raises(InvalidArgument, match="--to must be 1 or more, not 0"):
            move_quote(session, b, code, to=0, actor="ruth")
        assert [e.payload["to"] for e in session.scalars(select(Event).where(
            Event.action == "quote.move").order_by(Event.id))] == [1, 3, 1]


def test_quote_candidates_leave_out_the_picks(shared):
    path, codings = shared
    with Project.open(path) as project, project.session() as session:
        code = find_code(session, "Partnership working/Shared premises")
        found = candidate_quotes(session, code, HashingEmbedder(), count=4)
        assert found and not {q.coding_id for q in found} & set(codings)
        assert all(not q.picked and q.attribution.startswith("– ") for q in found)


def flat(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_quote_report_prints_the_edit_anonymised_in_its_place(shared):
    path, (first, second, third) = shared
    with Project.open(path) as project, project.session() as session:
        code = find_code(session, "Partnership working/Shared premises")
        edit_quote(session, first, code, "Jide Adeyemi, he's a family support worker [...] "
                   "based with us two days a week", actor="ruth")
        move_quote(session, first, code, to=3, actor="ruth")
        report = build_report(session, embedder=HashingEmbedder(), actor="ruth")
    part = next(p for t in report.themes for p in t.parts if p.title == "Shared premises")
    assert [(q.coding_id, q.edited) for q in part.quotes] == [
        (second, False), (third, False), (first, True)]
    printed = part.quotes[2].text
    assert "Jide" not in printed and "Adeyemi" not in printed
    assert printed.endswith(", he's a family support worker […] based with us two days a week")
    for text in (flat(render_html(report)),
                 flat("\n".join(render_markdown(report, "report_files")))):
        heading = text.index("Shared premises")
        places = [text.find(" ".join(q.text.split()[:6]), heading) for q in part.quotes]
        assert -1 not in places and places == sorted(places)
        assert printed in text
