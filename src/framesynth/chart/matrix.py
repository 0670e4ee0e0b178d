"""The framework matrix: cases by themes, each cell a summary linked to its segments.

Rows are cases (participants, organisations or partnerships), grouped and ordered by an
attribute (sector, role, depth ...). Columns are the framework's themes (a theme's cell
gathers the segments of all its sub-codes) or, for one theme, its codes: the Framework
method's "one matrix per theme". Cells hold the analyst's summary, which is a *draft*
until a person accepts or edits it; every change is logged, so a cell has a history.

Several people edit one matrix at once (the team server), so every stored cell has a
``version``, 1 when written first and one more with every change; a cell not yet written
is version 0. An editor says which version it showed (``expected_version``), and a save
over a cell someone else changed meanwhile is refused with :class:`EditConflict` (the
web page answers HTTP 409 and shows both texts) instead of silently replacing their
words. The check and the write are one statement (``UPDATE ... WHERE version = :seen``,
or an insert that does nothing when the cell exists), so of two requests racing on
PostgreSQL or SQLite exactly one wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Insert, insert, select, update
from sqlalchemy.orm import Session

from framesynth.chart.evidence import (
    CaseRow,
    Evidence,
    case_counts,
    case_rows,
    evidence_by_case,
)
from framesynth.errors import EditConflict, InvalidArgument, NotFound
from framesynth.frame.framework import code_path, find_code, framework_codes
from framesynth.index.coding import descendants
from framesynth.store.events import log_event
from framesynth.store.models import Case, Code, Event, MatrixCell, utcnow


class Quotes:
    """The segments behind a matrix's cells, read from the project on the first cell
    that asks for them (the grid itself needs only counts)."""

    def __init__(self, session: Session, rows: str, coder: str | None,
                 members: dict[int, set[int]]) -> None:
        self.session, self.rows, self.coder, self.members = session, rows, coder, members
        self._found: dict[int, list[Evidence]] | None = None

    def of(self, case_id: int, code_id: int) -> list[Evidence]:
        if self._found is None:
            self._found = evidence_by_case(self.session, self.rows, coder=self.coder)
        return [e for e in self._found.get(case_id, []) if e.code_id in self.members[code_id]]


@dataclass
class Cell:
    case_id: int
    code_id: int
    count: int = 0
    summary: str = ""
    status: str | None = None
    evidence: list[dict[str, int]] = field(default_factory=list)
    quotes: Quotes | None = field(default=None, repr=False, compare=False)
    loaded: list[Evidence] | None = field(default=None, repr=False, compare=False)
    version: int = 0  # of the stored summary; 0: none stored yet

    @property
    def segments(self) -> list[Evidence]:
        """The cell's coded segments, in coding order (read lazily)."""
        if self.loaded is None:
            self.loaded = self.quotes.of(self.case_id, self.code_id) if self.quotes else []
        return self.loaded


@dataclass
class Matrix:
    rows: list[CaseRow]
    columns: list[Code]
    cells: dict[tuple[int, int], Cell]
    group_by: str | None
    title: str

    def cell(self, row: CaseRow, column: Code) -> Cell:
        return self.cells[(row.case_id, column.id)]

    def group(self, row: CaseRow) -> str:
        return row.attributes.get(self.group_by, "(none)") if self.group_by else ""

    def to_dataframe(self, values: str = "summary") -> Any:
        """A pandas DataFrame, rows (group, case) by column names; ``values`` is
        ``summary`` or ``count``."""
        import pandas as pd

        data = [[getattr(self.cell(row, column), values) for column in self.columns]
                for row in self.rows]
        index = pd.MultiIndex.from_tuples([(self.group(r), r.label) for r in self.rows],
                                          names=[self.group_by or "group", "case"])
        return pd.DataFrame(data, index=index, columns=[c.name for c in self.columns])


def build_matrix(session: Session, *, rows: str = "participant", theme: str | None = None,
                 group_by: str | None = None, coder: str | None = None,
                 include_empty: bool = True) -> Matrix:
    """Cases by themes (or, with ``theme``, by that theme's codes)."""
    cases = case_rows(session, rows)
    if group_by is not None:
        key = group_by.casefold()
        if cases and not any(key in row.attributes for row in cases):
            known = sorted({k for row in cases for k in row.attributes})
            raise InvalidArgument(f"cannot group {rows}s by {group_by!r}; known: "
                                  f"{', '.join(known)}")
        group_by = key
        cases.sort(key=lambda r: (r.attributes.get(key, "~"), r.label))
    columns, members = _columns(session, theme)
    found = case_counts(session, rows, coder=coder)
    if not include_empty:
        cases = [row for row in cases if found.get(row.case_id)]
    stored = {(c.case_id, c.code_id): c for c in session.scalars(select(MatrixCell))}
    quotes = Quotes(session, rows, coder, members)
    cells = {}
    for row in cases:
        counts = found.get(row.case_id, {})
        for column in columns:
            count = sum(counts.get(code_id, 0) for code_id in members[column.id])
            saved = stored.get((row.case_id, column.id))
            cells[(row.case_id, column.id)] = Cell(
                row.case_id, column.id, count, saved.summary if saved else "",
                saved.status if saved else None, list(saved.evidence or []) if saved else [],
                quotes, version=saved.version if saved else 0)
    title = f"{rows}s by codes of {theme}" if theme else f"{rows}s by themes"
    return Matrix(cases, columns, cells, group_by, title)


def _columns(session: Session, theme: str | None) -> tuple[list[Code], dict[int, set[int]]]:
    if theme is None:
        columns = [c for c in framework_codes(session) if c.parent_id is None]
    else:
        parent = find_code(session, theme)
        columns = [c for c in framework_codes(session) if c.parent_id == parent.id] or [parent]
    if not columns:
        raise InvalidArgument("the framework is empty; import one first")
    members = {c.id: {c.id, *(d.id for d in descendants(c))} for c in columns}
    return columns, members


def theme_matrices(session: Session, **options: Any) -> list[Matrix]:
    """One matrix per theme, as the Framework method charts them."""
    themes = [c for c in framework_codes(session) if c.parent_id is None]
    return [build_matrix(session, theme=code_path(t), **options) for t in themes]


def _cell_row(session: Session, case_id: int, code_id: int) -> MatrixCell | None:
    """The stored cell as the database has it now (not as this session last saw it)."""
    return session.scalar(select(MatrixCell).where(MatrixCell.case_id == case_id,
                                                   MatrixCell.code_id == code_id)
                          .execution_options(populate_existing=True))


def find_case(session: Session, key: str) -> Case:
    """A case by its key (``P01``, ``ORG02``, ``PS01``) or name."""
    case = session.scalar(select(Case).where(Case.name == key))
    if case is None:
        raise NotFound(f"no case {key!r}")
    return case


ATTEMPTS = 20  # reads and writes of a cell, when others keep changing it, before giving up


def edit_cell(session: Session, case: Case, code: Code, summary: str, *, actor: str,
              status: str = "edited", evidence: list[dict[str, int]] | None = None,
              expected_version: int | None = None) -> MatrixCell:
    """Write (or replace) a cell's summary; logged with the text before and after, and
    the cell's version one more.

    ``evidence``: where a draft's sentences came from; a person's text has none.
    ``expected_version``: the version the editor showed (0: an empty cell); when the cell
    is at another version now, :class:`EditConflict` says who changed it and when, and
    nothing is changed. Without it the edit replaces whatever is stored (the terminal),
    still logging the text it replaced."""
    for _ in range(ATTEMPTS):
        cell = _cell_row(session, case.id, code.id)
        seen, before = (cell.version, cell.summary) if cell is not None else (0, "")
        if expected_version is not None and expected_version != seen:
            raise _conflict(case, code, cell, expected_version)
        values = {"summary": summary, "status": status, "evidence": evidence,
                  "updated_at": utcnow(), "updated_by": actor}
        if cell is None:
            written = _insert_if_absent(session, {"case_id": case.id, "code_id": code.id,
                                                  "version": 1, **values})
        else:
            written = session.connection().execute(
                update(MatrixCell).where(MatrixCell.id == cell.id, MatrixCell.version == seen)
                .values(version=MatrixCell.version + 1, **values)).rowcount == 1
        if written:
            break
        # someone wrote the cell between the read and the write: read it again, and
        # (with an expected version) report what they wrote
    else:
        raise EditConflict(f"{case.name} x {code_path(code)} keeps changing; try again")
    stored = _cell_row(session, case.id, code.id)
    assert stored is not None
    log_event(session, "chart.edit", actor=actor, case=case.name, code=code_path(code),
              status=status, before=before, after=summary, version=stored.version)
    return stored


def _insert_if_absent(session: Session, values: dict[str, Any]) -> bool:
    """Insert a new cell unless one for its case and code exists (written meanwhile by
    another request); whether it was inserted."""
    dialect = session.get_bind().dialect.name
    statement: Insert
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(MatrixCell).on_conflict_do_nothing()
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement = pg_insert(MatrixCell).on_conflict_do_nothing()
    else:  # no portable "do nothing": a racing insert fails on the unique constraint
        statement = insert(MatrixCell)
    statement = statement.values(values)
    if session.get_bind().dialect.insert_returning:  # psycopg's rowcount there is -1
        return session.connection().execute(statement.returning(MatrixCell.id)).first() is not None
    return session.connection().execute(statement).rowcount == 1


def _conflict(case: Case, code: Code, cell: MatrixCell | None, expected: int) -> EditConflict:
    where = f"{case.name} x {code_path(code)}"
    if cell is None:
        return EditConflict(f"{where} was removed since you opened it (you edited version "
                            f"{expected}); reload the matrix", current={
                                "summary": "", "status": None, "version": 0,
                                "updated_by": None, "updated_at": None})
    when = cell.updated_at.strftime("%Y-%m-%d %H:%M:%S")
    return EditConflict(
        f"{where} was changed by {cell.updated_by} at {when} UTC since you opened it "
        f"(now version {cell.version}, yours was {expected}); nothing was saved: compare "
        f"their text with yours and save again", current={
            "summary": cell.summary, "status": cell.status, "version": cell.version,
            "updated_by": cell.updated_by, "updated_at": cell.updated_at.isoformat()})


def accept_cell(session: Session, case: Case, code: Code, *, actor: str,
                expected_version: int | None = None) -> MatrixCell:
    """Keep a draft summary as it is, as the analyst's own.

    ``expected_version``: the version the person read; a draft someone changed since
    is not accepted unseen (:class:`EditConflict`)."""
    cell = _cell_row(session, case.id, code.id)
    if cell is None or not cell.summary:
        raise NotFound(f"no summary for {case.name} x {code_path(code)} to accept")
    return edit_cell(session, case, code, cell.summary, actor=actor, status="accepted",
                     evidence=cell.evidence,
                     expected_version=cell.version if expected_version is None
                     else expected_version)


def cell_history(session: Session, case: Case, code: Code) -> list[Event]:
    """Every change to one cell, oldest first."""
    events = session.scalars(select(Event).where(Event.action == "chart.edit")
                             .order_by(Event.id))
    path = code_path(code)
    return [e for e in events if e.payload.get("case") == case.name
            and e.payload.get("code") == path]
