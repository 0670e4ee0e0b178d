"""Reading a ``.qdpx``: the package, the schema checks, and the import into a project.

See :mod:`framesynth.io.refi.qdpx` for what is imported and what an import keeps for the
next export.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.errors import CorruptFile
from framesynth.familiarise.memos import add_memo
from framesynth.familiarise.sources import ImportedSource, Recording, add_sources
from framesynth.familiarise.vocabulary import get_setting, set_setting
from framesynth.frame.framework import MAIN, CodeSpec, framework_codes, load_framework
from framesynth.frame.history import record_change
from framesynth.index.coding import apply_code, covered_span
from framesynth.io.archive import DEFAULT_LIMITS, Archive, ArchiveLimits
from framesynth.io.importers.media import media_folder, store_recording, stored_name
from framesynth.io.importers.text_decoding import decode_text, normalise_newlines
from framesynth.io.refi.cases import VariableDef, read_cases, read_variables, variable_values
from framesynth.io.refi.description import is_retired
from framesynth.io.refi.offsets import PositionMap, choose_unit
from framesynth.io.refi.qdc import codes_from_element
from framesynth.io.refi.qdpx_common import (
    DESCRIPTIONS_SETTING,
    GUID,
    KEPT_ATTRIBUTES,
    META_KEY,
    NEWLINE_SETTING,
    NS,
    PROJECT_SETTING,
    USERS_SETTING,
    Q,
    QdpxError,
    QdpxSummary,
    guid_of,
    parse_datetime,
)
from framesynth.io.refi.qdpx_media import (
    MEDIA_SOURCES,
    SELECTION,
    MediaPart,
    TimeSelection,
    read_recording,
    recording_name,
    scratch_folder,
    sync_points,
    timed_turns,
    transcript_of,
)
from framesynth.io.refi.vocabularies import parse_vocabulary, restore_vocabularies
from framesynth.io.safe_xml import safe_parser
from framesynth.store.models import Code, Coding, Source, SourceProfile, Turn

OTHER_SOURCES = ("PictureSource", "PDFSource")


class Package:
    """The zip (its members checked against ``limits``), its ``project.qde`` parsed once,
    and its source files by lower-case path."""

    def __init__(self, path: Path, limits: ArchiveLimits = DEFAULT_LIMITS):
        self.path = path
        try:
            self.archive = Archive(path, path=path, limits=limits)
        except (zipfile.BadZipFile, OSError) as error:
            raise QdpxError(f"not a REFI-QDA project: not a zip archive ({error})",
                            path=path) from None
        self.members = {name.lower(): name for name in self.archive.names()}
        self.scratch = Path(".")  # where recordings are probed, set by import_qdpx
        name = self.members.get("project.qde")
        if name is None:
            raise QdpxError("not a REFI-QDA project: no project.qde in the zip", path=path)
        self.archive.check_xml(name)
        data = self.archive.read(name)
        # XML reads every line end as \n; remember the file's, to write them back
        self.newline = "\r\n" if data.count(b"\r\n") * 2 > data.count(b"\n") else "\n"
        try:
            self.root = etree.fromstring(data, safe_parser())
        except etree.XMLSyntaxError as error:
            raise QdpxError(f"project.qde is not well-formed XML ({error})", path=path) from None
        if self.root.tag != f"{Q}Project":
            raise QdpxError(f"project.qde's root is {etree.QName(self.root).localname}, not "
                            f"Project in namespace {NS}", path=path)

    def read(self, reference: str) -> bytes | None:
        """A source file by its REFI path: ``internal://x.txt``, ``sources/x.txt`` or a
        bare file name; read boundedly."""
        name = PurePosixPath(reference.replace("internal://", "").replace("\\", "/")).name
        for candidate in (f"sources/{name}", name):
            member = self.members.get(candidate.lower())
            if member is not None:
                return self.archive.read(member)
        return None


REQUIRED = {"Project": ["name"], "User": ["guid"], "Code": ["guid", "name", "isCodable"],
            "TextSource": ["guid"], "PlainTextSelection": ["guid", "startPosition",
                                                           "endPosition"],
            "Coding": ["guid"], "CodeRef": ["targetGUID"], "Note": ["guid"],
            "Case": ["guid"], "Variable": ["guid", "name", "typeOfVariable"],
            "Set": ["guid", "name"]}


def check(root: etree._Element, path: Path) -> None:
    """The schema's rules that matter for a lossless import, with the line of each fault."""
    seen: dict[str, int] = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(Q):
            continue
        local = etree.QName(element).localname
        where = f"line {element.sourceline}"
        for attribute in REQUIRED.get(local, []):
            if element.get(attribute) is None:
                raise QdpxError(f"<{local}> lacks the required attribute {attribute!r} "
                                "(fails the schema)", path=path, where=where)
        for attribute in ("guid", "targetGUID"):
            value = element.get(attribute)
            if value is not None and not GUID.match(value):
                raise QdpxError(f"{value!r} is not a GUID (fails the schema)", path=path,
                                where=where)
        guid = guid_of(element.get("guid"))
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
class ReadCoding:
    guid: str
    code: str
    coder: str
    created: datetime | None


@dataclass
class Selection:
    guid: str
    start: int
    end: int
    codings: list[ReadCoding]
    notes: list[str]
    line: int
    attributes: dict[str, str]
    description: str | None


@dataclass
class TextSource:
    guid: str
    name: str
    raw: str
    text: str
    mapping: PositionMap
    selections: list[Selection]
    whole: list[ReadCoding]
    notes: list[str]
    variables: dict[str, str]
    checksum: str
    attributes: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    media: MediaPart | None = None  # an AudioSource or VideoSource: its recording


class _Users:
    """The file's users: coder names by GUID, and who to credit when no user is named."""

    def __init__(self, root: etree._Element):
        self.names = {guid_of(u.get("guid")): u.get("name") or u.get("id") or guid_of(
            u.get("guid")) for u in root.iterfind(f"{Q}Users/{Q}User")}
        self.default = self.names.get(guid_of(root.get("creatingUserGUID")), "imported")

    def name(self, guid: str | None, fallback: str | None = None) -> str:
        return self.names.get(guid_of(guid), fallback or self.default)


def import_qdpx(session: Session, path: str | Path, *, actor: str,
                limits: ArchiveLimits = DEFAULT_LIMITS) -> QdpxSummary:
    """Import a REFI-QDA project into this (empty-framework) project, all or nothing;
    a package beyond ``limits`` is refused before its members are read."""
    path = Path(path)
    package = Package(path, limits)
    copied: list[Path] = []
    with scratch_folder() as scratch:
        package.scratch = Path(scratch)
        try:
            return _import(session, package, path, actor, copied)
        except BaseException:
            for target in copied:  # a failed import leaves no recording behind
                target.unlink(missing_ok=True)
            raise


def _import(session: Session, package: Package, path: Path, actor: str, copied: list[Path]
            ) -> QdpxSummary:
    root = package.root
    check(root, path)
    summary = QdpxSummary()
    users = _Users(root)
    specs = _codebook(root, path, summary.notes)
    _make_coded_codable(root, specs, summary)
    variables = read_variables(root)
    sources = _text_sources(package, users, summary, variables)
    if framework_codes(session, MAIN, retired=True):
        raise QdpxError("this project already has a framework; import a .qdpx into a new "
                        "project (framesynth init)", path=path)
    vocabularies = [v for v in (parse_vocabulary(d.description) for d in variables.values())
                    if v is not None]
    restore_vocabularies(session, vocabularies)
    summary.vocabularies = len(vocabularies)
    codes = _store_codebook(session, specs, actor=actor, path=path)
    summary.codes = len(codes)
    by_guid = _store_sources(session, sources, actor=actor, copied=copied)
    notes = _notes(root, users)
    placed = _store_codings(session, sources, by_guid, codes, notes, summary, path)
    _store_time_codings(session, sources, by_guid, codes, summary, path)
    placed |= _code_notes(session, root, codes, notes)
    for note in notes:
        if note not in placed:
            _memo(session, notes, note)
    retired = _retired(root)
    for code in codes.values():
        code.retired = code.guid in retired
    summary.memos = len(notes)
    summary.cases = read_cases(session, root, variables, by_guid, path=path)
    summary.sets = _sets(root, by_guid)
    summary.sources = len(by_guid)
    summary.coders = sorted({c.coder for s in sources for sel in s.selections
                             for c in sel.codings})
    _keep_project(session, root, users, package.newline)
    return summary


def _codebook(root: etree._Element, path: Path, notes: list[str]) -> list[CodeSpec]:
    codes = root.find(f"{Q}CodeBook/{Q}Codes")
    if codes is None:
        return []
    seen: set[str] = set()
    try:
        return [codes_from_element(c, path, seen, NS, notes) for c in codes.findall(f"{Q}Code")]
    except CorruptFile as error:
        raise QdpxError(error.message, path=path, where=error.where) from None


def _make_coded_codable(root: etree._Element, specs: list[CodeSpec],
                        summary: QdpxSummary) -> None:
    coded = {guid_of(ref.get("targetGUID")) for ref in root.iter(f"{Q}CodeRef")}
    for top in specs:
        for _, spec in top.walk():
            if spec.guid in coded and not spec.codable:
                spec.codable = True
                summary.notes.append(f"code {spec.name!r} is coded, so made codable")


def _retired(root: etree._Element) -> set[str]:
    found = set()
    for element in root.iter(f"{Q}Code"):
        described = element.find(f"{Q}Description")
        if described is not None and is_retired(described.text):
            found.add(guid_of(element.get("guid")))
    return found


def _store_codebook(session: Session, specs: list[CodeSpec], *, actor: str, path: Path
                    ) -> dict[str, Code]:
    """The codes, in the file's order, GUIDs kept; ``{guid: code}``."""
    if not specs:
        return {}
    load_framework(session, specs, framework=MAIN)
    record_change(session, "import", actor=actor, framework=MAIN, file=path.name)
    return {c.guid: c for c in framework_codes(session, MAIN, retired=True)}


def _text_sources(package: Package, users: _Users, summary: QdpxSummary,
                  variables: dict[str, VariableDef]) -> list[TextSource]:
    found: list[TextSource] = []
    sources = package.root.find(f"{Q}Sources")
    if sources is None:
        return found
    for kind in OTHER_SOURCES:
        for element in sources.iterfind(f"{Q}{kind}"):
            summary.skipped.append(f"{kind} {element.get('name') or element.get('guid')} "
                                   "(only text sources are imported)")
    for element in sources:
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local == "TextSource":
            found.append(_text_source(package, element, users, summary, variables))
        elif local in MEDIA_SOURCES:
            found.append(_media_source(package, element, users, summary, variables))
    return found


def _media_source(package: Package, element: etree._Element, users: _Users,
                  summary: QdpxSummary, variables: dict[str, VariableDef]) -> TextSource:
    """An AudioSource or VideoSource: its recording, its Transcript's text, turns' times
    and selections (:mod:`.qdpx_media`)."""
    path = package.path
    guid = guid_of(element.get("guid"))
    reference = element.get("path") or element.get("currentPath") or ""
    name = element.get("name") or PurePosixPath(reference).name or guid
    data = package.read(reference) if reference else None
    if data is None:
        raise QdpxError(f"the recording of source {name!r} ({reference or 'no path'}) is "
                        "missing from the package", path=path,
                        where=f"line {element.sourceline}")
    recording = read_recording(data, recording_name(element, reference), element, path,
                               package.scratch)
    transcript = transcript_of(element)
    raw = _raw_text(package, transcript, name, summary) if transcript is not None else ""
    points = sync_points(transcript)
    selections = [] if transcript is None else [
        _transcript_selection(s, users, points, path)
        for s in transcript.iterfind(f"{Q}TranscriptSelection")]
    media = MediaPart(MEDIA_SOURCES[etree.QName(element).localname], recording,
                      times=[(p, t) for p, t in points.values() if t is not None])
    for tag in SELECTION.values():
        for selection in element.iterfind(f"{Q}{tag}"):
            media.selections.append(_time_selection(selection, users, recording, name, path))
    unit = choose_unit(raw, [(s.start, s.end) for s in selections])
    mapping = PositionMap(raw, unit)
    for selection in selections:
        if not 0 <= selection.start < selection.end <= mapping.length:
            raise QdpxError(f"selection {selection.guid} ({selection.start}-{selection.end}) "
                            f"points outside the transcript of {name!r} (0-{mapping.length})",
                            path=path, where=f"line {selection.line}")
    whole = [c for c in (_coding(c, users, None) for c in element.iterfind(f"{Q}Coding"))
             if c is not None]
    notes = [guid_of(r.get("targetGUID")) for r in element.iterfind(f"{Q}NoteRef")]
    checksum = hashlib.sha256(f"refi:{guid}:".encode() + raw.encode("utf-8")).hexdigest()
    return TextSource(guid, name, raw, normalise_newlines(raw), mapping, selections, whole,
                      notes, variable_values(element, variables), checksum,
                      _kept_attributes(element, "name", "path", "currentPath"),
                      _description(element), media)


def _transcript_selection(element: etree._Element, users: _Users,
                          points: dict[str, tuple[int, float | None]], path: Path) -> Selection:
    ends = []
    for attribute in ("fromSyncPoint", "toSyncPoint"):
        point = points.get(guid_of(element.get(attribute)))
        if point is None:
            raise QdpxError(f"transcript selection {element.get('guid')}: its {attribute} "
                            f"{element.get(attribute)!r} is no SyncPoint of its transcript",
                            path=path, where=f"line {element.sourceline}")
        ends.append(point[0])
    selection = _selection(element, users)
    selection.start, selection.end = ends
    return selection


def _time_selection(element: etree._Element, users: _Users, recording: Recording, name: str,
                    path: Path) -> TimeSelection:
    where = f"line {element.sourceline}"
    try:
        begin, end = int(element.get("begin") or ""), int(element.get("end") or "")
    except ValueError:
        raise QdpxError(f"{etree.QName(element).localname} {element.get('guid')}: begin and "
                        "end must be integers (milliseconds; fails the schema)", path=path,
                        where=where) from None
    if not 0 <= begin < end or end / 1000 > recording.duration + 0.5:
        raise QdpxError(f"selection {element.get('guid')} ({begin}-{end} ms) lies outside "
                        f"the recording of {name!r} (0-{round(recording.duration * 1000)} ms)",
                        path=path, where=where)
    user = users.name(element.get("creatingUser"))
    codings = [c for c in (_coding(c, users, user) for c in element.iterfind(f"{Q}Coding"))
               if c is not None]
    return TimeSelection(guid_of(element.get("guid")), begin / 1000,
                         min(end / 1000, recording.duration), codings,
                         element.sourceline or 0)


def _raw_text(package: Package, element: etree._Element, name: str,
              summary: QdpxSummary) -> str:
    path = package.path
    plain = element.get("plainTextPath")
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
    return raw


def _text_source(package: Package, element: etree._Element, users: _Users,
                 summary: QdpxSummary, variables: dict[str, VariableDef]) -> TextSource:
    path = package.path
    guid = guid_of(element.get("guid"))
    plain = element.get("plainTextPath")
    name = element.get("name") or (PurePosixPath(plain).stem if plain else guid)
    raw = _raw_text(package, element, name, summary)
    selections = [_selection(s, users) for s in element.iterfind(f"{Q}PlainTextSelection")]
    unit = choose_unit(raw, [(s.start, s.end) for s in selections])
    mapping = PositionMap(raw, unit)
    for selection in selections:
        if not 0 <= selection.start < selection.end <= mapping.length:
            raise QdpxError(f"selection {selection.guid} ({selection.start}-{selection.end}) "
                            f"points outside source {name!r} (0-{mapping.length})", path=path,
                            where=f"line {selection.line}")
    whole = [c for c in (_coding(c, users, None) for c in element.iterfind(f"{Q}Coding"))
             if c is not None]
    notes = [guid_of(r.get("targetGUID")) for r in element.iterfind(f"{Q}NoteRef")]
    values = variable_values(element, variables)
    described = _description(element)
    if described is not None and described.startswith("framesynth kind:"):
        values |= _described(described)  # written by framesynth before it used variables
        described = None
    checksum = hashlib.sha256(f"refi:{guid}:".encode() + raw.encode("utf-8")).hexdigest()
    return TextSource(guid, name, raw, normalise_newlines(raw), mapping, selections, whole,
                      notes, values, checksum, _kept_attributes(element, "name"), described)


def _description(element: etree._Element) -> str | None:
    described = element.find(f"{Q}Description")
    return None if described is None else (described.text or "")


def _kept_attributes(element: etree._Element, *leave: str) -> dict[str, str]:
    return {k: element.get(k) for k in KEPT_ATTRIBUTES
            if element.get(k) is not None and k not in leave}  # type: ignore[misc]


DESCRIBED = re.compile(r"^([\w: -]{1,40}): (.*)$")


def _described(text: str | None) -> dict[str, str]:
    """``key: value`` lines of a source description (how framesynth once wrote a source's
    kind, speaker links and attributes)."""
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


def _coding(element: etree._Element, users: _Users, selection_user: str | None
            ) -> ReadCoding | None:
    ref = element.find(f"{Q}CodeRef")
    if ref is None:
        return None
    return ReadCoding(guid_of(element.get("guid")), guid_of(ref.get("targetGUID")),
                      users.name(element.get("creatingUser"), selection_user),
                      parse_datetime(element.get("creationDateTime")))


def _selection(element: etree._Element, users: _Users) -> Selection:
    selection_user = users.name(element.get("creatingUser"))
    codings = [c for c in (_coding(c, users, selection_user)
                           for c in element.iterfind(f"{Q}Coding")) if c is not None]
    notes = [guid_of(r.get("targetGUID")) for r in element.iter(f"{Q}NoteRef")]
    return Selection(guid_of(element.get("guid")), int(element.get("startPosition") or 0),
                     int(element.get("endPosition") or 0), codings, notes,
                     element.sourceline or 0, _kept_attributes(element),
                     _description(element))


def _store_sources(session: Session, sources: list[TextSource], *, actor: str,
                   copied: list[Path]) -> dict[str, Source]:
    """Store the texts (kind and speaker links as framesynth wrote them); ``{guid: source}``."""
    for item in sources:
        speakers = item.variables.pop("framesynth speakers", "")
        kind = item.variables.pop("framesynth kind", None)
        if speakers or kind:
            pairs = dict(p.split("=", 1) for p in speakers.split("; ") if "=" in p)
            session.add(SourceProfile(name=item.name, kind=kind, participants=[],
                                      speakers=pairs, attributes={}))
    session.flush()
    for item in sources:
        if item.media is not None:
            folder = media_folder(session)
            existed = (folder / stored_name(item.media.recording)).exists()
            target = store_recording(folder, item.media.recording)
            item.media.stored_as = target.name
            if not existed:
                copied.append(target)
    stored = add_sources(session, [ImportedSource(
        s.name, "txt", s.text, s.checksum, meta={"offsets": s.mapping.unit, **s.variables},
        recording=s.media.recording if s.media else None,
        stored_as=s.media.stored_as if s.media else None) for s in sources], actor=actor)
    session.flush()
    for item, source in zip(sources, stored, strict=True):
        source.guid = item.guid
        if item.media is not None:
            timed_turns(session.scalars(select(Turn).where(Turn.source_id == source.id)),
                        item.media.times)
    return {s.guid: source for s, source in zip(sources, stored, strict=True)}


def _store_time_codings(session: Session, sources: list[TextSource],
                        by_guid: dict[str, Source], codes: dict[str, Code],
                        summary: QdpxSummary, path: Path) -> None:
    """Audio and video selections as codings of their time range, the span the
    transcript words it covers (``index.coding.covered_span``)."""
    for item in sources:
        if item.media is None:
            continue
        source = by_guid[item.guid]
        turns = list(session.scalars(select(Turn).where(Turn.source_id == source.id)))
        kept: dict[str, Any] = dict(source.meta.get(META_KEY, {}))
        kept.setdefault("undated", [])
        for selection in item.media.selections:
            start, end = covered_span(turns, selection.begin, selection.end)
            for read in selection.codings:
                assert isinstance(read, ReadCoding)
                _store_coding(session, source, start, end, read, None, codes, kept, path,
                              media=(selection.begin, selection.end))
                summary.codings += 1
        source.meta = {**source.meta, META_KEY: kept}


def _store_codings(session: Session, sources: list[TextSource], by_guid: dict[str, Source],
                   codes: dict[str, Code], notes: dict[str, tuple[str, str, str]],
                   summary: QdpxSummary, path: Path) -> set[str]:
    """Codings (GUIDs, coders and dates kept) and the notes on selections and sources;
    returns the notes placed. What no column holds goes to ``Source.meta['refi']``."""
    placed: set[str] = set()
    for item in sources:
        source = by_guid[item.guid]
        kept: dict[str, Any] = {"attributes": item.attributes, "selections": [],
                                "whole": [], "undated": []}
        if item.description is not None:
            kept["description"] = item.description
        for read in item.whole:
            _store_coding(session, source, 0, len(source.text), read, None, codes, kept, path)
            kept["whole"].append(read.guid)
            summary.codings += 1
        for selection in item.selections:
            start, end = item.mapping(selection.start), item.mapping(selection.end)
            held: list[str] = []
            record = {"guid": selection.guid, "start": start, "end": end,
                      "attributes": selection.attributes, "codings": held}
            if selection.description is not None:
                record["description"] = selection.description
            for read in selection.codings:
                _store_coding(session, source, start, end, read, selection, codes, kept, path)
                held.append(read.guid)
                summary.codings += 1
            kept["selections"].append(record)
            for note in selection.notes:
                _memo(session, notes, note, source=source, span=(start, end))
                placed.add(note)
        for note in item.notes:
            _memo(session, notes, note, source=source)
            placed.add(note)
        source.meta = {**source.meta, META_KEY: kept}
    return placed


def _store_coding(session: Session, source: Source, start: int, end: int, read: ReadCoding,
                  selection: Selection | None, codes: dict[str, Code], kept: dict[str, Any],
                  path: Path, media: tuple[float, float] | None = None) -> Coding:
    if read.code not in codes:
        raise QdpxError(f"a coding refers to code {read.code}, which the codebook lacks",
                        path=path)
    coding = apply_code(session, source, start, end, codes[read.code], coder=read.coder,
                        media=media)
    if coding.guid is None:
        coding.guid = read.guid
    created = read.created or parse_datetime(
        selection.attributes.get("creationDateTime") if selection else None)
    if read.created is None:
        kept["undated"].append(read.guid)
    if created is not None:
        coding.created_at = created
    return coding


def _notes(root: etree._Element, users: _Users) -> dict[str, tuple[str, str, str]]:
    found = {}
    for note in root.iterfind(f"{Q}Notes/{Q}Note"):
        content = note.find(f"{Q}PlainTextContent")
        body = (content.text if content is not None else "") or note.get("name") or "(empty)"
        found[guid_of(note.get("guid"))] = (note.get("name") or "", body,
                                            users.name(note.get("creatingUser")))
    return found


def _code_notes(session: Session, root: etree._Element, codes: dict[str, Code],
                notes: dict[str, tuple[str, str, str]]) -> set[str]:
    placed = set()
    for element in root.iter(f"{Q}Code"):
        for ref in element.iterfind(f"{Q}NoteRef"):
            note = guid_of(ref.get("targetGUID"))
            code = codes.get(guid_of(element.get("guid")))
            if note in notes and code is not None:
                _memo(session, notes, note, code=code)
                placed.add(note)
    return placed


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


def _sets(root: etree._Element, sources: dict[str, Source]) -> int:
    """Sets become a ``sets`` list on each member source (code sets are reported)."""
    count = 0
    for element in root.iterfind(f"{Q}Sets/{Q}Set"):
        count += 1
        for ref in element.iterfind(f"{Q}MemberSource"):
            source = sources.get(guid_of(ref.get("targetGUID")))
            if source is not None:
                source.meta = {**source.meta,
                               "sets": [*source.meta.get("sets", []), element.get("name")]}
    return count


def _keep_project(session: Session, root: etree._Element, users: _Users, newline: str
                  ) -> None:
    """Users (name -> GUID), the project's own attributes, the code descriptions as
    written and the file's line ends, for the next export (the ``settings`` table)."""
    known = dict(get_setting(session, USERS_SETTING, {}) or {})
    for guid, name in users.names.items():
        known.setdefault(name, guid)
    set_setting(session, USERS_SETTING, known)
    project = {k: root.get(k) for k in ("name", "creatingUserGUID", "creationDateTime")
               if root.get(k)}
    set_setting(session, PROJECT_SETTING, project)
    descriptions = {}
    for element in root.iter(f"{Q}Code"):
        text = _description(element)
        if text:
            descriptions[guid_of(element.get("guid"))] = text
    set_setting(session, DESCRIPTIONS_SETTING, descriptions)
    set_setting(session, NEWLINE_SETTING, newline)
