"""Offline transcription with real speech: a two-voice interview spoken by espeak-ng,
made realistic with sox (a brown-noise floor, 44.1 kHz 24-bit FLAC), imported, and
transcribed by pocketsphinx; turns, times, labels and words are checked against the script.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jiwer
import pytest
from typer.testing import CliRunner

from framesynth.cli.main import app
from framesynth.demo.speech import SpokenTurn, speak
from framesynth.errors import FramesynthError
from framesynth.familiarise.sources import get_source
from framesynth.familiarise.transcription.engines import TranscriptionUnavailable, load_engine
from framesynth.familiarise.transcription.transcribe import (
    TranscriptExists,
    TranscriptionResult,
    transcribe_source,
)
from framesynth.frame.framework import CodeSpec, add_code
from framesynth.index.coding import apply_code
from framesynth.io.importers import import_files
from framesynth.project import Project
from framesynth.store.models import Coding, Event, SourceRevision

SCRIPT = [
    ("Interviewer", "How did the partnership with the council start?"),
    ("Participant", "We met the council at a workshop in the spring."),
    ("Interviewer", "What did each side bring to the work?"),
    ("Participant", "They had the money and we had the people."),
    ("Interviewer", "Was there a written agreement between you?"),
    ("Participant", "Yes, we signed a plan for two years."),
    ("Interviewer", "What would you change next time?"),
    ("Participant", "I would meet the staff much earlier."),
]
VOICES = {"Interviewer": "en-us", "Participant": "en-gb+f3"}
PIECE = 8.0   # seconds: short pieces, so a ~30 s recording has several to resume
PAUSE = 0.6   # the script has 0.9 s between lines; within a line espeak pauses < 0.3 s
# Measured (pocketsphinx 5.1.1, these voices at 140 wpm, the noise below; sox -R makes the
# noise the same every run): turn starts 0.04 s before to 0.14 s after the script's; WER
# 0.70 (0.48-0.70 over five other noise floors: the words are poor, the times are good).
# Bounds leave a little room above what was measured.
START_TOLERANCE = 0.3
WER_BOUND = 0.75
TRANSFORM = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(),
                           jiwer.RemoveMultipleSpaces(), jiwer.Strip(),
                           jiwer.ReduceToListOfListOfWords()])


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[SpokenTurn]]:
    """``int01.flac``: the script spoken, mixed with a quiet brown-noise floor (so pauses
    are not digital zeros) and converted to 44.1 kHz 24-bit FLAC (so decoding resamples)."""
    folder = tmp_path_factory.mktemp("speech")
    clean = folder / "clean.wav"
    turns = speak(SCRIPT, clean, voices=VOICES, words_per_minute=140)
    noise = folder / "noise.wav"
    subprocess.run(["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", str(noise), "synth",
                    str(turns[-1].end + 2), "brownnoise", "vol", "0.01"], check=True)
    out = folder / "int01.flac"
    subprocess.run(["sox", "-m", str(clean), str(noise), "-r", "44100", "-b", "24", str(out),
                    "trim", "0", str(turns[-1].end + 0.5)], check=True)
    return out, turns


@pytest.fixture(scope="module")
def engine():
    return load_engine("pocketsphinx")


def imported(location: str | Path, recording: Path) -> None:
    with Project.open(location) as project, project.session() as session:
        import_files(session, [recording])


def run(location: str | Path, engine, **options) -> TranscriptionResult:
    options = {"pause": PAUSE, "speakers": 2, "piece_seconds": PIECE, **options}
    with Project.open(location) as project, project.session() as session:
        return transcribe_source(session, "int01.flac", engine, **options)


def stored(location: str | Path) -> tuple[str, list[tuple[str | None, float, float, str]]]:
    with Project.open(location) as project, project.session() as session:
        source = get_source(session, "int01.flac")
        return source.text, [(t.speaker.label if t.speaker else None, t.started_at,
                              t.ended_at, t.text) for t in source.turns]


@pytest.fixture(scope="module")
def transcribed(module_stores, recording, engine):
    location = module_stores.project("transcribed.fsdb")
    imported(location, recording[0])
    return location, run(location, engine)


def test_transcription_gives_one_timed_turn_per_line_with_two_person_labels(
        transcribed, recording):
    location, result = transcribed
    text, turns = stored(location)
    script = recording[1]
    assert [t[0] for t in turns] == [line.speaker for line in script]
    for (_label, started, ended, _words), line in zip(turns, script, strict=True):
        assert abs(started - line.start) <= START_TOLERANCE, (started, line)
        assert started < ended <= line.end + START_TOLERANCE
    assert (result.turns, result.speakers, result.resumed) == (8, ["Interviewer", "Participant"], 0)
    assert result.pieces >= 3 and result.seconds == pytest.approx(script[-1].end + 0.5, abs=0.05)
    assert text.startswith("Interviewer: ") and "\n\nParticipant: " in text
    with Project.open(location) as project, project.session() as session:
        source = get_source(session, "int01.flac")
        assert [s.is_interviewer for s in source.speakers] == [True, False]
        event = session.query(Event).filter_by(action="transcribe").one()
        assert event.payload["engine"] == "pocketsphinx" and event.payload["turns"] == 8


def test_transcription_word_error_rate_is_within_the_measured_bound(transcribed):
    _text, turns = stored(transcribed[0])
    reference = " ".join(text for _speaker, text in SCRIPT)
    hypothesis = " ".join(t[3] for t in turns)
    error = jiwer.wer(reference, hypothesis, reference_transform=TRANSFORM,
                      hypothesis_transform=TRANSFORM)
    assert error <= WER_BOUND, (error, hypothesis)


def test_transcription_refuses_a_source_with_text_and_changes_nothing(
        transcribed, engine, snapshot):
    location, _ = transcribed
    before = snapshot(location)
    with pytest.raises(TranscriptExists, match="use --replace"):
        run(location, engine)
    assert snapshot(location) == before


def test_transcription_replace_carries_a_coding_and_keeps_the_old_text(
        stores, transcribed, recording, engine):
    location = stores.project("replaced.fsdb")
    imported(location, recording[0])
    run(location, engine)
    with Project.open(location) as project, project.session() as session:
        source = get_source(session, "int01.flac")
        old_text = source.text
        code = add_code(session, CodeSpec("Origins"))
        turn = source.turns[1]
        apply_code(session, source, turn.start, turn.end, code, coder="ana")
    result = run(location, engine, replace=True, speakers=None)  # saved pieces reused
    assert result.replaced and result.revision is not None and result.resumed == result.pieces
    with Project.open(location) as project, project.session() as session:
        source = get_source(session, "int01.flac")
        coding = session.query(Coding).one()
        assert coding.text in source.text and coding.text.strip()
        assert session.get_one(SourceRevision, result.revision).text == old_text
        assert not source.text.startswith("Interviewer:")  # no speakers without the rule


class Stop(Exception):
    pass


def test_transcription_resumes_after_an_interruption_and_equals_an_uninterrupted_run(
        stores, transcribed, recording, engine, snapshot):
    location = stores.project("resumed.fsdb")
    imported(location, recording[0])
    before = snapshot(location)

    def stop_after_two(done: int, total: int, item: str) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(location, engine, progress=stop_after_two)
    assert snapshot(location) == before   # nothing written to the project
    result = run(location, engine)
    assert result.resumed == 2 and result.pieces == transcribed[1].pieces
    assert stored(location) == stored(transcribed[0])
    again = run(location, engine, replace=True, restart=True)   # the same words again
    assert (again.resumed, again.replaced, again.revision) == (0, False, None)
    assert stored(location) == stored(transcribed[0])


def test_transcription_saves_each_piece_as_json_keyed_by_recording_and_model(transcribed):
    location, result = transcribed
    with Project.open(location) as project, project.session() as session:
        from framesynth.store.engine import folder_beside

        base = folder_beside(session, "-transcripts", "")
        sha = get_source(session, "int01.flac").media_sha256
    (folder,) = base.iterdir()
    assert folder.name.startswith(f"{sha}-pocketsphinx-pocketsphinx-")
    pieces = sorted(folder.glob("*.json"), key=lambda p: int(p.stem.split("-")[0]))
    assert len(pieces) == result.pieces
    first = json.loads(pieces[0].read_text())
    assert first["start"] == 0 and first["segments"][0]["words"]


@pytest.mark.parametrize(("options", "message"), [
    (["--engine", "nosuch"], "error: unknown transcription engine 'nosuch'; engines: pocketsphinx, "
                             "faster-whisper [FS121]"),
    (["--engine", "faster-whisper"], "error: the faster-whisper engine needs --model-dir"),
])
def test_transcription_cli_unavailable_engine_is_one_line(project_path, snapshot, options,
                                                          message):
    before = snapshot(project_path)
    outcome = CliRunner().invoke(app, ["transcribe", str(project_path), "int01.flac", *options])
    assert outcome.exit_code != 0
    lines = outcome.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message) and "[FS121]" in lines[0]
    assert snapshot(project_path) == before


def test_transcription_cli_lists_engines():
    outcome = CliRunner().invoke(app, ["transcribe", "--engines"])
    assert outcome.exit_code == 0, outcome.output
    rows = outcome.output.splitlines()
    assert rows[0].split() == ["engine", "runs", "here", "what", "it", "is"]
    assert rows[2].startswith("pocketsphinx") and " yes " in rows[2]
    assert rows[3].startswith("faster-whisper")


def test_transcription_source_without_recording_is_refused(session, engine, data_dir):
    import_files(session, [next(data_dir.glob("*.txt"))])
    name = get_source(session, next(data_dir.glob("*.txt")).name).name
    with pytest.raises(FramesynthError):
        transcribe_source(session, name, engine)


def test_transcription_engine_rejects_a_missing_model_folder(tmp_path):
    with pytest.raises(TranscriptionUnavailable, match="no such model folder"):
        load_engine("pocketsphinx", model_dir=tmp_path / "none")
