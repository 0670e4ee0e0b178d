"""The framework matrix, with summaries edited in place."""

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


class CellKey(BaseModel):
    case: str
    code_id: int


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
def save_cell(body: CellIn, session: SessionDep, who: CoderDep) -> dict[str, str]:
    cell = edit_cell(session, find_case(session, body.case), get_or_404(session, Code, body.code_id),
                     body.summary, actor=who.name)
    return {"status": cell.status, "summary": cell.summary}


@router.post("/api/matrix/accept")
def accept(body: CellKey, session: SessionDep, who: CoderDep) -> dict[str, str]:
    cell = accept_cell(session, find_case(session, body.case), get_or_404(session, Code, body.code_id),
                       actor=who.name)
    return {"status": cell.status, "summary": cell.summary}
