"""Bounded input: zip bombs, entities and odd upload names are refused in one line, in
bounded memory, and leave the project as it was."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from odf.opendocument import OpenDocumentText
from odf.text import P

import framesynth
from framesynth.errors import (
    CorruptFile,
    ImportBatchError,
    InvalidArgument,
    UnsafeArchive,
    UnsafeXml,
    UploadTooLarge,
)
from framesynth.io.archive import Archive, ArchiveLimits, check_archive
from framesynth.io.codebook import import_codebook
from framesynth.io.importers import import_files, read_source
from framesynth.io.importers.case_table import read_case_rows
from framesynth.io.refi.qdc import read_qdc
from framesynth.io.refi.qdpx import import_qdpx
from framesynth.io.uploads import (
    check_content_length,
    max_upload_bytes,
    safe_name,
    save_upload_files,
)

MB = 1024 * 1024
GUID = "11111111-2222-3333-4444-555555555555"
QDE = ('<?xml version="1.0" encoding="utf-8"?>\n{doctype}'
       '<Project xmlns="urn:QDA-XML:project:1.0" name="bomb"><Sources>'
       f'<TextSource guid="{GUID}" name="big" plainTextPath="internal://big.txt">'
       '{content}</TextSource></Sources></Project>')
ENTITY = '<!DOCTYPE r [<!ENTITY who "Ruth">]>'
MEASURE = """
import json, sys
from framesynth.errors import FramesynthError
from framesynth.io.refi.qdpx import import_qdpx
from framesynth.project import Project
with Project.open(sys.argv[1]) as project, project.session() as session:
    try:
        import_qdpx(session, sys.argv[2], actor="ruth")
        outcome = "imported"
    except FramesynthError as error:
        outcome = str(error)
# VmHWM is this program's own peak; ru_maxrss would include the parent forked from
status = open("/proc/self/status").read()
peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({"outcome": outcome, "peak_mb": peak}))
"""


def write_qdpx(path: Path, *, member_mb: int = 0, text: bytes = b"", qde: str | None = None
               ) -> Path:
    """A package whose one source is ``member_mb`` megabytes of "a" (streamed) or ``text``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("project.qde", qde or QDE.format(doctype="", content=""))
        with package.open("sources/big.txt", "w", force_zip64=True) as member:
            member.write(text)
            chunk = b"a" * MB
            for _ in range(member_mb):
                member.write(chunk)
    return path


def rewrite_zip(data: bytes, target: Path, member: str, change) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the zip ``data`` with ``member``'s bytes passed through ``change``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            content = source.read(info)
            out.writestr(info.filename, change(content) if info.filename == member else content)
    return target


def word_file(text: str) -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph(text)
    document.save(buffer)
    return buffer.getvalue()


def odt_file(text: str) -> bytes:
    document = OpenDocumentText()
    document.text.addElement(P(text=text))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def with_entity(xml: bytes) -> bytes:
    """The XML with an internal entity declared and used in place of the word RUTH."""
    text = xml.decode("utf-8")
    head, rest = text.split("?>", 1) if text.startswith("<?xml") else ("", text)
    return (head + "?>" * bool(head) + ENTITY + rest.replace("RUTH", "&who;")).encode("utf-8")


def run_measured(project: Path, package: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(Path(framesynth.__file__).parents[1])}
    done = subprocess.run([sys.executable, "-c", MEASURE, str(project), str(package)],
                          capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout)


def test_archive_qdpx_bomb_is_refused_in_bounded_memory(project_path, tmp_path, snapshot):
    bomb = write_qdpx(tmp_path / "bomb.qdpx", member_mb=1536)
    assert bomb.stat().st_size < 2 * MB
    before = snapshot(project_path)
    result = run_measured(project_path, bomb)
    assert result["outcome"] == ("bomb.qdpx, member sources/big.txt: declares 1,536 MB "
                                 "uncompressed, more than the 512 MB a member may hold [FS106]")
    assert result["peak_mb"] < 300  # was 4.6 GB and a raw sqlite3.DataError
    assert snapshot(project_path) == before


def test_archive_docx_bomb_is_refused_by_its_ratio(project_path, session, tmp_path, snapshot):
    bomb = rewrite_zip(word_file("RUTH"), tmp_path / "bomb.docx", "word/document.xml",
                       lambda xml: xml.replace(b"RUTH", b"a" * (40 * MB)))
    with pytest.raises(UnsafeArchive) as caught:
        read_source(bomb)
    assert str(caught.value).startswith("bomb.docx, member word/document.xml: is compressed ")
    assert str(caught.value).endswith(":1; refused as a zip bomb [FS106]")
    before = snapshot(project_path)
    with pytest.raises(ImportBatchError) as batch:
        import_files(session, [bomb])
    assert str(batch.value).splitlines()[1] == "1 file(s) failed; nothing was imported [FS100]"
    session.rollback()
    assert snapshot(project_path) == before


@pytest.mark.parametrize(("limits", "message"), [
    (ArchiveLimits(member_bytes=1000), "pack.zip, member b.txt: declares 2,000 bytes "
     "uncompressed, more than the 1,000 bytes a member may hold [FS106]"),
    (ArchiveLimits(total_bytes=2500), "pack.zip, member b.txt: the archive inflates to more "
     "than 2,500 bytes in all [FS106]"),
    (ArchiveLimits(max_ratio=10, ratio_from_bytes=100), "pack.zip, member a.txt: is "
     "compressed 91:1 (11 bytes to 1,000 bytes), more than 10:1; refused as a zip bomb [FS106]"),
    (ArchiveLimits(max_members=1), "pack.zip: the archive has 2 members, more than 1 [FS106]"),
])
def test_archive_limits_refuse_before_reading(tmp_path, limits, message):
    path = tmp_path / "pack.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("a.txt", b"a" * 1000)
        package.writestr("b.txt", bytes(range(250)) * 8)
    with pytest.raises(UnsafeArchive) as caught:
        Archive(path, path=path, limits=limits)
    assert str(caught.value) == message


def test_archive_reads_within_the_limits(tmp_path):
    path = tmp_path / "pack.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("a.txt", b"a" * 1000)
    with Archive(path, path=path) as archive:
        assert (archive.names(), archive.read("a.txt")) == (["a.txt"], b"a" * 1000)


def test_archive_member_that_lies_about_its_size_is_not_read_beyond_it(tmp_path):
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as package:
        package.writestr("a.txt", b"a" * 5000)
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature) + offset
        data[at:at + 4] = (10).to_bytes(4, "little")  # declares 10 bytes, holds 5000
    path.write_bytes(bytes(data))
    with Archive(path, path=path, limits=ArchiveLimits(member_bytes=100)) as archive:
        with pytest.raises(CorruptFile) as caught:
            archive.read("a.txt")
    assert str(caught.value) == ("liar.zip, member a.txt: the member cannot be read "
                                 "(Bad CRC-32 for file 'a.txt') [FS102]")


def test_archive_qdpx_caps_are_parameters(session, tmp_path):
    package = write_qdpx(tmp_path / "small.qdpx", text=b"Interviewer: Hello.\n" * 100)
    with pytest.raises(UnsafeArchive) as caught:
        import_qdpx(session, package, actor="ruth", limits=ArchiveLimits(member_bytes=1000))
    assert str(caught.value) == ("small.qdpx, member sources/big.txt: declares 2,000 bytes "
                                 "uncompressed, more than the 1,000 bytes a member may hold "
                                 "[FS106]")


ENTITY_MESSAGE = ("{where}: the XML declares entities (who); framesynth does not expand "
                  "entities, save the file again without them [FS107]")


def test_xml_entity_in_a_docx_is_refused_not_truncated(tmp_path):
    path = rewrite_zip(word_file("Interviewer: before RUTH after"), tmp_path / "ent.docx",
                       "word/document.xml", with_entity)
    with pytest.raises(UnsafeXml) as caught:
        read_source(path)
    assert str(caught.value) == ENTITY_MESSAGE.format(where="ent.docx, member word/document.xml")


def test_xml_entity_in_an_odt_is_refused(tmp_path):
    path = rewrite_zip(odt_file("Interviewer: before RUTH after"), tmp_path / "ent.odt",
                       "content.xml", with_entity)
    with pytest.raises(UnsafeXml) as caught:
        read_source(path)
    assert str(caught.value) == ENTITY_MESSAGE.format(where="ent.odt, member content.xml")


def test_xml_entity_in_a_qdpx_is_refused(project_path, session, tmp_path, snapshot):
    qde = QDE.format(doctype=ENTITY, content="<Description>by &who;</Description>")
    path = write_qdpx(tmp_path / "ent.qdpx", text=b"Interviewer: Hello.", qde=qde)
    before = snapshot(project_path)
    with pytest.raises(UnsafeXml) as caught:
        import_qdpx(session, path, actor="ruth")
    assert str(caught.value) == ENTITY_MESSAGE.format(where="ent.qdpx, member project.qde")
    session.rollback()
    assert snapshot(project_path) == before


def test_xml_external_dtd_in_a_qdc_is_refused(session, tmp_path):
    path = tmp_path / "codes.qdc"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE CodeBook SYSTEM "http://example.org/x.dtd">'
                    '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>')
    with pytest.raises(UnsafeXml) as caught:
        import_codebook(session, path, actor="ruth")
    assert str(caught.value) == ("codes.qdc: the XML refers to an external DTD "
                                 "(http://example.org/x.dtd); framesynth reads no DTD [FS107]")


def test_xml_entity_in_a_qdc_is_refused(tmp_path):
    path = tmp_path / "codes.qdc"
    path.write_text('<?xml version="1.0"?>\n' + ENTITY.replace(" r ", " CodeBook ") +
                    '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>')
    with pytest.raises(UnsafeXml) as caught:
        read_qdc(path)
    assert str(caught.value) == ENTITY_MESSAGE.format(where="codes.qdc")


def test_xml_huge_text_node_in_a_qdpx_is_not_parsed(session, tmp_path):
    words = random.Random(10).randbytes(6 * MB).hex()  # 12 MB that barely compresses
    content = f"<PlainTextContent>{words}</PlainTextContent>"
    path = tmp_path / "huge.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("project.qde", QDE.format(doctype="", content=content))
    with pytest.raises(CorruptFile) as caught:
        import_qdpx(session, path, actor="ruth")
    assert str(caught.value).startswith("huge.qdpx: project.qde is not well-formed XML "
                                        "(Resource limit exceeded: Text node too long")


def test_archive_xlsx_is_checked_before_openpyxl(tmp_path, data_dir):
    path = rewrite_zip((data_dir / "cases.xlsx").read_bytes(), tmp_path / "cases.xlsx",
                       "xl/workbook.xml", with_entity)
    with pytest.raises(UnsafeXml) as caught:
        read_case_rows(path)
    assert str(caught.value) == ENTITY_MESSAGE.format(where="cases.xlsx, member xl/workbook.xml")


def test_archive_check_passes_a_real_word_file(data_dir):
    check_archive((data_dir / "interview.docx").read_bytes(), path="interview.docx")


@pytest.mark.parametrize(("name", "safe"), [
    ("interview.txt", "interview.txt"), ("a/../../b.txt", "b.txt"), ("/etc/passwd", "passwd"),
    ("C:\\Users\\ruth\\int 01.docx", "int 01.docx"), ("  padded.md ", "padded.md"),
])
def test_uploads_safe_name_keeps_the_base_name(name, safe):
    assert safe_name(name) == safe


@pytest.mark.parametrize("name", ["..", ".", "", None, "a/..", "dir/", "bad\x00.txt"])
def test_uploads_safe_name_refuses_unusable_names(name):
    with pytest.raises(InvalidArgument) as caught:
        safe_name(name)
    assert str(caught.value) == (f"the upload name {name!r} is not a usable file name; "
                                 "rename the file and upload it again [FS003]")


class FakeUpload:
    def __init__(self, filename: str | None, data: bytes):
        self.filename = filename
        self.file = io.BytesIO(data)


def test_uploads_same_name_twice_keeps_both(tmp_path):
    folder = tmp_path / "up"
    paths = save_upload_files([FakeUpload("int.txt", b"one"), FakeUpload("x/int.txt", b"two")],
                              folder, limit_bytes=MB)
    assert [(p.relative_to(folder).as_posix(), p.read_bytes()) for p in paths] == [
        ("1/int.txt", b"one"), ("2/int.txt", b"two")]


@pytest.mark.parametrize(("uploads", "error", "message"), [
    ([FakeUpload("a.txt", b"a" * 600), FakeUpload("b.txt", b"b" * 600)], UploadTooLarge,
     "b.txt: the upload passes the limit of 0.0 MB (FRAMESYNTH_MAX_UPLOAD_MB) [FS108]"),
    ([FakeUpload("a.txt", b"a"), FakeUpload("..", b"b")], InvalidArgument,
     "the upload name '..' is not a usable file name; rename the file and upload it again "
     "[FS003]"),
])
def test_uploads_refusal_removes_the_folder(tmp_path, uploads, error, message):
    folder = tmp_path / "up"
    folder.mkdir()
    with pytest.raises(error) as caught:
        save_upload_files(uploads, folder, limit_bytes=1000)
    assert (str(caught.value), folder.exists()) == (message, False)


@pytest.mark.parametrize(("environ", "limit"), [
    ({}, 200 * MB), ({"FRAMESYNTH_MAX_UPLOAD_MB": "5"}, 5 * MB),
    ({"FRAMESYNTH_MAX_UPLOAD_MB": "0.5"}, MB // 2),
])
def test_uploads_limit_comes_from_the_environment(environ, limit):
    assert max_upload_bytes(environ) == limit


def test_uploads_limit_refuses_a_bad_setting():
    with pytest.raises(InvalidArgument) as caught:
        max_upload_bytes({"FRAMESYNTH_MAX_UPLOAD_MB": "lots"})
    assert str(caught.value) == ("FRAMESYNTH_MAX_UPLOAD_MB='lots' is not a positive number of "
                                 "megabytes [FS003]")


def test_uploads_content_length_beyond_the_limit_is_refused():
    check_content_length({"content-length": str(2 * MB)}, MB)  # within the multipart slack
    with pytest.raises(UploadTooLarge) as caught:
        check_content_length({"content-length": str(300 * MB)}, 200 * MB)
    assert str(caught.value) == ("the upload (300 MB) passes the limit of 200 MB "
                                 "(FRAMESYNTH_MAX_UPLOAD_MB) [FS108]")
