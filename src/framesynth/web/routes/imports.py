"""Import preview: what importing the uploaded files would find, before anything is stored."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from framesynth.errors import InvalidArgument
from framesynth.familiarise.speaker_links import known_labels
from framesynth.io.importers.preview import preview_files
from framesynth.io.uploads import save_uploads
from framesynth.web.deps import CoderDep, SessionDep

router = APIRouter(prefix="/api/import", tags=["import"])


@router.post("/preview")
async def import_preview(request: Request, session: SessionDep, who: CoderDep
                         ) -> dict[str, object]:
    """Each uploaded file's layout, speakers (and which are the research team) and first
    turns, as ``framesynth import --preview --json`` prints them; nothing is stored."""
    form = await request.form()
    uploads = [item for item in form.getlist("files") if hasattr(item, "filename")]
    if not uploads:
        raise InvalidArgument("choose one or more files to preview")
    pattern = form.get("speaker_pattern")
    folder = Path(tempfile.mkdtemp(prefix="framesynth-preview-"))
    try:
        paths = await save_uploads(uploads, folder,  # type: ignore[arg-type]
                                   limit_bytes=request.app.state.settings.max_upload_bytes)
        labels = await run_in_threadpool(known_labels, session)  # off the event loop
        previews = await run_in_threadpool(
            preview_files, paths, speaker_pattern=str(pattern) if pattern else None,
            known_labels=labels)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"files": [item.as_dict() for item in previews]}
