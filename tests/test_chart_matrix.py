"""The framework matrix: rows, columns, cells, drafts, history, exports."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from framesynth.chart.drafts import draft_cells
from framesynth.chart.matrix import (
    accept_cell,
    build_matrix,
    cell_history,
    edit_cell,
    find_case,
    theme_matrices,
)
from framesynth.errors import InvalidArgument, NotFound
from framesynth.frame.framework import find_code
from framesynth.io.exporters.matrix import write_csv, write_xlsx


def counts(matrix) -> list[list]:
    return [[matrix.group(r), r.label, *[matrix.cell(r, c).count for c in matrix.columns]]
            for r in matrix.rows]


def test_matrix_participants_by_themes_grouped_by_sector(charted):
    matrix = build_matrix(charted, group_by="sector")
    assert [c.name for c in matrix.columns] == ["Access", "Partnership"]
    assert counts(matrix) == [
        ["community", "Dawn Whitlock", 3, 0],
        ["community", "Maureen Okafor", 1, 0],
        ["statutory", "Claire Dunmore", 1, 0],
        ["statutory", "Helen Ashworth", 0, 0],
        ["voluntary", "Sam Okonjo", 0, 1],
    ]


def test_matrix_for_one_theme_has_its_codes_as_columns(charted):
    matrix = build_matrix(charted, theme="Access", rows="organisation", group_by="sector")
    assert [c.name for c in matrix.columns] == ["Waiting lists", "Referral routes"]
    assert counts(matrix) == [
        ["community", "Hollin Bank Parents' Network", 1, 2],
        ["community", "Pellwick Family Hub", 1, 0],
        ["statutory", "Wrenmouth Council Early Help Team", 0, 1],
        ["voluntary", "Kestrel Food Bank", 0, 0],
    ]
    assert [m.title for m in theme_matrices(charted)] == [
        "participants by codes of Access", "participants by codes of Partnership"]


def test_matrix_unknown_grouping(charted):
    with pytest.raises(InvalidArgument, match="cannot group participants by 'colour'"):
        build_matrix(charted, group_by="colour")


def test_matrix_cells_edit_accept_and_history(charted):
    dawn, access = find_case(charted, "P15"), find_code(charted, "Access")
    edit_cell(charted, dawn, access, "Referrals bounce.", actor="ruth", status="draft")
    accept_cell(charted, dawn, access, actor="colin")
    edit_cell(charted, dawn, access, "Referrals bounce back unexplained.", actor="ruth")
    cell = build_matrix(charted).cells[(dawn.id, access.id)]
    assert (cell.summary, cell.status) == ("Referrals bounce back unexplained.", "edited")
    assert [(e.actor, e.payload["status"], e.payload["before"], e.payload["after"])
            for e in cell_history(charted, dawn, access)] == [
        ("ruth", "draft", "", "Referrals bounce."),
        ("colin", "accepted", "Referrals bounce.", "Referrals bounce."),
        ("ruth", "edited", "Referrals bounce.", "Referrals bounce back unexplained."),
    ]
    with pytest.raises(NotFound, match="no summary for P06"):
        accept_cell(charted, find_case(charted, "P06"), access, actor="ruth")


def test_matrix_drafts_are_marked_and_never_overwrite_a_persons_summary(charted, hashing):
    dawn, access = find_case(charted, "P15"), find_code(charted, "Access")
    edit_cell(charted, dawn, access, "Mine.", actor="ruth")
    drafted = draft_cells(charted, build_matrix(charted), hashing, actor="bot")
    matrix = build_matrix(charted)
    assert matrix.cells[(dawn.id, access.id)].summary == "Mine."
    maureen = find_case(charted, "P01")
    cell = matrix.cells[(maureen.id, access.id)]
    assert (drafted, cell.status, cell.summary) == (
        3, "draft", "\u201cFourteen weeks for counselling.\u201d")


def test_matrix_to_dataframe(charted):
    frame = build_matrix(charted, group_by="sector").to_dataframe("count")
    assert list(frame.columns) == ["Access", "Partnership"]
    assert frame.loc[("community", "Dawn Whitlock"), "Access"] == 3
    assert frame.index.names == ["sector", "case"]


def test_matrix_xlsx_has_a_sheet_per_theme_frozen_wrapped_and_wide(charted, tmp_path):
    path = tmp_path / "matrix.xlsx"
    write_xlsx(theme_matrices(charted, group_by="sector"), path)
    book = load_workbook(path)
    assert book.sheetnames == ["Access", "Partnership"]
    sheet = book["Access"]
    assert [c.value for c in sheet[1]] == ["Sector", "Case", "Waiting lists (2)",
                                           "Referral routes (3)"]
    assert sheet.freeze_panes == "C2"
    assert sheet["C2"].alignment.wrap_text and sheet.column_dimensions["C"].width == 55
    dawn_row = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "Dawn Whitlock")
    assert "\u201cReferrals bounce back without a reason\u201d (focus_group.txt" in dawn_row[2]


def test_matrix_csv_long_format(charted):
    buffer = io.StringIO()
    write_csv(build_matrix(charted, group_by="sector"), buffer)
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "group,case,column,segments,status,summary"
    assert "community,Dawn Whitlock,Access,3,," in lines


@pytest.mark.parametrize("rows", ["participant", "organisation", "partnership"])
def test_matrix_counts_in_sql_equal_the_segments_per_case_on_the_demo(demo_session, rows):
    from framesynth.chart.evidence import case_counts, evidence_by_case

    expected: dict[int, dict[int, int]] = {}
    for case_id, items in evidence_by_case(demo_session, rows).items():
        for item in items:
            expected.setdefault(case_id, {}).setdefault(item.code_id, 0)
            expected[case_id][item.code_id] += 1
    assert case_counts(demo_session, rows) == expected
    assert sum(map(len, expected.values())) > 5
    matrix = build_matrix(demo_session, rows=rows)
    assert sum(c.count for c in matrix.cells.values()) > 0
    for cell in matrix.cells.values():
        assert cell.count == len(cell.segments)
        assert all(s.code_id in {cell.code_id, *expected.get(cell.case_id, {})}
                   for s in cell.segments)


def test_matrix_counts_by_coder_equal_the_segments_on_the_demo(demo_session):
    from sqlalchemy import select

    from framesynth.store.models import Coding

    coder = demo_session.scalars(select(Coding.coder).where(Coding.status.is_(None))).first()
    matrix = build_matrix(demo_session, rows="organisation", coder=coder)
    assert all(cell.count == len(cell.segments) for cell in matrix.cells.values())
    assert all(s.coder == coder for cell in matrix.cells.values() for s in cell.segments)


def test_matrix_anonymised_copy_keeps_counts_and_renames_sources_of_lazy_segments(demo_session):
    from framesynth.interpret.exports import anonymise_matrix

    matrix = build_matrix(demo_session, rows="organisation")
    clean = anonymise_matrix(demo_session, matrix)
    assert [c.count for c in clean.cells.values()] == [c.count for c in matrix.cells.values()]
    assert all(len(clean.cells[k].segments) == c.count for k, c in matrix.cells.items())
    names = {s.source for c in clean.cells.values() for s in c.segments}
    assert names and all(name.startswith("source ") for name in names)
