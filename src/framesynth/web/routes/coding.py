"""Coding from the reader: apply, undo, code a turn, memos on spans; the code list."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from framesynth.errors import InvalidArgument
from framesynth.familiarise.memos import add_memo
from framesynth.frame.framework import code_path, framework_codes
from framesynth.index.coding import apply_code, code_time_range, remove_coding
from framesynth.index.coding import code_turn as library_code_turn
from framesynth.store.models import Code, Coding, Source, Turn
from framesynth.web.deps import CoderDep, IdentityDep, SessionDep, get_or_404

router = APIRouter(prefix="/api", tags=["index"])


class CodingIn(BaseModel):
    source_id: int
    start: int
    end: int
    code_id: int
    memo: str | None = None


class TimeCodingIn(BaseModel):
    """A time range of the source's recording, in seconds; the code by ``code_id`` as
    the other coding routes take it, or by its path as ``code``."""

    source_id: int
    start: float
    end: float
    code_id: int | None = None
    code: str | None = None
    memo: str | None = None


class TurnCodingIn(BaseModel):
    turn_id: int
    code_id: int


class MemoIn(BaseModel):
    source_id: int
    start: int | None = None
    end: int | None = None
    body: str
    title: str | None = None


def _coding_json(coding: Coding) -> dict[str, object]:
    return {"id": coding.id, "source_id": coding.source_id, "start": coding.start,
            "end": coding.end, "code": code_path(coding.code), "code_id": coding.code_id,
            "coder": coding.coder, "text": coding.text, "media_start": coding.media_start,
            "media_end": coding.media_end}


@router.get("/codes")
def codes(session: SessionDep, who: IdentityDep) -> list[dict[str, object]]:
    return [{"id": c.id, "path": code_path(c), "name": c.name, "colour": c.colour,
             "codable": c.codable, "definition": c.definition}
            for c in framework_codes(session)]


@router.post("/codings", status_code=201)
def add_coding(body: CodingIn, session: SessionDep, who: CoderDep) -> dict[str, object]:
    """The coder is always the logged-in user."""
    coding = apply_code(session, get_or_404(session, Source, body.source_id), body.start,
                        body.end, get_or_404(session, Code, body.code_id), coder=who.name,
                        memo=body.memo)
    return _coding_json(coding)


@router.post("/codings/time", status_code=201)
def add_time_coding(body: TimeCodingIn, session: SessionDep, who: CoderDep
                    ) -> dict[str, object]:
    """Code a time range of a recording; the coder is always the logged-in user."""
    source = get_or_404(session, Source, body.source_id)
    if body.code_id is not None:
        path = code_path(get_or_404(session, Code, body.code_id))
    elif body.code is not None:
        path = body.code
    else:
        raise InvalidArgument("give the code as code_id or code")
    coding = code_time_range(session, source.name, body.start, body.end, path,
                             coder=who.name, memo=body.memo)
    return _coding_json(coding)


@router.post("/codings/turn", status_code=201)
def code_turn(body: TurnCodingIn, session: SessionDep, who: CoderDep) -> dict[str, object]:
    coding = library_code_turn(session, get_or_404(session, Turn, body.turn_id),
                               get_or_404(session, Code, body.code_id), coder=who.name)
    return _coding_json(coding)


@router.delete("/codings/{coding_id}")
def undo_coding(coding_id: int, session: SessionDep, who: CoderDep) -> dict[str, object]:
    coding = get_or_404(session, Coding, coding_id)
    if coding.coder != who.name and not who.is_owner:
        from framesynth.accounts import AccessDenied

        raise AccessDenied("only its coder or an owner may remove a coding")
    remove_coding(session, coding_id, actor=who.name)
    return {"removed": coding_id}


@router.get("/sources/{source_id}/codings")
def source_codings(source_id: int, session: SessionDep, who: IdentityDep
                   ) -> list[dict[str, object]]:
    source = get_or_404(session, Source, source_id)
    query = select(Coding).where(Coding.source_id == source.id, Coding.status.is_(None))
    return [_coding_json(c) for c in session.scalars(query.order_by(Coding.start, Coding.id))]


@router.post("/memos", status_code=201)
def memo(body: MemoIn, session: SessionDep, who: CoderDep) -> dict[str, object]:
    source = get_or_404(session, Source, body.source_id)
    created = add_memo(session, body.body, author=who.name, title=body.title,
                       source=source.name, start=body.start, end=body.end)
    return {"id": created.id, "title": created.title}
