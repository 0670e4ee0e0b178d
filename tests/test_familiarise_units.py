"""Units of analysis: turns, paragraphs, sentences."""

from __future__ import annotations

import pytest

from framesynth.errors import InvalidArgument
from framesynth.familiarise.units import segment, sentence_spans, units
from framesynth.io.importers import import_files


@pytest.fixture
def one_source(session, tmp_path):
    path = tmp_path / "talk.txt"
    path.write_text(
        "Interview header\n\n"
        "Interviewer: How long was the wait?\n\n"
        "Maureen: Fourteen weeks. Dr. Patel said it was normal, i.e. the usual.\n\n"
        "It felt longer.\n\n"
        "Interviewer: And now?\n\n"
        "Maureen: Better.", encoding="utf-8")
    import_files(session, [path])
    return session


@pytest.mark.parametrize(("kind", "expected"), [
    ("turn", ["Fourteen weeks. Dr. Patel said it was normal, i.e. the usual.\n\nIt felt longer.",
              "Better."]),
    ("paragraph", ["Fourteen weeks. Dr. Patel said it was normal, i.e. the usual.",
                   "It felt longer.", "Better."]),
    ("sentence", ["Fourteen weeks.", "Dr. Patel said it was normal, i.e. the usual.",
                  "It felt longer.", "Better."]),
])
def test_units_leave_out_the_interviewer_and_the_header(one_source, kind, expected):
    assert [u.text for u in units(one_source, kind)] == expected


def test_units_offsets_point_into_the_source(one_source):
    from framesynth.store.models import Source

    text = one_source.get(Source, 1).text
    assert all(text[u.start:u.end] == u.text for u in units(one_source, "sentence"))


def test_units_can_include_the_interviewer(one_source):
    assert [u.text for u in units(one_source, "turn", include_interviewer=True)][0] == (
        "How long was the wait?")


def test_units_unknown_kind(one_source):
    with pytest.raises(InvalidArgument, match="unit 'page' is not one of"):
        units(one_source, "page")


def test_sentences_repeated_text_gets_its_own_offsets():
    text = "Yes. No. Yes."
    assert sentence_spans(text) == [(0, 4), (5, 8), (9, 13)]


def test_units_sentence_spans_are_cached_in_the_project(stores, demo_path, tmp_path, monkeypatch):

    from framesynth.familiarise import units as units_module
    from framesynth.project import Project

    path = stores.copy(demo_path, "study.fsdb")
    with Project.open(path) as project, project.session() as session:
        assert session.get(units_module.Setting, units_module.SPAN_CACHE_KEY) is None
    with Project.open(path, read_only=True) as project, project.session() as session:
        found = units(session, "sentence")
        assert session.get(units_module.Setting, units_module.SPAN_CACHE_KEY) is None
    with Project.open(path) as project, project.session() as session:
        assert units(session, "sentence") == found

    def refuse(text):
        raise AssertionError("pysbd ran again")

    monkeypatch.setattr(units_module, "sentence_spans", refuse)
    with Project.open(path) as project, project.session() as session:
        assert units(session, "sentence") == found
        assert len(found) > 2000


SEGMENTED = [
    "Yes. Yes. Yes.",
    "We met Dr. Okafor at 3 p.m. on Tuesday.  Then   we left!\n\nDid it work? It did...",
    "  Leading space. Trailing space.   ",
    "One sentence without a stop",
    "He said “stop.” She didn't. He said “stop.” Again.\tTabbed.\u00a0Odd space. E.g. this.",
    "",
]


@pytest.mark.parametrize("text", SEGMENTED)
def test_units_segment_is_pysbds_segment(text):
    import pysbd

    expected = pysbd.Segmenter(language="en", clean=False).segment(text)
    assert segment(text) == expected


def test_units_sentence_spans_are_found_once_per_project(one_source, monkeypatch):
    from framesynth.familiarise import units as units_module

    units_module.cache_sentence_spans(one_source, {1})
    units_module._sentence_spans.cache_clear()
    monkeypatch.setattr(units_module, "segment", lambda text: pytest.fail("pysbd ran again"))
    found = [u.text for u in units(one_source, "sentence", include_interviewer=True)]
    assert found == ["How long was the wait?", "Fourteen weeks.",
                     "Dr. Patel said it was normal, i.e. the usual.", "It felt longer.",
                     "And now?", "Better."]
