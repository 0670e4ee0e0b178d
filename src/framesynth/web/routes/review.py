"""The auto-coding review queue, and starting auto-coding in the background."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from pydantic import BaseModel

from framesynth.embeddings import get_embedder
from framesynth.frame.framework import code_path, framework_codes
from framesynth.index.autocode import uncovered_notice
from framesynth.index.review import (
    METHODS,
    accept_suggestions,
    check_method,
    needs_embedder,
    pending_suggestions,
    reject_suggestions,
    run_autocode,
    suggestion_counts,
)
from framesynth.web.deps import CoderDep, IdentityDep, SessionDep, render

router = APIRouter(tags=["index"])


class Ids(BaseModel):
    ids: list[int]


class AutocodeIn(BaseModel):
    method: str
    unit: str = "turn"
    train_coder: str | None = None


DEFAULT_MIN_SCORE = 0.5  # the slider's start: suggestions more likely right than not
SLIDER_STEPS = tuple(round(i / 20, 2) for i in range(21))


def slider_counts(session: SessionDep, method: str | None, code: str | None
                  ) -> dict[str, list[int]]:
    """Slider position ("0.55") -> [suggestions, units] it keeps."""
    return {f"{c.min_score:.2f}": [c.suggestions, c.units]
            for c in suggestion_counts(session, method=method, code=code, cut_offs=SLIDER_STEPS)}


@router.get("/review")
def review_page(request: Request, session: SessionDep, who: IdentityDep,
                method: str | None = None, code: str | None = None,
                min_score: float = DEFAULT_MIN_SCORE):  # type: ignore[no-untyped-def]
    items = pending_suggestions(session, method=method or None, code=code or None)
    uncovered = uncovered_notice(session, get_embedder(request.app.state.settings.embedder))
    counts = slider_counts(session, method or None, code or None)
    start = min(SLIDER_STEPS, key=lambda step: abs(step - min_score))
    return render(request, "review.html", who, items=items[:300], total=len(items),
                  uncovered=uncovered, min_score=start, counts=counts[f"{start:.2f}"],
                  counts_json=json.dumps(counts),
                  methods=METHODS, method=method, code=code, code_path=code_path,
                  codes=[code_path(c) for c in framework_codes(session) if c.codable])


@router.get("/api/suggestions/counts")
def counts(session: SessionDep, who: IdentityDep, method: str | None = None,
           code: str | None = None) -> list[dict[str, float | int]]:
    """How many pending suggestions, on how many units, each cut-off 0.9 ... 0.1 keeps."""
    return [vars(c) for c in suggestion_counts(session, method=method or None,
                                               code=code or None)]


@router.post("/api/suggestions/accept")
def accept(body: Ids, session: SessionDep, who: CoderDep) -> dict[str, int]:
    return {"accepted": len(accept_suggestions(session, body.ids, reviewer=who.name))}


@router.post("/api/suggestions/reject")
def reject(body: Ids, session: SessionDep, who: CoderDep) -> dict[str, int]:
    return {"rejected": reject_suggestions(session, body.ids, reviewer=who.name)}


@router.post("/api/jobs/autocode", status_code=202)
def start_autocode(request: Request, body: AutocodeIn, who: CoderDep) -> dict[str, object]:
    check_method(body.method)
    project = request.app.state.project
    settings = request.app.state.settings

    def work(progress) -> dict[str, object]:  # type: ignore[no-untyped-def]
        progress(0, 2, "loading")
        embedder = get_embedder(settings.embedder) if needs_embedder(body.method) else None
        progress(1, 2, f"{body.method} coding")
        with project.session() as session:
            result = run_autocode(session, body.method, unit=body.unit,
                                  train_coder=body.train_coder, embedder=embedder,
                                  actor=who.name)
        progress(2, 2, "done")
        return {"stored": result.stored, "units": result.units,
                "uncovered": result.uncovered.as_dict() if result.uncovered else None}

    return request.app.state.jobs.submit(f"autocode {body.method}", work,
                                        owner=who.name).as_dict()
