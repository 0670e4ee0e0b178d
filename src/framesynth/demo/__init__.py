"""The bundled demo: the fictional Stronger Starts programme in Wrenmouth.

:func:`build_demo_project` makes ``DIR/demo.fsdb`` from the corpus in ``demo/corpus``
(17 transcripts in every supported format and a cases table); later phases extend the
pipeline that ``framesynth demo`` runs on it.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from framesynth.familiarise.memos import add_memo
from framesynth.io.codebook import import_codebook
from framesynth.io.codings_table import import_quoted_codings
from framesynth.io.importers import import_files
from framesynth.io.importers.case_table import import_case_table
from framesynth.project import Project

DEMO_USER = "demo-analyst"
DEMO_CODERS = ("amira", "tom")

DEMO_MEMOS = [
    ("Partnership depth is seen differently at each level",
     "People at the front line of the Hub and Early Help describe a close, daily working "
     "relationship, while the managers describe a steering group that keeps being "
     "cancelled. Check whether 'deep' in the cases table holds at every level.", None),
    ("Waiting lists shape what community groups do",
     "Groups fill the counselling wait with their own support, which nobody funds as such. "
     "Compare how community and statutory speakers talk about the wait.",
     "fg01-referrals-and-waiting-lists.docx"),
]


def corpus_dir() -> Path:
    """The folder holding the bundled demo transcripts and cases table."""
    return Path(str(resources.files("framesynth.demo") / "corpus"))


def corpus_files() -> list[Path]:
    return sorted(p for p in corpus_dir().iterdir() if p.suffix != ".csv" and p.is_file())


def demo_file(name: str) -> Path:
    return Path(str(resources.files("framesynth.demo") / name))


def build_demo_project(directory: Path) -> Path:
    """Create ``directory/demo.fsdb`` afresh from the bundled corpus, with the demo
    framework and the two fictional coders' hand-made codings; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "demo.fsdb"
    for old in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", ".bak"))):
        old.unlink(missing_ok=True)
    with Project.create(path) as project, project.session() as session:
        import_case_table(session, corpus_dir() / "cases.csv", actor=DEMO_USER)
        import_files(session, corpus_files(), actor=DEMO_USER)
        for title, body, source in DEMO_MEMOS:
            add_memo(session, body, title=title, source=source, author=DEMO_USER)
        import_codebook(session, demo_file("framework.yaml"), actor=DEMO_USER)
        for coder in DEMO_CODERS:
            import_quoted_codings(session, demo_file(f"codings/{coder}.csv"), coder=coder)
    return path
