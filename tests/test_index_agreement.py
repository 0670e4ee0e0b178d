"""Agreement figures checked against examples computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from framesynth.errors import InvalidArgument
from framesynth.index.agreement import agreement, figures
from framesynth.index.coding import code_span
from framesynth.io.importers import import_files


def test_agreement_two_coders_by_hand():
    # Coder A codes units 1 and 2, coder B only unit 1.
    # Observed agreement 3/4. Chance: P(A=1)P(B=1) + P(A=0)P(B=0) = 2/4*1/4 + 2/4*3/4 = 1/2.
    # kappa = (3/4 - 1/2) / (1 - 1/2) = 1/2.
    # Alpha: pairable values o00=4, o11=2, o01=o10=1; n0=5, n1=3, n=8.
    # D_o = 2/8, D_e = 2*5*3/(8*7) = 30/56, alpha = 1 - (2/8)/(30/56) = 8/15.
    result = figures(np.array([[1, 1, 0, 0], [1, 0, 0, 0]]))
    assert result.units == 4
    assert result.percent == pytest.approx(0.75)
    assert result.kappa == pytest.approx(0.5)
    assert result.alpha == pytest.approx(8 / 15)


def test_agreement_three_coders_by_hand():
    # Units: (1,1,1), (1,1,0), (0,0,0). Per unit m=3, each ordered pair counts 1/(m-1)=1/2.
    # Unit 1: six 1-1 pairs -> o11 += 3. Unit 2: 1-1 pairs 2, 1-0 pairs 2, 0-1 pairs 2
    #   -> o11 += 1, o10 += 1, o01 += 1. Unit 3: o00 += 3.
    # n1 = 5, n0 = 4, n = 9; D_o = 2/9; D_e = 2*5*4/(9*8) = 40/72; alpha = 1 - (2/9)/(40/72) = 0.6
    result = figures(np.array([[1, 1, 0], [1, 1, 0], [1, 0, 0]]))
    assert (result.percent, result.kappa) == (pytest.approx(2 / 3), None)
    assert result.alpha == pytest.approx(0.6)


def test_agreement_without_variation_is_undefined():
    result = figures(np.array([[0, 0, 0], [0, 0, 0]]))
    assert (result.percent, result.kappa, result.alpha) == (1.0, None, None)


@pytest.fixture
def two_coders(coded, tmp_path):
    path = tmp_path / "short.txt"
    path.write_text("Interviewer: Q1?\n\nDawn: One.\n\nInterviewer: Q2?\n\nDawn: Two.\n\n"
                    "Interviewer: Q3?\n\nDawn: Three.\n\nInterviewer: Q4?\n\nDawn: Four.",
                    encoding="utf-8")
    [source] = import_files(coded, [path])

    def code(word: str, coder: str, name: str = "Waiting lists") -> None:
        start = source.text.index(word)
        code_span(coded, "short.txt", start, start + len(word), name, coder=coder)

    code("One", "amira")
    code("Two", "amira")
    code("One", "tom")
    code("Four", "tom", "Referral routes")
    return coded


def test_agreement_on_turns_of_a_project(two_coders):
    report = agreement(two_coders, ["amira", "tom"], unit="turn")
    assert report.sources == ["short.txt"]
    waiting = report.per_code["Access/Waiting lists"]
    assert (waiting.units, waiting.percent, waiting.kappa) == (4, 0.75, pytest.approx(0.5))
    referral = report.per_code["Access/Referral routes"]
    assert (referral.percent, referral.kappa) == (0.75, pytest.approx(0.0))
    assert report.overall.percent == pytest.approx(6 / 8)
    assert [(d.text, d.code, d.applied_by, d.not_by) for d in report.disagreements] == [
        ("Two.", "Access/Waiting lists", ["amira"], ["tom"]),
        ("Four.", "Access/Referral routes", ["tom"], ["amira"]),
    ]


def test_agreement_needs_two_coders_with_codings(two_coders):
    with pytest.raises(InvalidArgument, match="at least two different coders"):
        agreement(two_coders, ["amira", "amira"])
    with pytest.raises(InvalidArgument, match="coder 'zoe' has no codings"):
        agreement(two_coders, ["amira", "zoe"])


def test_agreement_demo_coders_agree_well_but_not_perfectly(demo_session):
    report = agreement(demo_session, ["amira", "tom"], unit="sentence")
    assert len(report.sources) == 5
    assert 0.5 < report.overall.kappa < 1.0
    assert report.disagreements
