"""Coding time ranges of a recording: the span is the transcript words the range covers,
so the matrix and quotes treat it as a text coding, and quotes show the time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from framesynth.chart.matrix import build_matrix
from framesynth.demo.speech import speak, write_vtt
from framesynth.embeddings import HashingEmbedder
from framesynth.errors import FramesynthError, InvalidArgument
from framesynth.frame.framework import find_code
from framesynth.index.coding import CodingError, code_time_range
from framesynth.index.timecodes import format_range, parse_time
from framesynth.interpret.quotes import pick_quote, theme_quotes
from framesynth.io.importers import import_files
from framesynth.project import Project
from framesynth.store.models import Coding, Event

SCRIPT = [
    ("Interviewer", "How do families find the larder?"),
    ("Maureen Okafor", "Word of mouth mostly. The health visitors send them on a Tuesday "
                       "and the waiting list for counselling is fourteen weeks long."),
    ("Interviewer", "And what happens after that?"),
]


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """int07.wav spoken from :data:`SCRIPT` in two voices, and its WebVTT transcript."""
    folder = tmp_path_factory.mktemp("spoken")
    turns = speak(SCRIPT, folder / "int07.wav")
    write_vtt(turns, folder / "int07.vtt")
    return folder, turns


@pytest.fixture
def recorded(coded, spoken, tmp_path):
    folder, turns = spoken
    for name in ("int07.wav", "int07.vtt"):
        shutil.copy(folder / name, tmp_path / name)
    import_files(coded, [tmp_path / "int07.wav", tmp_path / "int07.vtt"])
    return coded, turns


def test_time_parse_and_format():
    assert [parse_time(t) for t in ("754", "12:34", "1:02:34", "0:07.5")] == [
        754.0, 754.0, 3754.0, 7.5]
    assert format_range(724, 751.9) == "12:04–12:31"
    assert format_range(3754, 3760) == "1:02:34–1:02:40"
    with pytest.raises(InvalidArgument, match="'12:75' is not seconds, m:ss or h:mm:ss"):
        parse_time("12:75")


def test_time_range_codes_the_words_spoken_in_it(recorded):
    session, turns = recorded
    answer = turns[1]
    # the second half of Maureen's answer, up to the pause before the next question
    middle = (answer.start + answer.end) / 2
    coding = code_time_range(session, "int07.vtt", middle, turns[2].start - 0.1,
                             "Access/Waiting lists", coder="ruth")
    assert (coding.media_start, coding.media_end) == (middle, turns[2].start - 0.1)
    words = coding.text.split()
    assert words[-1] == "long." and "Word" not in words  # the range ends in a pause
    assert 7 <= len(words) <= 13  # about half the answer's 20 words, by interpolation
    assert coding.text == session.get(Coding, coding.id).source.text[coding.start:coding.end]
    whole = code_time_range(session, "int07.vtt", answer.start, answer.end,
                            "Access/Referral routes", coder="ruth")
    assert " ".join(whole.text.split()) == SCRIPT[1][1]


def test_time_range_coding_is_counted_in_the_matrix_and_quoted_with_its_time(recorded):
    session, turns = recorded
    answer = turns[1]
    coding = code_time_range(session, "int07.vtt", answer.start, answer.end,
                             "Access/Waiting lists", coder="ruth")
    matrix = build_matrix(session, rows="participant", theme="Access")
    row = next(r for r in matrix.rows if r.label == "Maureen Okafor")
    column = next(c for c in matrix.columns if c.name == "Waiting lists")
    assert matrix.cell(row, column).count == 1
    pick_quote(session, coding.id, find_code(session, "Access"), actor="ruth")
    [quote] = theme_quotes(session, find_code(session, "Access"), HashingEmbedder())
    assert quote.text == SCRIPT[1][1]
    assert quote.attribution == (
        f"– Project lead on community sector partner "
        f"({format_range(answer.start, answer.end)})")
    assert (quote.media_start, quote.media_end) == (answer.start, answer.end)


@pytest.mark.parametrize(("start", "end", "message"), [
    (-1.0, 2.0, r"time range -1-2 s is outside 'int07.vtt''s recording \(0-[\d.]+ s\) or "
                r"empty"),
    (3.0, 3.0, r"time range 3-3 s is outside"),
    (1.0, 999.0, r"time range 1-999 s is outside"),
])
def test_time_range_outside_the_recording_is_refused_and_nothing_changes(
        recorded, start, end, message):
    session, _turns = recorded
    before = session.scalar(select(func.count()).select_from(Event))
    with pytest.raises(CodingError, match=message):
        code_time_range(session, "int07.vtt", start, end, "Access/Waiting lists",
                        coder="ruth")
    assert session.scalar(select(func.count()).select_from(Coding)) == 0
    assert session.scalar(select(func.count()).select_from(Event)) == before


def test_time_range_of_a_source_without_recording_is_refused(coded):
    with pytest.raises(CodingError, match="'interview.txt' has no recording"):
        code_time_range(coded, "interview.txt", 0, 1, "Access/Waiting lists", coder="ruth")


def test_time_range_of_a_recording_without_transcript_is_an_empty_span(
        session, spoken, tmp_path, framework_file):
    from framesynth.io.codebook import import_codebook

    shutil.copy(spoken[0] / "int07.wav", tmp_path / "int08.wav")
    import_files(session, [tmp_path / "int08.wav"])
    import_codebook(session, framework_file, actor="ruth")
    coding = code_time_range(session, "int08.wav", 1.0, 2.5, "Access/Waiting lists",
                             coder="ruth")
    assert (coding.start, coding.end, coding.text) == (0, 0, "")
    assert (coding.media_start, coding.media_end) == (1.0, 2.5)


def test_time_range_cli_and_refusal_leaves_project_unchanged(
        project_path, spoken, tmp_path, data_dir, framework_file, fs):
    from framesynth.io.codebook import import_codebook
    from framesynth.io.importers.case_table import import_case_table

    folder, turns = spoken
    for name in ("int07.wav", "int07.vtt"):
        shutil.copy(folder / name, tmp_path / name)
    with Project.open(project_path) as project, project.session() as session:
        import_case_table(session, data_dir / "cases.csv")
        import_files(session, [tmp_path / "int07.wav", tmp_path / "int07.vtt"])
        import_codebook(session, framework_file, actor="ruth")
    answer = turns[1]
    code, out, _err = fs("code", project_path, "int07.vtt", "Access/Waiting lists",
                         "--from", f"{answer.start}", "--to", f"{answer.end}")
    assert code == 0, out
    assert out == (f"coding 1: Access/Waiting lists on int07.vtt:"
                   f"{format_range(answer.start, answer.end)} “Word of mouth mostly. The "
                   f"health visitors send them on a Tue”\n")
    code, out, err = fs("code", project_path, "int07.vtt", "Access/Waiting lists",
                        "--from", "0:01", "--to", "9:00")
    assert code != 0
    assert "time range 1-540 s is outside 'int07.vtt''s recording" in out + err
    code, out, err = fs("code", project_path, "int07.vtt", "Access/Waiting lists",
                        "--from", "0:01")
    assert code != 0 and "a time range needs --from, --to" in out + err
    with Project.open(project_path) as project, project.session() as session:
        assert session.scalar(select(func.count()).select_from(Coding)) == 1
    code, out, _err = fs("quote", "list", project_path, "--theme", "Access")
    assert code == 0
    assert out == (f"“{SCRIPT[1][1]}”\n    – Project lead on community sector partner "
                   f"({format_range(answer.start, answer.end)}) [coding 1: int07.vtt 63-188]\n")


def test_time_range_error_is_a_framesynth_error():
    assert issubclass(CodingError, FramesynthError)


def test_time_range_quote_is_printed_with_its_time_in_the_report(recorded, tmp_path):
    from framesynth.interpret.report import build_report
    from framesynth.io.exporters.markdown import write_markdown

    session, turns = recorded
    answer = turns[1]
    coding = code_time_range(session, "int07.vtt", answer.start, answer.end,
                             "Access/Waiting lists", coder="ruth")
    pick_quote(session, coding.id, find_code(session, "Access"), actor="ruth")
    report = build_report(session, embedder=HashingEmbedder(), actor="ruth")
    write_markdown(report, tmp_path / "report.md")
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert (f"\n> \u201c{SCRIPT[1][1]}\u201d\n>\n> – Project lead on community sector partner "
            f"({format_range(answer.start, answer.end)})\n") in text
