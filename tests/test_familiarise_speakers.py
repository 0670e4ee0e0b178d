"""Speaker turns found in transcript text, for the conventions transcribers use."""

from __future__ import annotations

import pytest

from framesynth.familiarise.speakers import (
    detect_layout,
    detect_turns,
    is_interviewer_label,
    parse_timestamp,
)


def spoken(text: str) -> list[tuple[str | None, str]]:
    return [(turn.label, text[turn.start:turn.end]) for turn in detect_turns(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Interviewer: Hello.\nMaureen: Hi there.\nInterviewer: Bye.",
         [("Interviewer", "Hello."), ("Maureen", "Hi there."), ("Interviewer", "Bye.")]),
        ("I: How long?\n\nP3: Two years.\n\nI: And then?\n\nP3: We moved.",
         [("I", "How long?"), ("P3", "Two years."), ("I", "And then?"), ("P3", "We moved.")]),
        ("**Interviewer:** Who comes?\n\n**Helen Ashworth:** Managers.\n\n**Interviewer:** Ok.",
         [("Interviewer", "Who comes?"), ("Helen Ashworth", "Managers."),
          ("Interviewer", "Ok.")]),
        ("**Facilitator**: Start.\n**Dawn**: Tuesday.\n**Dawn**: And Friday.",
         [("Facilitator", "Start."), ("Dawn", "Tuesday."), ("Dawn", "And Friday.")]),
        ("INTERVIEWER: Why?\nCOLIN FAIRWEATHER: Because.\nINTERVIEWER: Fine.",
         [("INTERVIEWER", "Why?"), ("COLIN FAIRWEATHER", "Because."), ("INTERVIEWER", "Fine.")]),
    ],
    ids=["names", "codes", "markdown-bold-inside", "markdown-bold-outside", "upper-case"],
)
def test_speakers_detect_turns_in_common_conventions(text, expected):
    assert spoken(text) == expected


def test_speakers_timestamps_are_kept_as_seconds_and_left_out_of_the_turn():
    text = "[00:01:05] Interviewer: Ready?\n(00:01:09) Lena: Yes.\n01:02:03.5 - Lena: Go."
    turns = detect_turns(text)
    assert [(t.label, text[t.start:t.end], t.started_at) for t in turns] == [
        ("Interviewer", "Ready?", 65.0),
        ("Lena", "Yes.", 69.0),
        ("Lena", "Go.", 3723.5),
    ]


def test_speakers_continuation_lines_and_colons_inside_a_turn_stay_in_the_turn():
    text = (
        "Interviewer: Tell me.\n\n"
        "Maureen: First part.\nSo what we said was: no.\n\nSecond paragraph.\n\n"
        "Interviewer: Thanks."
    )
    assert spoken(text) == [
        ("Interviewer", "Tell me."),
        ("Maureen", "First part.\nSo what we said was: no.\n\nSecond paragraph."),
        ("Interviewer", "Thanks."),
    ]


def test_speakers_a_header_is_a_preamble_not_a_turn_and_date_is_no_speaker():
    text = "Interview with a project lead\nDate: 3 March 2026\n\nI: Hello.\n\nR: Hi.\n\nI: Bye."
    layout = detect_layout(text)
    assert (layout.name, layout.preamble) == ("label-colon", (0, text.index("\n\nI:")))
    assert spoken(text) == [("I", "Hello."), ("R", "Hi."), ("I", "Bye.")]


def test_speakers_a_capitalised_word_with_a_colon_once_is_not_a_speaker():
    text = "Interviewer: What matters?\n\nKevin: Honestly?\nHonestly: the van.\n\nInterviewer: Ok."
    assert spoken(text) == [
        ("Interviewer", "What matters?"),
        ("Kevin", "Honestly?\nHonestly: the van."),
        ("Interviewer", "Ok."),
    ]


def test_speakers_a_known_participant_speaking_once_is_still_a_speaker():
    text = "Facilitator: Anyone else?\n\nAmir: Just one thing.\n\nFacilitator: Thanks."
    turns = detect_turns(text, known_labels={"Amir"})
    assert [t.label for t in turns] == ["Facilitator", "Amir", "Facilitator"]


def test_speakers_text_without_labels_splits_into_paragraphs():
    text = "First paragraph\nstill first.\n\n  Second one.  \n\n\nThird."
    assert spoken(text) == [(None, "First paragraph\nstill first."), (None, "Second one."),
                            (None, "Third.")]


def test_speakers_offsets_are_code_points_in_text_with_non_ascii_characters():
    text = "Interviewer: Café? “Yes” – £5.\n\nSiân: Diolch — ok.\n\nInterviewer: 👍 Good."
    turns = detect_turns(text)
    assert [text[t.start:t.end] for t in turns] == ["Café? “Yes” – £5.", "Diolch — ok.",
                                                    "👍 Good."]
    assert turns[1].start == text.index("Diolch")


@pytest.mark.parametrize(("value", "seconds"),
                         [("00:00:04", 4.0), ("1:02", 62.0), ("01:00:00,250", 3600.25),
                          (None, None)])
def test_speakers_parse_timestamp(value, seconds):
    assert parse_timestamp(value) == seconds


@pytest.mark.parametrize(("label", "team"), [
    ("Interviewer", True), ("Interviewer2", True), ("Interviewer 3", True),
    ("Moderator B", True), ("facilitator", True), ("I", True),
    ("Interviewee", False), ("Ian", False), ("Sam", False), ("Researcher Jones", False)])
def test_speakers_default_team_guess_takes_numbered_and_lettered_labels(label, team):
    assert is_interviewer_label(label) is team
