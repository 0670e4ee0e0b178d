"""REFI-QDA project exchange (``.qdpx``): a zip with ``project.qde`` and the sources.

Import reads users (as coders), the codebook, text sources (their plain-text rendition;
a rich-text source whose plain text is empty is read from its .docx), selections with
their codings, notes (as memos, attached where their NoteRefs are), cases with their
variables and member sources, and sets. Other source kinds (PDF, pictures, audio, video)
are reported and skipped. Positions are mapped as :mod:`framesynth.io.refi.offsets`
describes. Everything is checked before anything is stored: a bad file changes nothing.

Export writes everything framesynth models so that the file validates against the
standard's Project.xsd and re-imports without loss: texts byte for byte (UTF-8, ``\\n``),
codings, memos and cases with all attributes (a variable ``framesynth:kind`` keeps
whether a case is a participant, organisation or partnership).
"""

from __future__ import annotations

import hashlib
import re
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path, PurePosixPath
from typing import IO

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth import __version__
from framesynth.errors import CorruptFile
from framesynth.familiarise.memos import add_memo
from framesynth.familiarise.sources import ImportedSource, add_sources
from framesynth.familiarise.speaker_links import relink_all
from framesynth.frame.framework import (
    MAIN,
    CodeSpec,
    framework_codes,
    load_framework,
    to_specs,
)
from framesynth.frame.history import record_change
from framesynth.index.coding import apply_code
from framesynth.io.importers.text_decoding import decode_text, normalise_newlines
from framesynth.io.refi.offsets import PositionMap, choose_unit
from framesynth.io.refi.qdc import code_element, codes_from_element
from framesynth.store.models import (
    Case,
    Code,
    Coding,
    Memo,
    Place,
    Source,
    SourceProfile,
)

NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"
GUID = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                  r"[0-9a-fA-F]{12}\}?$")
OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
EXPORT_NAMESPACE = uuid.UUID("0b7a4b52-8d0e-4c47-9b3e-62f1a4d7c6e1")
KIND_VARIABLE = "framesynth:kind"


class QdpxError(CorruptFile):
    code = "FS401"


@dataclass
class QdpxSummary:
    sources: int = 0
    codes: int = 0
    codings: int = 0
    memos: int = 0
    cases: int = 0
    sets: int = 0
    coders: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _guid(value: str | None) -> str:
    return (value or "").strip("{}").lower()


# ---------------------------------------------------------------- reading the package


class _Package:
    """The zip, its ``project.qde`` parsed once, and its source files by lower-case path."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise QdpxError(f"not a REFI-QDA project: not a zip archive ({error})",
                            path=path) from None
        self.members = {info.filename.lower(): info.filename for info in self.zip.infolist()}
        name = self.members.get("project.qde")
        if name is None:
            raise QdpxError("not a REFI-QDA project: no project.qde in the zip", path=path)
        try:
            with self.zip.open(name) as handle:  # streamed, parsed once
                self.root = etree.parse(handle, etree.XMLParser(resolve_entities=False,
                                                                huge_tree=True)).getroot()
        except etree.XMLSyntaxError as error:
            raise QdpxError(f"project.qde is not well-formed XML ({error})", path=path) from None
        if self.root.tag != f"{Q}Project":
            raise QdpxError(f"project.qde's root is {etree.QName(self.root).localname}, not "
                            f"Project in namespace {NS}", path=path)

    def read(self, reference: str) -> bytes | None:
        """A source file by its REFI path: ``internal://x.txt``, ``sources/x.txt`` or a
        bare file name."""
        name = PurePosixPath(reference.replace("internal://", "").replace("\\", "/")).name
        for candidate in (f"sources/{name}", name):
            member = self.members.get(candidate.lower())
            if member is not None:
                with self.zip.open(member) as handle:
                    return handle.read()
        return None


def _check(root: etree._Element, path: Path) -> None:
    """The schema's rules that matter for a lossless import, with the line of each fault."""
    required = {"Project": ["name"], "User": ["guid"], "Code": ["guid", "name", "isCodable"],
                "TextSource": ["guid"], "PlainTextSelection": ["guid", "startPosition",
                                                               "endPosition"],
                "Coding": ["guid"], "CodeRef": ["targetGUID"], "Note": ["guid"],
                "Case": ["guid"], "Variable": ["guid", "name", "typeOfVariable"],
                "Set": ["guid", "name"]}
    seen: dict[str, int] = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(Q):
            continue
        local = etree.QName(element).localname
        where = f"line {element.sourceline}"
        for attribute in required.get(local, []):
            if element.get(attribute) is None:
                raise QdpxError(f"<{local}> lacks the required attribute {attribute!r} "
                                "(fails the schema)", path=path, where=where)
        for attribute in ("guid", "targetGUID"):
            value = element.get(attribute)
            if value is not None and not GUID.match(value):
                raise QdpxError(f"{value!r} is not a GUID (fails the schema)", path=path,
                                where=where)
        guid = _guid(element.get("guid"))
        if guid and local != "VariableValue":
            if guid in seen:
                raise QdpxError(f"GUID {guid} is used twice (also on line {seen[guid]})",
                                path=path, where=where)
            seen[guid] = element.sourceline or 0
        for attribute in ("startPosition", "endPosition"):
            value = element.get(attribute)
            if value is not None and not re.fullmatch(r"-?\d+", value):
                raise QdpxError(f"{attribute} {value!r} is not an integer (fails the schema)",
                                path=path, where=where)


@dataclass
class _Selection:
    guid: str
    start: int
    end: int
    codes: list[tuple[str, str]]  # (code guid, coder)
    notes: list[str]
    line: int


@dataclass
class _TextSource:
    guid: str
    name: str
    raw: str
    text: str
    mapping: PositionMap
    selections: list[_Selection]
    whole_codes: list[tuple[str, str]]
    notes: list[str]
    variables: dict[str, str]
    checksum: str


def import_qdpx(session: Session, path: str | Path, *, actor: str) -> QdpxSummary:
    """Import a REFI-QDA project into this (empty-framework) project, all or nothing."""
    path = Path(path)
    package = _Package(path)
    root = package.root
    _check(root, path)
    summary = QdpxSummary()
    users = {_guid(u.get("guid")): u.get("name") or u.get("id") or _guid(u.get("guid"))
             for u in root.iterfind(f"{Q}Users/{Q}User")}
    default_user = users.get(_guid(root.get("creatingUserGUID")), "imported")
    specs = _codebook(root, path)
    coded = _coded_codes(root)
    for top in specs:
        for _, spec in top.walk():
            if spec.guid in coded and not spec.codable:
                spec.codable = True
                summary.notes.append(f"code {spec.name!r} is coded, so made codable")
    variables = {_guid(v.get("guid")): (v.get("name"), v.get("typeOfVariable"))
                 for v in root.iterfind(f"{Q}Variables/{Q}Variable")}
    sources = _text_sources(package, root, users, default_user, summary, variables)
    if framework_codes(session, MAIN, retired=True):
        raise QdpxError("this project already has a framework; import a .qdpx into a new "
                        "project (framesynth init)", path=path)
    codes = {}
    if specs:
        load_framework(session, specs, framework=MAIN)
        record_change(session, "import", actor=actor, framework=MAIN, file=path.name)
        codes = {c.guid: c for c in framework_codes(session, MAIN, retired=True)}
    summary.codes = len(codes)
    for item in sources:
        speakers = item.variables.pop("framesynth speakers", "")
        kind = item.variables.pop("framesynth kind", None)
        if speakers or kind:
            pairs = dict(p.split("=", 1) for p in speakers.split("; ") if "=" in p)
            session.add(SourceProfile(name=item.name, kind=kind, participants=[],
                                      speakers=pairs, attributes={}))
    session.flush()
    stored = add_sources(session, [ImportedSource(s.name, "txt", s.text, s.checksum,
                                                  meta={"refi_guid": s.guid,
                                                        "offsets": s.mapping.unit,
                                                        **s.variables})
                                   for s in sources], actor=actor)
    by_guid = {s.guid: stored_source for s, stored_source in zip(sources, stored, strict=True)}
    notes = _notes(root, users, default_user)
    placed: set[str] = set()
    for item in sources:
        source = by_guid[item.guid]
        for code_guid, coder in item.whole_codes:
            apply_code(session, source, 0, len(source.text), _code(codes, code_guid, path),
                       coder=coder)
            summary.codings += 1
        for selection in item.selections:
            start, end = item.mapping(selection.start), item.mapping(selection.end)
            for code_guid, coder in selection.codes:
                apply_code(session, source, start, end, _code(codes, code_guid, path),
                           coder=coder)
                summary.codings += 1
            for note in selection.notes:
                _memo(session, notes, note, source=source, span=(start, end))
                placed.add(note)
        for note in item.notes:
            _memo(session, notes, note, source=source)
            placed.add(note)
    for element in root.iter(f"{Q}Code"):
        for ref in element.iterfind(f"{Q}NoteRef"):
            note = _guid(ref.get("targetGUID"))
            code = codes.get(_guid(element.get("guid")))
            if note in notes and code is not None:
                _memo(session, notes, note, code=code)
                placed.add(note)
    for note in notes:
        if note not in placed:
            _memo(session, notes, note)
    summary.memos = len(notes)
    summary.cases = _cases(session, root, variables, by_guid)
    summary.sets = _sets(root, by_guid, codes)
    summary.sources = len(stored)
    summary.coders = sorted({c for s in sources for sel in s.selections for _, c in sel.codes})
    return summary


def _codebook(root: etree._Element, path: Path) -> list[CodeSpec]:
    codes = root.find(f"{Q}CodeBook/{Q}Codes")
    if codes is None:
        return []
    seen: set[str] = set()
    try:
        return [codes_from_element(c, path, seen, NS) for c in codes.findall(f"{Q}Code")]
    except CorruptFile as error:
        raise QdpxError(error.message, path=path, where=error.where) from None


def _coded_codes(root: etree._Element) -> set[str]:
    return {_guid(ref.get("targetGUID")) for ref in root.iter(f"{Q}CodeRef")}


def _text_sources(package: _Package, root: etree._Element, users: dict[str, str],
                  default_user: str, summary: QdpxSummary,
                  variables: dict[str, tuple[str | None, str | None]]) -> list[_TextSource]:
    found: list[_TextSource] = []
    sources = root.find(f"{Q}Sources")
    if sources is None:
        return found
    for kind in OTHER_SOURCES:
        for element in sources.iterfind(f"{Q}{kind}"):
            summary.skipped.append(f"{kind} {element.get('name') or element.get('guid')} "
                                   "(only text sources are imported)")
    for element in sources.iterfind(f"{Q}TextSource"):
        found.append(_text_source(package, element, users, default_user, summary, variables))
    return found


def _text_source(package: _Package, element: etree._Element, users: dict[str, str],
                 default_user: str, summary: QdpxSummary,
                 variables: dict[str, tuple[str | None, str | None]]) -> _TextSource:
    path = package.path
    guid = _guid(element.get("guid"))
    plain = element.get("plainTextPath")
    name = element.get("name") or (PurePosixPath(plain).stem if plain else guid)
    data = package.read(plain) if plain else None
    content = element.find(f"{Q}PlainTextContent")
    if data is not None:
        raw = _decode(data, path, name)
    elif content is not None and content.text:
        raw = content.text
    else:
        raise QdpxError(f"the text of source {name!r} is missing from the package", path=path,
                        where=f"line {element.sourceline}")
    rich = element.get("richTextPath")
    if not raw.strip() and rich and rich.lower().endswith(".docx"):
        docx_data = package.read(rich)
        if docx_data is not None:
            from framesynth.io.importers import docx as docx_reader

            raw = docx_reader.read(Path(f"{name}.docx"), docx_data).text
            summary.notes.append(f"{name}: its plain text is empty; read its .docx instead")
    if not raw.strip():
        summary.notes.append(f"source {name!r} is empty in the package; imported as empty")
    selections = [_selection(s, users, default_user)
                  for s in element.iterfind(f"{Q}PlainTextSelection")]
    unit = choose_unit(raw, [(s.start, s.end) for s in selections])
    mapping = PositionMap(raw, unit)
    for selection in selections:
        if not 0 <= selection.start < selection.end <= mapping.length:
            raise QdpxError(f"selection {selection.guid} ({selection.start}-{selection.end}) "
                            f"points outside source {name!r} (0-{mapping.length})", path=path,
                            where=f"line {selection.line}")
    whole = [(_guid(c.find(f"{Q}CodeRef").get("targetGUID")),
              users.get(_guid(c.get("creatingUser")), default_user))
             for c in element.iterfind(f"{Q}Coding") if c.find(f"{Q}CodeRef") is not None]
    notes = [_guid(r.get("targetGUID")) for r in element.iterfind(f"{Q}NoteRef")]
    values = _variable_values(element, variables)
    described = element.find(f"{Q}Description")
    values |= _described(described.text if described is not None else None)
    checksum = hashlib.sha256(f"refi:{guid}:".encode() + raw.encode("utf-8")).hexdigest()
    return _TextSource(guid, name, raw, normalise_newlines(raw), mapping, selections, whole,
                       notes, values, checksum)


DESCRIBED = re.compile(r"^([\w: -]{1,40}): (.*)$")


def _described(text: str | None) -> dict[str, str]:
    """``key: value`` lines of a source description (framesynth writes its source
    kind, speaker links and attributes there)."""
    found = {}
    for line in (text or "").splitlines():
        match = DESCRIBED.match(line.strip())
        if match:
            found[match.group(1)] = match.group(2)
    return found


def _decode(data: bytes, path: Path, name: str) -> str:
    """Text with its BOM removed and its line endings as they are (offsets count them)."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                          (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        text, _ = decode_text(data, path=f"{path.name}:{name}")
        return text


def _selection(element: etree._Element, users: dict[str, str], default_user: str
               ) -> _Selection:
    selection_user = users.get(_guid(element.get("creatingUser")), default_user)
    codes = []
    for coding in element.iterfind(f"{Q}Coding"):
        ref = coding.find(f"{Q}CodeRef")
        if ref is not None:
            codes.append((_guid(ref.get("targetGUID")),
                          users.get(_guid(coding.get("creatingUser")), selection_user)))
    notes = [_guid(r.get("targetGUID")) for r in element.iter(f"{Q}NoteRef")]
    return _Selection(_guid(element.get("guid")), int(element.get("startPosition")),
                      int(element.get("endPosition")), codes, notes, element.sourceline or 0)


def _code(codes: dict[str, Code], guid: str, path: Path) -> Code:
    if guid not in codes:
        raise QdpxError(f"a coding refers to code {guid}, which the codebook lacks", path=path)
    return codes[guid]


def _notes(root: etree._Element, users: dict[str, str], default_user: str
           ) -> dict[str, tuple[str, str, str]]:
    found = {}
    for note in root.iterfind(f"{Q}Notes/{Q}Note"):
        content = note.find(f"{Q}PlainTextContent")
        body = (content.text if content is not None else "") or note.get("name") or "(empty)"
        found[_guid(note.get("guid"))] = (note.get("name") or "", body,
                                          users.get(_guid(note.get("creatingUser")), default_user))
    return found


def _memo(session: Session, notes: dict[str, tuple[str, str, str]], guid: str, *,
          source: Source | None = None, span: tuple[int, int] | None = None,
          code: Code | None = None) -> None:
    if guid not in notes:
        return
    title, body, author = notes[guid]
    add_memo(session, body, author=author, title=title or None,
             source=source.name if source else None,
             start=span[0] if span else None, end=span[1] if span else None,
             code_id=code.id if code else None)


def _variable_values(element: etree._Element, variables: dict[str, tuple[str | None, str | None]]
                     ) -> dict[str, str]:
    values = {}
    for value in element.iterfind(f"{Q}VariableValue"):
        ref = value.find(f"{Q}VariableRef")
        name = variables.get(_guid(ref.get("targetGUID")) if ref is not None else "",
                             (None, None))[0]
        content = next((child.text for child in value if child.tag != f"{Q}VariableRef"), None)
        if name and content is not None:
            values[name] = content
    return values


def _cases(session: Session, root: etree._Element,
           variables: dict[str, tuple[str | None, str | None]], sources: dict[str, Source]
           ) -> int:
    """REFI cases become framesynth cases; ``framesynth:kind`` says which kind, else a
    participant; other variables become typed case attributes."""
    from framesynth.familiarise.cases import CaseRow, apply_case_rows

    rows: list[tuple[CaseRow, list[str]]] = []
    for number, element in enumerate(root.iterfind(f"{Q}Cases/{Q}Case"), start=1):
        values = _variable_values(element, variables)
        kind = values.pop(KIND_VARIABLE, "participant")
        name = element.get("name") or _guid(element.get("guid"))
        row = {"type": kind, **values}
        if kind in {"project", "place"}:
            row["name"] = name
        else:
            row["id"] = name
            row.setdefault("name", name)
        members = [sources[_guid(r.get("targetGUID"))].name
                   for r in element.iterfind(f"{Q}SourceRef") if _guid(r.get("targetGUID")) in sources]
        rows.append((CaseRow(number, {k: str(v) for k, v in row.items() if v not in (None, "")},
                             "case "), members))
    if not rows:
        return 0
    apply_case_rows(session, [r for r, _ in rows], path="project.qde")
    for case_row, members in rows:
        if case_row.values["type"] != "participant":
            continue
        for member in members:
            profile = session.scalar(select(SourceProfile).where(SourceProfile.name == member))
            if profile is None:
                profile = SourceProfile(name=member, participants=[], speakers={},
                                        attributes={})
                session.add(profile)
            profile.participants = [*profile.participants, case_row.values["id"]]
    session.flush()
    relink_all(session)
    return len(rows)


def _sets(root: etree._Element, sources: dict[str, Source], codes: dict[str, Code]) -> int:
    """Sets become a ``sets`` list on each member source (code sets are reported)."""
    count = 0
    for element in root.iterfind(f"{Q}Sets/{Q}Set"):
        count += 1
        for ref in element.iterfind(f"{Q}MemberSource"):
            source = sources.get(_guid(ref.get("targetGUID")))
            if source is not None:
                source.meta = {**source.meta,
                               "sets": [*source.meta.get("sets", []), element.get("name")]}
    return count


# ----------------------------------------------------------------------- writing


def _stable_guid(*parts: object) -> str:
    return str(uuid.uuid5(EXPORT_NAMESPACE, ":".join(str(p) for p in parts)))


def export_qdpx(session: Session, target: str | Path | IO[bytes]) -> dict[str, int]:
    """Write the project as a ``.qdpx`` package; returns counts of what it holds."""
    sources = list(session.scalars(select(Source).order_by(Source.id)))
    codings = list(session.scalars(select(Coding).where(Coding.status.is_(None))
                                   .order_by(Coding.source_id, Coding.start, Coding.id)))
    memos = list(session.scalars(select(Memo).order_by(Memo.id)))
    users = sorted({c.coder for c in codings} | {m.author for m in memos} | {"framesynth"})
    user_guid = {name: _stable_guid("user", name) for name in users}
    root = etree.Element(f"{Q}Project", nsmap={None: NS}, name=_project_name(session),
                         origin=f"framesynth {__version__}",
                         creatingUserGUID=user_guid["framesynth"])
    users_element = etree.SubElement(root, f"{Q}Users")
    for name in users:
        etree.SubElement(users_element, f"{Q}User", guid=user_guid[name], name=name)
    code_guids = _write_codebook(session, root, memos)
    note_guid = {m.id: _stable_guid("note", m.id, m.title) for m in memos}
    variable_guid = _write_variables(session, root)
    source_guid = {s.id: (s.meta or {}).get("refi_guid") or _stable_guid("source", s.checksum)
                   for s in sources}
    _write_cases(session, root, variable_guid, source_guid)
    files = _write_sources(root, sources, codings, memos, source_guid, code_guids, user_guid,
                           note_guid)
    _write_notes(root, memos, user_guid, note_guid)
    for memo in memos:
        if memo.source_id is None and memo.code_id is None:
            etree.SubElement(root, f"{Q}NoteRef", targetGUID=note_guid[memo.id])
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    with zipfile.ZipFile(target if not isinstance(target, Path) else str(target), "w",
                         zipfile.ZIP_DEFLATED) as package:
        package.writestr("project.qde", xml)
        for name, text in files.items():
            package.writestr(f"sources/{name}", text.encode("utf-8"))
    return {"sources": len(sources), "codings": len(codings), "memos": len(memos),
            "codes": len(code_guids)}


def _project_name(session: Session) -> str:
    return session.scalar(select(Case.name).where(Case.kind == "project")) or "framesynth project"


def _write_codebook(session: Session, root: etree._Element, memos: list[Memo]) -> dict[int, str]:
    specs = to_specs(session, MAIN)
    codes = {c.guid: c.id for c in framework_codes(session, MAIN)}
    if specs:
        book = etree.SubElement(etree.SubElement(root, f"{Q}CodeBook"), f"{Q}Codes")
        for spec in specs:
            code_element(book, spec, NS)
        notes = defaultdict(list)
        for memo in memos:
            if memo.code_id is not None:
                notes[memo.code_id].append(memo)
        for element in book.iter(f"{Q}Code"):
            code_id = codes.get(element.get("guid"))
            position = 1 if element.find(f"{Q}Description") is not None else 0
            for memo in notes.get(code_id, []):  # type: ignore[arg-type]
                ref = etree.Element(f"{Q}NoteRef",
                                    targetGUID=_stable_guid("note", memo.id, memo.title))
                element.insert(position, ref)
                position += 1
    return {code_id: guid for guid, code_id in codes.items()}


VARIABLE_TYPES = {"text": "Text", "number": "Float", "boolean": "Boolean", "date": "Date"}
VALUE_ELEMENTS = {"Text": "TextValue", "Float": "FloatValue", "Boolean": "BooleanValue",
                  "Date": "DateValue"}


def _case_fields(case: Case) -> dict[str, tuple[str, str]]:
    """(type, value) of everything the cases table would hold for ``case``."""
    fields: dict[str, tuple[str, str]] = {KIND_VARIABLE: ("text", case.kind)}
    if case.participant is not None:
        person = case.participant
        fields |= {"name": ("text", person.name), "role": ("text", person.role or ""),
                   "pseudonym": ("text", person.pseudonym or ""),
                   "aliases": ("text", "; ".join(person.aliases)),
                   "organisation": ("text", person.organisation.key
                                    if person.organisation else "")}
    elif case.organisation is not None:
        org = case.organisation
        fields |= {"name": ("text", org.name), "sector": ("text", org.sector),
                   "aliases": ("text", "; ".join(org.aliases))}
    elif case.partnership is not None:
        link = case.partnership
        fields |= {"name": ("text", link.name), "organisation": ("text", link.organisation_a.key),
                   "partner": ("text", link.organisation_b.key),
                   "formality": ("text", link.formality),
                   "depth": ("text", link.depth), "levels": ("text", "; ".join(link.levels))}
    for attribute in case.attributes:
        fields[attribute.name] = (attribute.type, attribute.value)
    return {k: v for k, v in fields.items() if v[1] != ""}


def _place_fields(place: Place) -> dict[str, tuple[str, str]]:
    fields = {KIND_VARIABLE: ("text", "place")}
    if place.kind:
        fields["kind"] = ("text", place.kind)
    return fields


def _cases_in_order(session: Session) -> list[Case]:
    order = {"organisation": 0, "participant": 1, "partnership": 2, "project": 3}
    return sorted(session.scalars(select(Case)), key=lambda c: (order[c.kind], c.id))


def _write_variables(session: Session, root: etree._Element) -> dict[str, tuple[str, str]]:
    found: dict[str, str] = {}
    fields = [_case_fields(c) for c in _cases_in_order(session)]
    fields += [_place_fields(p) for p in session.scalars(select(Place))]
    for item in fields:
        for name, (kind, _) in item.items():
            found.setdefault(name, VARIABLE_TYPES[kind])
    if not found:
        return {}
    element = etree.SubElement(root, f"{Q}Variables")
    result = {}
    for name, kind in found.items():
        guid = _stable_guid("variable", name)
        etree.SubElement(element, f"{Q}Variable", guid=guid, name=name, typeOfVariable=kind)
        result[name] = (guid, kind)
    return result


def _write_cases(session: Session, root: etree._Element,
                 variables: dict[str, tuple[str, str]], source_guid: dict[int, str]) -> None:
    cases = _cases_in_order(session)
    places = list(session.scalars(select(Place)))
    if not cases and not places:
        return
    from framesynth.store.models import Speaker

    speaking = defaultdict(set)
    for source_id, participant_id in session.execute(
            select(Speaker.source_id, Speaker.participant_id)):
        if participant_id is not None:
            speaking[participant_id].add(source_id)
    element = etree.SubElement(root, f"{Q}Cases")
    for case in cases:
        case_element = _case_element(element, _stable_guid("case", case.id), case.name,
                                     _case_fields(case), variables)
        for source_id in sorted(speaking.get(case.participant_id or -1, set())):
            etree.SubElement(case_element, f"{Q}SourceRef", targetGUID=source_guid[source_id])
    for place in places:
        _case_element(element, _stable_guid("place", place.id), place.name,
                      _place_fields(place), variables)


def _case_element(parent: etree._Element, guid: str, name: str,
                  fields: dict[str, tuple[str, str]], variables: dict[str, tuple[str, str]]
                  ) -> etree._Element:
    """A ``<Case>`` with one ``<VariableValue>`` per field."""
    case_element = etree.SubElement(parent, f"{Q}Case", guid=guid, name=name)
    for variable, (_kind, value) in fields.items():
        variable_guid, variable_type = variables[variable]
        holder = etree.SubElement(case_element, f"{Q}VariableValue")
        etree.SubElement(holder, f"{Q}VariableRef", targetGUID=variable_guid)
        etree.SubElement(holder, f"{Q}{VALUE_ELEMENTS[variable_type]}").text = \
            _typed_text(variable_type, value)
    return case_element


def _typed_text(variable_type: str, value: str) -> str:
    if variable_type == "Float":
        return str(float(value)) if "." not in value else value
    return value


def _write_sources(root: etree._Element, sources: list[Source], codings: list[Coding],
                   memos: list[Memo], source_guid: dict[int, str], code_guid: dict[int, str],
                   user_guid: dict[str, str], note_guid: dict[int, str]) -> dict[str, str]:
    files: dict[str, str] = {}
    if not sources:
        return files
    by_source: dict[int, dict[tuple[int, int], list[Coding]]] = defaultdict(
        lambda: defaultdict(list))
    for coding in codings:
        by_source[coding.source_id][(coding.start, coding.end)].append(coding)
    span_notes: dict[int, dict[tuple[int, int], list[Memo]]] = defaultdict(
        lambda: defaultdict(list))
    source_notes: dict[int, list[Memo]] = defaultdict(list)
    for memo in memos:
        if memo.source_id is not None and memo.start is not None:
            span_notes[memo.source_id][(memo.start, memo.end or memo.start)].append(memo)
        elif memo.source_id is not None:
            source_notes[memo.source_id].append(memo)
    element = etree.SubElement(root, f"{Q}Sources")
    for source in sources:
        guid = source_guid[source.id]
        files[f"{guid}.txt"] = source.text
        source_element = etree.SubElement(
            element, f"{Q}TextSource", guid=guid, name=source.name,
            plainTextPath=f"internal://{guid}.txt",
            creationDateTime=source.imported_at.replace(tzinfo=UTC).isoformat().replace(
                "+00:00", "Z"))
        described = _describe_source(source)
        if described:
            etree.SubElement(source_element, f"{Q}Description").text = described
        spans = set(by_source[source.id]) | set(span_notes[source.id])
        for start, end in sorted(spans):
            selection = etree.SubElement(
                source_element, f"{Q}PlainTextSelection",
                guid=_stable_guid("selection", source.id, start, end),
                startPosition=str(start), endPosition=str(end))
            for coding in by_source[source.id].get((start, end), []):
                coding_element = etree.SubElement(selection, f"{Q}Coding",
                                                  guid=_stable_guid("coding", coding.id),
                                                  creatingUser=user_guid[coding.coder])
                etree.SubElement(coding_element, f"{Q}CodeRef",
                                 targetGUID=code_guid[coding.code_id])
            for memo in span_notes[source.id].get((start, end), []):
                etree.SubElement(selection, f"{Q}NoteRef", targetGUID=note_guid[memo.id])
        for memo in source_notes[source.id]:
            etree.SubElement(source_element, f"{Q}NoteRef", targetGUID=note_guid[memo.id])
    return files


def _describe_source(source: Source) -> str:
    """What framesynth knows about a source beyond its text, as ``key: value`` lines."""
    links = "; ".join(f"{s.label}={s.participant.key}" for s in source.speakers
                      if s.participant is not None)
    lines = [f"framesynth kind: {source.kind}"]
    if links:
        lines.append(f"framesynth speakers: {links}")
    lines += [f"{key}: {value}" for key, value in (source.meta or {}).items()
              if key not in {"refi_guid", "offsets"} and isinstance(value, str | int | float)
              and "\n" not in str(value)]
    return "\n".join(lines)


def _write_notes(root: etree._Element, memos: list[Memo], user_guid: dict[str, str],
                 note_guid: dict[int, str]) -> None:
    if not memos:
        return
    element = etree.SubElement(root, f"{Q}Notes")
    for memo in memos:
        note = etree.SubElement(element, f"{Q}Note", guid=note_guid[memo.id], name=memo.title,
                                creatingUser=user_guid[memo.author],
                                creationDateTime=memo.created_at.replace(tzinfo=UTC)
                                .isoformat().replace("+00:00", "Z"))
        etree.SubElement(note, f"{Q}PlainTextContent").text = memo.body
