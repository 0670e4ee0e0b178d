"""What reading and writing ``.qdpx`` share: the namespace, errors, GUIDs and dates."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from framesynth.errors import CorruptFile

NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"
GUID = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                  r"[0-9a-fA-F]{12}\}?$")
EXPORT_NAMESPACE = uuid.UUID("0b7a4b52-8d0e-4c47-9b3e-62f1a4d7c6e1")
KIND_VARIABLE = "framesynth:kind"
# what an import keeps that no column holds (settings keys and the Source.meta key)
USERS_SETTING = "refi.users"
PROJECT_SETTING = "refi.project"
DESCRIPTIONS_SETTING = "refi.descriptions"
NEWLINE_SETTING = "refi.newline"
META_KEY = "refi"
# REFI attributes of a source or selection that an import keeps as they were
KEPT_ATTRIBUTES = ("name", "creatingUser", "creationDateTime", "modifyingUser",
                   "modifiedDateTime")


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
    vocabularies: int = 0
    coders: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def guid_of(value: str | None) -> str:
    """A GUID as framesynth compares and stores it: no braces, lower case."""
    return (value or "").strip("{}").lower()


def stable_guid(*parts: object) -> str:
    """The uuid5 GUID framesynth gives an item no REFI file named."""
    return str(uuid.uuid5(EXPORT_NAMESPACE, ":".join(str(p) for p in parts)))


def parse_datetime(value: str | None) -> datetime | None:
    """An ``xsd:dateTime`` as a naive UTC datetime (how the store keeps times)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def format_datetime(moment: datetime) -> str:
    """A stored (naive UTC) datetime as an ``xsd:dateTime`` ending in ``Z``."""
    return moment.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
