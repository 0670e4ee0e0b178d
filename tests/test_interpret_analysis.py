"""Prevalence (cases, not codings), group comparisons, co-occurrence, typology, network."""

from __future__ import annotations

import math

import pytest

from framesynth.errors import InvalidArgument
from framesynth.frame.framework import find_code
from framesynth.index.coding import code_span
from framesynth.interpret.cooccurrence import cooccurrence
from framesynth.interpret.network import draw_network, partnership_graph
from framesynth.interpret.plots import matrix_heatmap, prevalence_chart
from framesynth.interpret.prevalence import cohens_h, compare_groups, prevalence
from framesynth.interpret.typology import typology
from framesynth.io.importers import import_files


def table(figures) -> dict:
    return {(f.code.rsplit("/", 1)[-1], f.group): (f.cases, f.size) for f in figures}


def test_prevalence_counts_cases_not_codings(charted):
    found = table(prevalence(charted, by="sector"))
    # Dawn has two Referral routes codings but counts once; Helen (statutory) has none.
    assert found[("Referral routes", "community")] == (1, 2)
    assert found[("Referral routes", "statutory")] == (1, 2)
    assert found[("Waiting lists", "community")] == (2, 2)
    assert found[("Meeting rhythms", "voluntary")] == (1, 1)


def test_prevalence_by_theme_and_by_organisation(charted):
    themes = table(prevalence(charted, by="sector", level="themes", rows="organisation"))
    assert themes[("Access", "community")] == (2, 2)
    assert themes[("Partnership", "voluntary")] == (1, 1)


def test_compare_groups_fisher_and_cohens_h_by_hand(charted):
    results = {r.code.rsplit("/", 1)[-1]: r for r in compare_groups(
        prevalence(charted, by="sector"), "community", "statutory")}
    waiting = results["Waiting lists"]  # 2/2 against 0/2
    assert waiting.cohens_h == pytest.approx(math.pi)  # 2*asin(1) - 2*asin(0)
    assert waiting.p_value == pytest.approx(1 / 3)  # Fisher: 1 / C(4,2) * 2 tables as extreme
    assert waiting.exploratory
    assert results["Referral routes"].cohens_h == pytest.approx(0.0)
    assert cohens_h(0.5, 0.0) == pytest.approx(math.pi / 2)


def test_compare_unknown_group(charted):
    with pytest.raises(InvalidArgument) as raised:
        compare_groups(prevalence(charted, by="sector"), "funder", "community")
    assert str(raised.value) == ("no group 'funder'; the groups are: community, statutory, "
                                 "voluntary [FS003]")


def test_cooccurrence_within_units(charted):
    result = cooccurrence(charted, unit="turn")
    names = [n.rsplit("/", 1)[-1] for n in result.codes]
    waiting, referral = names.index("Waiting lists"), names.index("Referral routes")
    assert result.counts[waiting][waiting] == 2
    assert result.counts[referral][referral] == 2
    assert result.counts[waiting][referral] == result.counts[referral][waiting] == 1
    assert [(a.rsplit("/", 1)[-1], b.rsplit("/", 1)[-1], n) for a, b, n, _ in result.pairs] == [
        ("Waiting lists", "Referral routes", 1)]
    assert result.pairs[0][3] == pytest.approx(1 / 3)


@pytest.fixture
def partnership_talk(coded, tmp_path, at):
    path = tmp_path / "hub.txt"
    path.write_text(
        "Interviewer: How is Early Help as a partner?\n\n"
        "Maureen: With Early Help it's on paper really, a memorandum and nothing since.\n\n"
        "Interviewer: And Kestrel?\n\n"
        "Maureen: Kestrel Food Bank are in and out every week, the van, the rota. Our "
        "managers and the board at Kestrel meet too, and the managers agree the rota.\n",
        encoding="utf-8")
    import_files(coded, [path])
    for phrase in ("it's on paper really", "Kestrel Food Bank are in and out"):
        code_span(coded, "hub.txt", *at(coded, "hub.txt", phrase), "Meeting rhythms",
                  coder="ruth")
    return coded


def test_typology_compares_recorded_and_described(partnership_talk):
    found = {t.key: t for t in typology(partnership_talk)}
    hub = found["PS01"]  # recorded deep at all levels; described as on paper
    assert (hub.recorded_depth, hub.evidence_depth) == ("deep", "on_paper")
    assert hub.flags[0] == "recorded as deep, described as on paper"
    kestrel = found["PS04"]  # recorded working at delivery
    assert kestrel.evidence_depth in {"working", "deep"}
    assert "management" in kestrel.evidence_levels
    assert "evidence of management level work not recorded" in kestrel.flags


def test_network_graph_and_drawings(charted, tmp_path):
    graph = partnership_graph(charted)
    assert sorted(graph.nodes) == ["ORG02", "ORG03", "ORG06", "ORG09"]
    assert graph.edges["ORG02", "ORG06"]["depth"] == "deep"
    assert graph.edges["ORG09", "ORG02"]["formality"] == "informal"
    targets = [tmp_path / "map.svg", tmp_path / "map.png"]
    draw_network(graph, targets, title="Test map")
    svg = targets[0].read_text(encoding="utf-8")
    assert "informal" in svg and "statutory sector" in svg and "Pellwick Family" in svg
    assert targets[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plots_are_written(charted, tmp_path):
    from framesynth.chart.matrix import build_matrix

    matrix_heatmap(build_matrix(charted, group_by="sector"), [tmp_path / "h.png"], title="H")
    prevalence_chart(prevalence(charted, by="sector"), [tmp_path / "p.svg"], title="P")
    assert (tmp_path / "h.png").stat().st_size > 5000
    assert "Waiting lists" in (tmp_path / "p.svg").read_text(encoding="utf-8")


def test_matrix_of_the_demo_has_every_theme(demo_session):
    assert find_code(demo_session, "Access and referrals").parent_id is None
    result = table(prevalence(demo_session, by="sector", level="themes"))
    assert result[("Access and referrals", "statutory")][1] == 5
