"""The REFI-QDA codebook (.qdc): valid against the standard's schema, lossless for our
fields, and readable from other tools."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from framesynth.errors import CorruptFile
from framesynth.frame.framework import CodeSpec, code_path, framework_codes, to_specs
from framesynth.io.codebook import export_codebook, import_codebook
from framesynth.io.refi.description import compose, parse_into
from framesynth.io.refi.qdc import read_qdc
from framesynth.project import Project

INTEROP = next((p / "shared" / "interop" for p in Path(__file__).resolve().parents
                if (p / "shared" / "interop").is_dir()), Path("/work/shared/interop"))
needs_interop = pytest.mark.skipif(not INTEROP.is_dir(),
                                   reason=f"REFI-QDA sample files not found at {INTEROP}")


def test_qdc_description_round_trip():
    spec = CodeSpec(name="Waiting lists", definition="Waiting for a service.\nAny service.",
                    inclusion=["length of waits", "what families do meanwhile"],
                    exclusion=["thresholds"], examples=["Fourteen weeks - too long."],
                    keywords=["waiting list*", "/\\bweeks?\\b/"])
    text = compose(spec)
    assert text == (
        "Waiting for a service.\nAny service.\n\n"
        "Include:\n- length of waits\n- what families do meanwhile\n"
        "Exclude:\n- thresholds\n"
        "Examples:\n- Fourteen weeks - too long.\n"
        "Keywords: waiting list*; /\\bweeks?\\b/")
    assert parse_into(CodeSpec(name="Waiting lists"), text) == spec


def test_qdc_plain_description_is_all_definition():
    spec = parse_into(CodeSpec(name="x"), "Just a definition\nover two lines.")
    assert (spec.definition, spec.inclusion, spec.keywords) == (
        "Just a definition\nover two lines.", [], [])


def test_qdc_round_trip_keeps_tree_guids_colours_and_rules(coded, tmp_path, session):
    path = tmp_path / "codebook.qdc"
    export_codebook(coded, path)
    assert read_qdc(path) == to_specs(coded)


@needs_interop
def test_qdc_export_validates_against_the_refi_schema(demo_session, tmp_path):
    path = tmp_path / "codebook.qdc"
    export_codebook(demo_session, path)
    schema = etree.XMLSchema(etree.parse(str(INTEROP / "xsd" / "Codebook.xsd")))
    document = etree.parse(str(path))
    assert schema.validate(document), schema.error_log


@needs_interop
def test_qdc_reads_taguettes_codebook(session):
    codes = import_codebook(session, INTEROP / "taguette-1.5.2-generated.qdc", actor="ruth")
    assert [code_path(c) for c in framework_codes(session)] == [
        "interesting", "theme0.sub0", "theme0.sub1", "theme1.sub0", "theme1.sub1",
        "theme2.sub0", "theme2.sub1"]
    assert codes[0].guid == "0d62985d-b147-5d01-a9b5-cae5dcd98342"


BAD = {
    "not XML": ("this is not xml", r"^bad.qdc: not readable XML"),
    "wrong root": ('<Project xmlns="urn:QDA-XML:project:1.0"/>',
                   r"^bad.qdc: the root element is Project, not CodeBook"),
    "no codes": ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>', r"^bad.qdc: no <Codes> element"),
    "missing guid": ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n'
                     '<Code name="A" isCodable="true"/></Codes></CodeBook>',
                     r"^bad.qdc, line 2: a <Code> lacks its guid or name"),
    "duplicate guid": ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n'
                       '<Code guid="0D62985D-B147-5D01-A9B5-CAE5DCD98342" name="A" '
                       'isCodable="true"/>\n'
                       '<Code guid="0d62985d-b147-5d01-a9b5-cae5dcd98342" name="B" '
                       'isCodable="true"/></Codes></CodeBook>',
                       r"^bad.qdc, line 3: GUID 0d62985d-b147-5d01-a9b5-cae5dcd98342 is used "
                       r"by two codes"),
}


@pytest.mark.parametrize("case", BAD)
def test_qdc_bad_files_change_nothing(project_path, tmp_path, snapshot, case):
    content, message = BAD[case]
    path = tmp_path / "bad.qdc"
    path.write_text(content, encoding="utf-8")
    before = snapshot(project_path)
    with pytest.raises(CorruptFile, match=message):
        with Project.open(project_path) as project, project.session() as session:
            import_codebook(session, path, actor="ruth")
    assert snapshot(project_path) == before
