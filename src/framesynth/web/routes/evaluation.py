"""The review page's evaluation panel: the latest evaluation of the auto-coding methods
against a coder, and recomputing it in the background."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from framesynth.embeddings import get_embedder
from framesynth.index.evaluation import evaluate, human_coders, latest_evaluation, save_evaluation
from framesynth.web.deps import CoderDep, IdentityDep, SessionDep, render

router = APIRouter(tags=["index"])


class EvaluationIn(BaseModel):
    coder: str
    unit: str = "turn"
    folds: int = 5


@router.get("/review/evaluation")
def evaluation_panel(request: Request, session: SessionDep, who: IdentityDep):  # type: ignore[no-untyped-def]
    """The panel alone (the review page loads it into its place)."""
    return render(request, "review_evaluation.html", who, panel=True,
                  evaluation=latest_evaluation(session), coders=human_coders(session))


@router.post("/api/jobs/evaluation", status_code=202)
def start_evaluation(request: Request, body: EvaluationIn, who: CoderDep) -> dict[str, object]:
    """Evaluate every method against ``body.coder`` in the background and keep the result."""
    project = request.app.state.project
    settings = request.app.state.settings

    def work(progress) -> dict[str, object]:  # type: ignore[no-untyped-def]
        embedder = get_embedder(settings.embedder)
        with project.session() as session:
            result = evaluate(session, body.coder, unit=body.unit, folds=body.folds,
                              embedder=embedder, progress=progress)
            save_evaluation(session, result)
        return {"methods": {m.method: m.macro_f1 for m in result.methods}}

    return request.app.state.jobs.submit(f"evaluate against {body.coder}", work,
                                        owner=who.name).as_dict()
