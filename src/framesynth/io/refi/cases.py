"""Cases and variables in a ``.qdpx``, written and read.

Every framesynth case is a REFI ``<Case>`` whose ``<VariableValue>``s hold what the cases
table would (a variable ``framesynth:kind`` says whether it is a participant, organisation,
partnership, place or project case). Organisations' ``sector`` and partnerships'
``formality``, ``depth`` and ``levels`` hold terms of the project's vocabularies, whose
definitions ride on the variables' Descriptions (:mod:`framesynth.io.refi.vocabularies`).
Reading a case back resolves those values against the vocabularies the file defined.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.familiarise.cases import (
    CaseRow,
    apply_case_rows,
    case_for,
    find_organisation,
    infer_attribute,
    split_list,
)
from framesynth.familiarise.speaker_links import relink_all
from framesynth.familiarise.vocabulary import describe_terms, resolve_term
from framesynth.io.refi.qdpx_common import KIND_VARIABLE, Q, QdpxError, guid_of, stable_guid
from framesynth.io.refi.vocabularies import VOCABULARY_FIELDS, project_vocabularies
from framesynth.store.models import (
    Case,
    CaseAttribute,
    Organisation,
    Partnership,
    PartnershipLevel,
    Place,
    Source,
    SourceProfile,
    Speaker,
)

VARIABLE_TYPES = {"text": "Text", "number": "Float", "boolean": "Boolean", "date": "Date"}
VALUE_ELEMENTS = {"Text": "TextValue", "Float": "FloatValue", "Boolean": "BooleanValue",
                  "Date": "DateValue", "Integer": "IntegerValue", "DateTime": "DateTimeValue"}
ATTRIBUTE_TYPE = {"Text": "text", "Float": "number", "Integer": "number",
                  "Boolean": "boolean", "Date": "date", "DateTime": "text"}
RESERVED = {"organisation": {"name", "sector", "aliases"},
            "partnership": {"name", "organisation", "partner", "formality", "depth", "levels"},
            "participant": {"name", "role", "pseudonym", "aliases", "organisation"},
            "place": {"name", "kind"}, "project": {"name"}}
Fields = dict[str, tuple[str, str]]


@dataclass(frozen=True)
class VariableDef:
    name: str
    type: str
    description: str | None


# ----------------------------------------------------------------------- writing


def case_fields(case: Case) -> Fields:
    """(type, value) of everything the cases table would hold for ``case``."""
    fields: Fields = {KIND_VARIABLE: ("text", case.kind)}
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


def place_fields(place: Place) -> Fields:
    fields = {KIND_VARIABLE: ("text", "place")}
    if place.kind:
        fields["kind"] = ("text", place.kind)
    return fields


def cases_in_order(session: Session) -> list[Case]:
    order = {"organisation": 0, "participant": 1, "partnership": 2, "project": 3}
    return sorted(session.scalars(select(Case)), key=lambda c: (order.get(c.kind, 4), c.id))


def write_variables(session: Session, root: etree._Element, extra: list[Fields]
                    ) -> dict[str, tuple[str, str]]:
    """``<Variables>``: one per case (and ``extra``: source) field, and one per vocabulary,
    described; returns ``{name: (guid, REFI type)}``."""
    found: dict[str, str] = {}
    fields = [case_fields(c) for c in cases_in_order(session)]
    fields += [place_fields(p) for p in session.scalars(select(Place).order_by(Place.id))] + extra
    for item in fields:
        for name, (kind, _) in item.items():
            found.setdefault(name, VARIABLE_TYPES[kind])
    described = project_vocabularies(session)
    for name in described:
        found.setdefault(name, "Text")
    if not found:
        return {}
    element = etree.SubElement(root, f"{Q}Variables")
    result = {}
    for name, kind in found.items():
        guid = stable_guid("variable", name)
        variable = etree.SubElement(element, f"{Q}Variable", guid=guid, name=name,
                                    typeOfVariable=kind)
        if name in described:
            etree.SubElement(variable, f"{Q}Description").text = described[name]
        result[name] = (guid, kind)
    return result


def write_cases(session: Session, root: etree._Element,
                variables: dict[str, tuple[str, str]], source_guid: dict[int, str]) -> None:
    cases = cases_in_order(session)
    places = list(session.scalars(select(Place).order_by(Place.id)))
    if not cases and not places:
        return
    speaking = defaultdict(set)
    for source_id, participant_id in session.execute(
            select(Speaker.source_id, Speaker.participant_id)):
        if participant_id is not None:
            speaking[participant_id].add(source_id)
    element = etree.SubElement(root, f"{Q}Cases")
    for case in cases:
        case_element = _case_element(element, stable_guid("case", case.id), case.name,
                                     case_fields(case), variables)
        for source_id in sorted(speaking.get(case.participant_id or -1, set())):
            etree.SubElement(case_element, f"{Q}SourceRef", targetGUID=source_guid[source_id])
    for place in places:
        _case_element(element, stable_guid("place", place.id), place.name,
                      place_fields(place), variables)


def _case_element(parent: etree._Element, guid: str, name: str, fields: Fields,
                  variables: dict[str, tuple[str, str]]) -> etree._Element:
    """A ``<Case>`` with one ``<VariableValue>`` per field."""
    case_element = etree.SubElement(parent, f"{Q}Case", guid=guid, name=name)
    for variable, (_kind, value) in fields.items():
        add_value(case_element, variables[variable], value)
    return case_element


def add_value(parent: etree._Element, variable: tuple[str, str], value: str) -> None:
    """A ``<VariableValue>`` of ``variable`` (guid, REFI type) under ``parent``."""
    variable_guid, variable_type = variable
    holder = etree.SubElement(parent, f"{Q}VariableValue")
    etree.SubElement(holder, f"{Q}VariableRef", targetGUID=variable_guid)
    etree.SubElement(holder, f"{Q}{VALUE_ELEMENTS[variable_type]}").text = \
        _typed_text(variable_type, value)


def _typed_text(variable_type: str, value: str) -> str:
    if variable_type == "Float":
        return str(float(value)) if "." not in value else value
    return value


# ----------------------------------------------------------------------- reading


def read_variables(root: etree._Element) -> dict[str, VariableDef]:
    """``{guid: VariableDef}`` of the project's ``<Variables>``."""
    found = {}
    for element in root.iterfind(f"{Q}Variables/{Q}Variable"):
        described = element.find(f"{Q}Description")
        found[guid_of(element.get("guid"))] = VariableDef(
            element.get("name") or "", element.get("typeOfVariable") or "Text",
            described.text if described is not None else None)
    return found


def variable_values(element: etree._Element, variables: dict[str, VariableDef]
                    ) -> dict[str, str]:
    """``{variable name: value text}`` of an element's ``<VariableValue>``s."""
    values = {}
    for value in element.iterfind(f"{Q}VariableValue"):
        ref = value.find(f"{Q}VariableRef")
        variable = variables.get(guid_of(ref.get("targetGUID")) if ref is not None else "")
        content = next((child.text for child in value if child.tag != f"{Q}VariableRef"), None)
        if variable is not None and variable.name and content is not None:
            values[variable.name] = content
    return values


class _CaseReader:
    """Turns ``<Case>`` elements into organisations, partnerships and cases-table rows."""

    def __init__(self, session: Session, variables: dict[str, VariableDef], path: Path):
        self.session, self.path = session, path
        self.types = {v.name: ATTRIBUTE_TYPE.get(v.type, "text") for v in variables.values()}

    def fail(self, name: str, message: str) -> QdpxError:
        return QdpxError(f"case {name!r}: {message}", path=self.path)

    def term(self, name: str, vocabulary: str, value: str) -> str:
        term = resolve_term(self.session, vocabulary, value)
        if term is None:
            raise self.fail(name, f"{VOCABULARY_FIELDS[vocabulary]} {value!r} is not one of: "
                            f"{describe_terms(self.session, vocabulary)}")
        return term

    def attributes(self, case: Case, kind: str, values: dict[str, str]) -> None:
        current = {a.name: a for a in case.attributes}
        for name, value in values.items():
            if name in RESERVED[kind]:
                continue
            typed = infer_attribute(value, self.types.get(name, "text"))
            if typed is None:
                raise self.fail(case.name, f"{value!r} of {name!r} is not a {self.types[name]}")
            attribute = current.get(name) or CaseAttribute(name=name, type="", value="")
            attribute.type, attribute.value = typed
            if name not in current:
                case.attributes.append(attribute)

    def case(self, kind: str, name: str, **link: object) -> Case:
        return case_for(self.session, kind, name, **link)

    def organisation(self, key: str, values: dict[str, str]) -> None:
        org = self.session.scalar(select(Organisation).where(Organisation.key == key))
        org = org or Organisation(key=key)
        org.name = values.get("name", key)
        org.sector = self.term(key, "sector", values.get("sector", ""))
        org.aliases = split_list(values.get("aliases"))
        self.session.add(org)
        self.attributes(self.case("organisation", key, organisation=org), "organisation",
                        values)

    def partnership(self, key: str, values: dict[str, str]) -> None:
        first, second = self.org_ref(key, values, "organisation"), self.org_ref(key, values,
                                                                               "partner")
        link = self.session.scalar(select(Partnership).where(Partnership.key == key))
        link = link or Partnership(key=key)
        link.name = values.get("name") or f"{first.name} + {second.name}"
        link.organisation_a, link.organisation_b = first, second
        link.formality = self.term(key, "formality", values.get("formality", ""))
        link.depth = self.term(key, "depth", values.get("depth", ""))
        levels = [self.term(key, "level", item) for item in split_list(values.get("levels"))]
        link.level_rows = [PartnershipLevel(level=level) for level in dict.fromkeys(levels)]
        self.session.add(link)
        self.attributes(self.case("partnership", key, partnership=link), "partnership", values)

    def org_ref(self, key: str, values: dict[str, str], column: str) -> Organisation:
        ref = values.get(column, "")
        org = find_organisation(self.session, ref)
        if org is None:
            raise self.fail(key, f"unknown organisation {ref!r} in {column!r}")
        return org

    def row(self, number: int, kind: str, name: str, values: dict[str, str]) -> CaseRow:
        row = {"type": kind}
        for column, value in values.items():
            typed = column if column in RESERVED.get(kind, set()) else \
                f"{column}:{self.types.get(column, 'text')}"
            row[typed] = value
        row["name" if kind in {"project", "place"} else "id"] = name
        if kind not in {"project", "place"}:
            row.setdefault("name", name)
        return CaseRow(number, {k: v for k, v in row.items() if v not in (None, "")}, "case ")


def read_cases(session: Session, root: etree._Element, variables: dict[str, VariableDef],
               sources: dict[str, Source], *, path: str | Path = "project.qde") -> int:
    """REFI cases become framesynth cases; ``framesynth:kind`` says which kind, else a
    participant; other variables become typed case attributes."""
    reader = _CaseReader(session, variables, Path(path))
    read: list[tuple[str, str, dict[str, str], list[str]]] = []
    for element in root.iterfind(f"{Q}Cases/{Q}Case"):
        values = variable_values(element, variables)
        kind = values.pop(KIND_VARIABLE, "participant")
        members = [sources[guid_of(r.get("targetGUID"))].name
                   for r in element.iterfind(f"{Q}SourceRef")
                   if guid_of(r.get("targetGUID")) in sources]
        read.append((kind, element.get("name") or guid_of(element.get("guid")), values,
                     members))
    for kind, name, values, _ in read:
        if kind == "organisation":
            reader.organisation(name, values)
    session.flush()
    rows = [(reader.row(n, kind, name, values), members)
            for n, (kind, name, values, members) in enumerate(read, start=1)
            if kind not in {"organisation", "partnership"}]
    if rows:
        apply_case_rows(session, [r for r, _ in rows], path=Path(path).name)
    for kind, name, values, _ in read:
        if kind == "partnership":
            reader.partnership(name, values)
    session.flush()
    _link_participants(session, rows)
    return len(read)


def _link_participants(session: Session, rows: list[tuple[CaseRow, list[str]]]) -> None:
    """A participant case's member sources get the participant in their profile."""
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
