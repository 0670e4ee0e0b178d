"""The cases table: organisations, participants, partnerships, places, source profiles."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from framesynth.errors import CaseDataError, CorruptFile, UnsupportedFormat
from framesynth.familiarise.cases import infer_attribute
from framesynth.familiarise.vocabulary import resolve_term
from framesynth.io.importers.case_table import import_case_table
from framesynth.project import Project
from framesynth.store.models import (
    Case,
    Organisation,
    Participant,
    Partnership,
    Place,
    SourceProfile,
)

HEADER = "type,id,name,sector,role,organisation,partner,formality,depth,levels"
ORGS = ("organisation,ORG02,Pellwick Family Hub,community,,,,,,\n"
        "organisation,ORG06,Early Help Team,statutory,,,,,,\n")


def write(tmp_path, body: str, name: str = "cases.csv"):
    path = tmp_path / name
    path.write_text(f"{HEADER}\n{ORGS}{body}", encoding="utf-8")
    return path


def summary(session) -> dict:
    return {
        "organisations": sorted((o.key, o.name, o.sector)
                                for o in session.scalars(select(Organisation))),
        "participants": sorted((p.key, p.name, p.role, p.organisation.key, p.pseudonym)
                               for p in session.scalars(select(Participant))),
        "partnerships": sorted((p.key, p.organisation_a.key, p.organisation_b.key, p.formality,
                                p.depth, tuple(p.levels))
                               for p in session.scalars(select(Partnership))),
        "places": sorted((p.name, p.kind) for p in session.scalars(select(Place))),
    }


@pytest.mark.parametrize("name", ["cases.csv", "cases.xlsx"])
def test_cases_csv_and_xlsx_describe_the_same_world(session, data_dir, name):
    import_case_table(session, data_dir / name)
    assert summary(session) == {
        "organisations": [
            ("ORG02", "Pellwick Family Hub", "community"),
            ("ORG03", "Hollin Bank Parents' Network", "community"),
            ("ORG06", "Wrenmouth Council Early Help Team", "statutory"),
            ("ORG09", "Kestrel Food Bank", "voluntary"),
        ],
        "participants": [
            ("P01", "Maureen Okafor", "project lead", "ORG02", "Grace"),
            ("P06", "Helen Ashworth", "project lead", "ORG06", "Carol"),
            ("P15", "Dawn Whitlock", "project worker", "ORG03", "Tracey"),
            ("P16", "Sam Okonjo", "project worker", "ORG09", "Femi"),
            ("P19", "Claire Dunmore", "project worker", "ORG06", "Joanne"),
        ],
        "partnerships": [
            ("PS01", "ORG02", "ORG06", "formal", "deep", ("delivery", "management", "strategic")),
            ("PS04", "ORG09", "ORG02", "informal", "working", ("delivery",)),
        ],
        "places": [("Wrenmouth", "town")],
    }
    profile = session.scalar(select(SourceProfile))
    assert (profile.name, profile.kind, profile.participants, profile.attributes) == (
        "focus_group.txt", "focus_group", ["P15", "P16", "P19"], {"theme": "waiting lists"})


def test_cases_unknown_columns_become_typed_attributes(session, data_dir):
    import_case_table(session, data_dir / "cases.csv")
    hub = session.scalar(select(Case).where(Case.name == "ORG02"))
    assert [(a.name, a.type, a.value) for a in hub.attributes] == [("staff", "number", "9")]


@pytest.mark.parametrize(("value", "declared", "expected"), [
    ("12", None, ("number", "12")), ("2.50", None, ("number", "2.5")),
    ("yes", None, ("boolean", "true")), ("No", None, ("boolean", "false")),
    ("2026-05-14", None, ("date", "2026-05-14")), ("Pellwick", None, ("text", "Pellwick")),
    ("12", "text", ("text", "12")), ("lots", "number", None), ("14/05/2026", "date", None),
])
def test_cases_attribute_types(value, declared, expected):
    assert infer_attribute(value, declared) == expected


@pytest.mark.parametrize(("value", "depth"), [
    ("on paper", "on_paper"), ("On-Paper", "on_paper"), ("partners on paper", "on_paper"),
    ("Deep", "deep"), ("working", "working"), ("very deep", None), ("", None),
])
def test_cases_depth_spellings(session, value, depth):
    assert resolve_term(session, "depth", value) == depth


@pytest.mark.parametrize(("row", "message"), [
    ("participant,P01,Maureen Okafor,,project lead,ORG99,,,,",
     "cases.csv, row 4: unknown organisation 'ORG99' in column 'organisation' [FS110]"),
    ("partnership,PS01,,,,ORG02,ORG06,formal,very deep,delivery",
     "cases.csv, row 4: depth 'very deep' is not one of: on paper, shallow, working, deep "
     "[FS110]"),
    ("partnership,PS01,,,,ORG02,ORG06,formal,deep,delivery;boardroom",
     "cases.csv, row 4: level 'boardroom' is not one of: delivery, management, strategic "
     "[FS110]"),
    ("partnership,PS01,,,,ORG02,ORG06,sort of,deep,delivery",
     "cases.csv, row 4: formality 'sort of' is not one of: formal, informal [FS110]"),
    ("partnership,PS01,,,,ORG02,,formal,deep,delivery",
     "cases.csv, row 4: a partnership needs a value in column 'partner' [FS110]"),
    ("organisation,ORG02,Duplicate Hub,community,,,,,,",
     "cases.csv, row 4: organisation 'ORG02' is also on row 2 [FS110]"),
    ("person,P01,Maureen Okafor,,,,,,,",
     "cases.csv, row 4: type 'person' is not one of: vocabulary, organisation, place, "
     "participant, partnership, source, project [FS110]"),
])
def test_cases_bad_rows_name_the_file_and_row_and_change_nothing(project_path, tmp_path,
                                                                 snapshot, row, message):
    before = snapshot(project_path)
    path = write(tmp_path, row + "\n")
    with pytest.raises(CaseDataError) as raised:
        with Project.open(project_path) as project, project.session() as session:
            import_case_table(session, path)
    assert str(raised.value) == message
    assert snapshot(project_path) == before


def test_cases_reimport_updates_by_id(session, tmp_path):
    import_case_table(session, write(tmp_path, "participant,P01,Maureen Okafor,,worker,ORG02,,,,\n"))
    import_case_table(session, write(tmp_path, "participant,P01,Maureen Okafor,,project lead,"
                                               "ORG06,,,,\n"))
    person = session.scalar(select(Participant))
    assert (person.role, person.organisation.key) == ("project lead", "ORG06")
    assert session.query(Participant).count() == 1


def test_cases_missing_type_column(session, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("id,name\nP01,Maureen\n", encoding="utf-8")
    with pytest.raises(CaseDataError, match=r"^people.csv, row 1: the header has no 'type'"):
        import_case_table(session, path)


def test_cases_need_csv_or_xlsx(session, tmp_path):
    path = tmp_path / "cases.ods"
    path.write_bytes(b"whatever")
    with pytest.raises(UnsupportedFormat, match=r"^cases.ods: a cases table must be"):
        import_case_table(session, path)


def test_cases_corrupt_xlsx(session, tmp_path):
    path = tmp_path / "cases.xlsx"
    path.write_bytes(b"not really excel")
    with pytest.raises(CorruptFile, match=r"^cases.xlsx: not a readable Excel file"):
        import_case_table(session, path)


def test_cases_every_entity_gets_a_case(session, data_dir):
    import_case_table(session, data_dir / "cases.csv")
    kinds = sorted((c.kind, c.name) for c in session.scalars(select(Case)))
    assert kinds == [
        ("organisation", "ORG02"), ("organisation", "ORG03"), ("organisation", "ORG06"),
        ("organisation", "ORG09"), ("participant", "P01"), ("participant", "P06"),
        ("participant", "P15"), ("participant", "P16"), ("participant", "P19"),
        ("partnership", "PS01"), ("partnership", "PS04"),
    ]


def reimport(session, tmp_path, table: str):
    path = tmp_path / "again.csv"
    path.write_text(table, encoding="utf-8")
    return import_case_table(session, path)


def roles(session) -> list[tuple[str, str | None, str | None, list[str], str | None]]:
    return [(p.key, p.role, p.pseudonym, p.aliases, p.organisation.key if p.organisation else None)
            for p in session.scalars(select(Participant).order_by(Participant.key))]


def test_cases_reimport_without_a_column_keeps_what_is_stored(session, data_dir, tmp_path):
    import_case_table(session, data_dir / "cases.csv")
    before = roles(session)
    summary = reimport(session, tmp_path, "type,id,name,role\nparticipant,P01,Maureen Okafor,\n"
                                          "participant,P06,Helen Ashworth,\n")
    assert roles(session) == before
    assert before[0] == ("P01", "project lead", "Grace", [], "ORG02")
    assert (dict(summary.counts), summary.changes) == ({"participant": 2}, [])


def test_cases_reimport_none_clears_and_changes_are_listed(session, data_dir, tmp_path):
    import_case_table(session, data_dir / "cases.csv")
    summary = reimport(session, tmp_path, (
        "type,id,name,role,pseudonym,aliases,organisation,team,years:number,kind,interviewers,theme\n"
        "participant,P01,Maureen Okafor,(none),,Mo;Mrs O,(NONE),yes,4,,,\n"
        "participant,P06,Helen Ashworth,Coordinator,(none),,ORG02,,,,,\n"
        "participant,P30,Ayo Bright,volunteer,,,,,2,,,\n"
        "place,,Wrenmouth,,,,,,,(none),,\n"
        "source,,focus_group.txt,,,,,,,,Facilitator; Okafor,(none)\n"))
    assert summary.changes == [
        "place Wrenmouth: kind 'town' -> (none)",
        "participant P01: role 'project lead' -> (none)",
        "participant P01: aliases (none) -> 'Mo; Mrs O'",
        "participant P01: team no -> yes",
        "participant P01: organisation 'ORG02' -> (none)",
        "participant P01: years (none) -> '4'",
        "participant P06: role 'project lead' -> 'Coordinator'",
        "participant P06: pseudonym 'Carol' -> (none)",
        "participant P06: organisation 'ORG06' -> 'ORG02'",
        "source focus_group.txt: interviewers (none) -> 'Facilitator; Okafor'",
        "source focus_group.txt: theme 'waiting lists' -> (none)",
    ]
    assert roles(session)[:3] == [("P01", None, "Grace", ["Mo", "Mrs O"], None),
                                  ("P06", "Coordinator", None, [], "ORG02"),
                                  ("P15", "project worker", "Tracey", [], "ORG03")]
    profile = session.scalar(select(SourceProfile))
    assert (profile.kind, profile.participants, profile.team, profile.attributes) == (
        "focus_group", ["P15", "P16", "P19"], ["Facilitator", "Okafor"], {})
    assert session.scalar(select(Place)).kind is None


def test_cases_reimport_none_removes_an_attribute(session, data_dir, tmp_path):
    import_case_table(session, data_dir / "cases.csv")
    reimport(session, tmp_path, "type,id,name,years\nparticipant,P01,Maureen Okafor,4\n")
    summary = reimport(session, tmp_path, "type,id,name,years\nparticipant,P01,Maureen Okafor,"
                                          "(none)\n")
    case = session.scalar(select(Case).where(Case.name == "P01"))
    assert (summary.changes, case.attributes) == (["participant P01: years '4' -> (none)"], [])


def test_cases_team_must_be_yes_or_no(session, tmp_path):
    with pytest.raises(CaseDataError) as raised:
        reimport(session, tmp_path, "type,id,name,team\nparticipant,T01,Sam Reed,sometimes\n")
    assert str(raised.value) == "again.csv, row 2: 'sometimes' in column 'team' is not yes or no " \
                                "[FS110]"


def test_cases_reimport_keeps_organisation_aliases_and_partnership_levels(session, data_dir,
                                                                          tmp_path):
    import_case_table(session, data_dir / "cases.csv")
    summary = reimport(session, tmp_path, (
        "type,id,name,sector,organisation,partner,formality,depth\n"
        "organisation,ORG02,Pellwick Family Hub,community,,,,\n"
        "partnership,PS01,,,ORG02,ORG06,formal,working\n"))
    hub = session.scalar(select(Organisation).where(Organisation.key == "ORG02"))
    link = session.scalar(select(Partnership).where(Partnership.key == "PS01"))
    assert (hub.aliases, link.name, link.levels) == (
        ["the Hub"], "Hub and Early Help", ["delivery", "management", "strategic"])
    assert summary.changes == ["partnership PS01: depth 'deep' -> 'working'"]
    reimport(session, tmp_path, "type,id,organisation,partner,formality,depth,levels\n"
                                "partnership,PS01,ORG02,ORG06,formal,working,(none)\n")
    assert link.levels == []
