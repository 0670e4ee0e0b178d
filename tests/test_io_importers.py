"""Reading transcript files: every format gives the same turns; bad files give one clear
line naming the file."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from framesynth.errors import (
    CorruptFile,
    EmptySource,
    FramesynthError,
    UndecodableText,
    UnsupportedFormat,
)
from framesynth.familiarise.speakers import detect_turns
from framesynth.io.importers import read_source

EXPECTED_TURNS = [
    ("Interviewer", "Could you tell me how referrals reach you?"),
    ("Maureen", "Mostly through the health visitors. Anjali sends a text, then the form "
                "follows. Sometimes the form never comes at all. It depends who is on shift."),
    ("Interviewer", "And the waiting list?"),
    ("Maureen", "Fourteen weeks for counselling. So what we tell families: come to the "
                "drop-in while you wait."),
]


def spoken_turns(path: Path) -> list[tuple[str | None, str]]:
    imported = read_source(path)
    turns = imported.turns if imported.turns is not None else detect_turns(imported.text)
    return [(t.label, " ".join(imported.text[t.start:t.end].split()))
            for t in turns if t.label is not None]


@pytest.mark.parametrize("name", ["interview.txt", "interview.docx", "interview_table.docx",
                                  "interview.pdf", "interview.vtt", "interview.srt"])
def test_importers_every_format_gives_the_same_speaker_turns(data_dir, name):
    assert spoken_turns(data_dir / name) == EXPECTED_TURNS


@pytest.mark.parametrize(("name", "fmt"), [("interview.txt", "txt"), ("interview.md", "md"),
                                           ("interview.docx", "docx"), ("interview.pdf", "pdf"),
                                           ("interview.vtt", "vtt"), ("interview.srt", "srt")])
def test_importers_record_format_and_sha256_of_the_file(data_dir, name, fmt):
    import hashlib

    imported = read_source(data_dir / name)
    assert imported.format == fmt
    assert imported.name == name
    assert imported.checksum == hashlib.sha256((data_dir / name).read_bytes()).hexdigest()


def test_importers_markdown_bold_labels(data_dir):
    assert spoken_turns(data_dir / "interview.md") == [
        ("Interviewer", "How often does the steering group meet?"),
        ("Helen Ashworth", "Monthly, at the Quayside Centre. When it is not cancelled."),
        ("Interviewer", "Who comes?"),
        ("Helen Ashworth", "Managers from each partner, and Ruth from the Trust."),
    ]


def test_importers_subtitles_keep_cue_times_on_turns(data_dir):
    imported = read_source(data_dir / "interview.vtt")
    assert [(t.started_at, t.ended_at) for t in imported.turns] == [
        (2.0, 5.077), (5.877, 16.077), (16.877, 18.415), (19.215, 25.369)]


def test_importers_srt_cue_without_name_continues_the_speaker(tmp_path):
    path = tmp_path / "call.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nKevin: The van\n\n"
        "2\n00:00:02,000 --> 00:00:03,500\nis shared.\n\n"
        "3\n00:00:04,000 --> 00:00:05,000\nInterviewer: Since when?\n",
        encoding="utf-8")
    imported = read_source(path)
    assert imported.text == "Kevin: The van is shared.\n\nInterviewer: Since when?"
    assert [(t.label, imported.text[t.start:t.end], t.started_at, t.ended_at)
            for t in imported.turns] == [("Kevin", "The van is shared.", 1.0, 3.5),
                                         ("Interviewer", "Since when?", 4.0, 5.0)]


def test_importers_txt_timestamps_become_turn_start_times(data_dir):
    imported = read_source(data_dir / "interview.txt")
    turns = [t for t in detect_turns(imported.text) if t.label]
    assert [t.started_at for t in turns] == [4.0, 9.0, 31.0, 35.0]


TEXT = "Interviewer: Was it “worth it”?\nDawn: Oh yes – £40 well spent, café and all.\n"


@pytest.mark.parametrize(("encoding", "prefix"), [
    ("utf-8", b""), ("utf-8-sig", b""), ("utf-16", b""), ("cp1252", b""),
    ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
])
def test_importers_decode_utf8_utf16_with_bom_and_cp1252(tmp_path, encoding, prefix):
    path = tmp_path / "interview.txt"
    path.write_bytes(prefix + TEXT.replace("\n", "\r\n").encode(encoding))
    assert read_source(path).text == TEXT


def broken_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a Word document")


@pytest.mark.parametrize(("name", "content", "error", "message"), [
    ("notes.pages", b"hello", UnsupportedFormat,
     "notes.pages: unsupported format .pages; use one of .docx, .markdown, .md, .odt, .pdf, "
     ".rtf, .srt, .text, .txt, .vtt [FS101]"),
    ("README", b"hello", UnsupportedFormat,
     "README: unsupported format (no suffix); use one of .docx, .markdown, .md, .odt, .pdf, "
     ".rtf, .srt, .text, .txt, .vtt [FS101]"),
    ("garbage.rtf", b"plain words", CorruptFile,
     "garbage.rtf: not an RTF file (it does not start with {\\rtf) [FS102]"),
    ("garbage.odt", b"this is not a zip", CorruptFile,
     "garbage.odt: not a readable OpenDocument file (not a zip archive) [FS102]"),
    ("empty.txt", b"", EmptySource, "empty.txt: the file is empty [FS104]"),
    ("blank.md", b"  \n\n\t ", EmptySource, "blank.md: the file is empty [FS104]"),
    ("binary.txt", b"\x81\x8d\x90\x00\xff", UndecodableText,
     "binary.txt: cannot decode the text (tried UTF-8, UTF-16 with BOM, cp1252) [FS103]"),
    ("nul.txt", b"Interviewer\x00: hi", UndecodableText,
     "nul.txt: cannot decode the text (tried UTF-8, UTF-16 with BOM, cp1252) [FS103]"),
    ("garbage.docx", b"this is not a zip", CorruptFile,
     "garbage.docx: not a readable Word file (not a zip archive) [FS102]"),
    ("garbage.pdf", b"%PDF-1.7\nthis is cut short", CorruptFile, None),
    ("garbage.vtt", b"not a subtitle file\n", CorruptFile, None),
    ("garbage.srt", b"1\nnot a time\nhello\n", CorruptFile, None),
])
def test_importers_bad_files_raise_one_line_naming_the_file(tmp_path, name, content, error,
                                                            message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error) as raised:
        read_source(path)
    text = str(raised.value)
    assert "\n" not in text
    assert text.startswith(f"{name}: ")
    if message is not None:
        assert text == message


def test_importers_zip_that_is_no_word_document(tmp_path):
    path = tmp_path / "fake.docx"
    broken_zip(path)
    with pytest.raises(CorruptFile, match=r"^fake.docx: not a readable Word file"):
        read_source(path)


def test_importers_pdf_without_text_is_empty(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(EmptySource, match=r"^scan.pdf: the file holds no text \[FS104\]$"):
        read_source(path)


def test_importers_errors_share_one_base_class():
    for error in (UnsupportedFormat, CorruptFile, UndecodableText, EmptySource):
        assert issubclass(error, FramesynthError)
