"""Memos on the project, on a source and on a span."""

from __future__ import annotations

import pytest

from framesynth.errors import InvalidArgument, NotFound
from framesynth.familiarise.memos import add_memo, edit_memo, get_memo, list_memos, memo_anchor
from framesynth.io.importers import import_files
from framesynth.store.models import Source


@pytest.fixture
def with_source(session, data_dir):
    import_files(session, [data_dir / "interview.txt"])
    return session


def test_memos_attach_to_project_source_and_span(with_source):
    text = with_source.get(Source, 1).text
    start = text.index("Fourteen weeks")
    memos = [
        add_memo(with_source, "Overall: referrals depend on relationships.", author="ruth"),
        add_memo(with_source, "Maureen is candid.", author="ruth", source="interview.txt"),
        add_memo(with_source, "The wait is the story.", author="colin", source="interview.txt",
                 start=start, end=start + len("Fourteen weeks"), title="Wait"),
    ]
    assert [(m.id, m.title, m.author, memo_anchor(m)) for m in memos] == [
        (1, "Overall: referrals depend on relationships.", "ruth", "project"),
        (2, "Maureen is candid.", "ruth", "interview.txt"),
        (3, "Wait", "colin", f"interview.txt:{start}-{start + 14}"),
    ]
    assert text[memos[2].start:memos[2].end] == "Fourteen weeks"


def test_memos_list_filters_by_source_and_words(with_source):
    add_memo(with_source, "Trust between sectors.", author="ruth")
    add_memo(with_source, "Trust is built slowly at the Hub.", author="ruth", source="interview.txt")
    add_memo(with_source, "Waiting lists.", author="ruth", source="interview.txt")
    assert [m.body for m in list_memos(with_source, source="interview.txt")] == [
        "Trust is built slowly at the Hub.", "Waiting lists."]
    assert [m.body for m in list_memos(with_source, containing="trust")] == [
        "Trust between sectors.", "Trust is built slowly at the Hub."]


def test_memos_long_text_gets_a_short_default_title(with_source):
    memo = add_memo(with_source, "word " * 40, author="ruth")
    assert memo.title.endswith("...") and len(memo.title) <= 60


def test_memos_edit_keeps_created_and_moves_updated(with_source):
    memo = add_memo(with_source, "First thought.", author="ruth")
    edited = edit_memo(with_source, memo.id, "Second thought.", author="ruth")
    assert edited.body == "Second thought."
    assert edited.updated_at >= edited.created_at


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"source": "interview.txt", "start": 5}, "give both --start and --end"),
    ({"source": "interview.txt", "start": 10, "end": 5}, "span 10-5 is outside"),
    ({"source": "interview.txt", "start": 0, "end": 10_000}, "span 0-10000 is outside"),
    ({"start": 0, "end": 3}, "a memo on a span needs --source"),
])
def test_memos_bad_spans_are_refused(with_source, kwargs, message):
    with pytest.raises(InvalidArgument, match=message):
        add_memo(with_source, "x", author="ruth", **kwargs)


def test_memos_unknown_source_and_id(with_source):
    with pytest.raises(NotFound, match="no source named 'nope.txt'"):
        add_memo(with_source, "x", author="ruth", source="nope.txt")
    with pytest.raises(NotFound, match="no memo with id 99"):
        get_memo(with_source, 99)


def test_memos_empty_text_is_refused(with_source):
    with pytest.raises(InvalidArgument, match="a memo needs some text"):
        add_memo(with_source, "  ", author="ruth")


def test_memos_on_a_code(coded):
    from framesynth.frame.framework import find_code

    code = find_code(coded, "Waiting lists")
    memo = add_memo(coded, "Waits shape everything.", author="ruth", code_id=code.id)
    assert memo_anchor(memo) == f"code:{code.id}"
    assert memo.code.name == "Waiting lists"
