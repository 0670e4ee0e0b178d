"""Correcting a recorded interview turn by turn: a turn's words (codings carried, the old
text kept, times kept) and a turn's speaker."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from framesynth.errors import InvalidArgument, NotFound
from framesynth.familiarise.sources import get_source
from framesynth.familiarise.transcript_edits import assign_turn_speaker, correct_turn
from framesynth.index.coding import code_span
from framesynth.project import Project
from framesynth.store.models import Coding, Event, SourceRevision

NAME = "int03.vtt"  # the source: the transcript, its recording int03.wav attached


def code_words(session, words: str, code: str) -> Coding:
    text = get_source(session, NAME).text
    start = text.index(words)
    return code_span(session, NAME, start, start + len(words), code, coder="ruth")


@pytest.fixture
def recorded(recorded_interview):
    location, spoken = recorded_interview
    with Project.open(location) as project, project.session() as session:
        code_words(session, "the waiting list is long", "Access/Waiting lists")
        code_words(session, "chest freezer", "Access/Referral routes")
    return location, spoken


def test_correct_turn_carries_codings_keeps_times_and_the_old_text(recorded):
    location, spoken = recorded
    with Project.open(location) as project, project.session() as session:
        before = get_source(session, NAME).text
        result = correct_turn(session, NAME, 1, "With one big chest freezer in the hall.",
                              actor="cora")
        source = get_source(session, NAME)
        codings = {c.code.name: c for c in session.scalars(select(Coding))}
        revision = session.scalar(select(SourceRevision))
        turns = [(t.position, t.speaker.label, t.text, t.started_at, t.ended_at)
                 for t in source.turns]
        events = [e.action for e in session.scalars(select(Event).order_by(Event.id))]
        waiting, freezer = codings["Waiting lists"], codings["Referral routes"]
        assert source.text == before.replace("With one chest freezer in the church hall.",
                                             "With one big chest freezer in the hall.")
        assert (revision.text, revision.replaced_by) == (before, "cora")
        assert result.revision == revision.id and result.carried == 2 and result.dropped == []
        # a coding on another turn: same words, moved by the change in length
        assert (waiting.text, source.text[waiting.start:waiting.end]) == (
            "the waiting list is long", "the waiting list is long")
        # a coding on the corrected turn: on its words in the new text
        assert (freezer.text, source.text[freezer.start:freezer.end]) == (
            "chest freezer", "chest freezer")
        assert turns == [
            (0, "Interviewer", "How did the larder start?", spoken[0].start, spoken[0].end),
            (1, "Maureen", "With one big chest freezer in the hall.", spoken[1].start,
             spoken[1].end),
            (2, "Interviewer", "And who runs it now?", spoken[2].start, spoken[2].end),
            (3, "Maureen", "Four volunteers, and the waiting list is long.", spoken[3].start,
             spoken[3].end),
            (4, "Interviewer", "Thank you.", spoken[4].start, spoken[4].end)]
        assert all(source.text[t.start:t.end] == t.text for t in source.turns)
        assert events[-1] == "correct_turn"


def test_correct_turn_flags_a_coding_whose_words_changed(recorded):
    location, _ = recorded
    with Project.open(location) as project, project.session() as session:
        result = correct_turn(session, NAME, 3, "Four volunteers, and the waiting "
                              "lists are long.", actor="cora")
        coding = session.scalar(select(Coding).join(Coding.code).where(
            Coding.code.has(name="Waiting lists")))
        assert [(m.label, m.old_text, m.text, m.reason) for m in result.review] == [
            ("Access/Waiting lists", "the waiting list is long", "the waiting lists are long",
             "words changed")]
        assert coding.text == "the waiting lists are long"


@pytest.mark.parametrize(("position", "text", "error", "message"), [
    (9, "Hello.", NotFound, "int03.vtt: no turn 9 (its turns are 0 to 4) [FS002]"),
    (4, "  ", InvalidArgument, "int03.vtt: turn 4: a turn's text cannot be empty [FS003]"),
    (4, "Thank you.", InvalidArgument, "int03.vtt: turn 4 already says this [FS003]"),
])
def test_correct_turn_refuses_and_changes_nothing(recorded, position, text, error, message):
    location, _ = recorded
    with Project.open(location) as project, project.session() as session:
        before = get_source(session, NAME).text
        with pytest.raises(error) as raised:
            correct_turn(session, NAME, position, text, actor="cora")
        assert str(raised.value) == message
        assert get_source(session, NAME).text == before
        assert session.scalar(select(SourceRevision)) is None


def test_assign_turn_speaker_uses_a_label_or_adds_one(recorded):
    location, _ = recorded
    with Project.open(location) as project, project.session() as session:
        assign_turn_speaker(session, NAME, 4, "maureen", actor="cora")
        assign_turn_speaker(session, NAME, 2, "Sam  Patel", actor="cora")
        source = get_source(session, NAME)
        speakers = [(s.label, s.is_interviewer) for s in sorted(source.speakers,
                                                                 key=lambda s: s.id)]
        assert [t.speaker.label for t in source.turns] == [
            "Interviewer", "Maureen", "Sam Patel", "Maureen", "Maureen"]
        assert speakers == [("Interviewer", True), ("Maureen", False), ("Sam Patel", False)]
        event = session.scalars(select(Event).order_by(Event.id.desc())).first()
        assert (event.action, event.payload["turn"], event.payload["speaker"], event.payload["before"]) == (
            "turn.speaker", 2, "Sam Patel", "Interviewer")


def test_cli_sources_correct_and_speaker(recorded, fs):
    location, _ = recorded
    code, out, err = fs("sources", "correct", str(location), NAME, "--turn", "1", "--text",
                        "With one big chest freezer in the hall.")
    assert (code, out, err) == (0, "corrected turn 1 of int03.vtt (old text kept as revision 1): "
                                   "2 codings and memo spans carried, 0 to review, 0 dropped\n", "")
    code, out, err = fs("sources", "speaker", str(location), NAME, "--turn", "4", "Maureen")
    assert (code, out, err) == (0, "turn 4 of int03.vtt: Maureen\n", "")
    code, out, err = fs("sources", "speaker", str(location), NAME, "--turn", "7", "Maureen")
    assert (code, err) == (1, "error: int03.vtt: no turn 7 (its turns are 0 to 4) [FS002]\n")
    with Project.open(location) as project, project.session() as session:
        source = get_source(session, NAME)
        assert (source.turns[1].text, source.turns[4].speaker.label) == (
            "With one big chest freezer in the hall.", "Maureen")
