"""Recordings: audio and video imported with PyAV, alone or with their transcript.

The media are made here with PyAV itself: a few seconds of a sine tone, and a tiny video.
"""

from __future__ import annotations

import hashlib
import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from typer.testing import CliRunner

from framesynth.cli.main import app
from framesynth.errors import ImportBatchError
from framesynth.io.importers import import_files, pair_files
from framesynth.io.importers.media import media_folder, probe
from framesynth.project import Project
from framesynth.store.models import Source

RATE = 48000
VTT = """WEBVTT

00:00:00.500 --> 00:00:02.000
<v Interviewer>How did the larder start?

00:00:02.000 --> 00:00:04.500
<v Maureen Okafor>With one chest freezer in the church hall.
"""


def tone(path: Path, seconds: float, codec: str, *, layout: str = "mono") -> Path:
    """``seconds`` of a 440 Hz tone encoded with ``codec`` into ``path``."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=RATE, layout=layout)
        frame_size = stream.codec_context.frame_size or 1024
        fmt = stream.codec_context.format.name
        total = int(seconds * RATE)
        channels = len(stream.codec_context.layout.channels)
        for start in range(0, total, frame_size):
            count = min(frame_size, total - start)
            t = (np.arange(start, start + count) / RATE).astype(np.float32)
            wave = 0.3 * np.sin(2 * math.pi * 440 * t)
            frame = _audio_frame(wave, fmt, channels)
            frame.sample_rate, frame.pts = RATE, start
            frame.time_base = Fraction(1, RATE)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def _audio_frame(wave: np.ndarray, fmt: str, channels: int) -> av.AudioFrame:
    layout = "mono" if channels == 1 else "stereo"
    planar = fmt.endswith("p")
    base = fmt.rstrip("p")
    data = (wave * 32767).astype(np.int16) if base == "s16" else wave.astype(np.float32)
    if base == "s32":
        data = (wave * 2**31 * 0.99).astype(np.int32)
    rows = np.tile(data, (channels, 1)) if planar else np.repeat(data, channels)[None, :]
    return av.AudioFrame.from_ndarray(rows, format=fmt, layout=layout)


def video(path: Path, seconds: float, codec: str) -> Path:
    """A tiny ``seconds``-long video (a moving grey square) encoded with ``codec``."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for number in range(int(seconds * 10)):
            image = np.full((48, 64, 3), 40, dtype=np.uint8)
            image[:, number % 64:, :] = 200
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = number
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


MEDIA = [  # file name, how to make it, format, kind
    ("int01.wav", lambda p: tone(p, 3.0, "pcm_s16le"), "wav", "audio"),
    ("int02.m4a", lambda p: tone(p, 3.0, "aac"), "m4a", "audio"),
    ("int03.ogg", lambda p: tone(p, 3.0, "libopus"), "ogg", "audio"),
    ("int04.mp3", lambda p: tone(p, 3.0, "libmp3lame"), "mp3", "audio"),
    ("int05.flac", lambda p: tone(p, 3.0, "flac"), "flac", "audio"),
    ("group1.mp4", lambda p: video(p, 3.0, "mpeg4"), "mp4", "video"),
    ("group2.webm", lambda p: video(p, 3.0, "libvpx"), "webm", "video"),
    ("group3.mov", lambda p: video(p, 3.0, "mpeg4"), "mov", "video"),
]


@pytest.mark.parametrize(("name", "make", "fmt", "kind"), MEDIA, ids=[m[0] for m in MEDIA])
def test_media_recording_alone_is_a_source_with_its_file_in_the_media_folder(
        tmp_path, project_path, name, make, fmt, kind):
    recording = make(tmp_path / name)
    assert probe(recording).duration == pytest.approx(3.0, abs=0.1)
    with Project.open(project_path) as project, project.session() as session:
        (source,) = import_files(session, [recording])
        folder = media_folder(session)
        assert (source.name, source.text, source.turns) == (name, "", [])
        assert (source.media_format, source.media_kind) == (fmt, kind)
        assert source.media_duration == pytest.approx(3.0, abs=0.1)
        kept, checksum = folder / source.media_file, source.media_sha256
    assert folder == Path(f"{project_path}-media")
    assert kept.read_bytes() == recording.read_bytes()
    assert sha256(kept) == checksum == sha256(recording)


def test_media_recording_and_transcript_with_one_stem_are_one_source_with_timed_turns(
        tmp_path, session):
    recording = tone(tmp_path / "int03.m4a", 4.5, "aac")
    (tmp_path / "int03.vtt").write_text(VTT)
    (source,) = import_files(session, [tmp_path / "int03.m4a", tmp_path / "int03.vtt"])
    assert (source.name, source.format, source.media_format) == ("int03.vtt", "vtt", "m4a")
    assert source.media_duration == pytest.approx(4.5, abs=0.1)
    assert source.media_sha256 == sha256(recording)
    session.flush()
    session.refresh(source)
    assert [(t.speaker.label if t.speaker else None, t.started_at, t.ended_at)
            for t in source.turns] == [("Interviewer", 0.5, 2.0), ("Maureen Okafor", 2.0, 4.5)]
    assert session.query(Source).count() == 1


def test_media_untimed_transcript_pairs_with_its_recording_and_its_turns_wait_for_times(
        tmp_path, session):
    (tmp_path / "int05.txt").write_text("Interviewer: How did it start?\n\n"
                                        "Maureen: With one chest freezer.\n")
    tone(tmp_path / "int05.flac", 2.0, "flac")
    (source,) = import_files(session, [tmp_path / "int05.txt", tmp_path / "int05.flac"])
    session.flush()
    session.refresh(source)
    assert (source.name, source.media_file.endswith("-int05.flac")) == ("int05.txt", True)
    assert [(t.started_at, t.ended_at) for t in source.turns] == [(None, None), (None, None)]


def test_media_pairing_keeps_order_and_leaves_unmatched_files_alone():
    pairs = pair_files(["a.m4a", "b.txt", "a.vtt", "c.mp4", "d.srt", "d.docx"])
    assert pairs == [(Path("a.vtt"), Path("a.m4a")), (Path("b.txt"), None),
                     (None, Path("c.mp4")), (Path("d.srt"), None), (Path("d.docx"), None)]


def test_media_two_recordings_with_one_name_do_not_collide(tmp_path, session):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = tone(tmp_path / "a" / "int03.wav", 1.0, "pcm_s16le")
    second = tone(tmp_path / "b" / "int03.wav", 2.0, "pcm_s16le")
    sources = import_files(session, [first])
    sources += import_files(session, [second])
    files = {source.media_file for source in sources}
    assert len(files) == 2
    folder = media_folder(session)
    assert sorted((folder / f).read_bytes() for f in files) == sorted(
        [first.read_bytes(), second.read_bytes()])


def test_media_broken_recording_is_one_line_and_the_project_is_unchanged(
        tmp_path, project_path, snapshot):
    broken = tmp_path / "int09.m4a"
    broken.write_bytes(np.random.default_rng(7).bytes(4096))
    good = tone(tmp_path / "int01.wav", 1.0, "pcm_s16le")
    before = snapshot(project_path)
    with Project.open(project_path) as project, project.session() as session, \
            pytest.raises(ImportBatchError) as caught:
        import_files(session, [good, broken])
    lines = str(caught.value).splitlines()
    assert [line for line in lines if "int09.m4a" in line] == [
        line for line in lines if "FS102" in line]
    assert any(line.startswith("int09.m4a: not a readable recording") for line in lines)
    assert snapshot(project_path) == before
    assert not Path(f"{project_path}-media").exists()


def test_media_same_recording_twice_is_a_duplicate(tmp_path, session):
    recording = tone(tmp_path / "int01.wav", 1.0, "pcm_s16le")
    import_files(session, [recording])
    with pytest.raises(ImportBatchError, match="already imported"):
        import_files(session, [recording])


def test_media_cli_import_preview_and_sources_list(tmp_path, project_path):
    tone(tmp_path / "int03.m4a", 4.5, "aac")
    (tmp_path / "int03.vtt").write_text(VTT)
    tone(tmp_path / "int04.wav", 62.0, "pcm_s16le")
    files = [tmp_path / "int03.m4a", tmp_path / "int03.vtt", tmp_path / "int04.wav"]
    runner = CliRunner()
    env = {"FRAMESYNTH_USER": "ruth", "COLUMNS": "200"}
    preview = runner.invoke(app, ["import", str(project_path), *map(str, files), "--preview"],
                            env=env)
    assert preview.exit_code == 0, preview.output
    assert "int03.vtt (vtt): layout subtitles, 2 turns" in preview.stdout
    assert "  recording: int03.m4a (0:04)" in preview.stdout
    assert "int04.wav (wav): layout recording, 0 turns" in preview.stdout
    done = runner.invoke(app, ["import", str(project_path), *map(str, files)], env=env)
    assert done.exit_code == 0, done.output
    assert "imported 2 sources" in done.stdout
    listed = runner.invoke(app, ["sources", "list", str(project_path)], env=env)
    assert listed.exit_code == 0, listed.output
    rows = {line.split()[0]: line for line in listed.stdout.splitlines()[1:]}
    assert " 0:04 " in rows["int03.vtt"] and " 1:02 " in rows["int04.wav"]


def test_media_every_phase_reads_a_recording_without_a_transcript(tmp_path, session):
    """A recording alone has empty text and no turns: info, the reader, search, units and
    the words list all take it in their stride."""
    from framesynth.familiarise.frequencies import word_frequencies
    from framesynth.familiarise.overview import project_info
    from framesynth.familiarise.reading import reader_view
    from framesynth.familiarise.search import search
    from framesynth.familiarise.units import units

    (tmp_path / "int01.txt").write_text("Interviewer: How did it start?\n\n"
                                        "Maureen: With one chest freezer.\n")
    tone(tmp_path / "int02.wav", 1.0, "pcm_s16le")
    transcript, alone = import_files(session, [tmp_path / "int01.txt", tmp_path / "int02.wav"])
    session.flush()
    assert project_info(session)["sources"] == 2
    view = reader_view(session, alone.id)
    assert (view.source.name, view.turns) == ("int02.wav", [])
    assert {hit.source for hit in search(session, "freezer")} == {"int01.txt"}
    assert {unit.source_id for kind in ("turn", "sentence", "paragraph")
            for unit in units(session, kind)} == {transcript.id}
    assert word_frequencies(session) is not None
