"""Reading: the document browser, the reader with codings as highlights, and search."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.familiarise.context import load_context
from framesynth.familiarise.reading import reader_view
from framesynth.familiarise.search import SearchPage
from framesynth.familiarise.search import search_page as search_page_of
from framesynth.familiarise.source_admin import list_sources
from framesynth.familiarise.speaker_links import set_speaker_team
from framesynth.familiarise.transcript_edits import assign_turn_speaker, correct_turn
from framesynth.frame.framework import code_path
from framesynth.io.importers.media import media_type, recording_path
from framesynth.store.models import Source
from framesynth.web.deps import CoderDep, IdentityDep, SessionDep, get_or_404, render

router = APIRouter(tags=["read"])


class TeamIn(BaseModel):
    label: str
    team: bool


class TurnTextIn(BaseModel):
    text: str
    force: bool = False


class TurnSpeakerIn(BaseModel):
    label: str


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


@router.get("/sources/{source_id}/media")
def media(source_id: int, session: SessionDep, who: IdentityDep) -> FileResponse:
    """The source's recording, for the reader's player: Starlette's FileResponse answers
    ``Range`` requests (206, ``Accept-Ranges: bytes``, 416 for a range past the end), so
    the browser can seek without loading the whole file."""
    source = get_or_404(session, Source, source_id)
    return FileResponse(recording_path(session, source), media_type=media_type(source))


@router.post("/api/sources/{source_id}/team")
def speaker_team(source_id: int, body: TeamIn, session: SessionDep, who: CoderDep
                 ) -> dict[str, object]:
    """Mark or unmark a speaker of the source as the research team."""
    source = get_or_404(session, Source, source_id)
    speaker = set_speaker_team(session, source, body.label, body.team, actor=who.name)
    return {"source_id": source.id, "label": speaker.label, "team": speaker.is_interviewer,
            "kind": source.kind}


@router.post("/api/sources/{source_id}/turns/{position}")
def correct(source_id: int, position: int, body: TurnTextIn, session: SessionDep,
            who: CoderDep) -> dict[str, object]:
    """Correct the words of one turn (transcription mode); the answer lists the codings
    carried and those to review, as a replace does."""
    source = get_or_404(session, Source, source_id)
    return correct_turn(session, source.name, position, body.text, actor=who.name,
                        force=body.force).as_dict()


@router.post("/api/sources/{source_id}/turns/{position}/speaker")
def turn_speaker(source_id: int, position: int, body: TurnSpeakerIn, session: SessionDep,
                 who: CoderDep) -> dict[str, object]:
    """Make ``label`` the turn's speaker (a new label becomes a new speaker)."""
    source = get_or_404(session, Source, source_id)
    speaker = assign_turn_speaker(session, source.name, position, body.label, actor=who.name)
    return {"source_id": source.id, "position": position, "label": speaker.label,
            "team": speaker.is_interviewer}


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
