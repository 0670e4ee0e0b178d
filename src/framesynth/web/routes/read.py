"""Reading: the document browser, the reader with codings as highlights, and search."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.familiarise.context import load_context
from framesynth.familiarise.reading import reader_view
from framesynth.familiarise.search import SearchPage
from framesynth.familiarise.search import search_page as search_page_of
from framesynth.familiarise.source_admin import list_sources
from framesynth.familiarise.speaker_links import set_speaker_team
from framesynth.frame.framework import code_path
from framesynth.store.models import Source
from framesynth.web.deps import CoderDep, IdentityDep, SessionDep, get_or_404, render

router = APIRouter(tags=["read"])


class TeamIn(BaseModel):
    label: str
    team: bool


@router.get("/")
def documents(request: Request, session: SessionDep, who: IdentityDep,
              group_by: str = "kind"):  # type: ignore[no-untyped-def]
    context = load_context(session)
    groups: dict[str, list[dict[str, object]]] = defaultdict(list)
    rows = {row.name: row for row in list_sources(session)}
    for source in session.scalars(select(Source).order_by(Source.name)):
        speakers = [context.speakers.get(s.id, {}) for s in source.speakers
                    if not s.is_interviewer]
        values = {context.sources[source.id].get(group_by)} | {s.get(group_by) for s in speakers}
        label = ", ".join(sorted(v for v in values if v)) or "(none)"
        groups[label].append({"source": source, "row": rows[source.name]})
    return render(request, "documents.html", who, groups=dict(sorted(groups.items())),
                  group_by=group_by, options=["kind", "sector", "role", "theme", "organisation"])


@router.get("/sources/{source_id}")
def reader(request: Request, source_id: int, session: SessionDep, who: IdentityDep):  # type: ignore[no-untyped-def]
    view = reader_view(session, source_id)
    return render(request, "reader.html", who, source=view.source, turns=view.turns,
                  memos=view.memos, code_path=code_path, speakers=view.speakers)


@router.post("/api/sources/{source_id}/team")
def speaker_team(source_id: int, body: TeamIn, session: SessionDep, who: CoderDep
                 ) -> dict[str, object]:
    """Mark or unmark a speaker of the source as the research team."""
    source = get_or_404(session, Source, source_id)
    speaker = set_speaker_team(session, source, body.label, body.team, actor=who.name)
    return {"source_id": source.id, "label": speaker.label, "team": speaker.is_interviewer,
            "kind": source.kind}


PAGE_MAX = 500  # the most hits one page or API call returns


@router.get("/search")
def search_page(request: Request, session: SessionDep, who: IdentityDep, q: str = "",
                regex: bool = False, offset: int = 0,
                limit: int = 50):  # type: ignore[no-untyped-def]
    page = _search(session, q, regex, offset, limit) if q.strip() else None
    ids = dict(session.execute(select(Source.name, Source.id)).all())
    links = _page_links(q, regex, page) if page else {}
    return render(request, "search.html", who, q=q, regex=regex, page=page,
                  hits=page.hits if page else [], ids=ids, **links)


@router.get("/api/search")
def search_api(session: SessionDep, q: str, regex: bool = False, offset: int = 0,
               limit: int = 50) -> dict[str, Any]:
    """One page of keyword-in-context hits and the total number of hits."""
    return _search(session, q, regex, offset, limit).as_dict()


def _search(session: Session, q: str, regex: bool, offset: int, limit: int) -> SearchPage:
    return search_page_of(session, q, regex=regex, width=50,
                          limit=max(1, min(limit, PAGE_MAX)), offset=max(0, offset))


def _page_links(q: str, regex: bool, page: SearchPage) -> dict[str, str | None]:
    """The previous and next pages' addresses (None at either end)."""
    size = page.limit or len(page.hits)

    def link(offset: int) -> str:
        query = {"q": q, "offset": offset, "limit": size} | ({"regex": "true"} if regex else {})
        return "/search?" + urlencode(query)

    after = page.offset + len(page.hits)
    return {"previous": link(max(0, page.offset - size)) if page.offset > 0 else None,
            "next": link(after) if after < page.total else None}
