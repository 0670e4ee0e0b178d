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

Re-importing merges: a column the table lacks, or an empty cell, leaves the stored value
alone; only the marker ``(none)`` clears one. The summary lists every stored value the
import changed (``participant P03: role 'Project lead' -> 'Coordinator'``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
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
    "participant": {"id", "name", "role", "organisation", "pseudonym", "aliases", "team"},
    "partnership": {"id", "name", "organisation", "partner", "formality", "depth", "levels"},
    "place": {"name", "kind"},
    "source": {"name", "kind", "participants", "speakers", "interviewers"},
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
CLEAR = "(none)"
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
    """Rows applied by type, and one line per stored value the import changed."""

    counts: Counter[str] = field(default_factory=Counter)
    changes: list[str] = field(default_factory=list)


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
    log_event(session, "import_cases", actor=actor, file=path, counts=dict(applier.summary.counts),
              changes=applier.summary.changes)
    return applier.summary


def apply_profiles_to_sources(session: Session) -> None:
    """Give imported sources the kind and attributes their profile (by file name) states."""
    profiles = {p.name: p for p in session.scalars(select(SourceProfile))}
    for source in session.scalars(select(Source).where(Source.name.in_(profiles))):
        profile = profiles[source.name]
        meta = {**source.meta, **profile.attributes}
        if profile.kind:
            source.kind, meta["kind_from"] = profile.kind, "cases"
        elif meta.get("kind_from") == "cases":
            meta["kind_from"] = "speakers"  # the table's kind was cleared
        source.meta = meta


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


def find_organisation(session: Session, ref: str) -> Organisation | None:
    """The organisation whose id (key) or name is ``ref``."""
    return session.scalar(
        select(Organisation).where((Organisation.key == ref) | (Organisation.name == ref)))


def case_for(session: Session, kind: str, name: str, **link: object) -> Case:
    """The case of ``kind`` named ``name``, created (with ``link``) if there is none."""
    case = session.scalar(select(Case).where(Case.kind == kind, Case.name == name))
    if case is None:
        case = Case(kind=kind, name=name, **link)
        session.add(case)
    return case


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
        found = self._by_key(Organisation, v["id"])
        org = found or Organisation(key=v["id"], aliases=[])
        subject = None if found is None else f"organisation {org.key}"
        self._set(subject, org, "name", v["name"])
        self._set(subject, org, "sector", self._sector(row))
        self._assign(row, subject, org, "aliases", parse=split_list, cleared=[])
        self.session.add(org)
        self._set_attributes(row, self._case("organisation", org.key, organisation=org))

    def _place(self, row: CaseRow) -> None:
        name = row.values["name"]
        found = self.session.scalar(select(Place).where(Place.name == name))
        place = found or Place(name=name)
        self._assign(row, None if found is None else f"place {name}", place, "kind")
        self.session.add(place)

    def _participant(self, row: CaseRow) -> None:
        v = row.values
        found = self._by_key(Participant, v["id"])
        person = found or Participant(key=v["id"], aliases=[], team=False)
        subject = None if found is None else f"participant {person.key}"
        self._set(subject, person, "name", v["name"])
        for column in ("role", "pseudonym"):
            self._assign(row, subject, person, column)
        self._assign(row, subject, person, "aliases", parse=split_list, cleared=[])
        self._assign(row, subject, person, "team", cleared=False,
                     parse=lambda text: self._flag(row, "team", text))
        self._assign(row, subject, person, "organisation",
                     parse=lambda _: self._organisation_ref(row, "organisation"))
        self.session.add(person)
        self._set_attributes(row, self._case("participant", person.key, participant=person))

    def _partnership(self, row: CaseRow) -> None:
        v = row.values
        first = self._organisation_ref(row, "organisation")
        second = self._organisation_ref(row, "partner")
        formality = self._term(row, "formality", v["formality"])
        depth = self._term(row, "depth", v["depth"])
        listed = "" if v.get("levels", "").casefold() == CLEAR else v.get("levels")
        levels = in_order(self.session, "level",
                          [self._term(row, "level", item) for item in split_list(listed)])
        found = self._by_key(Partnership, v["id"])
        link = found or Partnership(key=v["id"], name=f"{first.name} + {second.name}")
        subject = None if found is None else f"partnership {link.key}"
        self._assign(row, subject, link, "name", cleared=f"{first.name} + {second.name}")
        link.organisation_a, link.organisation_b = first, second
        self._set(subject, link, "formality", formality)
        self._set(subject, link, "depth", depth)
        if "levels" in v:  # absent: the stored levels stay
            link.level_rows = [PartnershipLevel(level=level) for level in levels]
        self.session.add(link)
        self._set_attributes(row, self._case("partnership", link.key, partnership=link))

    def _source(self, row: CaseRow) -> None:
        name = row.values["name"]
        found = self.session.scalar(select(SourceProfile).where(SourceProfile.name == name))
        profile = found or SourceProfile(name=name, kind=None, participants=[], speakers={},
                                         attributes={}, team=[])
        subject = None if found is None else f"source {name}"
        self._assign(row, subject, profile, "kind", parse=lambda text: self._kind(row, text))
        self._assign(row, subject, profile, "participants", cleared=[],
                     parse=lambda text: self._participant_keys(row, text))
        self._assign(row, subject, profile, "speakers", cleared={},
                     parse=lambda text: self._speaker_map(row, text))
        self._assign(row, subject, profile, "interviewers", attr="team", cleared=[],
                     parse=split_list)
        attributes = dict(profile.attributes)
        for attribute, _, value in self._extra(row):
            old = attributes.pop(attribute, None)
            if value is not None:
                attributes[attribute] = value
            if subject and old != value:
                self.summary.changes.append(f"{subject}: {attribute} {shown(old)} -> {shown(value)}")
            if value is None:
                self._forget_source_attribute(name, attribute)
        profile.attributes = attributes
        self.session.add(profile)

    def _kind(self, row: CaseRow, text: str) -> str:
        kind = text.casefold().replace(" ", "_")
        if kind not in SOURCE_KINDS:
            raise self.fail(row, f"kind {text!r} is not one of: {', '.join(SOURCE_KINDS)}")
        return kind

    def _participant_keys(self, row: CaseRow, text: str) -> list[str]:
        known = set(self.session.scalars(select(Participant.key)))
        for key in split_list(text):
            if key not in known:
                raise self.fail(row, f"unknown participant {key!r} in column 'participants'")
        return split_list(text)

    def _speaker_map(self, row: CaseRow, text: str) -> dict[str, str]:
        known = set(self.session.scalars(select(Participant.key)))
        speakers = {}
        for pair in split_list(text):
            label, _, key = pair.partition("=")
            if key.strip() not in known:
                raise self.fail(row, f"speaker {pair!r} does not name a known participant "
                                "(write label=participant id)")
            speakers[label.strip()] = key.strip()
        return speakers

    def _flag(self, row: CaseRow, column: str, text: str) -> bool:
        value = _as_type("boolean", text)
        if value is None:
            raise self.fail(row, f"{text!r} in column {column!r} is not yes or no")
        return value == "true"

    def _forget_source_attribute(self, name: str, attribute: str) -> None:
        source = self.session.scalar(select(Source).where(Source.name == name))
        if source is not None and attribute in source.meta:
            source.meta = {k: v for k, v in source.meta.items() if k != attribute}

    def _assign(self, row: CaseRow, subject: str | None, target: object, column: str, *,
                attr: str | None = None, parse: Callable[[str], object] = str,
                cleared: object = None) -> None:
        """Set ``target.attr`` from the row's ``column``: absent leaves it, ``(none)`` clears."""
        text = row.values.get(column)
        if text is None:
            return
        new = cleared if text.casefold() == CLEAR else parse(text)
        self._set(subject, target, attr or column, new, label=column)

    def _set(self, subject: str | None, target: object, attr: str, new: object, *,
             label: str | None = None) -> None:
        """Store ``new``; note the change unless ``target`` is new (``subject`` None)."""
        old = getattr(target, attr)
        if old == new:
            return
        if subject:
            self.summary.changes.append(f"{subject}: {label or attr} {shown(old)} -> {shown(new)}")
        setattr(target, attr, new)

    def _project(self, row: CaseRow) -> None:
        self._set_attributes(row, self._case("project", row.values["name"]))

    def _by_key(self, model, key: str):  # type: ignore[no-untyped-def]
        return self.session.scalar(select(model).where(model.key == key))

    def _organisation_ref(self, row: CaseRow, column: str) -> Organisation:
        ref = row.values[column]
        org = find_organisation(self.session, ref)
        if org is None:
            raise self.fail(row, f"unknown organisation {ref!r} in column {column!r}")
        return org

    def _case(self, kind: str, name: str, **link: object) -> Case:
        return case_for(self.session, kind, name, **link)

    def _extra(self, row: CaseRow) -> list[tuple[str, str, str | None]]:
        """(name, type, value) for each attribute cell of the row; value None for ``(none)``."""
        reserved = RESERVED[row.values["type"]] | {"type"}
        cells: list[tuple[str, str, str | None]] = []
        for column, value in row.values.items():
            name, _, declared = column.rpartition(":")
            if not name or declared not in ATTRIBUTE_TYPES:
                name, declared = column, ""
            if name in reserved:
                continue
            if value.casefold() == CLEAR:
                cells.append((name, declared, None))
                continue
            typed = infer_attribute(value, declared or None)
            if typed is None:
                raise self.fail(row, f"{value!r} in column {column!r} is not a {declared}")
            if self.session.get(Vocabulary, name) is not None:
                typed = ("text", self._term(row, name, value))
            cells.append((name, *typed))
        return cells

    def _set_attributes(self, row: CaseRow, case: Case) -> None:
        """Add or update the row's attributes on ``case``; ``(none)`` removes one."""
        subject = None if case.id is None else f"{case.kind} {case.name}"
        current = {attribute.name: attribute for attribute in case.attributes}
        for name, kind, value in self._extra(row):
            attribute = current.get(name)
            old = attribute.value if attribute is not None else None
            if subject and old != value:
                self.summary.changes.append(f"{subject}: {name} {shown(old)} -> {shown(value)}")
            if value is None:
                if attribute is not None:
                    case.attributes.remove(attribute)
            elif attribute is None:
                case.attributes.append(CaseAttribute(name=name, type=kind, value=value))
            else:
                attribute.type, attribute.value = kind, value


def shown(value: object) -> str:
    """A stored value as a change line shows it: ``'Coordinator'``, ``(none)``, ``yes``."""
    if value is None or value == [] or value == {}:
        return CLEAR
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return repr("; ".join(str(item) for item in value))
    if isinstance(value, dict):
        return repr("; ".join(f"{k}={v}" for k, v in value.items()))
    key = getattr(value, "key", None)
    return repr(key if isinstance(key, str) else str(value))
