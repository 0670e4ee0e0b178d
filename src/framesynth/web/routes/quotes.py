"""A code's quotes: the analyst's picks in order, as the report prints them (with the
coded span beside an edited one), and the best-ranked others to pick from. Each change is
one form that calls the library (``interpret.quotes``, ``interpret.quote_edits``) and
comes back to the page with what happened."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from framesynth.embeddings import get_embedder
from framesynth.errors import InvalidArgument, NotFound
from framesynth.frame.framework import code_path
from framesynth.interpret.quote_edits import (
    candidate_quotes,
    edit_quote,
    move_quote,
    picked_quotes,
)
from framesynth.interpret.quotes import pick_quote, unpick_quote
from framesynth.store.models import Code
from framesynth.web.deps import CoderDep, IdentityDep, SessionDep, get_or_404, render

router = APIRouter(tags=["interpret"])
CodingField = Annotated[int, Form()]


@router.get("/quotes/{code_id}")
def quotes_page(request: Request, code_id: int, session: SessionDep, who: IdentityDep,
                message: str | None = None):  # type: ignore[no-untyped-def]
    code = get_or_404(session, Code, code_id)
    embedder = get_embedder(request.app.state.settings.embedder)
    return render(request, "quotes.html", who, code=code, path=code_path(code),
                  picked=picked_quotes(session, code),
                  candidates=candidate_quotes(session, code, embedder), message=message)


def _change(session: Session, code_id: int, change: Callable[[Code], object],
            done: str) -> RedirectResponse:
    """Apply one change to the code's quotes; a refusal comes back as the page's message."""
    code = get_or_404(session, Code, code_id)
    try:
        change(code)
    except (InvalidArgument, NotFound) as error:
        session.rollback()
        done = str(error)
    return RedirectResponse(f"/quotes/{code_id}?message={quote(done)}", status_code=303)


@router.post("/quotes/{code_id}/pick")
def quotes_pick(code_id: int, session: SessionDep, who: CoderDep,
                coding_id: CodingField) -> RedirectResponse:
    return _change(session, code_id, lambda code: pick_quote(
        session, coding_id, code, actor=who.name), f"picked coding {coding_id}")


@router.post("/quotes/{code_id}/unpick")
def quotes_unpick(code_id: int, session: SessionDep, who: CoderDep,
                  coding_id: CodingField) -> RedirectResponse:
    return _change(session, code_id, lambda code: unpick_quote(
        session, coding_id, code, actor=who.name), f"unpicked coding {coding_id}")


@router.post("/quotes/{code_id}/move")
def quotes_move(code_id: int, session: SessionDep, who: CoderDep, coding_id: CodingField,
                to: Annotated[int, Form()]) -> RedirectResponse:
    return _change(session, code_id, lambda code: move_quote(
        session, coding_id, code, to=to, actor=who.name), f"moved coding {coding_id}")


@router.post("/quotes/{code_id}/edit")
def quotes_edit(code_id: int, session: SessionDep, who: CoderDep, coding_id: CodingField,
                text: Annotated[str, Form()] = "") -> RedirectResponse:
    done = f"edited coding {coding_id}" if text.strip() else f"coding {coding_id} prints as coded"
    return _change(session, code_id, lambda code: edit_quote(
        session, coding_id, code, text, actor=who.name), done)
