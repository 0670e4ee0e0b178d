"""The framework editor: the code tree, moved by drag and drop; rename, merge, split,
retire, definitions; the history of changes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from framesynth.frame.framework import CodeSpec, add_code, code_path, framework_codes
from framesynth.frame.history import describe, history, record_change
from framesynth.frame.refine import (
    merge_codes,
    move_code,
    rename_code,
    retire_code,
    split_code,
    update_code,
)
from framesynth.store.models import Code
from framesynth.web.deps import IdentityDep, OwnerDep, SessionDep, get_or_404, render

router = APIRouter(tags=["frame"])


class RenameIn(BaseModel):
    name: str


class MoveIn(BaseModel):
    parent_id: int | None


class MergeIn(BaseModel):
    into_id: int


class SplitIn(BaseModel):
    parts: dict[str, list[str]]


class EditIn(BaseModel):
    definition: str | None = None
    inclusion: list[str] | None = None
    exclusion: list[str] | None = None
    keywords: list[str] | None = None
    colour: str | None = None


class AddIn(BaseModel):
    name: str
    parent_id: int | None = None
    definition: str = ""
    colour: str | None = None


@router.get("/framework")
def framework_page(request: Request, session: SessionDep, who: IdentityDep):  # type: ignore[no-untyped-def]
    codes = framework_codes(session, retired=True)
    events = [(e.id, e.at, e.actor, describe(e)) for e in reversed(history(session))][:50]
    return render(request, "framework.html", who, codes=codes, events=events,
                  code_path=code_path)


def _parent(session: Session, code_id: int | None) -> Code | None:
    return None if code_id is None else get_or_404(session, Code, code_id)


def _done(code: Code) -> dict[str, object]:
    return {"id": code.id, "path": code_path(code), "retired": code.retired}


@router.post("/api/codes", status_code=201)
def add(body: AddIn, session: SessionDep, who: OwnerDep) -> dict[str, object]:
    code = add_code(session, CodeSpec(name=body.name, definition=body.definition,
                                      colour=body.colour),
                    parent=_parent(session, body.parent_id))
    record_change(session, "add", actor=who.name, code=code.id, path=code_path(code))
    return _done(code)


@router.post("/api/codes/{code_id}/rename")
def rename(code_id: int, body: RenameIn, session: SessionDep, who: OwnerDep) -> dict[str, object]:
    return _done(rename_code(session, get_or_404(session, Code, code_id), body.name, actor=who.name))


@router.post("/api/codes/{code_id}/move")
def move(code_id: int, body: MoveIn, session: SessionDep, who: OwnerDep) -> dict[str, object]:
    return _done(move_code(session, get_or_404(session, Code, code_id),
                           _parent(session, body.parent_id), actor=who.name))


@router.post("/api/codes/{code_id}/merge")
def merge(code_id: int, body: MergeIn, session: SessionDep, who: OwnerDep) -> dict[str, object]:
    carried = merge_codes(session, get_or_404(session, Code, code_id),
                          get_or_404(session, Code, body.into_id), actor=who.name)
    return {"carried": carried}


@router.post("/api/codes/{code_id}/split")
def split(code_id: int, body: SplitIn, session: SessionDep, who: OwnerDep) -> dict[str, object]:
    result = split_code(session, get_or_404(session, Code, code_id), body.parts, actor=who.name)
    return {"reassigned": result.reassigned, "to_review": [c.id for c in result.to_review]}


@router.post("/api/codes/{code_id}/retire")
def retire(code_id: int, session: SessionDep, who: OwnerDep, restore: bool = False
           ) -> dict[str, object]:
    return _done(retire_code(session, get_or_404(session, Code, code_id), actor=who.name,
                             retired=not restore))


@router.post("/api/codes/{code_id}/edit")
def edit(code_id: int, body: EditIn, session: SessionDep, who: OwnerDep) -> dict[str, object]:
    fields = {k: v for k, v in body.model_dump().items() if v is not None}
    return _done(update_code(session, get_or_404(session, Code, code_id), actor=who.name, **fields))
