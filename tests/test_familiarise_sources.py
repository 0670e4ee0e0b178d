"""Storing imported transcripts: turns, speakers, kinds, duplicates, all-or-nothing."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as text_sql

from framesynth.errors import DuplicateSource, ImportBatchError
from framesynth.familiarise.sources import ImportedSource, add_sources, count_turns
from framesynth.io.importers import import_files
from framesynth.io.importers.case_table import import_case_table
from framesynth.project import Project
from framesynth.store.models import Event, Source, Turn
from framesynth.store.text_index import text_index_for


def test_sources_store_immutable_text_and_turn_ranges(session, data_dir):
    [source] = import_files(session, [data_dir / "interview.txt"])
    assert source.text == (data_dir / "interview.txt").read_text(encoding="utf-8")
    assert [(t.position, t.speaker.label if t.speaker else None, t.text[:22])
            for t in source.turns] == [
        (0, "Interviewer", "Could you tell me how "),
        (1, "Maureen", "Mostly through the hea"),
        (2, "Interviewer", "And the waiting list?"),
        (3, "Maureen", "Fourteen weeks for cou"),
    ]
    start, end = source.meta["preamble"]
    assert source.text[start:end] == (
        "Test interview - project lead, Pellwick Family Hub\nDate: 3 March 2026")
    assert all(source.text[t.start:t.end] == t.text for t in source.turns)


@pytest.mark.parametrize(("name", "kind"), [("interview.txt", "interview"),
                                            ("focus_group.txt", "focus_group")])
def test_sources_kind_follows_the_number_of_respondents(session, data_dir, name, kind):
    [source] = import_files(session, [data_dir / name])
    assert source.kind == kind


def test_sources_kind_can_be_given(session, data_dir):
    [source] = import_files(session, [data_dir / "interview.txt"], kind="document")
    assert source.kind == "document"


def test_sources_interviewer_labels_are_the_research_team(session, data_dir):
    [source] = import_files(session, [data_dir / "focus_group.txt"])
    assert sorted((s.label, s.is_interviewer) for s in source.speakers) == [
        ("Claire", False), ("Dawn", False), ("Facilitator", True), ("Sam", False)]


def test_sources_speakers_link_to_participants_from_the_cases_table(session, data_dir):
    import_case_table(session, data_dir / "cases.csv")
    sources = import_files(session, [data_dir / "focus_group.txt", data_dir / "interview.md",
                                     data_dir / "interview.txt"])
    links = {(src.name, s.label): s.participant.key if s.participant else None
             for src in sources for s in src.speakers if not s.is_interviewer}
    assert links == {
        ("focus_group.txt", "Dawn"): "P15",
        ("focus_group.txt", "Sam"): "P16",
        ("focus_group.txt", "Claire"): "P19",
        ("interview.md", "Helen Ashworth"): "P06",
        ("interview.txt", "Maureen"): "P01",
    }
    assert sources[0].meta["theme"] == "waiting lists"


def test_sources_cases_imported_after_the_sources_still_link_speakers(project, data_dir):
    with project.session() as session:
        import_files(session, [data_dir / "focus_group.txt"])
    with project.session() as session:
        import_case_table(session, data_dir / "cases.csv")
    with project.session() as session:
        source = session.scalar(select(Source))
        assert sorted(s.participant.name for s in source.speakers if s.participant) == [
            "Claire Dunmore", "Dawn Whitlock", "Sam Okonjo"]
        assert source.meta["theme"] == "waiting lists"


def test_sources_same_file_twice_is_refused(project, data_dir, tmp_path):
    copy = tmp_path / "copy-of-interview.txt"
    shutil.copyfile(data_dir / "interview.txt", copy)
    with project.session() as session:
        import_files(session, [data_dir / "interview.txt"])
    with pytest.raises(ImportBatchError) as raised, project.session() as session:
        import_files(session, [copy])
    assert str(raised.value) == (
        "copy-of-interview.txt: already imported as 'interview.txt' (same content) [FS105]\n"
        "1 file(s) failed; nothing was imported [FS100]")
    assert isinstance(raised.value.errors[0], DuplicateSource)


def test_sources_same_file_twice_in_one_batch_is_refused(session, data_dir, tmp_path):
    copy = tmp_path / "again.txt"
    shutil.copyfile(data_dir / "interview.txt", copy)
    with pytest.raises(ImportBatchError, match="again.txt: same content as 'interview.txt'"):
        import_files(session, [data_dir / "interview.txt", copy])


def test_sources_same_name_different_content_gets_a_numbered_name(session, data_dir, tmp_path):
    other = tmp_path / "interview.txt"
    other.write_text("Interviewer: Different?\nR: Yes.\nInterviewer: Ok.", encoding="utf-8")
    first, second = import_files(session, [data_dir / "interview.txt", other])
    assert (first.name, second.name) == ("interview.txt", "interview.txt (2)")


def test_sources_one_bad_file_in_twenty_imports_nothing(project_path, data_dir, tmp_path,
                                                        snapshot):
    with Project.open(project_path) as project, project.session() as session:
        import_files(session, [data_dir / "interview.md"])
    before = snapshot(project_path)
    batch = []
    for number in range(20):
        path = tmp_path / f"transcript-{number:02d}.txt"
        path.write_text(f"Interviewer: Question {number}?\nR: Answer {number}.\n"
                        "Interviewer: Thanks.", encoding="utf-8")
        batch.append(path)
    (tmp_path / "transcript-13.txt").write_bytes(b"")
    (tmp_path / "transcript-07.txt").write_bytes(b"\x81\x8d\x90 nope")
    with pytest.raises(ImportBatchError) as raised:
        with Project.open(project_path) as project, project.session() as session:
            import_files(session, batch)
    assert str(raised.value).splitlines() == [
        "transcript-07.txt: cannot decode the text (tried UTF-8, UTF-16 with BOM, cp1252) "
        "[FS103]",
        "transcript-13.txt: the file is empty [FS104]",
        "2 file(s) failed; nothing was imported [FS100]",
    ]
    assert snapshot(project_path) == before


def test_sources_import_is_logged(session, data_dir):
    import_files(session, [data_dir / "interview.txt"], actor="ruth")
    event = session.scalar(select(Event).where(Event.action == "import_sources"))
    assert (event.actor, event.payload) == ("ruth", {"sources": ["interview.txt"]})


def test_sources_numbered_names_skip_the_names_already_stored(project):
    made: list[str] = []

    def batch(*names: str) -> list[ImportedSource]:
        made.extend(names)
        return [ImportedSource(name, "txt", f"Interviewer: {name}?\nR: Yes.", f"sum-{n}")
                for n, name in enumerate(names, start=len(made) - len(names))]

    with project.session() as session:
        add_sources(session, batch("notes.txt (2)", "100%_done.txt"))
    with project.session() as session:
        stored = add_sources(session, batch("notes.txt", "notes.txt", "100%_done.txt"))
    with project.session() as session:
        later = add_sources(session, batch("notes.txt", "100%_done.txt", "100%_done.txt (2)"))
    assert [s.name for s in stored + later] == [
        "notes.txt", "notes.txt (3)", "100%_done.txt (2)",
        "notes.txt (4)", "100%_done.txt (3)", "100%_done.txt (2) (2)"]


def test_sources_count_turns_counts_the_stored_turns(session, data_dir):
    sources = import_files(session, [data_dir / "interview.txt", data_dir / "focus_group.txt"])
    assert count_turns(session, sources) == sum(len(s.turns) for s in sources) > 0
    assert count_turns(session, sources[1:]) == len(sources[1].turns)
    assert count_turns(session, []) == 0


def test_sources_a_batch_of_many_turns_is_stored_and_indexed_whole(session, backend):
    # 3 x 450 turns: inserted 1,000 per statement, so one statement ends mid-source
    texts = [("\n".join(f"{'Interviewer' if n % 2 == 0 else 'Ruth'}: word{s}x{n} here"
                        for n in range(450)), f"sum-{s}") for s in range(3)]
    sources = add_sources(session, [ImportedSource(f"s{s}.txt", "txt", text, checksum)
                                    for s, (text, checksum) in enumerate(texts)])
    session.expire_all()
    for number, source in enumerate(sources):
        assert [(t.position, t.text) for t in source.turns] == [
            (n, f"word{number}x{n} here") for n in range(450)]
        assert [t.speaker.label for t in source.turns[:2]] == ["Interviewer", "Ruth"]
    condition = text_index_for(session).turn_condition(["word2x449"])
    hits = session.scalar(select(func.count()).select_from(Turn).where(condition))
    assert (count_turns(session, sources), hits) == (1350, 1)
    if backend == "sqlite":
        session.execute(text_sql("INSERT INTO turn_fts(turn_fts) VALUES ('integrity-check')"))
