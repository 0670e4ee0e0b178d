"""Progress of background jobs."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from framesynth.embeddings import get_embedder
from framesynth.errors import InvalidArgument, NotFound
from framesynth.interpret.audit import known_identifiers
from framesynth.interpret.report import build_report
from framesynth.interpret.report_settings import read_settings
from framesynth.io.exporters.report_files import DOWNLOADS, report_bytes
from framesynth.io.importers import import_files
from framesynth.io.uploads import save_uploads
from framesynth.web.deps import CoderDep, Identity, IdentityDep
from framesynth.web.jobs import Job

router = APIRouter(prefix="/api/jobs", tags=["jobs"])


def _job(request: Request, job_id: str, who: Identity) -> Job:
    """The job, if it is there and ``who`` started it (or is an owner)."""
    found: Job | None = request.app.state.jobs.get(job_id)
    if found is None or not (found.owner == who.name or who.is_owner):
        raise NotFound(f"no job {job_id}")
    return found


@router.get("/{job_id}")
def job(request: Request, job_id: str, who: IdentityDep) -> dict[str, object]:
    return _job(request, job_id, who).as_dict()


@router.post("/import", status_code=202)
async def import_job(request: Request, who: CoderDep) -> dict[str, object]:
    """Import uploaded transcripts in the background, all or nothing, with progress."""
    form = await request.form()
    uploads = [item for item in form.getlist("files") if hasattr(item, "filename")]
    if not uploads:
        raise InvalidArgument("choose one or more files to import")
    folder = Path(tempfile.mkdtemp(prefix="framesynth-upload-"))
    paths = await save_uploads(uploads, folder,  # type: ignore[arg-type]
                               limit_bytes=request.app.state.settings.max_upload_bytes)
    project = request.app.state.project

    def work(progress) -> dict[str, object]:  # type: ignore[no-untyped-def]
        try:
            with project.session() as session:
                sources = import_files(session, paths, actor=who.name, progress=progress)
                return {"imported": [s.name for s in sources]}
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    return request.app.state.jobs.submit(f"import {len(paths)} files", work,
                                        owner=who.name).as_dict()


@router.post("/report", status_code=202)
def report_job(request: Request, who: CoderDep) -> dict[str, object]:
    """Build the report in every format in the background; the files are then
    downloadable from ``/api/jobs/{id}/files/{name}``."""
    project = request.app.state.project
    settings = request.app.state.settings
    runner = request.app.state.jobs

    def work(progress) -> dict[str, object]:  # type: ignore[no-untyped-def]
        progress(0, len(DOWNLOADS) + 1, "assembling")
        with project.session() as session:
            report = build_report(session, embedder=get_embedder(settings.embedder),
                                  actor=who.name, settings=read_settings(settings.project))
            identifiers = known_identifiers(session)
        files: dict[str, bytes] = {}
        for step, name in enumerate(DOWNLOADS, start=1):  # a leak fails the job: no files
            progress(step, len(DOWNLOADS) + 1, name)
            files[name] = report_bytes(report, name, identifiers)
        progress(len(DOWNLOADS) + 1, len(DOWNLOADS) + 1, "done")
        return {"files_": files}

    return runner.submit("build the report", work, owner=who.name).as_dict()


@router.get("/{job_id}/files/{name}")
def job_file(request: Request, job_id: str, name: str, who: IdentityDep) -> FileResponse:
    found = _job(request, job_id, who)
    path = request.app.state.jobs.file(found, name)
    if path is None:
        raise NotFound(f"no file {name!r} for job {job_id}")
    return FileResponse(path, media_type="application/octet-stream", filename=name)
