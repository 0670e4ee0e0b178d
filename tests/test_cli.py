"""The command line, as a user types it: whole outputs, exit codes, one-line errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest


@pytest.fixture
def small(fs, tmp_path, data_dir):
    """A project with the test cases table and two transcripts, made through the CLI."""
    folder = tmp_path / "transcripts"
    folder.mkdir()
    for name in ("interview.txt", "focus_group.txt"):
        shutil.copyfile(data_dir / name, folder / name)
    path = tmp_path / "study.fsdb"
    assert fs("init", path)[0] == 0
    code, out, err = fs("import", path, folder, "--cases", data_dir / "cases.csv")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "cases: 4 organisation, 5 participant, 2 partnership, 1 place, 1 source from cases.csv",
        "imported 2 sources (1 focus group, 1 interview), 12 turns; "
        "4 of 4 speakers linked to participants",
    ]
    return path


def test_cli_init_refuses_to_overwrite(fs, small):
    assert fs("init", small) == (
        1, "", "error: study.fsdb: a file of that name already exists [FS001]\n")


def test_cli_info(fs, small):
    code, out, _ = fs("info", small)
    assert code == 0
    assert out.splitlines() == [
        "sources                     2",
        "sources by kind             focus group 1, interview 1",
        "sources by format           txt 2",
        "sources by language         en 2",
        "words                       138",
        "turns                       12",
        "speakers linked             4/4",
        "participants                5",
        "participants by role        project lead 2, project worker 3",
        "organisations               4",
        "organisations by sector     community 2, voluntary 1, statutory 1",
        "partnerships                2",
        "partnerships by depth       working 1, deep 1",
        "partnerships by formality   formal 1, informal 1",
        "partnerships by level       delivery 2, management 1, strategic 1",
        "places                      1",
        "memos                       0",
    ]


def test_cli_info_json(fs, small):
    code, out, _ = fs("info", small, "--json")
    data = json.loads(out)
    assert (code, data["sources_by_kind"], data["partnerships_by_depth"]) == (
        0, {"focus_group": 1, "interview": 1}, {"working": 1, "deep": 1})


def test_cli_search_table(fs, small):
    code, out, err = fs("search", small, "threshold", "--width", "15")
    assert (code, err) == (0, "2 hit(s)\n")
    assert out.splitlines() == [
        "source           speaker      offset  left             match      right",
        "---------------  -----------  ------  ---------------  ---------  --------------",
        "focus_group.txt  Claire       217      ncil side, the  threshold  is the problem",
        "focus_group.txt  Facilitator  272      Say more about  threshold  s.",
    ]


def test_cli_search_where_and_json(fs, small):
    code, out, _ = fs("search", small, "referrals", "--where", "sector=community", "--json")
    assert code == 0
    assert [(h["source"], h["speaker"], h["role"], h["match"]) for h in json.loads(out)] == [
        ("focus_group.txt", "Dawn", "project worker", "Referrals")]


def test_cli_search_pages_and_count(fs, small):
    code, out, err = fs("search", small, "threshold", "--width", "15", "--offset", "1",
                        "--limit", "5")
    assert (code, err) == (0, "1 hit(s)\n")
    assert out.splitlines()[2:] == [
        "focus_group.txt  Facilitator  272      Say more about  threshold  s."]
    code, out, _ = fs("search", small, "the", "--count", "--json")
    total = len(json.loads(fs("search", small, "the", "--json")[1]))
    assert (code, json.loads(out), total > 10) == (0, {"total": total}, True)
    assert fs("search", small, "the", "--count")[1:] == (f"{total}\n", "")


def test_cli_search_json_streams_the_same_json_list(fs, small):
    _, out, _ = fs("search", small, "threshold", "--json")
    assert out == json.dumps(json.loads(out), indent=2, ensure_ascii=False) + "\n"
    assert [h["offset"] for h in json.loads(out)] == [217, 272]
    assert fs("search", small, "nothingsaidlikethis", "--json")[1] == "[]\n"


def test_cli_search_negative_offset(fs, small):
    code, out, err = fs("search", small, "the", "--offset", "-2")
    assert (code, out, err) == (1, "", "error: --limit and --offset must not be negative [FS003]\n")


def test_cli_search_unknown_attribute(fs, small):
    code, out, err = fs("search", small, "x", "--where", "secter=community")
    assert (code, out) == (1, "")
    assert err.startswith("error: unknown attribute 'secter' in --where; known: ")
    assert err.count("\n") == 1


def test_cli_project_from_environment(fs, small, monkeypatch):
    monkeypatch.setenv("FRAMESYNTH_PROJECT", str(small))
    code, out, _ = fs("info", "--json")
    assert (code, json.loads(out)["sources"]) == (0, 2)


def test_cli_bad_batch_names_each_file_and_changes_nothing(fs, small, tmp_path, snapshot):
    before = snapshot(small)
    good = tmp_path / "good.txt"
    good.write_text("Interviewer: Hello?\nR: Hi.\nInterviewer: Bye.", encoding="utf-8")
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK not really")
    code, out, err = fs("import", small, good, broken, tmp_path / "slides.pptx")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "error: broken.docx: not a readable Word file (not a zip archive) [FS102]",
        "error: slides.pptx: unsupported format .pptx; use one of .docx, .flac, .m4a, "
        ".markdown, .md, .mov, .mp3, .mp4, .odt, .ogg, .pdf, .rtf, .srt, .text, .txt, .vtt, "
        ".wav, .webm [FS101]",
        "error: 2 file(s) failed; nothing was imported [FS100]",
    ]
    assert snapshot(small) == before


def test_cli_bad_cases_row_changes_nothing(fs, small, tmp_path, snapshot):
    before = snapshot(small)
    cases = tmp_path / "more.csv"
    cases.write_text("type,id,name,sector,role,organisation\n"
                     "participant,P30,Nia Jones,,project worker,ORG42\n", encoding="utf-8")
    assert fs("import", small, "--cases", cases) == (
        1, "", "error: more.csv, row 2: unknown organisation 'ORG42' in column "
               "'organisation' [FS110]\n")
    assert snapshot(small) == before


def test_cli_import_needs_something(fs, small):
    assert fs("import", small) == (1, "", "error: give transcript files, a folder or --cases "
                                          "[FS003]\n")


def test_cli_memos(fs, small):
    assert fs("memo", "add", small, "Thresholds keep coming up.", "--source",
              "focus_group.txt", "--title", "Thresholds") == (
        0, "memo 1 added to focus_group.txt\n", "")
    assert fs("memo", "add", small, "Project-wide thought", "--author", "colin")[1] == (
        "memo 2 added to project\n")
    code, out, _ = fs("memo", "list", small, "--json")
    assert [(m["id"], m["title"], m["author"], m["on"]) for m in json.loads(out)] == [
        (1, "Thresholds", "ruth", "focus_group.txt"),
        (2, "Project-wide thought", "colin", "project")]
    code, out, _ = fs("memo", "list", small, "--search", "threshold")
    assert [line.split()[0] for line in out.splitlines()[2:]] == ["1"]
    code, out, _ = fs("memo", "show", small, "1")
    lines = out.splitlines()
    assert (lines[0], lines[1][:8], lines[-1]) == ("# Thresholds", "by ruth,",
                                                   "Thresholds keep coming up.")
    assert fs("memo", "show", small, "9") == (1, "", "error: no memo with id 9 [FS002]\n")


def test_cli_words(fs, small):
    code, out, _ = fs("words", small, "--by", "role", "--top", "2")
    assert code == 0
    assert out.splitlines()[0].split() == ["role", "words"]
    assert [line.split()[0:2] for line in out.splitlines()[2:]] == [
        ["project", "lead"], ["project", "worker"]]


def test_cli_missing_project_file(fs, tmp_path):
    assert fs("info", tmp_path / "none.fsdb") == (
        1, "", "error: none.fsdb: no such project file (create one with `framesynth init`) "
               "[FS001]\n")


def test_cli_console_script_exits_non_zero_with_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "from framesynth.cli.main import main; main()", "info",
         str(tmp_path / "none.fsdb")], capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("error: none.fsdb: no such project file (create one with "
                             "`framesynth init`) [FS001]\n")


def test_cli_import_cases_again_prints_what_it_changes(fs, small, tmp_path):
    cases = tmp_path / "again.csv"
    cases.write_text("type,id,name,role,interviewers\n"
                     "participant,P01,Maureen Okafor,Coordinator,\n"
                     "participant,P06,Helen Ashworth,,\n"
                     "source,,focus_group.txt,,Facilitator;Sam\n", encoding="utf-8")
    assert fs("import", small, "--cases", cases) == (0, (
        "cases: 2 participant, 1 source from again.csv\n"
        "  participant P01: role 'project lead' -> 'Coordinator'\n"
        "  source focus_group.txt: interviewers (none) -> 'Facilitator; Sam'\n"), "")


def test_cli_import_interviewer_marks_the_team(fs, tmp_path):
    path = tmp_path / "study.fsdb"
    transcript = tmp_path / "kestrel.txt"
    transcript.write_text("Okafor: How do families reach you?\n\nInterviewer2 : And then?\n\n"
                          "Priya: Mostly the school.\n\nOkafor: Thank you.\n\n"
                          "Interviewer2 : Thanks.\n\nPriya: Bye.\n", encoding="utf-8")
    assert fs("init", path)[0] == 0
    assert fs("import", path, transcript, "--interviewer", "Okafor", "--interviewer",
              "interviewer2") == (0, "imported 1 sources (1 interview), 6 turns; "
                                     "0 of 1 speakers linked to participants\n", "")


def test_cli_import_interviewer_who_never_speaks(fs, tmp_path, data_dir):
    path = tmp_path / "study.fsdb"
    assert fs("init", path)[0] == 0
    assert fs("import", path, data_dir / "interview.txt", "--interviewer", "Sam") == (
        1, "", "error: --interviewer 'Sam' speaks in none of the imported files [FS003]\n")
