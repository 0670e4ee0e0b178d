"""Word frequencies per source and per group of cases."""

from __future__ import annotations

import pytest

from framesynth.errors import InvalidArgument
from framesynth.familiarise.context import parse_where
from framesynth.familiarise.frequencies import word_frequencies
from framesynth.io.importers import import_files
from framesynth.io.importers.case_table import import_case_table


@pytest.fixture
def tiny(session, tmp_path, data_dir):
    import_case_table(session, data_dir / "cases.csv")
    path = tmp_path / "focus_group.txt"
    path.write_text(
        "Facilitator: Tell me about the referrals and referrals and referrals.\n\n"
        "Dawn: Referrals, yeah, referrals bounce. The trust is low, you know.\n\n"
        "Sam: The van and the van and the trust.\n\n"
        "Claire: Thresholds. Thresholds matter, thresholds.\n\n"
        "Facilitator: Thanks.",
        encoding="utf-8")
    import_files(session, [path])
    return session


def test_frequencies_per_source_leave_out_stop_words_fillers_and_the_interviewer(tiny):
    assert word_frequencies(tiny, top=3) == {
        "focus_group.txt": [("thresholds", 3), ("referrals", 2), ("trust", 2)]}


def test_frequencies_can_include_the_interviewer(tiny):
    top = word_frequencies(tiny, top=1, include_interviewer=True)
    assert top == {"focus_group.txt": [("referrals", 5)]}


def test_frequencies_by_sector(tiny):
    assert word_frequencies(tiny, by="sector", top=2) == {
        "community": [("referrals", 2), ("bounce", 1)],
        "statutory": [("thresholds", 3), ("matter", 1)],
        "voluntary": [("van", 2), ("trust", 1)],
    }


def test_frequencies_with_where(tiny):
    assert word_frequencies(tiny, by="all", top=1, where=parse_where(["sector=voluntary"])) == {
        "all": [("van", 2)]}


def test_frequencies_unknown_grouping(tiny):
    with pytest.raises(InvalidArgument, match="cannot group by 'colour'"):
        word_frequencies(tiny, by="colour")
