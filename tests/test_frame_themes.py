"""Candidate themes: clusters, distinctive keywords, representative quotes, determinism."""

from __future__ import annotations

import pytest

from framesynth.errors import InvalidArgument
from framesynth.familiarise.units import Unit, units
from framesynth.frame.framework import code_path, framework_codes
from framesynth.frame.themes import adopt_candidate, class_tfidf_keywords, suggest_themes


def test_themes_class_tfidf_prefers_words_distinctive_of_a_group():
    groups = [["the bus to stanmere", "the bus was late", "people talk"],
              ["the grant ends", "grant money runs out", "people talk"]]
    first, second = class_tfidf_keywords(groups, 3)
    assert (first[0], second[0]) == ("bus", "grant")  # the words each group repeats
    assert "people" not in first + second  # shared by both groups: not distinctive


def make_units(texts: list[str]) -> list[Unit]:
    found, position = [], 0
    for text in texts:
        found.append(Unit(1, position, position + len(text), text, None))
        position += len(text) + 1
    return found


TEXTS = [f"the number fourteen bus to stanmere was late again {i}" for i in range(6)] + \
        [f"our grant funding ends in march and money runs out {i}" for i in range(6)]


def test_themes_clusters_separate_topics_deterministically(hashing):
    first = suggest_themes(None, make_units(TEXTS), embedder=hashing, k=2, seed=3)
    second = suggest_themes(None, make_units(TEXTS), embedder=hashing, k=2, seed=3)
    assert [[u.text for u in c.members] for c in first] == [
        [u.text for u in c.members] for c in second]
    bus_words = set(" ".join(TEXTS[:6]).split())
    grant_words = set(" ".join(TEXTS[6:]).split())
    for candidate in first:
        words = set(" ".join(candidate.keywords[:3]).split())
        assert words <= bus_words or words <= grant_words
    assert all(len(c.members) == 6 for c in first)
    assert all(len(c.quotes) == 3 for c in first)


def test_themes_need_enough_units(hashing):
    with pytest.raises(InvalidArgument, match="too few units"):
        suggest_themes(None, make_units(TEXTS[:3]), embedder=hashing)


def test_themes_on_the_demo_with_auto_k_and_adoption(demo_session, minilm):
    found = suggest_themes(demo_session, units(demo_session, "paragraph"), embedder=minilm,
                           k="auto", seed=0)
    assert 4 <= len(found) <= 20
    assert sum(len(c.members) for c in found) == len(
        [u for u in units(demo_session, "paragraph") if len(u.text.split()) >= 5])
    assert all(c.keywords and c.quotes and c.sources >= 1 for c in found)
    code = adopt_candidate(demo_session, found[0], name="First idea", framework="draft:ruth",
                           actor="ruth")
    assert [code_path(c) for c in framework_codes(demo_session, "draft:ruth")] == ["First idea"]
    assert code.examples == [u.text[:300] for u in found[0].quotes]
