"""REFI-QDA recordings: AudioSource with its Transcript and SyncPoints, audio and
transcript selections; a round trip through our own export, and a file written by hand."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from framesynth.demo.speech import speak, write_vtt
from framesynth.familiarise.memos import add_memo
from framesynth.frame.framework import code_path
from framesynth.index.coding import code_span, code_time_range
from framesynth.io.codebook import import_codebook
from framesynth.io.importers import import_files
from framesynth.io.importers.media import media_folder
from framesynth.io.refi.qdpx import export_qdpx, import_qdpx
from framesynth.io.refi.qdpx_common import QdpxError
from framesynth.project import Project
from framesynth.store.models import Coding, Memo, Source

INTEROP = next((p / "shared" / "interop" for p in Path(__file__).resolve().parents
                if (p / "shared" / "interop").is_dir()), Path("/work/shared/interop"))
Q = "{urn:QDA-XML:project:1.0}"
SCRIPT = [("Interviewer", "How do families find the larder?"),
          ("Maureen Okafor", "Word of mouth mostly. The health visitors send them on a "
                             "Tuesday and the waiting list is fourteen weeks.")]


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spoken")
    turns = speak(SCRIPT, folder / "int07.wav")
    write_vtt(turns, folder / "int07.vtt")
    return folder, turns


def schema_valid(package: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(INTEROP / "xsd" / "Project.xsd")))
    with zipfile.ZipFile(package) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    assert schema.validate(etree.ElementTree(root)), schema.error_log


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def state(session) -> tuple:
    """The recording's bytes' checksum, the turns' times and the codings."""
    source = session.scalar(select(Source))
    stored = media_folder(session) / source.media_file
    turns = [(t.start, t.end, t.text, t.started_at, t.ended_at) for t in source.turns]
    codings = sorted((c.start, c.end, code_path(c.code), c.coder, c.text, c.media_start,
                      c.media_end) for c in session.scalars(select(Coding)))
    memos = [(m.title, m.body, m.start, m.end) for m in session.scalars(select(Memo))]
    return (source.name, source.media_kind, source.media_sha256, sha256(stored), turns,
            codings, memos)


def test_refi_recording_round_trip_keeps_media_turn_times_and_codings(
        spoken, tmp_path, framework_file):
    folder, turns = spoken
    for name in ("int07.wav", "int07.vtt"):
        shutil.copy(folder / name, tmp_path / name)
    package = tmp_path / "study.qdpx"
    with Project.create(tmp_path / "a.fsdb") as project, project.session() as session:
        import_files(session, [tmp_path / "int07.wav", tmp_path / "int07.vtt"])
        import_codebook(session, framework_file, actor="ruth")
        text = session.scalar(select(Source.text))
        start = text.index("fourteen weeks")
        code_span(session, "int07.vtt", start, start + len("fourteen weeks"),
                  "Access/Waiting lists", coder="ruth")
        code_time_range(session, "int07.vtt", turns[1].start, turns[1].end - 1.5,
                        "Access/Referral routes", coder="ruth")
        code_time_range(session, "int07.vtt", 0.25, 1.125, "Access/Waiting lists",
                        coder="cora")
        add_memo(session, "Says Tuesday twice", author="ruth", title="Tuesdays",
                 source="int07.vtt", start=start - 20, end=start - 5)
    with Project.open(tmp_path / "a.fsdb") as project, project.session() as session:
        before = state(session)
        counts = export_qdpx(session, package)
    assert counts["codings"] == 3
    schema_valid(package)
    with zipfile.ZipFile(package) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    [audio] = root.iter(f"{Q}AudioSource")
    assert audio.get("path").startswith("internal://") and audio.get("path").endswith(".wav")
    stamps = [int(p.get("timeStamp")) for p in audio.iter(f"{Q}SyncPoint")
              if p.get("timeStamp")]
    assert stamps == [round(t * 1000) for turn in turns for t in (turn.start, turn.end)]
    assert sorted((s.get("begin"), s.get("end")) for s in audio.iter(f"{Q}AudioSelection")) \
        == sorted([("250", "1125"), (str(round(turns[1].start * 1000)),
                                     str(round((turns[1].end - 1.5) * 1000)))])
    assert len(list(audio.iter(f"{Q}TranscriptSelection"))) == 2  # a coding, a memo
    with Project.create(tmp_path / "b.fsdb") as project, project.session() as session:
        summary = import_qdpx(session, package, actor="ruth")
        assert (summary.sources, summary.codings, summary.skipped) == (1, 3, [])
    with Project.open(tmp_path / "b.fsdb") as project, project.session() as session:
        after = state(session)
    assert after == before
    assert before[3] == sha256(tmp_path / "int07.wav")  # the very bytes imported first
    assert [t[3:] for t in before[4]] == [(t.start, t.end) for t in turns]


TRANSCRIPT = "Interviewer: Where do you meet?\n\nDawn: In the church hall, every Tuesday."


def hand_written(duration_ms: int) -> str:
    """A project.qde in REFI layout, as another tool might write it."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Hand made" origin="a text editor">
  <Users><User guid="11111111-1111-4111-8111-111111111111" name="hana"/></Users>
  <CodeBook><Codes>
    <Code guid="22222222-2222-4222-8222-222222222222" name="Meeting places" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <AudioSource guid="33333333-3333-4333-8333-333333333333" name="Dawn interview"
                 path="internal://33333333-3333-4333-8333-333333333333.wav">
      <Transcript guid="44444444-4444-4444-8444-444444444444" name="Dawn interview"
                  plainTextPath="internal://44444444-4444-4444-8444-444444444444.txt">
        <SyncPoint guid="55555555-5555-4555-8555-555555555501" timeStamp="500" position="13"/>
        <SyncPoint guid="55555555-5555-4555-8555-555555555502" timeStamp="1800" position="31"/>
        <SyncPoint guid="55555555-5555-4555-8555-555555555503" timeStamp="2100" position="39"/>
        <SyncPoint guid="55555555-5555-4555-8555-555555555504" timeStamp="{duration_ms - 100}"
                   position="{len(TRANSCRIPT)}"/>
        <SyncPoint guid="55555555-5555-4555-8555-555555555505" position="46"/>
        <SyncPoint guid="55555555-5555-4555-8555-555555555506" position="57"/>
        <TranscriptSelection guid="66666666-6666-4666-8666-666666666601"
                             fromSyncPoint="55555555-5555-4555-8555-555555555505"
                             toSyncPoint="55555555-5555-4555-8555-555555555506">
          <Coding guid="77777777-7777-4777-8777-777777777701"
                  creatingUser="11111111-1111-4111-8111-111111111111">
            <CodeRef targetGUID="22222222-2222-4222-8222-222222222222"/>
          </Coding>
        </TranscriptSelection>
      </Transcript>
      <AudioSelection guid="88888888-8888-4888-8888-888888888801" begin="2100"
                      end="{duration_ms - 100}">
        <Coding guid="77777777-7777-4777-8777-777777777702"
                creatingUser="11111111-1111-4111-8111-111111111111">
          <CodeRef targetGUID="22222222-2222-4222-8222-222222222222"/>
        </Coding>
      </AudioSelection>
    </AudioSource>
  </Sources>
</Project>
"""


def test_refi_hand_written_audio_source_with_transcript_and_selections(spoken, tmp_path):
    folder, turns = spoken
    wav = (folder / "int07.wav").read_bytes()
    duration_ms = round(turns[-1].end * 1000) + 500
    xml = hand_written(duration_ms)
    schema = etree.XMLSchema(etree.parse(str(INTEROP / "xsd" / "Project.xsd")))
    assert schema.validate(etree.ElementTree(etree.fromstring(xml.encode()))), \
        schema.error_log
    package = tmp_path / "hand.qdpx"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("project.qde", xml)
        archive.writestr("sources/33333333-3333-4333-8333-333333333333.wav", wav)
        archive.writestr("sources/44444444-4444-4444-8444-444444444444.txt", TRANSCRIPT)
    with Project.create(tmp_path / "c.fsdb") as project, project.session() as session:
        import_qdpx(session, package, actor="ruth")
        session.flush()
        source = session.scalar(select(Source))
        assert (source.name, source.media_kind, source.media_format, source.text) == (
            "Dawn interview", "audio", "wav", TRANSCRIPT)
        assert (media_folder(session) / source.media_file).read_bytes() == wav
        assert [(t.text, t.started_at, t.ended_at) for t in source.turns] == [
            ("Where do you meet?", 0.5, 1.8),
            ("In the church hall, every Tuesday.", 2.1, (duration_ms - 100) / 1000)]
        codings = sorted((c.text, c.coder, c.media_start, c.media_end)
                         for c in session.scalars(select(Coding)))
        assert codings == [("In the church hall, every Tuesday.", "hana", 2.1,
                            (duration_ms - 100) / 1000),
                           ("church hall", "hana", None, None)]


def test_refi_recording_missing_from_the_package_changes_nothing(spoken, tmp_path):
    folder, turns = spoken
    xml = hand_written(round(turns[-1].end * 1000) + 500)
    package = tmp_path / "broken.qdpx"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("project.qde", xml)
        archive.writestr("sources/44444444-4444-4444-8444-444444444444.txt", TRANSCRIPT)
    with Project.create(tmp_path / "d.fsdb") as project:
        with pytest.raises(QdpxError, match="the recording of source 'Dawn interview' "
                                            r"\(internal://3333.*\.wav\) is missing"), \
                project.session() as session:
            import_qdpx(session, package, actor="ruth")
        with project.session() as session:
            assert session.scalar(select(Source)) is None
        assert not media_folder(session).exists() or not any(media_folder(session).iterdir())


def test_refi_video_without_transcript_round_trips_its_time_codings(tmp_path,
                                                                    framework_file):
    from test_io_media import video

    clip = video(tmp_path / "walk.mp4", 3.0, "mpeg4")
    package = tmp_path / "walk.qdpx"
    with Project.create(tmp_path / "v.fsdb") as project, project.session() as session:
        import_files(session, [clip])
        import_codebook(session, framework_file, actor="ruth")
        code_time_range(session, "walk.mp4", 0.5, 2.25, "Partnership/Meeting rhythms",
                        coder="ruth")
    with Project.open(tmp_path / "v.fsdb") as project, project.session() as session:
        before = state(session)
        export_qdpx(session, package)
    schema_valid(package)
    with zipfile.ZipFile(package) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    [selection] = root.iter(f"{Q}VideoSelection")
    assert (selection.getparent().tag, selection.get("begin"), selection.get("end")) == (
        f"{Q}VideoSource", "500", "2250")
    with Project.create(tmp_path / "w.fsdb") as project, project.session() as session:
        import_qdpx(session, package, actor="ruth")
    with Project.open(tmp_path / "w.fsdb") as project, project.session() as session:
        after = state(session)
    assert after == before
    assert before[1] == "video" and before[5] == [
        (0, 0, "Partnership/Meeting rhythms", "ruth", "", 0.5, 2.25)]


def test_refi_export_of_a_recording_missing_from_the_media_folder_is_one_line(
        spoken, tmp_path):
    folder, _turns = spoken
    shutil.copy(folder / "int07.wav", tmp_path / "int07.wav")
    with Project.create(tmp_path / "m.fsdb") as project, project.session() as session:
        [source] = import_files(session, [tmp_path / "int07.wav"])
        (media_folder(session) / source.media_file).unlink()
        with pytest.raises(QdpxError, match="the recording of source 'int07.wav' is missing "
                                            "from the media folder"):
            export_qdpx(session, tmp_path / "m.qdpx")
