"""Merging researchers' drafts into the shared framework."""

from __future__ import annotations

import pytest

from framesynth.frame.framework import (
    CodeSpec,
    FrameworkError,
    code_path,
    find_code,
    framework_codes,
    load_framework,
)
from framesynth.frame.merge import merge_drafts


@pytest.fixture
def drafts(session):
    load_framework(session, [
        CodeSpec("Access", codable=False, children=[
            CodeSpec("Waiting lists", definition="Waiting for a service after referral.",
                     keywords=["wait*"]),
        ]),
    ], framework="main")
    load_framework(session, [
        CodeSpec("Access", codable=False, children=[
            CodeSpec("waiting  Lists", definition="Waiting for a service after referral.",
                     examples=["Sixteen weeks."]),
            CodeSpec("Transport", definition="Buses and taxis to reach services."),
        ]),
    ], framework="draft:amira")
    load_framework(session, [
        CodeSpec("Access", codable=False, children=[
            CodeSpec("Time spent waiting for help",
                     definition="How long families wait for a service after they are "
                                "referred."),
            CodeSpec("Referral routes", definition="Something else entirely."),
        ]),
    ], framework="draft:tom")
    return session


def test_merge_by_name_adds_rules_and_new_codes(drafts, hashing):
    report = merge_drafts(drafts, ["draft:amira"], embedder=hashing, actor="ruth")
    assert [(d.draft_path, d.action, d.target_path) for d in report.decisions] == [
        ("Access", "matched by name", "Access"),
        ("Access/waiting Lists", "matched by name", "Access/Waiting lists"),
        ("Access/Transport", "added", "Access/Transport"),
    ]
    waiting = find_code(drafts, "Access/Waiting lists")
    assert (waiting.examples, waiting.keywords) == (["Sixteen weeks."], ["wait*"])
    assert [code_path(c) for c in framework_codes(drafts)] == [
        "Access", "Access/Waiting lists", "Access/Transport"]


def test_merge_by_meaning_with_the_real_model(drafts, minilm):
    report = merge_drafts(drafts, ["draft:tom"], embedder=minilm, actor="ruth")
    decisions = {d.draft_path: (d.action, d.target_path) for d in report.decisions}
    assert decisions["Access/Time spent waiting for help"] == (
        "conflict", "Access/Waiting lists")  # same code, but the definitions differ
    assert decisions["Access/Referral routes"] == ("added", "Access/Referral routes")
    [conflict] = report.conflicts
    assert conflict.similarity > 0.5
    assert "How long families wait" in conflict.note
    assert find_code(drafts, "Access/Waiting lists").definition == (
        "Waiting for a service after referral.")  # the shared definition is kept


def test_merge_dry_run_changes_nothing(drafts, hashing):
    before = [code_path(c) for c in framework_codes(drafts)]
    report = merge_drafts(drafts, ["draft:amira"], embedder=hashing, actor="ruth", dry_run=True)
    assert [d.action for d in report.decisions] == ["matched by name", "matched by name", "added"]
    assert [code_path(c) for c in framework_codes(drafts)] == before


def test_merge_refuses_itself_and_empty_drafts(drafts, hashing):
    with pytest.raises(FrameworkError, match="into itself"):
        merge_drafts(drafts, ["main"], embedder=hashing, actor="ruth")
    with pytest.raises(FrameworkError, match="framework 'draft:zoe' has no codes"):
        merge_drafts(drafts, ["draft:zoe"], embedder=hashing, actor="ruth")
