"""``framesynth vocab``: list, show, set, add, rename, remove."""

from __future__ import annotations

from sqlalchemy import select

from framesynth.project import Project
from framesynth.store.models import Partnership


def test_cli_vocab_commands(fs, project_path, data_dir):
    assert fs("import", project_path, "--cases", data_dir / "cases.csv")[0] == 0
    assert fs("vocab", "add", project_path, "sector", "health board", "--alias", "NHS") == (
        0, "added 'health board' (Health board) to sector\n", "")
    assert fs("vocab", "rename", project_path, "depth", "deep", "embedded") == (
        0, "renamed 'deep' to 'embedded' in depth (1 stored values)\n", "")
    code, out, _ = fs("vocab", "show", project_path, "depth")
    assert out.splitlines() == [
        "Depth (depth): ordered, closed",
        "#  term      label     aliases                                           uses",
        "-  --------  --------  ------------------------------------------------  ----",
        "1  on_paper  On paper  on paper; paper; partners on paper; in name only  0",
        "2  shallow   Shallow                                                     0",
        "3  working   Working                                                     1",
        "4  embedded  Embedded                                                    1",
    ]
    assert fs("vocab", "remove", project_path, "depth", "working") == (
        1, "", "error: cannot remove 'working' of 'depth': it is used (1 partnerships); "
               "rename it instead or change those first [FS003]\n")
    assert fs("vocab", "remove", project_path, "depth", "shallow")[0] == 0
    assert fs("vocab", "set", project_path, "formality", "formal", "informal", "contract",
              "--open") == (0, "formality (unordered, open): formal; informal; contract\n", "")
    assert fs("vocab", "set", project_path, "depth", "1", "2")[0] == 1
    with Project.open(project_path) as project, project.session() as session:
        depths = sorted(session.scalars(select(Partnership.depth)))
    assert depths == ["embedded", "working"]
