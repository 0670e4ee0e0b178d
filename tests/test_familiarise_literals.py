"""The literal text every match of a regular expression must contain."""

from __future__ import annotations

import pytest
import regex

from framesynth.familiarise.literals import required_literals


@pytest.mark.parametrize(("pattern", "clauses"), [
    ("waiting list", [["waiting list"]]),
    (r"\b(bus|van|minibus)(es)?\b", [["bus", "van", "minibus"]]),
    (r"\b\w+ weeks?\b", [[" week"]]),
    (r"\b.*ing\b", [["ing"]]),
    (r"\x41+BCD", [["BCD"]]),
    (r"referr(al|ed)", [["referr"]]),
    (r"fund(ing|ers)", [["fund"], ["ing", "ers"]]),
    (r"waiting list|queue", [["waiting list", "queue"]]),
    (r"trust|do", []),
    (r"(?i)trust", []),
    (r"colou?r scheme", [["colo"], ["r scheme"]]),
    (r"a+bc", []),
    (r"abc+d", [["abc"]]),
    (r"[a-z]{3}ing", [["ing"]]),
    (r"[]abc]def", [["def"]]),
    (r"\x41BCD\u0045FGH", [["BCD"], ["FGH"]]),
    (r"\pLxyz\p{Lu}uvw", [["xyz"], ["uvw"]]),
    (r"\d+ per cent", [[" per cent"]]),
    (r"e\.g\. this", [["e.g. this"]]),
    (r"(?<=the )trust", [["trust"]]),
    (r"(?:waiting)* list", [[" list"]]),
    (r"(?:waiting){e<=1} list", [[" list"]]),
    (r"(?P<w>trust)\g<w>", [["trust"]]),
    (r"^\s*$", []),
    (r"abc(", []),
    (r"[abc", []),
])
def test_literals_required_literals(pattern, clauses):
    assert required_literals(pattern) == clauses


@pytest.mark.parametrize("pattern", [
    r"\b(bus|van|minibus)(es)?\b", r"colou?r scheme", r"fund(ing|ers)", r"e\.g\. this",
    r"(?:waiting){e<=1} list", r"\d+ per cent", r"waiting list|queue", r"abc+d",
])
def test_literals_every_match_contains_one_literal_of_each_clause(pattern):
    text = ("the color scheme, colour schemes, vans and minibuses; funders funding e.g. this; "
            "12 per cent; wating list or queue; abccd")
    matches = [found.group(0) for found in regex.finditer(pattern, text)]
    assert matches
    for match in matches:
        for clause in required_literals(pattern):
            assert any(literal in match for literal in clause), (pattern, match)
