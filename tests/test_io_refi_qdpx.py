"""REFI-QDA projects (.qdpx): real files from other tools, our own edge cases, round trips
that lose nothing, and bad packages that change nothing."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from framesynth.errors import CorruptFile
from framesynth.familiarise.vocabulary import define_vocabulary, get_setting, terms
from framesynth.frame.framework import code_path, find_code, framework_codes
from framesynth.frame.refine import retire_code
from framesynth.index.coding import apply_code
from framesynth.io.refi.qdpx import export_qdpx, import_qdpx
from framesynth.io.refi.qdpx_common import stable_guid
from framesynth.project import Project
from framesynth.store.models import (
    Case,
    Coding,
    Memo,
    Organisation,
    Partnership,
    Place,
    Source,
    Speaker,
    Vocabulary,
)

INTEROP = next((p / "shared" / "interop" for p in Path(__file__).resolve().parents
                if (p / "shared" / "interop").is_dir()), Path("/work/shared/interop"))
needs_interop = pytest.mark.skipif(not INTEROP.is_dir(),
                                   reason=f"REFI-QDA sample files not found at {INTEROP}")
Q = "{urn:QDA-XML:project:1.0}"


def qde(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        name = next(n for n in package.namelist() if n.lower() == "project.qde")
        return etree.fromstring(package.read(name))


@needs_interop
@pytest.mark.parametrize(("name", "sources", "codes", "codings"), [
    ("nvivo-win12-oltas0517.qdpx", 2, 152, 303),
    ("nvivo-mac15-qcproject.qdpx", 2, 262, 0),
    ("maxqda24-icls-themes.qdpx", 10, 307, 0),
    ("atlasti23-ponte-target.qdpx", 0, 3, 0),
    ("qc-cproctor-demo.qdpx", 2, 262, 205),
])
def test_qdpx_every_real_file_imports(session, name, sources, codes, codings):
    summary = import_qdpx(session, INTEROP / name, actor="ruth")
    assert (summary.sources, summary.codes, summary.codings) == (sources, codes, codings)
    assert len(framework_codes(session, retired=True)) == codes


def selection_texts(path: Path, source_guid: str, unit: str) -> list[str]:
    """What the XML says each selection covers, read straight from the package."""
    root = qde(path)
    source = next(s for s in root.iter(f"{Q}TextSource") if s.get("guid") == source_guid)
    plain = source.get("plainTextPath").replace("internal://", "")
    with zipfile.ZipFile(path) as package:
        member = next(n for n in package.namelist() if n.lower().endswith(plain.lower()))
        raw = package.read(member).decode("utf-8-sig")
    found = []
    for selection in source.iter(f"{Q}PlainTextSelection"):
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
        if unit == "utf16":
            text = raw.encode("utf-16-le")[2 * start:2 * end].decode("utf-16-le")
        else:
            text = raw[start:end]
        found.append(text.replace("\r\n", "\n"))
    return found


@needs_interop
def test_qdpx_nvivo_offsets_are_utf16_units_with_crlf(session):
    path = INTEROP / "nvivo-win12-oltas0517.qdpx"
    import_qdpx(session, path, actor="ruth")
    source = session.scalar(select(Source).where(Source.name == "videos_10_selected"))
    assert source.meta["offsets"] == "utf16" and "\r" not in source.text
    expected = sorted(selection_texts(path, "68bbdc14-c361-4432-b4dd-ae1dbfc12890", "utf16"))
    coded = sorted(c.text for c in session.scalars(
        select(Coding).where(Coding.source_id == source.id)))
    assert coded == expected
    assert {c.coder for c in session.scalars(select(Coding))} == {"Gergo"}


@needs_interop
def test_qdpx_qc_bare_paths_and_whole_lines(session):
    path = INTEROP / "qc-cproctor-demo.qdpx"
    import_qdpx(session, path, actor="ruth")
    board = session.scalar(select(Source).where(Source.name == "board_2017"))
    root = qde(path)
    guid = next(s.get("guid") for s in root.iter(f"{Q}TextSource")
                if s.get("plainTextPath") == "board_2017.txt")
    expected = selection_texts(path, guid, "codepoint")
    coded = [c.text for c in session.scalars(select(Coding).where(
        Coding.source_id == board.id).order_by(Coding.start, Coding.id))]
    assert set(coded) == set(expected) and all(t.endswith("\n") for t in coded)


@needs_interop
def test_qdpx_maxqda_sets_and_descriptions(session):
    summary = import_qdpx(session, INTEROP / "maxqda24-icls-themes.qdpx", actor="ruth")
    assert summary.sets == 2
    assert all(c.definition for c in framework_codes(session) if c.parent_id is None)
    assert any(s.meta.get("sets") for s in session.scalars(select(Source)))


@pytest.mark.parametrize(("name", "text", "coder", "unit"), [
    ("nvivo-style.qdpx", "We waited fourteen weeks.", "Gergo", "utf16"),
    ("spec-style.qdpx", "It bounced back \U0001F615 twice.", "amira", "codepoint"),
    ("qc-style.qdpx", "Dawn: We waited fourteen weeks.\n", "cp", "codepoint"),
])
def test_qdpx_each_tools_offset_convention(session, data_dir, name, text, coder, unit):
    import_qdpx(session, data_dir / "qdpx" / name, actor="ruth")
    coding = session.scalar(select(Coding))
    assert (coding.text, coding.coder, code_path(coding.code)) == (text, coder, "Access/Waiting")
    assert session.scalar(select(Source)).meta["offsets"] == unit


def test_qdpx_notes_cases_and_sets_land_where_they_belong(session, data_dir):
    summary = import_qdpx(session, data_dir / "qdpx" / "spec-style.qdpx", actor="ruth")
    assert (summary.memos, summary.cases, summary.sets) == (4, 1, 1)
    memos = {m.title: (m.source_id is not None, m.start is not None, m.code_id is not None)
             for m in session.scalars(select(Memo))}
    assert memos == {"Project idea": (False, False, False), "On Dawn": (True, False, False),
                     "On the bounce": (True, True, False), "On Waiting": (False, False, True)}
    case = session.scalar(select(Case).where(Case.kind == "participant"))
    assert [(a.name, a.value) for a in case.attributes] == [("sector", "community")]
    dawn = session.scalar(select(Speaker).where(Speaker.label == "Dawn"))
    assert dawn.participant.name == "Dawn"
    assert session.scalar(select(Source)).meta["sets"] == ["Wave 1"]


def snapshot_of(session) -> tuple:
    texts = {s.name: s.text for s in session.scalars(select(Source))}
    codings = sorted((c.source.name, c.start, c.end, code_path(c.code), c.coder)
                     for c in session.scalars(select(Coding).where(Coding.status.is_(None))))
    memos = sorted((m.title, m.body, m.author, m.source.name if m.source else None, m.start,
                    m.end, code_path(m.code) if m.code else None)
                   for m in session.scalars(select(Memo)))
    cases = sorted((c.kind, c.name, tuple(sorted((a.name, a.type, a.value)
                                                 for a in c.attributes)))
                   for c in session.scalars(select(Case)))
    links = sorted((s.source.name, s.label, s.participant.key if s.participant else None)
                   for s in session.scalars(select(Speaker)))
    places = sorted((p.name, p.kind) for p in session.scalars(select(Place)))
    return texts, codings, memos, cases, links, places


def test_qdpx_round_trip_of_the_demo_loses_nothing(demo_path, tmp_path):
    package = tmp_path / "demo.qdpx"
    with Project.open(demo_path) as project, project.session() as session:
        export_qdpx(session, package)
        before = snapshot_of(session)
    copy = tmp_path / "copy.fsdb"
    with Project.create(copy) as project, project.session() as session:
        import_qdpx(session, package, actor="ruth")
    with Project.open(copy) as project, project.session() as session:
        after = snapshot_of(session)
    for name, old, new in zip(["texts", "codings", "memos", "cases", "links", "places"],
                              before, after, strict=True):
        assert old == new, name
    assert all(text.encode("utf-8") == after[0][name].encode("utf-8")
               for name, text in before[0].items())


@needs_interop
def test_qdpx_export_validates_against_the_refi_schema(demo_path, tmp_path):
    package = tmp_path / "demo.qdpx"
    with Project.open(demo_path) as project, project.session() as session:
        export_qdpx(session, package)
    schema = etree.XMLSchema(etree.parse(str(INTEROP / "xsd" / "Project.xsd")))
    assert schema.validate(etree.ElementTree(qde(package))), schema.error_log


def write_package(path: Path, xml: str | None, files: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as package:
        if xml is not None:
            package.writestr("project.qde", xml)
        for name, data in (files or {}).items():
            package.writestr(name, data)
    return path


PROJECT = '<Project xmlns="urn:QDA-XML:project:1.0" name="bad">{}</Project>'
SOURCE = ('<Sources><TextSource guid="44444444-4444-4444-8444-444444444444" name="t" '
          'plainTextPath="internal://t.txt">{}</TextSource></Sources>')
CODES = ('<CodeBook><Codes><Code guid="22222222-2222-4222-8222-222222222222" name="A" '
         'isCodable="true"/></Codes></CodeBook>')
SELECTION = ('<PlainTextSelection guid="55555555-5555-4555-8555-555555555555" '
             'startPosition="{}" endPosition="{}"><Coding guid="66666666-6666-4666-8666-'
             '666666666666"><CodeRef targetGUID="22222222-2222-4222-8222-222222222222"/>'
             '</Coding></PlainTextSelection>')

BAD = {
    "not a zip": (None, r"^bad.qdpx: not a REFI-QDA project: not a zip archive"),
    "no project.qde": ("", r"^bad.qdpx: not a REFI-QDA project: no project.qde"),
    "broken XML": ("<Project", r"^bad.qdpx: project.qde is not well-formed XML"),
    "wrong root": ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>',
                   r"^bad.qdpx: project.qde's root is CodeBook"),
    "missing attribute": (PROJECT.format('<CodeBook><Codes><Code guid="22222222-2222-4222-8222-'
                                         '222222222222" isCodable="true"/></Codes></CodeBook>'),
                          r"^bad.qdpx, line 1: <Code> lacks the required attribute 'name' "
                          r"\(fails the schema\)"),
    "bad GUID": (PROJECT.format('<Users><User guid="not-a-guid"/></Users>'),
                 r"'not-a-guid' is not a GUID \(fails the schema\)"),
    "duplicate GUID": (PROJECT.format(
        '<Users><User guid="11111111-1111-4111-8111-111111111111"/></Users>'
        '<CodeBook><Codes><Code guid="11111111-1111-4111-8111-111111111111" name="A" '
        'isCodable="true"/></Codes></CodeBook>'),
        r"GUID 11111111-1111-4111-8111-111111111111 is used twice"),
    "outside its source": (PROJECT.format(CODES + SOURCE.format(SELECTION.format(2, 99))),
                           r"selection 55555555-5555-4555-8555-555555555555 \(2-99\) points "
                           r"outside source 't' \(0-11\)"),
    "unknown code": (PROJECT.format(SOURCE.format(SELECTION.format(0, 4))),
                     r"a coding refers to code 22222222-2222-4222-8222-222222222222"),
    "missing text": (PROJECT.format(CODES + SOURCE.format("").replace("t.txt", "gone.txt")),
                     r"the text of source 't' is missing"),
}


@pytest.mark.parametrize("case", BAD)
def test_qdpx_bad_packages_change_nothing(project_path, tmp_path, snapshot, case):
    xml, message = BAD[case]
    path = tmp_path / "bad.qdpx"
    if case == "not a zip":
        path.write_bytes(b"this is not a zip")
    elif case == "no project.qde":
        write_package(path, None, {"readme.txt": b"hello"})
    else:
        write_package(path, xml, {"sources/t.txt": b"Hello world"})
    before = snapshot(project_path)
    with pytest.raises(CorruptFile, match=message):
        with Project.open(project_path) as project, project.session() as session:
            import_qdpx(session, path, actor="ruth")
    assert snapshot(project_path) == before


def test_qdpx_cli(fs, tmp_path, data_dir):
    path = tmp_path / "s.fsdb"
    fs("init", path)
    assert fs("import-qdpx", path, data_dir / "qdpx" / "spec-style.qdpx")[1].splitlines()[0] == (
        "imported 1 sources, 2 codes, 1 codings by 1 coders, 4 notes, 1 cases, 1 sets")
    out = tmp_path / "out.qdpx"
    assert fs("export-qdpx", path, out)[1] == (
        f"wrote {out}: 1 sources, 2 codes, 1 codings, 4 notes\n")
    assert fs("import-qdpx", path, tmp_path / "none.qdpx")[0] == 1


def test_qdpx_other_source_kinds_are_reported_and_skipped(session, tmp_path):
    xml = PROJECT.format(CODES + SOURCE.format("").replace(
        "</Sources>", '<PDFSource guid="77777777-7777-4777-8777-777777777777" name="scan"/>'
                      '<PictureSource guid="88888888-8888-4888-8888-888888888888" name="photo"/>'
                      "</Sources>"))
    summary = import_qdpx(session, write_package(tmp_path / "mixed.qdpx", xml,
                                                 {"sources/t.txt": b"Hello world"}),
                          actor="ruth")
    assert summary.sources == 1
    assert summary.skipped == ["PictureSource photo (only text sources are imported)",
                               "PDFSource scan (only text sources are imported)"]


# ------------------------------------------------- what an import keeps for the next export

REAL = ["nvivo-win12-oltas0517.qdpx", "nvivo-mac15-qcproject.qdpx", "maxqda24-icls-themes.qdpx",
        "atlasti23-ponte-target.qdpx", "qc-cproctor-demo.qdpx"]


def package_text(path: Path, source: etree._Element) -> str:
    plain = (source.get("plainTextPath") or "").replace("internal://", "").lower()
    with zipfile.ZipFile(path) as package:
        member = next(n for n in package.namelist()
                      if n.lower().rsplit("/", 1)[-1] == plain.rsplit("/", 1)[-1])
        return package.read(member).decode("utf-8-sig")


def in_stored_text(raw: str, position: int, unit: str) -> int:
    """A file position as a code point of the text with ``\\n`` line ends."""
    prefix = (raw.encode("utf-16-le")[:2 * position].decode("utf-16-le") if unit == "utf16"
              else raw[:position])
    return len(prefix.replace("\r\n", "\n"))


def codings_of(path: Path, unit: str = "codepoint") -> set[tuple]:
    """(source, selection, code, start, end, user, date) of every coding in a package."""
    found = set()
    for source in qde(path).iter(f"{Q}TextSource"):
        raw = package_text(path, source) if source.find(f"{Q}PlainTextSelection") is not None \
            else ""
        for selection in source.iter(f"{Q}PlainTextSelection"):
            start, end = (in_stored_text(raw, int(selection.get(p)), unit)
                          for p in ("startPosition", "endPosition"))
            for coding in selection.iter(f"{Q}Coding"):
                user = coding.get("creatingUser") or selection.get("creatingUser")
                found.add(tuple(v.lower() if v else v for v in (
                    source.get("guid"), selection.get("guid"),
                    coding.find(f"{Q}CodeRef").get("targetGUID"))) + (
                    start, end, user.lower() if user else None, coding.get("creationDateTime")))
    return found


def descriptions_of(path: Path) -> dict[str, str]:
    """The descriptions of codes, sources and selections (variables carry vocabularies)."""
    return {element.getparent().get("guid").lower(): element.text
            for element in qde(path).iter(f"{Q}Description")
            if element.text and element.getparent().tag != f"{Q}Variable"}


def raw_descriptions(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as package:
        data = package.read(next(n for n in package.namelist() if n.lower() == "project.qde"))
    return sorted(text for text in re.findall(rb"<Description>(.*?)</Description>", data, re.S)
                  if not text.startswith(b"framesynth vocabulary:"))


def users_of(path: Path) -> set[tuple[str, str]]:
    return {(u.get("guid").lower(), u.get("name")) for u in qde(path).iter(f"{Q}User")}


@needs_interop
@pytest.mark.parametrize("name", REAL)
def test_qdpx_real_files_come_back_with_their_guids_users_dates_and_descriptions(
        fs, tmp_path, name):
    original = INTEROP / name
    copy, exported = tmp_path / "copy.fsdb", tmp_path / "again.qdpx"
    assert fs("init", copy)[0] == 0
    assert fs("import-qdpx", copy, original)[0] == 0
    assert fs("export-qdpx", copy, exported)[0] == 0
    unit = "utf16" if name.startswith("nvivo-win") else "codepoint"
    assert codings_of(exported) == codings_of(original, unit)
    assert descriptions_of(exported) == descriptions_of(original)
    assert raw_descriptions(exported) == raw_descriptions(original)
    assert users_of(original) <= users_of(exported)
    assert {s.get("guid").lower() for s in qde(original).iter(f"{Q}TextSource")} == {
        s.get("guid") for s in qde(exported).iter(f"{Q}TextSource")}
    assert [c.get("guid").lower() for c in qde(original).iter(f"{Q}Code")] == [
        c.get("guid") for c in qde(exported).iter(f"{Q}Code")]
    schema = etree.XMLSchema(etree.parse(str(INTEROP / "xsd" / "Project.xsd")))
    assert schema.validate(etree.ElementTree(qde(exported))), schema.error_log


@needs_interop
def test_qdpx_nvivo_dates_and_users_land_in_the_store(session):
    import_qdpx(session, INTEROP / "nvivo-win12-oltas0517.qdpx", actor="ruth")
    coding = session.scalar(select(Coding).where(
        Coding.guid == "da50c6de-cd58-40da-a7e3-be4b82d7f00c"))
    assert (coding.coder, coding.created_at.isoformat()) == ("Gergo", "2025-06-18T02:06:50")
    assert get_setting(session, "refi.users") == {
        "Gergo": "29518289-d0e3-447b-b7dd-ae1d8cd880a0",
        "floriansipos": "eaac2cd0-f7f0-415a-abdd-ae1d8f6762de"}
    assert session.scalar(select(Source).where(Source.name == "videos_10_selected")).guid == (
        "68bbdc14-c361-4432-b4dd-ae1dbfc12890")


# ------------------------------------------------------------ the study's vocabulary


def vocabulary_of(session, name: str) -> tuple:
    vocabulary = session.get(Vocabulary, name)
    return (vocabulary.label, vocabulary.ordered, vocabulary.closed,
            [(t.term, t.label, t.aliases) for t in vocabulary.terms])


def study_cases(session) -> list[tuple]:
    orgs = [("organisation", o.key, o.name, o.sector) for o in session.scalars(
        select(Organisation).order_by(Organisation.key))]
    links = [("partnership", p.key, p.organisation_a.key, p.organisation_b.key, p.formality,
              p.depth) for p in session.scalars(select(Partnership).order_by(Partnership.key))]
    return orgs + links


def test_qdpx_custom_vocabulary_and_its_values_round_trip(tmp_path):
    first, package, second = tmp_path / "a.fsdb", tmp_path / "a.qdpx", tmp_path / "b.fsdb"
    with Project.create(first, template="blank") as project, project.session() as session:
        define_vocabulary(session, "sector", ["public", "private", "academic"], closed=True)
        define_vocabulary(session, "depth", ["1", "2", "3", "4", "5"], label="Depth of work",
                          ordered=True, labels={"1": "Nominal", "5": "Integrated"},
                          aliases={"5": ["full", "merged"]})
        council = Organisation(key="council", name="Riverside Council", sector="public")
        firm = Organisation(key="firm", name="Lark & Co", sector="private")
        college = Organisation(key="college", name="Fenwick College", sector="academic")
        link = Partnership(key="p1", name="Council + College", organisation_a=council,
                           organisation_b=college, formality="formal", depth="4")
        session.add_all([Case(kind="organisation", name=o.key, organisation=o)
                         for o in (council, firm, college)]
                        + [Case(kind="partnership", name="p1", partnership=link)])
        session.flush()
        before = [vocabulary_of(session, "sector"), vocabulary_of(session, "depth")]
        cases_before = study_cases(session)
        export_qdpx(session, package)
    variables = {v.get("name"): v for v in qde(package).iter(f"{Q}Variable")}
    assert variables["depth"].findtext(f"{Q}Description") == (
        "framesynth vocabulary: depth\nLabel: Depth of work\nOrdered: yes\nClosed: yes\n"
        "Terms:\n- 1 = Nominal\n- 2 = 2\n- 3 = 3\n- 4 = 4\n- 5 = Integrated (aliases: full; merged)")
    depth_guid = variables["depth"].get("guid")
    values = [v.findtext(f"{Q}TextValue") for v in qde(package).iter(f"{Q}VariableValue")
              if v.find(f"{Q}VariableRef").get("targetGUID") == depth_guid]
    assert values == ["4"]
    with Project.create(second) as project, project.session() as session:
        summary = import_qdpx(session, package, actor="ruth")
        assert summary.vocabularies == 2
    with Project.open(second) as project, project.session() as session:
        assert [vocabulary_of(session, "sector"), vocabulary_of(session, "depth")] == before
        assert terms(session, "sector") == ["public", "private", "academic"]
        assert study_cases(session) == cases_before
    schema = etree.XMLSchema(etree.parse(str(INTEROP / "xsd" / "Project.xsd")))
    assert schema.validate(etree.ElementTree(qde(package))), schema.error_log


def test_qdpx_a_value_outside_a_closed_vocabulary_changes_nothing(tmp_path, project_path,
                                                                  snapshot):
    source, package = tmp_path / "a.fsdb", tmp_path / "a.qdpx"
    with Project.create(source, template="blank") as project, project.session() as session:
        define_vocabulary(session, "sector", ["public", "private"], closed=True)
        org = Organisation(key="lab", name="Lab", sector="academic")  # not a term
        session.add(Case(kind="organisation", name="lab", organisation=org))
        session.flush()
        export_qdpx(session, package)
    before = snapshot(project_path)
    with pytest.raises(CorruptFile, match=r"^a.qdpx: case 'lab': sector 'academic' is not "
                                          r"one of: public, private \[FS401\]$"):
        with Project.open(project_path) as project, project.session() as session:
            import_qdpx(session, package, actor="ruth")
    assert snapshot(project_path) == before


# ---------------------------------------------------------------- retired codes


def test_qdpx_retired_coded_codes_are_exported_and_come_back_retired(coded, tmp_path):
    code = find_code(coded, "Access/Waiting lists")
    apply_code(coded, coded.scalar(select(Source)), 0, 20, code, coder="ruth")
    retire_code(coded, code, actor="ruth")
    package = tmp_path / "retired.qdpx"
    counts = export_qdpx(coded, package)
    element = next(c for c in qde(package).iter(f"{Q}Code") if c.get("guid") == code.guid)
    assert element.findtext(f"{Q}Description").endswith("\n\nRetired: yes")
    assert code.guid in {r.get("targetGUID") for r in qde(package).iter(f"{Q}CodeRef")}
    schema = etree.XMLSchema(etree.parse(str(INTEROP / "xsd" / "Project.xsd")))
    assert schema.validate(etree.ElementTree(qde(package))), schema.error_log
    copy = tmp_path / "copy.fsdb"
    with Project.create(copy) as project, project.session() as session:
        import_qdpx(session, package, actor="ruth")
        again = find_code(session, "Access/Waiting lists")
        assert (again.retired, again.guid, again.definition) == (True, code.guid,
                                                                 code.definition)
        assert session.query(Coding).filter_by(code_id=again.id).count() == counts["codings"] - (
            coded.query(Coding).filter(Coding.code_id != code.id).count())


def test_qdpx_new_codings_join_the_kept_users_and_selections(session, data_dir, tmp_path):
    import_qdpx(session, data_dir / "qdpx" / "spec-style.qdpx", actor="ruth")
    source, waiting = session.scalar(select(Source)), find_code(session, "Access/Waiting")
    kept = session.scalar(select(Coding))
    new = apply_code(session, source, 0, 5, waiting, coder="amira")
    same_span = apply_code(session, source, kept.start, kept.end, waiting, coder="ruth")
    package = tmp_path / "again.qdpx"
    export_qdpx(session, package)
    found = {(c.getparent().get("guid"), c.get("guid"), c.get("creatingUser"))
             for c in qde(package).iter(f"{Q}Coding")}
    amira, selection = "11111111-1111-4111-8111-111111111111", "88888888-8888-4888-8888-888888888888"
    assert found == {
        (selection, "88888888-8888-4888-8888-888888888889", amira),
        (stable_guid("selection", source.id, 0, 5), stable_guid("coding", new.id), amira),
        (selection, stable_guid("coding", same_span.id), stable_guid("user", "ruth"))}
    assert users_of(package) == {(amira, "amira"), (stable_guid("user", "ruth"), "ruth")}


def test_qdpx_source_and_selection_descriptions_come_back_exactly(session, tmp_path):
    text = "Notes on this file.&#13;\nSecond line.\n\n"
    xml = PROJECT.format(CODES + SOURCE.format(
        f"<Description>{text}</Description>" + SELECTION.format(0, 5).replace(
            'endPosition="5">', 'endPosition="5" name="hello" creationDateTime='
            '"2024-03-01T09:30:00Z"><Description>Why: a greeting.\n</Description>')))
    import_qdpx(session, write_package(tmp_path / "d.qdpx", xml, {"sources/t.txt": b"Hello world"}),
                actor="ruth")
    export_qdpx(session, tmp_path / "again.qdpx")
    root = qde(tmp_path / "again.qdpx")
    source = root.find(f"{Q}Sources/{Q}TextSource")
    selection = source.find(f"{Q}PlainTextSelection")
    assert source.findtext(f"{Q}Description") == "Notes on this file.\r\nSecond line.\n\n"
    assert (selection.get("name"), selection.get("creationDateTime"),
            selection.findtext(f"{Q}Description")) == (
        "hello", "2024-03-01T09:30:00Z", "Why: a greeting.\n")
    assert selection.find(f"{Q}Coding").get("creationDateTime") is None  # undated stays so
    assert session.scalar(select(Coding)).created_at.isoformat() == "2024-03-01T09:30:00"


def source_guids(path: Path) -> list[str]:
    return [s.get("guid") for s in qde(path).iter(f"{Q}TextSource")]


def test_qdpx_a_replaced_source_keeps_the_guid_it_was_exported_under(session, data_dir, tmp_path):
    from framesynth.familiarise.source_admin import replace_source
    from framesynth.io.importers import import_files, read_source

    import_files(session, [data_dir / "interview.txt"])
    export_qdpx(session, tmp_path / "before.qdpx")
    corrected = tmp_path / "interview.txt"
    corrected.write_text((data_dir / "interview.txt").read_text(encoding="utf-8")
                         + "\nInterviewer: Thank you.\n", encoding="utf-8")
    replace_source(session, "interview.txt", read_source(corrected), actor="ruth")
    export_qdpx(session, tmp_path / "after.qdpx")
    assert source_guids(tmp_path / "after.qdpx") == source_guids(tmp_path / "before.qdpx")
    assert len(source_guids(tmp_path / "after.qdpx")) == 1
