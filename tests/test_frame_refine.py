"""Refining the framework: rename, move, merge, split, retire; history and diff.
No refinement ever drops a coding."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from framesynth.frame.framework import FrameworkError, code_path, find_code
from framesynth.frame.history import describe, diff_since, history
from framesynth.frame.refine import (
    merge_codes,
    move_code,
    rename_code,
    retire_code,
    split_code,
)
from framesynth.index.coding import CodingError, code_span
from framesynth.store.models import Coding


@pytest.fixture
def with_codings(coded, at):
    """Four codings on the test transcripts, by two coders."""
    for phrase, code, coder in [
        ("Fourteen weeks for counselling", "Waiting lists", "ruth"),
        ("Fourteen weeks for counselling", "Referral routes", "ruth"),
        ("Anjali sends a text, then the form follows", "Referral routes", "ruth"),
        ("Anjali sends a text, then the form follows", "Referral routes", "colin"),
    ]:
        code_span(coded, "interview.txt", *at(coded, "interview.txt", phrase), code,
                  coder=coder)
    return coded


def count_codings(session) -> int:
    return session.scalar(select(func.count(Coding.id)))


def test_refine_rename_keeps_codings(with_codings):
    code = find_code(with_codings, "Referral routes")
    rename_code(with_codings, code, "How families arrive", actor="ruth")
    assert code_path(code) == "Access/How families arrive"
    assert len([c for c in with_codings.scalars(select(Coding)) if c.code_id == code.id]) == 3


def test_refine_move_under_another_theme_and_not_under_itself(with_codings):
    code = find_code(with_codings, "Access")
    move_code(with_codings, find_code(with_codings, "Meeting rhythms"), code, actor="ruth")
    assert code_path(find_code(with_codings, "Meeting rhythms")) == "Access/Meeting rhythms"
    with pytest.raises(FrameworkError, match="cannot move 'Access' under itself"):
        move_code(with_codings, code, find_code(with_codings, "Access/Waiting lists"),
                  actor="ruth")


def test_refine_merge_carries_codings_and_collapses_duplicates(with_codings):
    before = count_codings(with_codings)
    source, target = find_code(with_codings, "Waiting lists"), find_code(with_codings,
                                                                         "Referral routes")
    merge_codes(with_codings, source, target, actor="ruth")
    rows = sorted((c.code_id, c.coder, c.text[:8]) for c in with_codings.scalars(select(Coding)))
    assert rows == [(target.id, "colin", "Anjali s"), (target.id, "ruth", "Anjali s"),
                    (target.id, "ruth", "Fourteen")]
    assert count_codings(with_codings) == before - 1  # the one exact duplicate
    assert source.retired


@pytest.mark.parametrize(("source", "target", "message"), [
    ("Access/Waiting lists", "Access/Waiting lists", "into itself"),
    ("Access", "Access/Waiting lists", "into its own sub-code"),
])
def test_refine_merge_refuses_itself_and_descendants(with_codings, source, target, message):
    before = count_codings(with_codings)
    with pytest.raises(FrameworkError, match=message):
        merge_codes(with_codings, find_code(with_codings, source),
                    find_code(with_codings, target), actor="ruth")
    assert count_codings(with_codings) == before


def test_refine_split_reassigns_by_rule_and_leaves_the_rest_for_review(with_codings):
    code = find_code(with_codings, "Referral routes")
    result = split_code(with_codings, code, {"Texts": ["text*"], "Counselling": ["counsel*"]},
                        actor="ruth")
    assert result.reassigned == {"Texts": 2, "Counselling": 1}
    assert result.to_review == []
    assert [code_path(c) for c in result.new_codes] == ["Access/Referral routes/Texts",
                                                        "Access/Referral routes/Counselling"]


def test_refine_split_keeps_unmatched_codings_on_the_code(with_codings):
    code = find_code(with_codings, "Referral routes")
    result = split_code(with_codings, code, {"Phones": ["phone*"], "Letters": ["letter*"]},
                        actor="ruth")
    assert len(result.to_review) == 3
    assert all(c.code_id == code.id for c in result.to_review)


def test_refine_retire_keeps_codings_and_blocks_new_ones(with_codings):
    code = retire_code(with_codings, find_code(with_codings, "Referral routes"), actor="ruth")
    assert count_codings(with_codings) == 4
    with pytest.raises(CodingError, match="is retired"):
        code_span(with_codings, "interview.txt", 0, 5, "Access/Referral routes", coder="ruth")
    retire_code(with_codings, code, actor="ruth", retired=False)
    code_span(with_codings, "interview.txt", 0, 5, "Access/Referral routes", coder="ruth")


def test_refine_history_records_who_and_what(with_codings):
    rename_code(with_codings, find_code(with_codings, "Waiting lists"), "Waits", actor="colin")
    retire_code(with_codings, find_code(with_codings, "Meeting rhythms"), actor="ruth")
    assert [(e.actor, describe(e)) for e in history(with_codings)] == [
        ("ruth", "import file=framework.yaml"),
        ("colin", f"rename code={find_code(with_codings, 'Waits').id}, "
                  "before=Access/Waiting lists, after=Access/Waits"),
        ("ruth", f"retire code={find_code(with_codings, 'Meeting rhythms').id}, "
                 "path=Partnership/Meeting rhythms"),
    ]


def test_refine_diff_since_an_event(with_codings):
    imported = history(with_codings)[0].id
    rename_code(with_codings, find_code(with_codings, "Waiting lists"), "Waits", actor="colin")
    merge_codes(with_codings, find_code(with_codings, "Meeting rhythms"),
                find_code(with_codings, "Referral routes"), actor="ruth")
    assert [(c.kind, c.before, c.after) for c in diff_since(with_codings, imported)] == [
        ("renamed/moved", "Access/Waiting lists", "Access/Waits"),
        ("retired", "Partnership/Meeting rhythms", "Partnership/Meeting rhythms"),
    ]
    assert [c.kind for c in diff_since(with_codings, None)] == ["added"] * 4 + [
        "added, since retired"]
