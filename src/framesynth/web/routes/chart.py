"""The framework matrix, with summaries edited in place.

The page sends the version of the cell it showed; a save over a cell someone else
changed meanwhile is HTTP 409 with the stored text in ``error.current`` (see
``chart.matrix.edit_cell``), so the page can show both and lose neither.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from framesynth.chart.drafts import origins
from framesynth.chart.matrix import accept_cell, build_matrix, edit_cell, find_case
from framesynth.frame.framework import code_path, framework_codes
from framesynth.store.models import Code
from framesynth.web.deps import CoderDep, IdentityDep, SessionDep, get_or_404, render

router = APIRouter(tags=["chart"])


class CellIn(BaseModel):
    case: str
    code_id: int
    summary: str
    version: int | None = None  # the version the page showed (0: empty); None: no check


class CellKey(BaseModel):
    case: str
    code_id: int
    version: int | None = None


@router.get("/matrix")
def matrix_page(request: Request, session: SessionDep, who: IdentityDep,
                rows: str = "participant", group_by: str = "", theme: str = ""):  # type: ignore[no-untyped-def]
    matrix = build_matrix(session, rows=rows, group_by=group_by or None, theme=theme or None)
    themes = [code_path(c) for c in framework_codes(session) if c.parent_id is None]
    notes = {key: origins(session, cell.evidence) for key, cell in matrix.cells.items()
             if cell.evidence}
    return render(request, "matrix.html", who, matrix=matrix, rows=rows, group_by=group_by,
                  theme=theme, themes=themes, notes=notes)


@router.post("/api/matrix/cell")
def save_cell(body: CellIn, session: SessionDep, who: CoderDep) -> dict[str, str | int]:
    cell = edit_cell(session, find_case(session, body.case), get_or_404(session, Code, body.code_id),
                     body.summary, actor=who.name, expected_version=body.version)
    return {"status": cell.status, "summary": cell.summary, "version": cell.version}


@router.post("/api/matrix/accept")
def accept(body: CellKey, session: SessionDep, who: CoderDep) -> dict[str, str | int]:
    cell = accept_cell(session, find_case(session, body.case), get_or_404(session, Code, body.code_id),
                       actor=who.name, expected_version=body.version)
    return {"status": cell.status, "summary": cell.summary, "version": cell.version}
