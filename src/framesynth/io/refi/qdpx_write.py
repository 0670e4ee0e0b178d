"""Writing a ``.qdpx``: the project, valid against REFI-QDA's Project.xsd.

See :mod:`framesynth.io.refi.qdpx` for the conventions; what an import kept (GUIDs,
users, dates, descriptions, line ends) is written back as it was.
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth import __version__
from framesynth.familiarise.vocabulary import get_setting
from framesynth.frame.framework import MAIN, CodeSpec, framework_codes
from framesynth.io.importers.media import media_folder
from framesynth.io.refi.cases import Fields, add_value, write_cases, write_variables
from framesynth.io.refi.description import compose, compose_retired, is_retired, same_fields
from framesynth.io.refi.qdpx_common import (
    DESCRIPTIONS_SETTING,
    META_KEY,
    NEWLINE_SETTING,
    NS,
    PROJECT_SETTING,
    USERS_SETTING,
    Q,
    QdpxError,
    format_datetime,
    stable_guid,
)
from framesynth.io.refi.qdpx_media import (
    media_element,
    media_file_name,
    write_time_selections,
    write_transcript,
)
from framesynth.store.models import Case, Code, Coding, Memo, Source, SourceRevision

PRIVATE_META = {META_KEY, "refi_guid", "offsets"}


def export_qdpx(session: Session, target: str | Path | IO[bytes]) -> dict[str, int]:
    """Write the project as a ``.qdpx`` package; returns counts of what it holds."""
    sources = list(session.scalars(select(Source).order_by(Source.id)))
    codings = list(session.scalars(select(Coding).where(Coding.status.is_(None))
                                   .order_by(Coding.source_id, Coding.start, Coding.id)))
    memos = list(session.scalars(select(Memo).order_by(Memo.id)))
    root, user_guid = _project(session, {c.coder for c in codings} | {m.author for m in memos})
    code_guids = _write_codebook(session, root, memos)
    note_guid = {m.id: stable_guid("note", m.id, m.title) for m in memos}
    source_fields = {s.id: _source_fields(s) for s in sources}
    variables = write_variables(session, root, list(source_fields.values()))
    first_checksum = original_checksums(session)
    source_guid = {s.id: s.guid or (s.meta or {}).get("refi_guid")
                   or stable_guid("source", first_checksum.get(s.id, s.checksum))
                   for s in sources}
    write_cases(session, root, variables, source_guid)
    media = media_folder(session) if any(s.media_file for s in sources) else None
    writer = _SourceWriter(code_guids, user_guid, note_guid, variables, media)
    files = writer.write(root, sources, codings, memos, source_guid, source_fields)
    _write_notes(root, memos, user_guid, note_guid)
    for memo in memos:
        if memo.source_id is None and memo.code_id is None:
            etree.SubElement(root, f"{Q}NoteRef", targetGUID=note_guid[memo.id])
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    if get_setting(session, NEWLINE_SETTING) == "\r\n":  # the line ends the file came with
        xml = xml.replace(b"\n", b"\r\n")
    with zipfile.ZipFile(target if not isinstance(target, Path) else str(target), "w",
                         zipfile.ZIP_DEFLATED) as package:
        package.writestr("project.qde", xml)
        for name, content in files.items():
            package.writestr(f"sources/{name}", content if isinstance(content, bytes)
                             else content.encode("utf-8"))
    return {"sources": len(sources), "codings": len(codings), "memos": len(memos),
            "codes": len(code_guids)}


def _project(session: Session, names: set[str]) -> tuple[etree._Element, dict[str, str]]:
    """The ``<Project>`` with its ``<Users>``: the ones an import kept, with their GUIDs,
    then anyone else who coded or wrote a note."""
    kept: dict[str, str] = dict(get_setting(session, USERS_SETTING, {}) or {})
    project: dict[str, str] = dict(get_setting(session, PROJECT_SETTING, {}) or {})
    if "creatingUserGUID" not in project:
        names = names | {"framesynth"}
    user_guid = dict(kept)
    for name in sorted(names - set(kept)):
        user_guid[name] = stable_guid("user", name)
    case_name = session.scalar(select(Case.name).where(Case.kind == "project"))
    root = etree.Element(f"{Q}Project", nsmap={None: NS},
                         name=case_name or project.get("name") or "framesynth project",
                         origin=f"framesynth {__version__}",
                         creatingUserGUID=project.get("creatingUserGUID")
                         or user_guid["framesynth"])
    if project.get("creationDateTime"):
        root.set("creationDateTime", project["creationDateTime"])
    if user_guid:
        users = etree.SubElement(root, f"{Q}Users")
        for user, guid in user_guid.items():
            etree.SubElement(users, f"{Q}User", guid=guid, name=user)
    return root, user_guid


def _write_codebook(session: Session, root: etree._Element, memos: list[Memo]) -> dict[int, str]:
    """Every code of the main framework, retired ones too (in place, marked
    ``Retired: yes``); returns ``{code id: guid}``."""
    codes = framework_codes(session, MAIN, retired=True)
    if not codes:
        return {}
    originals: dict[str, str] = get_setting(session, DESCRIPTIONS_SETTING, {}) or {}
    notes: dict[int, list[Memo]] = defaultdict(list)
    for memo in memos:
        if memo.code_id is not None:
            notes[memo.code_id].append(memo)
    elements: dict[int | None, etree._Element] = {
        None: etree.SubElement(etree.SubElement(root, f"{Q}CodeBook"), f"{Q}Codes")}
    for code in codes:
        element = etree.SubElement(elements[code.parent_id], f"{Q}Code", guid=code.guid,
                                   name=code.name,
                                   isCodable="true" if code.codable else "false")
        if code.colour:
            element.set("color", code.colour)
        text = _description(code, originals.get(code.guid))
        if text:
            etree.SubElement(element, f"{Q}Description").text = text
        for memo in notes.get(code.id, []):
            etree.SubElement(element, f"{Q}NoteRef",
                             targetGUID=stable_guid("note", memo.id, memo.title))
        elements[code.id] = element
    return {code.id: code.guid for code in codes}


def _description(code: Code, original: str | None) -> str:
    """The text as the file had it while the code still says the same, else composed."""
    spec = CodeSpec(code.name, code.colour, code.definition, list(code.inclusion),
                    list(code.exclusion), list(code.examples), list(code.keywords))
    if original is not None and is_retired(original) == code.retired \
            and same_fields(spec, original):
        return original
    return compose_retired(spec) if code.retired else compose(spec)


def _source_fields(source: Source) -> Fields:
    """What framesynth knows about a source beyond its text, as source variables."""
    links = "; ".join(f"{s.label}={s.participant.key}" for s in source.speakers
                      if s.participant is not None)
    fields: Fields = {"framesynth kind": ("text", source.kind)}
    if links:
        fields["framesynth speakers"] = ("text", links)
    for key, value in (source.meta or {}).items():
        if key not in PRIVATE_META and isinstance(value, str | int | float) \
                and not isinstance(value, bool) and str(value) != "":
            fields[key] = ("text", str(value))
    return fields


@dataclass
class _Selection:
    guid: str
    start: int
    end: int
    attributes: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    codings: list[Coding] = field(default_factory=list)
    memos: list[Memo] = field(default_factory=list)


class _Selections:
    """A source's selections: the ones an import kept (by GUID) and new ones by span."""

    def __init__(self, source: Source, kept: dict[str, Any]):
        self.source = source
        self.records = {r["guid"]: r for r in kept.get("selections", [])}
        self.by_coding = {g: r for r in self.records.values() for g in r["codings"]}
        self.by_span: dict[tuple[int, int], str] = {}
        for record in self.records.values():
            self.by_span.setdefault((record["start"], record["end"]), record["guid"])
        self.found: dict[str, _Selection] = {}

    def at(self, start: int, end: int, guid: str | None = None) -> _Selection:
        record = self.records.get(guid or "")
        if record is None or (record["start"], record["end"]) != (start, end):
            guid = self.by_span.get((start, end)) or stable_guid(
                "selection", self.source.id, start, end)
            self.by_span.setdefault((start, end), guid)
            record = self.records.get(guid)
        assert guid is not None
        if guid not in self.found:
            self.found[guid] = _Selection(guid, start, end, dict(
                (record or {}).get("attributes", {})), (record or {}).get("description"))
        return self.found[guid]

    def add_coding(self, coding: Coding) -> None:
        record = self.by_coding.get(coding.guid or "")
        self.at(coding.start, coding.end, record["guid"] if record else None
                ).codings.append(coding)

    def ordered(self) -> list[_Selection]:
        return sorted(self.found.values(), key=lambda s: (s.start, s.end))


class _SourceWriter:
    def __init__(self, code_guid: dict[int, str], user_guid: dict[str, str],
                 note_guid: dict[int, str], variables: dict[str, tuple[str, str]],
                 media: Path | None = None):
        self.code_guid, self.user_guid = code_guid, user_guid
        self.note_guid, self.variables = note_guid, variables
        self.media = media  # the project's media folder, where it has recordings

    def write(self, root: etree._Element, sources: list[Source], codings: list[Coding],
              memos: list[Memo], source_guid: dict[int, str],
              source_fields: dict[int, Fields]) -> dict[str, str | bytes]:
        files: dict[str, str | bytes] = {}
        if not sources:
            return files
        by_source: dict[int, list[Coding]] = defaultdict(list)
        for coding in codings:
            by_source[coding.source_id].append(coding)
        notes: dict[int, list[Memo]] = defaultdict(list)
        for memo in memos:
            if memo.source_id is not None:
                notes[memo.source_id].append(memo)
        element = etree.SubElement(root, f"{Q}Sources")
        for source in sources:
            guid = source_guid[source.id]
            if source.media_file is not None and self.media is not None:
                files |= self.media_source(element, source, guid, by_source[source.id],
                                           notes[source.id], source_fields[source.id])
                continue
            files[f"{guid}.txt"] = source.text
            self.source(element, source, guid, by_source[source.id], notes[source.id],
                        source_fields[source.id])
        return files

    def media_source(self, parent: etree._Element, source: Source, guid: str,
                     codings: list[Coding], memos: list[Memo], fields: Fields
                     ) -> dict[str, str | bytes]:
        """An AudioSource or VideoSource with its Transcript (:mod:`.qdpx_media`);
        returns the files it needs in the package."""
        assert self.media is not None and source.media_file is not None
        kept: dict[str, Any] = (source.meta or {}).get(META_KEY, {})
        attributes = dict(kept.get("attributes", {}))
        attributes.setdefault("creationDateTime", format_datetime(source.imported_at))
        element = media_element(parent, source, guid, attributes)
        if kept.get("description") is not None:
            etree.SubElement(element, f"{Q}Description").text = kept["description"] or None
        undated = set(kept.get("undated", []))
        selections = _Selections(source, kept)
        timed = [c for c in codings if c.media_start is not None]
        for coding in codings:
            if coding.media_start is None:
                selections.add_coding(coding)
        for memo in memos:
            if memo.start is not None:
                selections.at(memo.start, memo.end or memo.start).memos.append(memo)
        text = [(s.guid, s.start, s.end, s.codings, [self.note_guid[m.id] for m in s.memos])
                for s in selections.ordered()]

        def write_coding(holder: etree._Element, coding: Coding) -> None:
            self.coding(holder, coding, undated)

        transcript = write_transcript(element, source, guid, text, write_coding)
        write_time_selections(element, source, timed, write_coding)
        for memo in memos:
            if memo.start is None:
                etree.SubElement(element, f"{Q}NoteRef", targetGUID=self.note_guid[memo.id])
        for name, (_kind, value) in fields.items():
            add_value(element, self.variables[name], value)
        stored = self.media / source.media_file
        if not stored.is_file():
            raise QdpxError(f"the recording of source {source.name!r} is missing from the "
                            "media folder; copy the folder back before exporting",
                            path=stored)
        return {transcript: source.text, media_file_name(source, guid): stored.read_bytes()}

    def source(self, parent: etree._Element, source: Source, guid: str,
               codings: list[Coding], memos: list[Memo], fields: Fields) -> None:
        kept: dict[str, Any] = (source.meta or {}).get(META_KEY, {})
        attributes = {"guid": guid, "name": source.name,
                      "plainTextPath": f"internal://{guid}.txt",
                      **kept.get("attributes", {})}
        attributes.setdefault("creationDateTime", format_datetime(source.imported_at))
        element = etree.SubElement(parent, f"{Q}TextSource", attributes)
        if kept.get("description") is not None:
            etree.SubElement(element, f"{Q}Description").text = kept["description"] or None
        whole_guids, undated = set(kept.get("whole", [])), set(kept.get("undated", []))
        selections = _Selections(source, kept)
        whole = []
        for coding in codings:
            if coding.guid in whole_guids and (coding.start, coding.end) == (
                    0, len(source.text)):
                whole.append(coding)
            else:
                selections.add_coding(coding)
        for memo in memos:
            if memo.start is not None:
                selections.at(memo.start, memo.end or memo.start).memos.append(memo)
        for selection in selections.ordered():
            self.selection(element, selection, undated)
        for coding in whole:
            self.coding(element, coding, undated)
        for memo in memos:
            if memo.start is None:
                etree.SubElement(element, f"{Q}NoteRef", targetGUID=self.note_guid[memo.id])
        for name, (_kind, value) in fields.items():
            add_value(element, self.variables[name], value)

    def selection(self, parent: etree._Element, selection: _Selection, undated: set[str]
                  ) -> None:
        attributes = {"guid": selection.guid, "name": selection.attributes.get("name"),
                      "startPosition": str(selection.start),
                      "endPosition": str(selection.end), **selection.attributes}
        element = etree.SubElement(parent, f"{Q}PlainTextSelection",
                                   {k: v for k, v in attributes.items() if v is not None})
        if selection.description is not None:
            etree.SubElement(element, f"{Q}Description").text = selection.description or None
        for coding in selection.codings:
            self.coding(element, coding, undated)
        for memo in selection.memos:
            etree.SubElement(element, f"{Q}NoteRef", targetGUID=self.note_guid[memo.id])

    def coding(self, parent: etree._Element, coding: Coding, undated: set[str]) -> None:
        attributes = {"guid": coding.guid or stable_guid("coding", coding.id),
                      "creatingUser": self.user_guid[coding.coder]}
        if coding.guid not in undated:
            attributes["creationDateTime"] = format_datetime(coding.created_at)
        element = etree.SubElement(parent, f"{Q}Coding", attributes)
        etree.SubElement(element, f"{Q}CodeRef", targetGUID=self.code_guid[coding.code_id])


def _write_notes(root: etree._Element, memos: list[Memo], user_guid: dict[str, str],
                 note_guid: dict[int, str]) -> None:
    if not memos:
        return
    element = etree.SubElement(root, f"{Q}Notes")
    for memo in memos:
        note = etree.SubElement(element, f"{Q}Note", guid=note_guid[memo.id], name=memo.title,
                                creatingUser=user_guid[memo.author],
                                creationDateTime=format_datetime(memo.created_at))
        etree.SubElement(note, f"{Q}PlainTextContent").text = memo.body


def original_checksums(session: Session) -> dict[int, str]:
    """Source id -> the checksum of its first imported file, for sources replaced since:
    a corrected transcript keeps the GUID the source was first exported under."""
    rows = session.execute(select(SourceRevision.source_id, SourceRevision.checksum)
                           .order_by(SourceRevision.id.desc()))
    return {source_id: checksum for source_id, checksum in rows}
