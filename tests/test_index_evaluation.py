"""Evaluating the auto-coding methods against a coder, and choosing what to code next."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from framesynth.familiarise.units import Unit
from framesynth.frame.framework import CodeSpec, add_code
from framesynth.index.active import (
    margin_uncertainty,
    next_units,
    pick_diverse,
    supervised_uncertainty,
    uncoded_units,
)
from framesynth.index.coding import code_span
from framesynth.index.evaluation import (
    CodeFigures,
    MethodEvaluation,
    best_methods,
    code_figures,
    evaluate,
    kappa,
    latest_evaluation,
    save_evaluation,
    source_folds,
)
from framesynth.io.importers import import_files
from framesynth.project import Project
from framesynth.store.models import Coding

PLACES = ["Ashby", "Brill", "Colne", "Dunmore"]
TEXT = """Interviewer: How do people get to you?
Pat: The bus from {place} comes twice a day, so the bus timetable rules everything.
Interviewer: And money?
Pat: Our funding in {place} ends in March and the funding bid is late again.
Interviewer: Anything else?
Pat: The weather in {place} was lovely and the garden is growing well.
"""


def small_project(session, folder: Path) -> None:
    """Four interviews; 'ruth' codes the bus and funding turns, and the weather twice.
    The keyword rules match exactly what she coded; the definitions share no words."""
    paths = []
    for place in PLACES:
        path = folder / f"{place.lower()}.txt"
        path.write_text(TEXT.format(place=place), encoding="utf-8")
        paths.append(path)
    import_files(session, paths)
    add_code(session, CodeSpec(name="Transport", definition="travel to services",
                               keywords=["bus*"]))
    add_code(session, CodeSpec(name="Money", definition="grants and budgets",
                               keywords=["funding"]))
    add_code(session, CodeSpec(name="Weather", definition="sunshine and rain"))
    for place in PLACES:
        text = TEXT.format(place=place)
        for phrase, code in (("The bus", "Transport"), ("Our funding", "Money")):
            start = text.index(phrase)
            code_span(session, f"{place.lower()}.txt", start, start + 20, code, coder="ruth")
    for place in PLACES[:2]:
        start = TEXT.format(place=place).index("The weather")
        code_span(session, f"{place.lower()}.txt", start, start + 11, "Weather", coder="ruth")


@pytest.fixture
def small(session, tmp_path):
    small_project(session, tmp_path)
    return session


def test_evaluation_exact_keyword_rules_score_one_and_semantic_lower(small, hashing):
    result = evaluate(small, "ruth", methods=["keyword", "semantic"], folds=4,
                      embedder=hashing)
    keyword, semantic = result.methods
    assert (result.coder, result.unit, result.folds, result.sources, result.units) == (
        "ruth", "turn", 4, 4, 12)
    assert keyword.per_code == {
        "Transport": CodeFigures(4, 4, 1.0, 1.0, 1.0, 1.0),
        "Money": CodeFigures(4, 4, 1.0, 1.0, 1.0, 1.0)}
    assert (keyword.macro_f1, keyword.macro_kappa) == (1.0, 1.0)
    assert semantic.macro_f1 < 1.0
    assert result.best == {"Transport": "keyword", "Money": "keyword"}
    assert result.too_few == {"Weather": 2}


def test_evaluation_writes_no_codings(small, hashing):
    before = small.scalar(select(func.count(Coding.id)))
    evaluate(small, "ruth", methods=["keyword", "semantic"], embedder=hashing)
    assert small.scalar(select(func.count(Coding.id))) == before


def test_evaluation_per_code_figures_match_a_hand_computation():
    truth = np.array([1, 1, 0, 0, 1, 0])
    guess = np.array([1, 0, 0, 1, 1, 0])
    # tp 2, fp 1, fn 1: P = R = F1 = 2/3; observed agreement 4/6, chance 0.5: kappa 1/3
    figures = code_figures(truth, guess)
    assert (figures.positives, figures.predicted) == (3, 3)
    assert figures.precision == figures.recall == figures.f1 == pytest.approx(2 / 3)
    assert figures.kappa == pytest.approx(1 / 3)
    assert kappa(np.zeros(4, dtype=int), np.zeros(4, dtype=int)) is None
    assert code_figures(np.array([1, 0]), np.array([0, 0])) == CodeFigures(
        1, 0, 0.0, 0.0, 0.0, 0.0)


def test_evaluation_folds_never_mix_sources():
    labelled = [(Unit(source, i, i + 1, "x", None), set())
                for source, count in [(1, 3), (2, 7), (3, 1), (4, 4), (5, 2), (6, 5)]
                for i in range(count)]
    folds = source_folds(labelled, 4)
    assert len(folds) == 4
    tested = []
    for train, test in folds:
        train_sources = {labelled[i][0].source_id for i in train}
        test_sources = {labelled[i][0].source_id for i in test}
        assert not train_sources & test_sources
        assert len(train) + len(test) == len(labelled)
        tested += sorted(test_sources)
    assert sorted(tested) == [1, 2, 3, 4, 5, 6]  # every source held out exactly once


def test_evaluation_needs_two_sources_and_a_coder_with_codings(small, hashing):
    from framesynth.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match="coder 'nobody' has no codings"):
        evaluate(small, "nobody", methods=["keyword"])
    with pytest.raises(InvalidArgument, match="at least two sources"):
        source_folds([(Unit(1, 0, 1, "x", None), set())], 5)


def test_evaluation_best_method_by_f1_then_kappa():
    def method(name: str, f1: float, kappa_: float | None) -> MethodEvaluation:
        return MethodEvaluation(name, {"A": CodeFigures(5, 5, f1, f1, f1, kappa_),
                                       "B": CodeFigures(5, 0, 0.0, 0.0, 0.0, None)})

    results = [method("keyword", 0.6, 0.4), method("semantic", 0.6, 0.5),
               method("supervised", 0.5, 0.9)]
    assert best_methods(results) == {"A": "semantic", "B": None}


def test_evaluation_is_saved_and_read_back(small, hashing):
    result = evaluate(small, "ruth", methods=["keyword"], folds=2)
    save_evaluation(small, result)
    assert latest_evaluation(small) == result


def test_active_uncertainty_order_on_a_constructed_case():
    probabilities = np.array([[0.02, 0.1], [0.5, 0.01], [0.7, 0.2], [0.99, 0.4]])
    assert supervised_uncertainty(probabilities) == pytest.approx([0.2, 1.0, 0.6, 0.8])
    scores = np.array([[0.9, 0.1, 0.0], [0.5, 0.45, 0.1], [0.3, 0.6, 0.0]])
    assert margin_uncertainty(scores) == pytest.approx([0.2, 0.95, 0.7])


def test_active_pick_diverse_drops_near_duplicates_and_spreads_sources():
    pool = [Unit(1, 0, 1, "a", None), Unit(1, 1, 2, "a again", None),
            Unit(1, 2, 3, "b", None), Unit(2, 0, 1, "c", None)]
    vectors = np.array([[1.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]])
    uncertainty = np.array([0.9, 0.8, 0.7, 0.1])
    # 0 first; 1 duplicates it; 2 would be a second from source 1 before source 2 has one
    assert pick_diverse(pool, vectors, uncertainty, 2) == [0, 3]
    assert pick_diverse(pool, vectors, uncertainty, 3) == [0, 2, 3]  # a share of 2 each


def test_active_next_skips_coded_units_and_team_turns_and_is_deterministic(small, hashing):
    found = next_units(small, 10, embedder=hashing, coder="ruth")
    texts = [item.unit.text for item in found]
    assert len(found) == 2 and {t.split(" in ")[1].split()[0] for t in texts} == {
        "Colne", "Dunmore"}
    assert all(t.startswith("The weather") for t in texts)  # coded turns and questions left out
    assert [item.as_dict() for item in found] == [
        item.as_dict() for item in next_units(small, 10, embedder=hashing, coder="ruth")]
    assert found[0].turn == 6 and found[0].link == f"/sources/{found[0].unit.source_id}#o" \
        f"{found[0].unit.start}"
    assert all(not u.text.endswith("?") for u in uncoded_units(small))


def test_active_next_uses_zero_shot_before_anyone_has_coded(session, tmp_path, hashing):
    path = tmp_path / "one.txt"
    path.write_text(TEXT.format(place="Ely"), encoding="utf-8")
    import_files(session, [path])
    add_code(session, CodeSpec(name="Transport", definition="the bus timetable"))
    add_code(session, CodeSpec(name="Money", definition="funding bid"))
    found = next_units(session, 3, embedder=hashing)
    assert [f.basis for f in found] == ["zero-shot"] * 3
    assert sorted(f.turn for f in found) == [2, 4, 6]  # Pat's turns, not the questions


@pytest.fixture
def small_path(project_path, tmp_path):
    with Project.open(project_path) as project, project.session() as session:
        small_project(session, tmp_path)
    return project_path


def test_cli_autocode_evaluate_table_and_json(fs, small_path):
    code, out, _ = fs("autocode", small_path, "--evaluate", "--against", "ruth",
                      "--methods", "keyword", "--folds", "2")
    assert code == 0
    assert out == (
        "against ruth: 12 turns in 4 sources, 2 folds by source (no held-out source trained on)\n"
        "method   macro-P  macro-R  macro-F1  kappa\n"
        "-------  -------  -------  --------  -----\n"
        "keyword  1.000    1.000    1.000     1.000\n"
        "\nF1 / kappa per code, and the best method\n"
        "code       n  keyword        best\n"
        "---------  -  -------------  -------\n"
        "Transport  4  1.000 / 1.000  keyword\n"
        "Money      4  1.000 / 1.000  keyword\n"
        "\ntoo few examples to evaluate: Weather (2)\n")
    code, out, _ = fs("autocode", small_path, "--evaluate", "--against", "ruth",
                      "--methods", "keyword", "--folds", "2", "--json")
    data = json.loads(out)
    assert data["methods"] == [{
        "method": "keyword", "macro_precision": 1.0, "macro_recall": 1.0, "macro_f1": 1.0,
        "macro_kappa": 1.0, "error": None,
        "per_code": {name: {"positives": 4, "predicted": 4, "precision": 1.0, "recall": 1.0,
                            "f1": 1.0, "kappa": 1.0} for name in ("Transport", "Money")}}]
    assert (data["best"], data["too_few"], data["folds"]) == (
        {"Transport": "keyword", "Money": "keyword"}, {"Weather": 2}, 2)


def test_cli_autocode_evaluate_needs_against(fs, small_path):
    code, _, err = fs("autocode", small_path, "--evaluate")
    assert (code, err) == (1, "error: --evaluate needs --against CODER: whose codings to "
                              "compare with [FS003]\n")


def test_cli_autocode_next_lists_places_and_json(fs, small_path):
    code, out, _ = fs("autocode", small_path, "--next", "2", "--json")
    rows = json.loads(out)
    assert [(r["turn"], r["basis"], r["link"].split("#")[1]) for r in rows] == [
        (6, "zero-shot", f"o{r['start']}") for r in rows]
    code, out, _ = fs("autocode", small_path, "--next", "2")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "the 2 units to code next (zero-shot uncertainty):"
    assert lines[1].split() == ["#", "source", "turn", "offset", "link", "uncertainty", "text"]
    assert len(lines) == 5


def test_web_evaluation_panel_renders_and_recompute_needs_a_coder(web_project):
    from fastapi.testclient import TestClient
    from markupsafe import escape
    from test_web_api import LOCAL, login, wait_for

    from framesynth.web.app import create_app
    from framesynth.web.deps import Settings

    app = create_app(Settings(project=web_project, host="0.0.0.0", embedder="hashing.v1"))
    viewer, viewer_token = login(app, "vic")
    assert 'id="evaluation" data-panel="/review/evaluation"' in viewer.get("/review").text
    assert 'id="evaluation-none"' in viewer.get("/review/evaluation").text
    refused = viewer.post("/api/jobs/evaluation", json={"coder": "amira"},
                          headers={"X-CSRF-Token": viewer_token})
    assert refused.status_code == 403
    coder, token = login(app, "cora")
    assert TestClient(app, base_url=LOCAL).post(
        "/api/jobs/evaluation", json={"coder": "amira"}).status_code in {401, 403}
    job = coder.post("/api/jobs/evaluation", json={"coder": "amira", "folds": 2},
                     headers={"X-CSRF-Token": token})
    assert job.status_code == 202
    state = wait_for(coder, job.json())
    assert state["status"] == "done", state
    panel = coder.get("/review/evaluation").text
    with Project.open(web_project) as project, project.session() as session:
        latest = latest_evaluation(session)
    assert latest is not None and [m.method for m in latest.methods] == [
        "keyword", "semantic", "supervised"]  # tuned only when asked for
    assert f"Against amira: {latest.units} turns in 2 sources" in panel
    for m in latest.methods:  # the macro figures of the latest run, per method
        assert (f'<tr data-method="{m.method}"><td>{m.method}</td>\n    '
                f'<td>{m.macro_f1:.3f}</td>') in panel
    for path, _, best, _ in latest.best_figures():  # the best method per code
        assert f'<tr data-code="{escape(path)}" data-best="{best or ""}">' in panel
    assert latest.best and any(latest.best.values()) and 'id="evaluate"' in panel
    assert 'id="evaluate"' not in viewer.get("/review/evaluation").text


@pytest.fixture
def web_project(stores, demo_path, tmp_path):
    """A copy of the demo with a coder and a viewer; amira's codings in two sources."""

    from sqlalchemy import delete

    from framesynth.accounts import add_user

    path = stores.copy(demo_path, "web.fsdb")
    with Project.open(path) as project, project.session() as session:
        for name, role in (("cora", "coder"), ("vic", "viewer")):
            add_user(session, name, "correct horse battery", role=role, actor="test")
        sources = sorted(set(session.scalars(select(Coding.source_id).where(
            Coding.coder == "amira"))))
        session.execute(delete(Coding).where(Coding.coder == "amira",
                                             Coding.source_id.notin_(sources[:2])))
    return path


TEAM_TEXT = """Interviewer: How do people get to you?
Pat: The bus from {place} comes twice a day, so the bus timetable rules everything.
Dev: I drive the minibus out of {place} to the hub every Tuesday for the group.
Pat: Mm-hmm, yeah.
Interviewer: And money?
Pat: Our funding in {place} ends in March and the funding bid is late again.
"""


@pytest.fixture
def team_and_backchannel(session, tmp_path):
    """Four interviews; Dev is of the research team. 'ruth' codes two of them, turn by
    turn, Dev's turn and Pat's "Mm-hmm, yeah." included."""
    from framesynth.store.models import Participant, Speaker

    paths = []
    for place in PLACES:
        path = tmp_path / f"{place.lower()}.txt"
        path.write_text(TEAM_TEXT.format(place=place), encoding="utf-8")
        paths.append(path)
    import_files(session, paths)
    dev = Participant(key="T1", name="Dev", team=True)
    for speaker in session.scalars(select(Speaker).where(Speaker.label == "Dev")):
        speaker.participant = dev
    session.flush()
    add_code(session, CodeSpec(name="Transport", definition="travel", keywords=["bus*"]))
    add_code(session, CodeSpec(name="Money", definition="grants", keywords=["funding"]))
    for place in PLACES[:2]:
        text = TEAM_TEXT.format(place=place)
        for phrase, code in (("The bus", "Transport"), ("I drive", "Transport"),
                             ("Mm-hmm", "Transport"), ("Our funding", "Money")):
            start = text.index(phrase)
            code_span(session, f"{place.lower()}.txt", start, start + 7, code, coder="ruth")
    return session


def test_evaluation_counts_no_team_or_backchannel_turn(team_and_backchannel, hashing):
    result = evaluate(team_and_backchannel, "ruth", methods=["keyword", "semantic"],
                      folds=2, embedder=hashing, min_examples=2)
    # Pat's two answers in each of ruth's two sources; Dev's turns and "Mm-hmm" not counted
    assert (result.units, result.sources) == (4, 2)
    keyword = result.methods[0]
    assert keyword.per_code == {"Transport": CodeFigures(2, 2, 1.0, 1.0, 1.0, 1.0),
                                "Money": CodeFigures(2, 2, 1.0, 1.0, 1.0, 1.0)}


def test_active_next_never_offers_team_or_backchannel_turns(team_and_backchannel, hashing):
    found = next_units(team_and_backchannel, 10, embedder=hashing, coder="ruth")
    assert sorted((item.source, item.turn) for item in found) == [
        ("colne.txt", 2), ("colne.txt", 6), ("dunmore.txt", 2), ("dunmore.txt", 6)]
    offered = {u.text for u in uncoded_units(team_and_backchannel)}
    assert not any(t.startswith(("I drive", "Mm-hmm", "How do", "And money")) for t in offered)


def test_active_pick_balanced_makes_the_nearest_code_learnable_first():
    from framesynth.index.active import code_rankings, pick_balanced

    # five units, two codes; code 0 has 4 coded examples (one short of 5), code 1 none
    likely = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.7], [0.5, 0.8]])
    rankings = code_rankings(likely, np.array([False, False]), np.array([4, 0]), target=8)
    assert [r.tolist() for r in rankings] == [[0, 1, 4, 3, 2], [2, 4, 3, 1, 0]]
    vectors = np.eye(5)
    # code 0 first (4 -> 5, learnable), then code 1 has fewest and takes its likeliest two
    assert pick_balanced(vectors, rankings, np.array([4, 0]), 3) == [0, 2, 4]
    vectors[4] = vectors[2]  # unit 4 duplicates unit 2: code 1 takes its next, unit 3
    assert pick_balanced(vectors, rankings, np.array([4, 0]), 3) == [0, 2, 3]
    learnt = code_rankings(likely, np.array([True, False]), np.array([9, 0]), target=8)
    assert learnt[0].tolist() == [4, 3, 1, 0, 2]  # enough examples: nearest 0.5 first
