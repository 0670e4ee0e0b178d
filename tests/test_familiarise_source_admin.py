"""Managing sources: list, remove (refused while coded), replace with a corrected
transcript that keeps every coding on its words, and re-split."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from framesynth.errors import DuplicateSource, InvalidArgument, NotFound
from framesynth.familiarise.memos import add_memo
from framesynth.familiarise.source_admin import (
    Alignment,
    SourceInUse,
    UnplacedSpans,
    list_sources,
    remove_source,
    replace_source,
    resplit_source,
)
from framesynth.familiarise.sources import get_source
from framesynth.index.coding import code_span
from framesynth.interpret.quotes import pick_quote
from framesynth.io.codebook import import_codebook
from framesynth.io.importers import import_files, read_source
from framesynth.io.importers.case_table import import_case_table
from framesynth.project import Project
from framesynth.store.models import (
    Code,
    Coding,
    Event,
    Memo,
    PickedQuote,
    Source,
    SourceRevision,
    Turn,
)

# A fictional interview in the layout our transcription service exports (.txt).
ORIGINAL = """Interview 21 - outreach worker, Pellwick Family Hub
Date: 9 March 2026

[00:00:03] Interviewer: How do families first hear about the Hub?

[00:00:08] Maureen: Mostly by word of mouth. A mum tells her sister, the sister comes to the drop-in.
We used to hand out leaflets at the clinic but nobody read them.

[00:00:40] Interviewer: And once they are referred, how long do they wait?

[00:00:44] Maureen: Fourteen weeks for counselling, sometimes longer in the summer.
The steering group meets every month and the waiting list is always the first item.

[00:01:20] Interviewer: Does the council help with that?

[00:01:24] Maureen: Early Help send the form on, but it comes back if a box is missing. Teh form is long.
"""

# The corrected transcript: a typo fixed ("Teh"), a sentence inserted before a coded span,
# a paragraph deleted (the leaflets line), and one coded word changed (Fourteen -> Sixteen).
CORRECTED = """Interview 21 - outreach worker, Pellwick Family Hub
Date: 9 March 2026

[00:00:03] Interviewer: How do families first hear about the Hub?

[00:00:08] Maureen: Mostly by word of mouth. A mum tells her sister, the sister comes to the drop-in.

[00:00:40] Interviewer: And once they are referred, how long do they wait?

[00:00:44] Maureen: Sixteen weeks for counselling, sometimes longer in the summer.
It has got worse. The steering group meets every month and the waiting list is always the first item.

[00:01:20] Interviewer: Does the council help with that?

[00:01:24] Maureen: Early Help send the form on, but it comes back if a box is missing. The form is long.
"""

CODED = [  # (phrase, code): all but the second survive the correction word for word
    ("A mum tells her sister", "Access/Referral routes"),
    ("Fourteen weeks for counselling", "Access/Waiting lists"),
    ("The steering group meets every month", "Partnership/Meeting rhythms"),
    ("the waiting list is always the first item", "Access/Waiting lists"),
    ("it comes back if a box is missing", "Access/Referral routes"),
]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def interview(session, data_dir, framework_file, tmp_path):
    """The project with the interview imported (as int21.txt), coded, a memo on a span,
    a picked quote, and Maureen linked to P01."""
    import_case_table(session, data_dir / "cases.csv")
    import_files(session, [write(tmp_path, "int21.txt", ORIGINAL)])
    import_codebook(session, framework_file, actor="ruth")
    text = get_source(session, "int21.txt").text
    for phrase, code in CODED:
        start = text.index(phrase)
        code_span(session, "int21.txt", start, start + len(phrase), code, coder="ruth")
    start = text.index("steering group")
    add_memo(session, "Monthly, says Maureen", author="ruth", source="int21.txt",
             start=start, end=start + len("steering group"))
    first = session.scalar(select(Coding).order_by(Coding.id))
    theme = session.scalar(select(Code).where(Code.name == "Access"))
    pick_quote(session, first.id, theme, actor="ruth")
    return session


def coded_words(session) -> list[tuple[str, str, str]]:
    source = get_source(session, "int21.txt")
    return [(c.code.name, c.text, source.text[c.start:c.end]) for c in session.scalars(
        select(Coding).where(Coding.source_id == source.id).order_by(Coding.id))]


def test_source_admin_replace_keeps_every_coding_on_its_words(interview, tmp_path):
    source = get_source(interview, "int21.txt")
    source_id, old_checksum = source.id, source.checksum
    (tmp_path / "fixed").mkdir()
    imported = read_source(write(tmp_path / "fixed", "int21.txt", CORRECTED))
    result = replace_source(interview, "int21.txt", imported, actor="ruth")

    source = get_source(interview, "int21.txt")
    assert (source.id, source.text, source.checksum) == (source_id, CORRECTED, imported.checksum)
    assert coded_words(interview) == [
        ("Referral routes", "A mum tells her sister", "A mum tells her sister"),
        ("Waiting lists", "Sixteen weeks for counselling", "Sixteen weeks for counselling"),
        ("Meeting rhythms", "The steering group meets every month",
         "The steering group meets every month"),
        ("Waiting lists", "the waiting list is always the first item",
         "the waiting list is always the first item"),
        ("Referral routes", "it comes back if a box is missing",
         "it comes back if a box is missing"),
    ]
    changed = CORRECTED.index("Sixteen")
    assert [m.as_dict() for m in result.review] == [{
        "kind": "coding", "id": 2, "label": "Access/Waiting lists",
        "old_start": ORIGINAL.index("Fourteen"),
        "old_end": ORIGINAL.index("Fourteen") + len("Fourteen weeks for counselling"),
        "old_text": "Fourteen weeks for counselling", "start": changed,
        "end": changed + len("Sixteen weeks for counselling"),
        "text": "Sixteen weeks for counselling", "reason": "words changed", "human": True}]
    assert (result.carried, result.dropped, result.turns) == (6, [], 6)  # the title lines are the preamble
    [revision] = interview.scalars(select(SourceRevision))
    assert (revision.source_id, revision.text, revision.checksum, revision.format,
            revision.replaced_by) == (source_id, ORIGINAL, old_checksum, "txt", "ruth")
    memo = interview.scalar(select(Memo))
    assert CORRECTED[memo.start:memo.end] == "steering group"
    picked = interview.scalar(select(PickedQuote))
    assert picked.coding.text == "A mum tells her sister"
    assert all(CORRECTED[t.start:t.end] == t.text for t in source.turns)
    assert [t.speaker.label if t.speaker else None for t in source.turns] == [
        "Interviewer", "Maureen", "Interviewer", "Maureen", "Interviewer", "Maureen"]
    assert [(s.label, s.participant.key if s.participant else None, s.is_interviewer)
            for s in source.speakers] == [("Interviewer", None, True), ("Maureen", "P01", False)]
    event = interview.scalar(select(Event).where(Event.action == "replace_source"))
    assert [m["id"] for m in event.payload["review"]] == [2]
    assert event.payload["old_checksum"] == old_checksum


def test_source_admin_replace_keeps_team_marks_and_speaker_links(interview, tmp_path):
    maureen = next(s for s in get_source(interview, "int21.txt").speakers if s.label == "Maureen")
    maureen.is_interviewer = True  # marked by hand as the research team
    fixed = CORRECTED + "\n[00:02:00] Jide: Hello.\n"
    replace_source(interview, "int21.txt", read_source(write(tmp_path, "new.txt", fixed)),
                   actor="ruth")
    speakers = get_source(interview, "int21.txt").speakers
    assert sorted((s.label, s.participant.key if s.participant else None, s.is_interviewer)
                  for s in speakers) == [("Interviewer", None, True), ("Jide", None, False),
                                         ("Maureen", "P01", True)]


def test_source_admin_replace_refuses_unplaceable_codings_then_force_drops_them(
        interview, tmp_path, snapshot, project_path):
    without = CORRECTED.replace(" A mum tells her sister, the sister comes to the drop-in.", "")
    imported = read_source(write(tmp_path, "cut.txt", without))
    with pytest.raises(UnplacedSpans) as raised:
        replace_source(interview, "int21.txt", imported, actor="ruth")
    assert str(raised.value) == (
        "cut.txt: 1 coded span(s) have no place in the corrected text (coding 1 "
        "Access/Referral routes 'A mum tells her sister'); restore their words or use "
        "--force to drop them [FS131]")
    assert interview.scalar(select(SourceRevision)) is None
    result = replace_source(interview, "int21.txt", imported, actor="ruth", force=True)
    assert [(m.id, m.reason, m.start) for m in result.dropped] == [(1, "not placed", None)]
    assert interview.get(Coding, 1) is None and interview.scalar(select(PickedQuote)) is None
    event = interview.scalar(select(Event).where(Event.action == "replace_source"))
    assert event.payload["dropped"][0]["old_text"] == "A mum tells her sister"


def test_source_admin_replace_moves_a_coded_paragraph_found_elsewhere(interview, tmp_path):
    line = "Early Help send the form on, but it comes back if a box is missing."
    moved = ORIGINAL.replace(" " + line, "").replace(
        "Mostly by word of mouth.", "Mostly by word of mouth. " + line)
    result = replace_source(interview, "int21.txt", read_source(write(tmp_path, "m.txt", moved)),
                            actor="ruth")
    assert [(m.id, m.reason, m.text) for m in result.review] == [
        (5, "moved", "it comes back if a box is missing")]
    assert coded_words(interview)[4][2] == "it comes back if a box is missing"


def test_source_admin_replace_refuses_the_same_or_another_sources_content(
        interview, tmp_path, data_dir):
    import_files(interview, [data_dir / "interview.txt"])
    with pytest.raises(DuplicateSource, match=r"already imported as 'interview.txt'"):
        replace_source(interview, "int21.txt", read_source(data_dir / "interview.txt"),
                       actor="ruth")
    with pytest.raises(InvalidArgument, match="already holds"):
        replace_source(interview, "int21.txt", read_source(tmp_path / "int21.txt"),
                       actor="ruth")


def test_source_admin_remove_is_refused_while_coded_then_removes_with_codings(
        interview, tmp_path):
    with pytest.raises(SourceInUse) as raised:
        remove_source(interview, "int21.txt", actor="ruth")
    assert str(raised.value) == ("int21.txt: 'int21.txt' has 5 codings and 1 memos; remove "
                                 "them too with --with-codings [FS130]")
    assert interview.scalar(select(Source.name)) == "int21.txt"
    removal = remove_source(interview, "int21.txt", actor="ruth", with_codings=True)
    assert removal.summary() == ("removed int21.txt: 6 turns, 2 speakers, 5 codings, "
                                 "0 suggestions, 1 memos, 1 picked quotes")
    assert [(c["code"], c["text"]) for c in removal.codings] == [
        (path, phrase) for phrase, path in CODED]
    assert [interview.scalar(select(model)) for model in (Source, Turn, Coding, Memo)] == [
        None, None, None, None]
    event = interview.scalar(select(Event).where(Event.action == "remove_source"))
    assert event.payload["codings"][1] == {
        "id": 2, "code": "Access/Waiting lists", "coder": "ruth",
        "start": ORIGINAL.index("Fourteen"),
        "end": ORIGINAL.index("Fourteen") + 30, "text": "Fourteen weeks for counselling"}
    assert event.payload["memos"][0]["body"] == "Monthly, says Maureen"
    [again] = import_files(interview, [tmp_path / "int21.txt"])
    assert again.name == "int21.txt" and again.text == ORIGINAL


def test_source_admin_remove_unknown_source(session):
    with pytest.raises(NotFound, match="no source named 'nope.txt'"):
        remove_source(session, "nope.txt", actor="ruth")


def test_source_admin_list_counts_everything(interview, data_dir):
    import_files(interview, [data_dir / "focus_group.txt"])
    for source in interview.scalars(select(Source)):
        source.imported_at = datetime(2026, 3, 9, 10, 30)
    get_source(interview, "focus_group.txt").language = "en-GB"
    assert [row.as_dict() for row in list_sources(interview)] == [
        {"name": "focus_group.txt", "kind": "focus_group", "format": "txt",
         "language": "en-GB", "turns": 8, "speakers": [
             {"label": "Facilitator", "team": True, "participant": None},
             {"label": "Dawn", "team": False, "participant": "P15"},
             {"label": "Sam", "team": False, "participant": "P16"},
             {"label": "Claire", "team": False, "participant": "P19"}],
         "codings": 0, "suggestions": 0, "memos": 0, "imported_at": "2026-03-09T10:30:00",
         "recording": None, "duration": None},
        {"name": "int21.txt", "kind": "interview", "format": "txt", "language": "en",
         "turns": 6, "speakers": [
             {"label": "Interviewer", "team": True, "participant": None},
             {"label": "Maureen", "team": False, "participant": "P01"}],
         "codings": 5, "suggestions": 0, "memos": 1, "imported_at": "2026-03-09T10:30:00",
         "recording": None, "duration": None},
    ]


def test_source_admin_resplit_keeps_offsets_and_speaker_links(interview):
    source = get_source(interview, "int21.txt")
    before = [(t.start, t.end, t.speaker.label if t.speaker else None) for t in source.turns]
    interview.execute(Turn.__table__.delete().where(Turn.position > 2))
    interview.expire_all()
    result = resplit_source(interview, "int21.txt", actor="ruth")
    source = get_source(interview, "int21.txt")
    assert (result.turns_before, result.turns) == (3, 6)
    assert [(t.start, t.end, t.speaker.label if t.speaker else None)
            for t in source.turns] == before
    maureen = next(s for s in source.speakers if s.label == "Maureen")
    assert maureen.participant.key == "P01"
    assert coded_words(interview)[0][1:] == ("A mum tells her sister", "A mum tells her sister")


def test_source_admin_resplit_rejects_a_bad_pattern(interview):
    with pytest.raises(InvalidArgument, match="is not a regular expression"):
        resplit_source(interview, "int21.txt", actor="ruth", speaker_pattern="(")


def test_source_admin_resplit_passes_a_speaker_pattern_to_detect_turns(interview, monkeypatch):
    from framesynth.familiarise import speakers

    seen = []
    original = speakers.detect_turns

    def detect_turns(text, *, known_labels=(), pattern=None):
        seen.append(pattern)
        return original(text, known_labels=known_labels)

    monkeypatch.setattr(speakers, "detect_turns", detect_turns)
    assert resplit_source(interview, "int21.txt", actor="ruth",
                          speaker_pattern=r"Maureen|Interviewer").turns == 6
    resplit_source(interview, "int21.txt", actor="ruth")
    assert seen == ["Maureen|Interviewer", None]


def test_source_admin_alignment_maps_ranges_through_edits():
    old = "one two three four five\nsix seven eight\n"
    new = "zero one two thre four five\nsix SEVEN eight nine\n"
    alignment = Alignment(old, new)
    assert new[slice(*alignment.span(4, 7))] == "two"
    assert new[slice(*alignment.span(0, 23))] == "one two thre four five"
    assert new[slice(*alignment.span(28, 33))] == "SEVEN"
    assert alignment.span(24, 27) == (28, 31)


def test_source_admin_alignment_places_every_turn_of_a_long_transcript():
    turns = [f"{'Interviewer' if i % 2 else 'Maureen'}: " + " ".join(
        f"word{(i * 37 + j) % 997}" for j in range(40)) for i in range(250)]
    old = "\n\n".join(turns)  # 10,250 words
    edited = [t.replace("word5 ", "wrod5 ") for t in turns[:100]] + ["Maureen: new."] + turns[101:]
    new = "\n\n".join(edited)
    alignment = Alignment(old, new)
    starts = [old.index(turn) for turn in turns]
    placed = [new[slice(*alignment.span(s, s + len(t)))] for s, t in zip(starts, turns, strict=True)]
    assert len(old.split()) == 10250
    assert placed[:100] == edited[:100] and placed[101:] == turns[101:]
    assert placed[100].strip() == "Maureen: new."  # rewritten: its best guess


def test_cli_sources_list_remove_replace_resplit(fs, project_path, data_dir, tmp_path,
                                                 framework_file, snapshot):
    with Project.open(project_path) as project, project.session() as session:
        import_case_table(session, data_dir / "cases.csv")
        import_files(session, [write(tmp_path, "int21.txt", ORIGINAL)])
        import_codebook(session, framework_file, actor="ruth")
        text = get_source(session, "int21.txt").text
        start = text.index("Fourteen weeks for counselling")
        code_span(session, "int21.txt", start, start + 30, "Access/Waiting lists", coder="ruth")
        get_source(session, "int21.txt").imported_at = datetime(2026, 3, 9)
    code, out, _ = fs("sources", "list", project_path)
    assert (code, out) == (0, (
        "name       kind       format  language  turns  speakers                     "
        "codings  pending  memos  imported\n"
        "---------  ---------  ------  --------  -----  ---------------------------  "
        "-------  -------  -----  ----------\n"
        "int21.txt  interview  txt     en        6      Interviewer (team), Maureen  "
        "1        0        0      2026-03-09\n"))
    before = snapshot(project_path)
    assert fs("sources", "remove", project_path, "int21.txt") == (1, "", (
        "error: int21.txt: 'int21.txt' has 1 codings and 0 memos; remove them too with "
        "--with-codings [FS130]\n"))
    cut = write(tmp_path, "cut.txt", CORRECTED.replace("Sixteen weeks for counselling,", ""))
    assert fs("sources", "replace", project_path, "int21.txt", cut) == (1, "", (
        "error: cut.txt: 1 coded span(s) have no place in the corrected text (coding 1 "
        "Access/Waiting lists 'Fourteen weeks for counselling'); restore their words or use "
        "--force to drop them [FS131]\n"))
    assert snapshot(project_path) == before
    code, out, _ = fs("sources", "replace", project_path, "int21.txt",
                      write(tmp_path, "fixed-int21.txt", CORRECTED))
    assert (code, out) == (0, (
        "replaced int21.txt (old text kept as revision 1): 6 turns, 1 codings and memo "
        "spans carried, 1 to review, 0 dropped\n"
        f"review: coding 1 Access/Waiting lists at {CORRECTED.index('Sixteen')}-"
        f"{CORRECTED.index('Sixteen') + 29} (words changed): 'Fourteen weeks for "
        "counselling' -> 'Sixteen weeks for counselling'\n"))
    assert fs("sources", "resplit", project_path, "int21.txt")[1] == (
        "int21.txt: 6 turns before, 6 now; speakers Interviewer, Maureen\n")
    assert fs("sources", "remove", project_path, "int21.txt", "--with-codings")[1] == (
        "removed int21.txt: 6 turns, 2 speakers, 1 codings, 0 suggestions, 0 memos, "
        "0 picked quotes\n")
    assert fs("sources", "list", project_path, "--json")[1] == "[]\n"
    assert fs("import", project_path, tmp_path / "int21.txt")[0] == 0

