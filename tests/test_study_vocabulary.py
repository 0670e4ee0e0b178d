"""Done when: a study's own vocabulary (sectors public/private/academic, depth 1-5, ordered
and closed) round-trips through the cases table, the CLI and the web API, and the
typology compares evidence with the recorded depth on that 1-5 scale."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from framesynth.familiarise.vocabulary import list_vocabularies, set_setting, vocabulary_dict
from framesynth.index.coding import code_span
from framesynth.interpret.network import partnership_graph
from framesynth.interpret.typology import typology
from framesynth.io.codebook import import_codebook
from framesynth.io.importers import import_files
from framesynth.io.importers.case_table import import_case_table
from framesynth.project import Project
from framesynth.store.models import Event, Organisation
from framesynth.web.app import create_app
from framesynth.web.deps import Settings

LOCAL = "http://127.0.0.1"  # the Host a browser on this machine sends

CASES = """type,id,name,sector,role,organisation,partner,formality,depth,terms,labels,ordered,closed
vocabulary,,sector,,,,,,,public; private; academic,Public sector; Private sector; Academia,no,yes
vocabulary,,depth,,,,,,,1; 2; 3; 4; 5,,yes,yes
organisation,ORG1,Harbour Council,Public,,,,,,,,,
organisation,ORG2,Quayside Ltd,private,,,,,,,,,
organisation,ORG3,Northmoor University,academic,,,,,,,,,
participant,P1,Nadia Brennan,,commissioner,ORG1,,,,,,,
partnership,PS1,Council and Quayside,,,ORG1,ORG2,contract,5,,,,
partnership,PS2,Council and Northmoor,,,ORG1,ORG3,informal,4,,,,
"""
TRANSCRIPT = (
    "Interviewer: How is Quayside as a partner?\n\n"
    "Nadia: Quayside Ltd signed the memorandum, and nothing since. It's on paper really.\n\n"
    "Interviewer: And the university?\n\n"
    "Nadia: Northmoor University are co-located with us, shared staff, one team in the same "
    "building.\n")
EXPECTED = [
    {"name": "depth", "label": "Depth", "ordered": True, "closed": True,
     "terms": [{"term": t, "label": t, "aliases": []} for t in "12345"]},
    {"name": "formality", "label": "Formality", "ordered": False, "closed": False,
     "terms": [{"term": "contract", "label": "Contract", "aliases": []},
               {"term": "informal", "label": "Informal", "aliases": []}]},
    {"name": "sector", "label": "Sector", "ordered": False, "closed": True,
     "terms": [{"term": "public", "label": "Public sector", "aliases": []},
               {"term": "private", "label": "Private sector", "aliases": []},
               {"term": "academic", "label": "Academia", "aliases": []}]},
]


@pytest.fixture
def study(tmp_path):
    """A blank-template project holding the custom vocabulary, one transcript, codings."""
    path = tmp_path / "study.fsdb"
    Project.create(path, template="blank").close()
    (tmp_path / "cases.csv").write_text(CASES, encoding="utf-8")
    (tmp_path / "nadia.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (tmp_path / "framework.yaml").write_text(
        "framework: F\ncodes:\n  - name: Partnering\n", encoding="utf-8")
    with Project.open(path) as project, project.session() as session:
        import_case_table(session, tmp_path / "cases.csv")
        import_files(session, [tmp_path / "nadia.txt"])
        import_codebook(session, tmp_path / "framework.yaml", actor="ruth")
        text = (tmp_path / "nadia.txt").read_text(encoding="utf-8")
        for phrase in ("Quayside Ltd signed", "Northmoor University are"):
            start = text.index(phrase)
            code_span(session, "nadia.txt", start, start + len(phrase), "Partnering",
                      coder="ruth")
    return path


def without_events(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.startswith('INSERT INTO "events"')]


def test_study_vocabulary_round_trips_through_the_cases_table(study, tmp_path, snapshot):
    before = snapshot(study)
    with Project.open(study) as project, project.session() as session:
        assert [vocabulary_dict(v) for v in list_vocabularies(session)] == EXPECTED
        import_case_table(session, tmp_path / "cases.csv")
    assert without_events(snapshot(study)) == without_events(before)


def test_study_vocabulary_list_json_shows_exactly_it(study, fs):
    code, out, _ = fs("vocab", "list", study, "--json")
    assert (code, json.loads(out)) == (0, EXPECTED)
    code, out, _ = fs("vocab", "list", study)
    assert out.splitlines() == [
        "vocabulary  kind               terms",
        "----------  -----------------  -------------------------",
        "depth       ordered, closed    1; 2; 3; 4; 5",
        "formality   unordered, open    contract; informal",
        "sector      unordered, closed  public; private; academic",
    ]


def test_study_vocabulary_web_api_shows_it_and_a_rename_reaches_the_database(study):
    client = TestClient(create_app(Settings(project=study, host="127.0.0.1", local_user="ruth",
                                            embedder="hashing.v1")), base_url=LOCAL)
    assert client.get("/api/vocabularies").json() == EXPECTED
    page = client.get("/study").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    assert "Private sector" in page and 'data-term="academic"' in page
    response = client.post("/api/vocabularies/sector/rename", json={
        "old": "public", "new": "government"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 200
    assert [(t["term"], t["uses"]) for t in response.json()["terms"]] == [
        ("government", 1), ("private", 1), ("academic", 1)]
    with Project.open(study) as project, project.session() as session:
        assert session.scalar(select(Organisation.sector).where(
            Organisation.key == "ORG1")) == "government"
        last = session.scalars(select(Event).order_by(Event.id.desc())).first()
        assert (last.action, last.actor) == ("vocabulary.rename", "ruth")


def test_study_typology_compares_positions_on_a_1_to_5_scale(study):
    with Project.open(study) as project, project.session() as session:
        found = {t.key: t for t in typology(session)}
        quayside, northmoor = found["PS1"], found["PS2"]
        assert (quayside.recorded_depth, quayside.evidence_depth, quayside.recorded_position,
                quayside.evidence_position, quayside.flags) == (
            "5", "1", 4, 0, ["recorded as 5, described as 1"])
        assert (northmoor.recorded_depth, northmoor.evidence_depth, northmoor.flags) == (
            "4", "5", [])
        set_setting(session, "typology.depth_signals", {"4": ["memorandum"]})
        assert typology(session)[0].flags == []  # 4 against 5: one step
        set_setting(session, "typology.depth_signals", {"3": ["memorandum"]})
        assert typology(session)[0].flags == ["recorded as 5, described as 3"]  # half the scale


def test_study_network_widths_follow_the_depth_positions(study):
    with Project.open(study) as project, project.session() as session:
        graph = partnership_graph(session)
    assert graph.edges["ORG1", "ORG2"]["width"] == 6.0
    assert graph.edges["ORG1", "ORG3"]["width"] == 4.75
    assert [(d["term"], d["width"]) for d in graph.graph["legend"]["depths"]] == [
        ("1", 1.0), ("2", 2.25), ("3", 3.5), ("4", 4.75), ("5", 6.0)]
    assert [s["label"] for s in graph.graph["legend"]["sectors"]] == [
        "Public sector", "Private sector", "Academia"]
