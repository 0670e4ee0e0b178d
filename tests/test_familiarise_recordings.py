"""Attaching a recording to a source imported without one, and removing it again.

The recording is spoken here from the transcript's own lines (espeak-ng, two voices), and
its captions are written from the spoken times, as a meeting tool would write them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from framesynth.cli.main import app
from framesynth.demo.speech import speak, write_vtt
from framesynth.familiarise.recordings import attach_recording
from framesynth.familiarise.source_admin import remove_source
from framesynth.io.importers import import_files
from framesynth.io.importers.media import media_folder
from framesynth.project import Project

LINES = [("Interviewer", "How did the larder start?"),
         ("Maureen Okafor", "With one chest freezer in the church hall.")]
TRANSCRIPT = "".join(f"{speaker}: {text}\n\n" for speaker, text in LINES)


@pytest.fixture
def untimed(tmp_path: Path, project_path: str | Path) -> str | Path:
    """The project with ``int03.txt`` (two turns, no times) imported."""
    (tmp_path / "int03.txt").write_text(TRANSCRIPT, encoding="utf-8")
    with Project.open(project_path) as project, project.session() as session:
        import_files(session, [tmp_path / "int03.txt"])
    return project_path


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("spoken")
    turns = speak(LINES, folder / "int03.wav")
    write_vtt(turns, folder / "int03.vtt")
    return folder / "int03.wav", folder / "int03.vtt", turns


def _turns(location: str | Path) -> list[tuple[str | None, float | None, float | None]]:
    with Project.open(location) as project, project.session() as session:
        from framesynth.familiarise.sources import get_source

        source = get_source(session, "int03.txt")
        return [(t.speaker.label if t.speaker else None, t.started_at, t.ended_at)
                for t in sorted(source.turns, key=lambda t: t.position)]


def test_recordings_attach_times_turns_from_the_same_transcripts_captions(untimed, spoken):
    wav, vtt, turns = spoken
    result = CliRunner().invoke(app, ["sources", "attach", str(untimed), "int03.txt", str(wav),
                                      "--times", str(vtt)])
    assert result.exit_code == 0, result.output
    with Project.open(untimed) as project, project.session() as session:
        from framesynth.familiarise.sources import get_source

        source = get_source(session, "int03.txt")
        kept = media_folder(session) / source.media_file
        assert (source.media_format, source.media_kind) == ("wav", "audio")
        assert source.media_duration == pytest.approx(turns[-1].end + 0.9 + 0.5, abs=0.01)  # pause, lead
    assert result.output == (f"attached {kept.name} (audio, {source.media_duration:.1f} s) to "
                             "int03.txt; 2 of 2 turns timed\n")
    assert kept.read_bytes() == wav.read_bytes()
    # the cue clock keeps milliseconds, as the spoken times do
    assert _turns(untimed) == [(turn.speaker, pytest.approx(turn.start, abs=0.001),
                                pytest.approx(turn.end, abs=0.001)) for turn in turns]


def test_recordings_attach_refuses_captions_of_other_turns_and_changes_nothing(
        untimed, spoken, tmp_path, snapshot):
    wav, _vtt, turns = spoken
    three = tmp_path / "three.vtt"
    write_vtt([*turns, turns[0]], three)  # a third turn, the interviewer again
    before = snapshot(untimed)
    result = CliRunner().invoke(app, ["sources", "attach", str(untimed), "int03.txt", str(wav),
                                      "--times", str(three)])
    assert result.exit_code != 0
    assert result.output.strip().splitlines()[-1] == (
        "error: three.vtt: 3 timed cues for 2 turns of the source; the file must have the source's "
        "turns, in order [FS123]")
    assert snapshot(untimed) == before
    with Project.open(untimed) as project, project.session() as session:
        folder = media_folder(session)
    assert not folder.exists() or not any(folder.iterdir())


def test_recordings_attach_refuses_times_past_the_recordings_end(untimed, spoken, snapshot):
    wav, _vtt, turns = spoken
    before = snapshot(untimed)
    with Project.open(untimed) as project, project.session() as session:
        with pytest.raises(Exception) as raised:
            attach_recording(session, "int03.txt", wav, times=[(0.5, 1.5), (2.0, 99.0)],
                             actor="amira")
    assert str(raised.value).startswith(
        "int03.wav: turn 2: 2.00-99.00 s does not lie within the recording (0-")
    assert snapshot(untimed) == before


def test_recordings_attach_with_times_for_the_first_turns_only(untimed, spoken):
    wav, _vtt, turns = spoken
    with Project.open(untimed) as project, project.session() as session:
        done = attach_recording(session, "int03.txt", wav, times=[(turns[0].start, turns[0].end)],
                                actor="amira")
    assert (done.timed_turns, done.turns) == (1, 2)
    assert _turns(untimed) == [("Interviewer", turns[0].start, turns[0].end),
                               ("Maureen Okafor", None, None)]


def test_recordings_remove_source_removes_its_recordings_file(untimed, spoken):
    wav, vtt, _turns = spoken
    with Project.open(untimed) as project, project.session() as session:
        done = attach_recording(session, "int03.txt", wav, times=vtt, actor="amira")
        kept = media_folder(session) / done.media_file
    assert kept.is_file()
    with Project.open(untimed) as project, project.session() as session:
        remove_source(session, "int03.txt", actor="amira")
    assert not kept.exists()
