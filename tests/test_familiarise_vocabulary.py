"""Study vocabularies: the cases table declares and resolves them; set, add, rename,
remove and reorder keep every stored value a term of its list."""

from __future__ import annotations

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from framesynth.errors import CaseDataError, InvalidArgument, NotFound
from framesynth.familiarise.overview import project_info
from framesynth.familiarise.vocabulary import (
    add_term,
    in_order,
    list_vocabularies,
    remove_term,
    rename_term,
    reorder_terms,
    scale_fraction,
    set_vocabulary,
    term_label,
    term_uses,
    terms,
    vocabulary_dict,
)
from framesynth.io.importers.case_table import import_case_table
from framesynth.project import Project
from framesynth.store.models import Case, Event, Organisation, Partnership

HEADER = "type,id,name,sector,organisation,partner,formality,depth,levels,terms,ordered,closed"


def table(tmp_path, *rows: str, name: str = "cases.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def blank(stores):
    path = stores.empty("blank.fsdb")
    Project.create(path, template="blank").close()
    with Project.open(path) as project, project.session() as session:
        yield session


def sectors(session) -> list[tuple[str, str]]:
    return sorted((o.key, o.sector) for o in session.scalars(select(Organisation)))


def test_vocabulary_open_sector_takes_new_terms_and_keeps_the_template_order(session, tmp_path):
    import_case_table(session, table(
        tmp_path, "organisation,ORG1,Northmoor University,University,,,,,,,,",
        "organisation,ORG2,Harbour Health Board,health board,,,,,,,,",
        "organisation,ORG3,Pellwick Hub,Community sector,,,,,,,,"))
    assert sectors(session) == [("ORG1", "university"), ("ORG2", "health board"),
                                ("ORG3", "community")]
    assert terms(session, "sector") == ["community", "voluntary", "statutory", "funder",
                                        "university", "health board"]
    assert term_label(session, "sector", "health board") == "Health board"


def test_vocabulary_rows_declare_a_depth_scale_and_closed_lists_refuse_others(
        blank, tmp_path):
    import_case_table(blank, table(
        tmp_path, "vocabulary,,depth,,,,,,,1; 2; 3; 4; 5,yes,yes",
        "vocabulary,,level,,,,,,,ward | city | region,yes,",
        "organisation,ORG1,Harbour Council,public,,,,,,,,",
        "organisation,ORG2,Quayside Ltd,private,,,,,,,,",
        "partnership,PS1,,,ORG1,ORG2,contract,4,region; ward,,,"))
    link = blank.scalar(select(Partnership))
    assert (link.depth, link.formality, in_order(blank, "level", link.levels)) == (
        "4", "contract", ["ward", "region"])
    assert [(v["name"], v["ordered"], v["closed"]) for v in map(vocabulary_dict,
                                                                 list_vocabularies(blank))] == [
        ("depth", True, True), ("formality", False, False), ("level", True, True),
        ("sector", False, False)]
    assert scale_fraction(blank, "depth", "4") == 0.75
    with pytest.raises(CaseDataError) as raised:
        import_case_table(blank, table(tmp_path, "partnership,PS1,,,ORG1,ORG2,contract,6,"))
    assert str(raised.value) == "cases.csv, row 2: depth '6' is not one of: 1, 2, 3, 4, 5 [FS110]"


def test_vocabulary_sheet_in_xlsx_works_like_the_other_typed_sheets(blank, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "vocabularies"
    sheet.append(["name", "terms", "labels", "ordered", "closed"])
    sheet.append(["sector", "public; private; academic", "Public; Private; Academic", "no",
                  "yes"])
    organisations = book.create_sheet("organisations")
    organisations.append(["id", "name", "sector"])
    organisations.append(["ORG1", "Harbour Council", "Public"])
    book.save(tmp_path / "cases.xlsx")
    summary = import_case_table(blank, tmp_path / "cases.xlsx")
    assert dict(summary.counts) == {"vocabulary": 1, "organisation": 1}
    assert sectors(blank) == [("ORG1", "public")]
    with pytest.raises(CaseDataError, match="sector 'charity' is not one of: public, private, "
                                            "academic"):
        import_case_table(blank, table(tmp_path, "organisation,ORG2,Kestrel,charity,,,,,,,,"))


@pytest.mark.parametrize(("rows", "message"), [
    (["vocabulary,,depth,,,,,,,,yes,yes"],
     "row 2: a closed vocabulary 'depth' needs its terms in column 'terms'"),
    (["vocabulary,,depth,,,,,,,1;2,perhaps,"], "row 2: ordered 'perhaps' is not yes or no"),
    (["vocabulary,,depth,,,,,,,1;2;1,yes,"], "row 2: vocabulary 'depth' lists a term twice"),
    (["vocabulary,,sector,,,,,,,public; private,,"],
     "row 2: vocabulary 'sector' leaves out 'community', which is still used "
     "(1 organisations)"),
])
def test_vocabulary_bad_rows_change_nothing(project_path, tmp_path, snapshot, rows, message):
    with Project.open(project_path) as project, project.session() as session:
        import_case_table(session, table(tmp_path, "organisation,ORG1,Pellwick Hub,community"
                                                   ",,,,,,,,", name="first.csv"))
    before = snapshot(project_path)
    with pytest.raises(CaseDataError) as raised:
        with Project.open(project_path) as project, project.session() as session:
            import_case_table(session, table(tmp_path, *rows))
    assert str(raised.value) == f"cases.csv, {message} [FS110]"
    assert snapshot(project_path) == before


def test_vocabulary_attribute_columns_named_after_a_vocabulary_are_terms(blank, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("type,id,name,sector,terms,closed,region\n"
                    "vocabulary,,region,,north; south,yes,\n"
                    "organisation,ORG1,Harbour Council,public,,,North\n", encoding="utf-8")
    import_case_table(blank, path)
    case = blank.scalar(select(Case).where(Case.name == "ORG1"))
    assert [(a.name, a.type, a.value) for a in case.attributes] == [("region", "text", "north")]
    rename_term(blank, "region", "north", "north east", actor="ruth")
    assert [a.value for a in case.attributes] == ["north east"]


def test_vocabulary_rename_changes_every_stored_value_and_is_logged(session, data_dir):
    import_case_table(session, data_dir / "cases.csv")
    assert term_uses(session, "depth", "deep") == {"partnerships": 1}
    rename_term(session, "depth", "deep", "embedded", actor="ruth")
    rename_term(session, "level", "strategic", "board", actor="ruth")
    rename_term(session, "sector", "Statutory", "public", actor="ruth")
    hub = session.scalar(select(Partnership).where(Partnership.key == "PS01"))
    assert (hub.depth, hub.levels) == ("embedded", ["board", "delivery", "management"])
    assert in_order(session, "level", hub.levels) == ["delivery", "management", "board"]
    assert terms(session, "depth") == ["on_paper", "shallow", "working", "embedded"]
    assert term_label(session, "depth", "embedded") == "Embedded"
    assert ("ORG06", "public") in sectors(session)
    last = session.scalars(select(Event).order_by(Event.id.desc())).first()
    assert (last.action, last.actor, last.payload) == ("vocabulary.rename", "ruth", {
        "vocabulary": "sector", "old": "statutory", "new": "public",
        "uses": {"organisations": 1}})


def test_vocabulary_remove_is_refused_while_used_and_set_keeps_used_terms(session, data_dir):
    import_case_table(session, data_dir / "cases.csv")
    with pytest.raises(InvalidArgument, match=r"cannot remove 'working' of 'depth': it is used "
                                              r"\(1 partnerships\)"):
        remove_term(session, "depth", "working", actor="ruth")
    with pytest.raises(InvalidArgument, match="cannot drop 'community' of 'sector'"):
        set_vocabulary(session, "sector", ["statutory", "voluntary"], actor="ruth")
    remove_term(session, "sector", "funder", actor="ruth")
    assert terms(session, "sector") == ["community", "voluntary", "statutory"]
    with pytest.raises(NotFound, match="vocabulary 'sector' has no term 'funder'"):
        remove_term(session, "sector", "funder", actor="ruth")


def test_vocabulary_add_reorder_and_set(session):
    add_term(session, "sector", "health board", label="Health board", aliases=["NHS"],
             actor="ruth")
    with pytest.raises(InvalidArgument, match="'nhs' already means term 'health board'"):
        add_term(session, "sector", "nhs", actor="ruth")
    reorder_terms(session, "level", ["strategic", "management", "delivery"], actor="ruth")
    assert terms(session, "level") == ["strategic", "management", "delivery"]
    with pytest.raises(InvalidArgument, match="must list each of its terms once"):
        reorder_terms(session, "level", ["strategic"], actor="ruth")
    vocabulary = set_vocabulary(session, "depth", ["1", "2", "3"], labels=["None", "Some"],
                                actor="ruth")
    assert vocabulary_dict(vocabulary) == {
        "name": "depth", "label": "Depth", "ordered": True, "closed": True, "terms": [
            {"term": "1", "label": "None", "aliases": []},
            {"term": "2", "label": "Some", "aliases": []},
            {"term": "3", "label": "3", "aliases": []}]}
    assert [e.action for e in session.scalars(select(Event))] == [
        "vocabulary.add", "vocabulary.reorder", "vocabulary.set"]


def test_vocabulary_info_counts_by_the_project_terms(blank, tmp_path):
    import_case_table(blank, table(
        tmp_path, "vocabulary,,depth,,,,,,,1; 2; 3; 4; 5,yes,yes",
        "organisation,ORG1,Harbour Council,public,,,,,,,,",
        "organisation,ORG2,Quayside Ltd,private,,,,,,,,",
        "organisation,ORG3,Northmoor University,academic,,,,,,,,",
        "partnership,PS1,,,ORG1,ORG2,contract,5,,,,",
        "partnership,PS2,,,ORG1,ORG3,informal,2,,,,",
        "partnership,PS3,,,ORG2,ORG3,informal,5,,,,"))
    info = project_info(blank)
    assert (info["organisations_by_sector"], info["partnerships_by_depth"],
            info["partnerships_by_formality"]) == (
        {"public": 1, "private": 1, "academic": 1}, {"2": 1, "5": 2},
        {"contract": 1, "informal": 2})
