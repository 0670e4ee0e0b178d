"""Managing sources from the documents page: list, remove, replace with a corrected file,
re-split. Each route calls one function of :mod:`framesynth.familiarise.source_admin`."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from sqlalchemy import select

from framesynth.errors import InvalidArgument
from framesynth.familiarise.source_admin import (
    list_sources,
    remove_source,
    replace_source,
    resplit_source,
)
from framesynth.io.importers import read_source
from framesynth.io.uploads import save_upload_files
from framesynth.store.models import Source
from framesynth.web.deps import CoderDep, IdentityDep, OwnerDep, SessionDep, get_or_404

router = APIRouter(prefix="/api/sources", tags=["sources"])


@router.get("")
def sources(session: SessionDep, who: IdentityDep) -> list[dict[str, object]]:
    """Every source with the columns of ``framesynth sources list`` and its id."""
    ids = dict(session.execute(select(Source.name, Source.id)).all())
    return [{"id": ids[row.name], **row.as_dict()} for row in list_sources(session)]


@router.delete("/{source_id}")
def remove(source_id: int, session: SessionDep, who: OwnerDep,
           with_codings: bool = False) -> dict[str, object]:
    """Owners only; refused while the source has human codings or memos unless
    ``with_codings``."""
    source = get_or_404(session, Source, source_id)
    return remove_source(session, source.name, actor=who.name,
                         with_codings=with_codings).as_dict()


@router.post("/{source_id}/replace")
def replace(request: Request, source_id: int, session: SessionDep, who: CoderDep,
            file: Annotated[UploadFile, File()],
            force: Annotated[bool, Form()] = False) -> dict[str, object]:
    """Replace the source's text with an uploaded corrected transcript; the answer lists
    the codings to review."""
    source = get_or_404(session, Source, source_id)
    if not file.filename:
        raise InvalidArgument("choose the corrected file")
    folder = Path(tempfile.mkdtemp(prefix="framesynth-upload-"))
    try:
        path, = save_upload_files([file], folder, limit_bytes=request.app.state.settings.max_upload_bytes)
        imported = read_source(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return replace_source(session, source.name, imported, actor=who.name,
                          force=force).as_dict()


@router.post("/{source_id}/resplit")
def resplit(source_id: int, session: SessionDep, who: CoderDep) -> dict[str, object]:
    source = get_or_404(session, Source, source_id)
    return resplit_source(session, source.name, actor=who.name).as_dict()
