"""Matrix cells have versions: a save over a change the editor did not see is refused.

Two analysts open the same matrix; Ruth saves her summary of Dawn's Access cell first,
then Colin saves his over the version he was shown. Colin is told who changed it and
when, and Ruth's words stay. Racing saves (threads, on SQLite and on PostgreSQL) with the
same expected version: exactly one wins.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from framesynth.chart.drafts import draft_cells
from framesynth.chart.matrix import accept_cell, build_matrix, cell_history, edit_cell, find_case
from framesynth.errors import EditConflict
from framesynth.frame.framework import find_code
from framesynth.project import Project


def version_of(session, case, code) -> int:
    return build_matrix(session).cells[(case.id, code.id)].version


def test_cell_versions_start_at_one_and_count_every_change(charted):
    dawn, access = find_case(charted, "P15"), find_code(charted, "Access")
    assert version_of(charted, dawn, access) == 0  # nothing written yet
    assert edit_cell(charted, dawn, access, "Referrals bounce.", actor="ruth",
                     status="draft").version == 1
    assert accept_cell(charted, dawn, access, actor="colin").version == 2
    assert edit_cell(charted, dawn, access, "Referrals bounce back.", actor="ruth",
                     expected_version=2).version == 3
    assert version_of(charted, dawn, access) == 3
    assert [e.payload["version"] for e in cell_history(charted, dawn, access)] == [1, 2, 3]


def test_cell_saved_over_a_version_someone_changed_is_refused_and_kept(charted):
    dawn, access = find_case(charted, "P15"), find_code(charted, "Access")
    edit_cell(charted, dawn, access, "Referrals bounce.", actor="ruth", expected_version=0)
    shown = version_of(charted, dawn, access)  # both analysts see version 1
    edit_cell(charted, dawn, access, "Referrals bounce back from the council.", actor="ruth",
              expected_version=shown)
    with pytest.raises(EditConflict, match=r"^P15 x Access was changed by ruth at "
                       r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC since you opened it "
                       r"\(now version 2, yours was 1\).*\[FS410\]$") as refused:
        edit_cell(charted, dawn, access, "Colin's reading.", actor="colin",
                  expected_version=shown)
    assert refused.value.current["summary"] == "Referrals bounce back from the council."
    assert (refused.value.current["version"], refused.value.current["updated_by"]) == (2, "ruth")
    cell = build_matrix(charted).cells[(dawn.id, access.id)]
    assert (cell.summary, cell.version) == ("Referrals bounce back from the council.", 2)
    assert [e.actor for e in cell_history(charted, dawn, access)] == ["ruth", "ruth"]
    # having seen Ruth's text, Colin saves over the version he now has
    assert edit_cell(charted, dawn, access, "Colin's reading.", actor="colin",
                     expected_version=2).summary == "Colin's reading."


def test_cell_a_new_cell_expected_empty_but_written_meanwhile_is_refused(charted):
    dawn, access = find_case(charted, "P15"), find_code(charted, "Access")
    edit_cell(charted, dawn, access, "Ruth was first.", actor="ruth", expected_version=0)
    with pytest.raises(EditConflict, match="changed by ruth"):
        edit_cell(charted, dawn, access, "Colin was second.", actor="colin", expected_version=0)
    with pytest.raises(EditConflict, match="changed by ruth"):
        accept_cell(charted, dawn, access, actor="colin", expected_version=0)
    sam = find_case(charted, "P16")
    with pytest.raises(EditConflict, match="P16 x Access was removed since you opened it"):
        edit_cell(charted, sam, access, "Never stored.", actor="colin", expected_version=3)
    assert version_of(charted, sam, access) == 0


def test_cell_drafting_leaves_a_cell_written_since_the_matrix_was_read(charted, hashing):
    matrix = build_matrix(charted)  # read before Ruth writes
    maureen, access = find_case(charted, "P01"), find_code(charted, "Access")
    edit_cell(charted, maureen, access, "Ruth's own words.", actor="ruth")
    assert draft_cells(charted, matrix, hashing, actor="bot") == 3  # 4 without Ruth's
    cell = build_matrix(charted).cells[(maureen.id, access.id)]
    assert (cell.summary, cell.status, cell.version) == ("Ruth's own words.", "edited", 1)


def race(project: Project, key: tuple[str, str], expected: int, writers: int) -> list[str]:
    """``writers`` threads, each in its own session, save one cell at once over the
    ``expected`` version; what each got: ``saved`` or ``conflict``."""
    start = threading.Barrier(writers)
    outcomes: list[str] = []

    def write(number: int) -> None:
        with project.session() as session:
            case, code = find_case(session, key[0]), find_code(session, key[1])
            start.wait()
            try:
                edit_cell(session, case, code, f"Summary by writer {number}.",
                          actor=f"writer{number}", expected_version=expected)
            except EditConflict:
                outcomes.append("conflict")
                return
        outcomes.append("saved")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def check_race(project: Project, writers: int = 8) -> None:
    with project.session() as session:
        edit_cell(session, find_case(session, "P15"), find_code(session, "Access"),
                  "The first summary.", actor="ruth")
    outcomes = race(project, ("P15", "Access"), 1, writers)
    assert sorted(outcomes) == ["conflict"] * (writers - 1) + ["saved"]
    with project.session() as session:
        dawn, access = find_case(session, "P15"), find_code(session, "Access")
        cell = build_matrix(session).cells[(dawn.id, access.id)]
        history = cell_history(session, dawn, access)
        assert cell.version == 2 and cell.summary.startswith("Summary by writer")
        assert [e.payload["after"] for e in history] == ["The first summary.", cell.summary]


def test_cell_racing_saves_on_sqlite_exactly_one_wins(charted_path: Path):
    with Project.open(charted_path) as project:
        check_race(project)


def test_cell_racing_saves_on_postgresql_exactly_one_wins(postgres_url, data_dir,
                                                          framework_file):
    from framesynth.io.codebook import import_codebook
    from framesynth.io.importers import import_files
    from framesynth.io.importers.case_table import import_case_table

    with Project.create(postgres_url) as project:
        with project.session() as session:
            import_case_table(session, data_dir / "cases.csv")
            import_files(session, [data_dir / "focus_group.txt"])
            import_codebook(session, framework_file, actor="ruth")
        check_race(project)
