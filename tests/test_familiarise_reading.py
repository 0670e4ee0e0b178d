"""The reader's view of a source: turns cut where codings begin and end."""

from __future__ import annotations

import pytest

from framesynth.errors import NotFound
from framesynth.familiarise.reading import reader_view
from framesynth.familiarise.sources import get_source
from framesynth.frame.framework import code_path


def piece_rows(view, speaker: str):
    """(text, [code (coder)]) for each piece of the turns of ``speaker``."""
    return [(piece.text, [f"{code_path(c.code)} ({c.coder})" for c in piece.codes])
            for item in view.turns if item.speaker and item.speaker.label == speaker
            for piece in item.pieces]


def test_reading_view_cuts_turns_at_every_coding_edge(charted):
    view = reader_view(charted, get_source(charted, "focus_group.txt").id)
    assert view.source.name == "focus_group.txt"
    assert piece_rows(view, "Dawn") == [
        ("We run the Tuesday group at St Aidan's church hall.", []),
        ("Referrals bounce back", ["Access/Referral routes (ruth)",
                                   "Access/Waiting lists (ruth)",
                                   "Access/Referral routes (ruth)"]),
        (" without a reason", ["Access/Referral routes (ruth)", "Access/Waiting lists (ruth)"]),
        (".", []),
    ]
    assert [[code_path(c) for c in item.stripes] for item in view.turns] == [
        [], [], ["Partnership/Meeting rhythms"], ["Access/Referral routes"], [],
        ["Access/Referral routes", "Access/Waiting lists"], [], []]


def test_reading_view_lists_speakers_with_the_team_and_roles(charted):
    view = reader_view(charted, get_source(charted, "focus_group.txt").id)
    assert [(s.label, s.is_interviewer) for s in view.speakers] == [
        ("Facilitator", True), ("Dawn", False), ("Sam", False), ("Claire", False)]
    dawn, sam, claire = (("project worker", "Hollin Bank Parents' Network"),
                         ("project worker", "Kestrel Food Bank"),
                         ("project worker", "Wrenmouth Council Early Help Team"))
    assert [(t.speaker.label, t.role, t.organisation) for t in view.turns] == [
        ("Facilitator", None, None), ("Dawn", *dawn), ("Sam", *sam), ("Claire", *claire),
        ("Facilitator", None, None), ("Dawn", *dawn), ("Sam", *sam), ("Claire", *claire)]
    assert view.memos == []


def test_reading_view_of_a_missing_source_is_not_found(charted):
    with pytest.raises(NotFound, match="no source with id 99999999999999999999"):
        reader_view(charted, 99999999999999999999)

