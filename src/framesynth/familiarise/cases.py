"""Cases data: vocabularies, organisations, participants, partnerships, places and
source profiles.

One table (CSV or XLSX, read by :mod:`framesynth.io.importers.case_table`) describes them
all, a row each, told apart by its ``type`` column. The columns are documented in
``docs/cases-table.md``; any column a type does not use becomes a typed attribute of
that row's case. Rows are applied in dependency order (vocabularies first, organisations
before the participants and partnerships that name them), re-importing updates by ``id``,
and the first bad row stops the import with an error naming the file and row. Sectors,
formality, depth, levels and attributes named after a vocabulary are terms of the
project's vocabularies (:mod:`framesynth.familiarise.vocabulary`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.errors import CaseDataError, InvalidArgument
from framesynth.familiarise.speaker_links import relink_all
from framesynth.familiarise.vocabulary import (
    define_vocabulary,
    fold,
    in_order,
    require_term,
    resolve_term,
    term_uses,
)
from framesynth.store.events import log_event
from framesynth.store.models import (
    ATTRIBUTE_TYPES,
    SOURCE_KINDS,
    Case,
    CaseAttribute,
    Organisation,
    Participant,
    Partnership,
    PartnershipLevel,
    Place,
    Source,
    SourceProfile,
    Vocabulary,
)

ROW_TYPES = ("vocabulary", "organisation", "place", "participant", "partnership", "source",
             "project")
RESERVED = {
    "vocabulary": {"name", "label", "terms", "labels", "ordered", "closed"},
    "organisation": {"id", "name", "sector", "aliases"},
    "participant": {"id", "name", "role", "organisation", "pseudonym", "aliases"},
    "partnership": {"id", "name", "organisation", "partner", "formality", "depth", "levels"},
    "place": {"name", "kind"},
    "source": {"name", "kind", "participants", "speakers"},
    "project": {"name"},
}
REQUIRED = {
    "vocabulary": ("name",),
    "organisation": ("id", "name", "sector"),
    "participant": ("id", "name"),
    "partnership": ("id", "organisation", "partner", "formality", "depth"),
    "place": ("name",),
    "source": ("name",),
    "project": ("name",),
}
LIST_SPLIT = re.compile(r"\s*[;,|]\s*")
LABEL_SPLIT = re.compile(r"\s*[;|]\s*")


@dataclass
class CaseRow:
    """One row of a cases table: its 1-based row number and its non-empty cells."""

    number: int
    values: dict[str, str]
    where: str = ""

    def label(self) -> str:
        return f"{self.where}row {self.number}"


@dataclass
class CaseImportSummary:
    counts: Counter[str] = field(default_factory=Counter)


def apply_case_rows(session: Session, rows: list[CaseRow], *, path: str,
                    actor: str = "framesynth") -> CaseImportSummary:
    """Create or update everything the rows describe; raise on the first bad row."""
    applier = _Applier(session, path)
    for row in rows:
        applier.check_type(row)
    applier.check_unique_ids(rows)
    for row_type in ROW_TYPES:
        for row in rows:
            if row.values["type"] == row_type:
                applier.apply(row_type, row)
    session.flush()
    applier.check_dropped_terms()
    apply_profiles_to_sources(session)
    relink_all(session)
    log_event(session, "import_cases", actor=actor, file=path, counts=dict(applier.summary.counts))
    return applier.summary


def apply_profiles_to_sources(session: Session) -> None:
    """Give imported sources the kind and attributes their profile (by file name) states."""
    profiles = {p.name: p for p in session.scalars(select(SourceProfile))}
    for source in session.scalars(select(Source).where(Source.name.in_(profiles))):
        profile = profiles[source.name]
        if profile.kind:
            source.kind = profile.kind
        source.meta = {**source.meta, **profile.attributes}


def infer_attribute(value: str, declared: str | None = None) -> tuple[str, str] | None:
    """``(type, canonical value)`` for a cell, or None if it does not fit ``declared``."""
    text = value.strip()
    checks = [declared] if declared else ["boolean", "number", "date", "text"]
    for kind in checks:
        canonical = _as_type(kind, text)
        if canonical is not None:
            return kind, canonical
    return None


def _as_type(kind: str, text: str) -> str | None:
    if kind == "boolean":
        lowered = text.casefold()
        if lowered in {"true", "yes", "y"}:
            return "true"
        return "false" if lowered in {"false", "no", "n"} else None
    if kind == "number":
        if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text):
            return None
        number = float(text)
        return str(int(number)) if number.is_integer() and "e" not in text.lower() else str(number)
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    return text


def split_list(value: str | None) -> list[str]:
    return [item for item in LIST_SPLIT.split(value or "") if item]


class _Applier:
    def __init__(self, session: Session, path: str):
        self.session = session
        self.path = path
        self.summary = CaseImportSummary()
        self.dropped: list[tuple[CaseRow, str, str]] = []

    def fail(self, row: CaseRow, message: str) -> CaseDataError:
        return CaseDataError(message, path=self.path, where=row.label())

    def check_type(self, row: CaseRow) -> None:
        row_type = row.values.get("type", "").casefold().strip()
        row_type = {"organization": "organisation", "org": "organisation"}.get(row_type, row_type)
        if row_type not in ROW_TYPES:
            found = row.values.get("type")
            raise self.fail(row, f"type {found!r} is not one of: {', '.join(ROW_TYPES)}"
                            if found else "the 'type' column is empty")
        row.values["type"] = row_type
        for column in REQUIRED[row_type]:
            if not row.values.get(column):
                raise self.fail(row, f"a {row_type} needs a value in column {column!r}")

    def check_unique_ids(self, rows: list[CaseRow]) -> None:
        seen: dict[tuple[str, str], CaseRow] = {}
        for row in rows:
            key = (row.values["type"], row.values.get("id") or row.values["name"])
            if key in seen:
                raise self.fail(row, f"{key[0]} {key[1]!r} is also on {seen[key].label()}")
            seen[key] = row

    def apply(self, row_type: str, row: CaseRow) -> None:
        getattr(self, f"_{row_type}")(row)
        self.summary.counts[row_type] += 1

    def check_dropped_terms(self) -> None:
        """A vocabulary row may leave out a term only if nothing stored uses it."""
        for row, name, term in self.dropped:
            uses = term_uses(self.session, name, term)
            if uses and resolve_term(self.session, name, term, add=False) is None:
                counted = ", ".join(f"{count} {what}" for what, count in uses.items())
                raise self.fail(row, f"vocabulary {name!r} leaves out {term!r}, which is "
                                f"still used ({counted})")

    def _vocabulary(self, row: CaseRow) -> None:
        v = row.values
        name = v["name"].strip()
        terms = split_list(v.get("terms"))
        labels = LABEL_SPLIT.split(v["labels"]) if v.get("labels") else []
        if labels and len(labels) != len(terms):
            raise self.fail(row, f"{len(terms)} terms but {len(labels)} labels "
                            "(separate labels with ';')")
        current = self.session.get(Vocabulary, name)
        ordered = self._yes_no(row, "ordered", current.ordered if current else False)
        closed = self._yes_no(row, "closed", current.closed if current else True)
        if closed and not terms:
            raise self.fail(row, f"a closed vocabulary {name!r} needs its terms in column 'terms'")
        if len({fold(term) for term in terms}) != len(terms):
            raise self.fail(row, f"vocabulary {name!r} lists a term twice")
        self.dropped += [(row, name, t.term) for t in (current.terms if current else ())
                         if t.term not in terms]
        define_vocabulary(self.session, name, terms, label=v.get("label"), ordered=ordered,
                          closed=closed, labels=dict(zip(terms, labels, strict=False)))

    def _yes_no(self, row: CaseRow, column: str, default: bool) -> bool:
        value = row.values.get(column)
        if value is None:
            return default
        flag = _as_type("boolean", value)
        if flag is None:
            raise self.fail(row, f"{column} {value!r} is not yes or no")
        return flag == "true"

    def _term(self, row: CaseRow, name: str, value: str) -> str:
        """The vocabulary term a cell means; a closed vocabulary refuses other values."""
        try:
            return require_term(self.session, name, value)
        except InvalidArgument as error:
            raise self.fail(row, error.message) from None

    def _sector(self, row: CaseRow) -> str:
        value = row.values["sector"]
        bare = re.sub(r"(?i)\s+sector$", "", value.strip())
        if resolve_term(self.session, "sector", value, add=False) is None and bare:
            value = bare
        return self._term(row, "sector", value)

    def _organisation(self, row: CaseRow) -> None:
        v = row.values
        sector = self._sector(row)
        org = self._by_key(Organisation, v["id"]) or Organisation(key=v["id"])
        org.name, org.sector, org.aliases = v["name"], sector, split_list(v.get("aliases"))
        self.session.add(org)
        self._set_attributes(row, self._case("organisation", org.key, organisation=org))

    def _place(self, row: CaseRow) -> None:
        name = row.values["name"]
        place = self.session.scalar(select(Place).where(Place.name == name)) or Place(name=name)
        place.kind = row.values.get("kind")
        self.session.add(place)

    def _participant(self, row: CaseRow) -> None:
        v = row.values
        person = self._by_key(Participant, v["id"]) or Participant(key=v["id"])
        person.name, person.role = v["name"], v.get("role")
        person.pseudonym, person.aliases = v.get("pseudonym"), split_list(v.get("aliases"))
        person.organisation = self._organisation_ref(row, "organisation") if v.get(
            "organisation") else None
        self.session.add(person)
        self._set_attributes(row, self._case("participant", person.key, participant=person))

    def _partnership(self, row: CaseRow) -> None:
        v = row.values
        first = self._organisation_ref(row, "organisation")
        second = self._organisation_ref(row, "partner")
        formality = self._term(row, "formality", v["formality"])
        depth = self._term(row, "depth", v["depth"])
        levels = [self._term(row, "level", item) for item in split_list(v.get("levels"))]
        levels = in_order(self.session, "level", levels)
        link = self._by_key(Partnership, v["id"]) or Partnership(key=v["id"])
        link.name = v.get("name") or f"{first.name} + {second.name}"
        link.organisation_a, link.organisation_b = first, second
        link.formality, link.depth = formality, depth
        link.level_rows = [PartnershipLevel(level=level) for level in levels]
        self.session.add(link)
        self._set_attributes(row, self._case("partnership", link.key, partnership=link))

    def _source(self, row: CaseRow) -> None:
        v = row.values
        kind = v.get("kind", "").casefold().replace(" ", "_") or None
        if kind and kind not in SOURCE_KINDS:
            raise self.fail(row, f"kind {v['kind']!r} is not one of: {', '.join(SOURCE_KINDS)}")
        participants = split_list(v.get("participants"))
        known = set(self.session.scalars(select(Participant.key)))
        for key in participants:
            if key not in known:
                raise self.fail(row, f"unknown participant {key!r} in column 'participants'")
        speakers = {}
        for pair in split_list(v.get("speakers")):
            label, _, key = pair.partition("=")
            if key.strip() not in known:
                raise self.fail(row, f"speaker {pair!r} does not name a known participant "
                                "(write label=participant id)")
            speakers[label.strip()] = key.strip()
        profile = self.session.scalar(select(SourceProfile).where(SourceProfile.name == v["name"]))
        profile = profile or SourceProfile(name=v["name"])
        profile.kind, profile.participants, profile.speakers = kind, participants, speakers
        profile.attributes = {name: value for name, _, value in self._extra(row)}
        self.session.add(profile)

    def _project(self, row: CaseRow) -> None:
        self._set_attributes(row, self._case("project", row.values["name"]))

    def _by_key(self, model, key: str):  # type: ignore[no-untyped-def]
        return self.session.scalar(select(model).where(model.key == key))

    def _organisation_ref(self, row: CaseRow, column: str) -> Organisation:
        ref = row.values[column]
        org = self.session.scalar(
            select(Organisation).where((Organisation.key == ref) | (Organisation.name == ref))
        )
        if org is None:
            raise self.fail(row, f"unknown organisation {ref!r} in column {column!r}")
        return org

    def _case(self, kind: str, name: str, **link: object) -> Case:
        case = self.session.scalar(select(Case).where(Case.kind == kind, Case.name == name))
        if case is None:
            case = Case(kind=kind, name=name, **link)
            self.session.add(case)
        return case

    def _extra(self, row: CaseRow) -> list[tuple[str, str, str]]:
        """(name, type, value) for each attribute cell of the row."""
        reserved = RESERVED[row.values["type"]] | {"type"}
        cells = []
        for column, value in row.values.items():
            name, _, declared = column.rpartition(":")
            if not name or declared not in ATTRIBUTE_TYPES:
                name, declared = column, ""
            if name in reserved:
                continue
            typed = infer_attribute(value, declared or None)
            if typed is None:
                raise self.fail(row, f"{value!r} in column {column!r} is not a {declared}")
            if self.session.get(Vocabulary, name) is not None:
                typed = ("text", self._term(row, name, value))
            cells.append((name, *typed))
        return [(name, kind, value) for name, kind, value in cells]

    def _set_attributes(self, row: CaseRow, case: Case) -> None:
        current = {attribute.name: attribute for attribute in case.attributes}
        for name, kind, value in self._extra(row):
            attribute = current.get(name)
            if attribute is None:
                case.attributes.append(CaseAttribute(name=name, type=kind, value=value))
            else:
                attribute.type, attribute.value = kind, value
