"""The backend-neutral dump sees every change to a project, and nothing else."""

from pathlib import Path

from framesynth.familiarise.memos import add_memo
from framesynth.project import Project
from framesynth.store.dump import differences, dump


def test_a_dump_changes_when_a_row_changes_and_names_the_table(project_path: Path) -> None:
    with Project.open(project_path) as project:
        before = dump(project.engine)
        assert before == dump(project.engine)
        assert before["alembic_version"]
        with project.session() as session:
            add_memo(session, "First pass: trust comes up early.", title="Reading notes", author="ana")
        after = dump(project.engine)
    lines = differences(before, after)
    assert "memos: 0 rows before, 1 after" in lines
    assert "events: 0 rows before, 1 after" in lines  # adding a memo is logged
    assert any("Reading notes" in line for line in lines)
    assert not [line for line in lines if line.startswith("sources")]
