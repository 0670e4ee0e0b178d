"""The study page: the project's vocabularies (sectors, depth scale, levels ...) and their
terms. Everyone reads them; the owner adds, renames, removes and reorders terms."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from framesynth.familiarise.vocabulary import (
    add_term,
    get_setting,
    list_vocabularies,
    need_vocabulary,
    remove_term,
    rename_term,
    reorder_terms,
    set_vocabulary,
    term_uses,
    vocabulary_dict,
)
from framesynth.web.deps import IdentityDep, OwnerDep, SessionDep, render

router = APIRouter(tags=["study"])


class VocabularyIn(BaseModel):
    terms: list[str]
    ordered: bool | None = None
    closed: bool | None = None
    labels: list[str] = Field(default_factory=list)
    label: str | None = None


class TermIn(BaseModel):
    term: str
    label: str | None = None
    aliases: list[str] = Field(default_factory=list)


class RenameIn(BaseModel):
    old: str
    new: str


class RemoveIn(BaseModel):
    term: str


class OrderIn(BaseModel):
    terms: list[str]


def _with_uses(session: Session, name: str) -> dict[str, Any]:
    data = vocabulary_dict(need_vocabulary(session, name))
    for term in data["terms"]:
        term["uses"] = sum(term_uses(session, name, term["term"]).values())
    return data


@router.get("/study")
def study_page(request: Request, session: SessionDep, who: IdentityDep):  # type: ignore[no-untyped-def]
    vocabularies = [_with_uses(session, v.name) for v in list_vocabularies(session)]
    return render(request, "study.html", who, vocabularies=vocabularies,
                  started_from=get_setting(session, "template"))


@router.get("/api/vocabularies")
def vocabularies(session: SessionDep, who: IdentityDep) -> list[dict[str, Any]]:
    return [vocabulary_dict(v) for v in list_vocabularies(session)]


@router.get("/api/vocabularies/{name}")
def vocabulary(name: str, session: SessionDep, who: IdentityDep) -> dict[str, Any]:
    return _with_uses(session, name)


@router.put("/api/vocabularies/{name}")
def set_terms(name: str, body: VocabularyIn, session: SessionDep, who: OwnerDep
              ) -> dict[str, Any]:
    set_vocabulary(session, name, body.terms, ordered=body.ordered, closed=body.closed,
                   labels=body.labels, label=body.label, actor=who.name)
    return _with_uses(session, name)


@router.post("/api/vocabularies/{name}/terms", status_code=201)
def add(name: str, body: TermIn, session: SessionDep, who: OwnerDep) -> dict[str, Any]:
    add_term(session, name, body.term, label=body.label, aliases=body.aliases, actor=who.name)
    return _with_uses(session, name)


@router.post("/api/vocabularies/{name}/rename")
def rename(name: str, body: RenameIn, session: SessionDep, who: OwnerDep) -> dict[str, Any]:
    rename_term(session, name, body.old, body.new, actor=who.name)
    return _with_uses(session, name)


@router.post("/api/vocabularies/{name}/remove")
def remove(name: str, body: RemoveIn, session: SessionDep, who: OwnerDep) -> dict[str, Any]:
    remove_term(session, name, body.term, actor=who.name)
    return _with_uses(session, name)


@router.post("/api/vocabularies/{name}/order")
def order(name: str, body: OrderIn, session: SessionDep, who: OwnerDep) -> dict[str, Any]:
    reorder_terms(session, name, body.terms, actor=who.name)
    return _with_uses(session, name)
