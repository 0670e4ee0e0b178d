"""Progress of background jobs."""

from __future__ import annotations

from fastapi import APIRouter, Request

from framesynth.errors import NotFound
from framesynth.web.deps import IdentityDep

router = APIRouter(prefix="/api/jobs", tags=["jobs"])


@router.get("/{job_id}")
def job(request: Request, job_id: str, who: IdentityDep) -> dict[str, object]:
    found = request.app.state.jobs.get(job_id)
    if found is None:
        raise NotFound(f"no job {job_id}")
    return found.as_dict()
