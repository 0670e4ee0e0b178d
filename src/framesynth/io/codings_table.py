"""Codings as a table (CSV or JSON), exported and imported.

Columns: ``source,start,end,code,coder,score,text``. ``source`` is the imported file's
name, ``code`` the full path ``Theme/Sub-theme/Code`` in the shared framework, offsets
are code points (end exclusive) and ``text`` the coded snippet. On import ``score`` may
be empty, and ``text``, when given, must equal the source's text at that range (a
mismatch means the offsets follow another convention). The first bad row stops the
import and nothing is stored.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import IO, Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from framesynth.errors import CaseDataError, CorruptFile, FramesynthError, UnsupportedFormat
from framesynth.familiarise.sources import get_source
from framesynth.frame.framework import code_path, find_code
from framesynth.index.coding import apply_code, check_codable, check_range
from framesynth.io.importers.text_decoding import decode_text, read_bytes
from framesynth.store.events import log_event
from framesynth.store.models import Code, Coding, Event, Source, utcnow

COLUMNS = ["source", "start", "end", "code", "coder", "score", "text"]


class CodingRowError(CaseDataError):
    code = "FS302"


def coding_rows(session: Session, *, suggestions: bool = False) -> list[dict[str, Any]]:
    """Every person's coding (and, with ``suggestions``, pending suggestions) as rows."""
    query = select(Coding).options(selectinload(Coding.code), selectinload(Coding.source))
    query = query.where(Coding.status.is_(None) | (Coding.status == "pending")
                        if suggestions else Coding.status.is_(None))
    return [{"source": c.source.name, "start": c.start, "end": c.end, "code": code_path(c.code),
             "coder": c.coder, "score": c.score, "text": c.text}
            for c in session.scalars(query.order_by(Coding.source_id, Coding.start, Coding.id))]


def write_codings(rows: list[dict[str, Any]], target: IO[str], fmt: str) -> None:
    if fmt == "json":
        json.dump(rows, target, ensure_ascii=False, indent=2)
        target.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(target, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        raise UnsupportedFormat(f"format {fmt!r}: use csv or json")


def read_coding_rows(path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    text, _ = decode_text(read_bytes(path), path=str(path))
    if path.suffix.lower() == ".json":
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as error:
            raise CorruptFile(f"not valid JSON ({error.msg})", path=path,
                              where=f"line {error.lineno}") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise CorruptFile("expected a list of objects", path=path)
        return rows
    if path.suffix.lower() != ".csv":
        raise UnsupportedFormat("codings must be .csv or .json", path=path)
    return list(csv.DictReader(io.StringIO(text)))


def import_codings(session: Session, path: str | Path, *, actor: str) -> int:
    """Store every coding of a CSV/JSON file, all or nothing; returns how many.

    Rows are checked against sources and codes looked up once each; the new codings (a
    row equal to a stored coding, or to an earlier row, is kept once) and their ``code``
    events go in as bulk inserts."""
    rows = read_coding_rows(path)
    lookup = _Lookup(session)
    checked = [_check_row(lookup, row, path, number)
               for number, row in enumerate(rows, start=2 if str(path).endswith(".csv") else 1)]
    new = _new_codings(session, checked)
    if new:
        ids = session.scalars(insert(Coding).returning(Coding.id, sort_by_parameter_order=True),
                              new).all()
        session.execute(insert(Event), [
            {"action": "code", "actor": row["coder"], "payload": {
                "coding": coding_id, "source": lookup.names[row["source_id"]],
                "start": row["start"], "end": row["end"], "code": lookup.paths[row["code_id"]]}}
            for coding_id, row in zip(ids, new, strict=True)])
    log_event(session, "import_codings", actor=actor, file=Path(path).name, codings=len(checked))
    return len(checked)


class _Lookup:
    """Sources and codes by name, each read (and checked) once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.sources: dict[str, Source] = {}
        self.codes: dict[str, Code] = {}
        self.names: dict[int, str] = {}
        self.paths: dict[int, str] = {}

    def source(self, name: str) -> Source:
        if name not in self.sources:
            source = self.sources[name] = get_source(self.session, name)
            self.names[source.id] = source.name
        return self.sources[name]

    def code(self, path: str) -> Code:
        if path not in self.codes:
            code = find_code(self.session, path)
            check_codable(code)
            self.codes[path] = code
            self.paths[code.id] = code_path(code)
        return self.codes[path]


def _new_codings(session: Session, checked: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The checked rows not stored yet (same source, range, code and coder), as rows to
    insert, in file order."""
    wanted = {source.id for source, *_ in checked}
    seen: set[tuple[Any, ...]] = set()
    for source_id in wanted:
        seen.update(session.execute(select(Coding.source_id, Coding.start, Coding.end,
                                           Coding.code_id, Coding.coder)
                                    .where(Coding.source_id == source_id)))
    new, now = [], utcnow()
    for source, start, end, code, coder, score in checked:
        key = (source.id, start, end, code.id, coder)
        if key in seen:
            continue
        seen.add(key)
        new.append({"source_id": source.id, "start": start, "end": end, "code_id": code.id,
                    "coder": coder, "score": score, "text": source.text[start:end],
                    "created_at": now})
    return new


def _check_row(lookup: _Lookup, row: dict[str, Any], path: str | Path, number: int
               ) -> tuple[Any, ...]:
    where = f"row {number}" if str(path).endswith(".csv") else f"item {number}"
    try:
        missing = [c for c in ("source", "start", "end", "code", "coder") if row.get(c) in (None, "")]
        if missing:
            raise CodingRowError(f"column {missing[0]!r} is empty")
        source = lookup.source(str(row["source"]))
        code = lookup.code(str(row["code"]))
        start, end = _int(row["start"], "start"), _int(row["end"], "end")
        check_range(source, start, end)
        text = row.get("text")
        if text not in (None, "") and source.text[start:end] != text:
            raise CodingRowError(f"text does not match {source.name!r} at {start}-{end}")
        score = row.get("score")
        return (source, start, end, code, str(row["coder"]),
                float(score) if score not in (None, "") else None)
    except FramesynthError as error:
        raise CodingRowError(error.message, path=path, where=where) from None
    except ValueError as error:
        raise CodingRowError(str(error), path=path, where=where) from None


def _int(value: Any, column: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CodingRowError(f"{column} {value!r} is not a whole number") from None


def import_quoted_codings(session: Session, path: str | Path, *, coder: str) -> int:
    """Codings written by hand as ``source,code,quote``: each quote is found in its
    source (any whitespace between words) and coded there. All or nothing."""
    import re

    rows = read_coding_rows(path)
    found = []
    for number, row in enumerate(rows, start=2):
        try:
            source = get_source(session, row["source"])
            code = find_code(session, row["code"])
            check_codable(code)
            pattern = r"\s+".join(re.escape(word) for word in row["quote"].split())
            match = re.search(pattern, source.text) if pattern else None
            if match is None:
                raise CodingRowError(f"quote not found in {source.name!r}: {row['quote'][:50]!r}")
        except FramesynthError as error:
            raise CodingRowError(error.message, path=path, where=f"row {number}") from None
        found.append((source, match.start(), match.end(), code))
    for source, start, end, code in found:
        apply_code(session, source, start, end, code, coder=coder)
    return len(found)
