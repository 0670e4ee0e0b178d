"""Uploaded files saved to disk in chunks, under a size limit, each under a safe name.

Every web route that receives files calls :func:`save_uploads` (or, in a synchronous
route, :func:`save_upload_files`). Each upload lands in its own numbered folder under
``folder`` and keeps its base name (importers name a source after the file's stem), so
two uploads with the same name do not overwrite each other. Names are reduced to their
base name (``a/../../b.txt`` -> ``b.txt``); a name with nothing usable left (``..``, ``.``,
empty) is refused. The limit counts the whole request and is read from
``FRAMESYNTH_MAX_UPLOAD_MB`` (default 200). On any error ``folder`` is removed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO, Protocol

from framesynth.errors import InvalidArgument, UploadTooLarge

MB = 1024 * 1024
CHUNK = MB
DEFAULT_MAX_UPLOAD_MB = 200
LIMIT_ENV = "FRAMESYNTH_MAX_UPLOAD_MB"
MULTIPART_SLACK = MB  # boundaries and form fields around the files in a request body
MAX_NAME_BYTES = 255


class Upload(Protocol):
    """What framesynth needs of an upload (Starlette's ``UploadFile`` has both)."""

    @property
    def filename(self) -> str | None: ...

    @property
    def file(self) -> BinaryIO: ...


def max_upload_bytes(environ: Mapping[str, str] = os.environ) -> int:
    """The upload limit in bytes, from ``FRAMESYNTH_MAX_UPLOAD_MB`` (default 200)."""
    raw = environ.get(LIMIT_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_UPLOAD_MB * MB
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = -1
    if megabytes <= 0:
        raise InvalidArgument(f"{LIMIT_ENV}={raw!r} is not a positive number of megabytes")
    return int(megabytes * MB)


def check_content_length(headers: Mapping[str, str], limit_bytes: int) -> None:
    """Refuse a request whose declared body is beyond the limit, before it is parsed."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit_bytes + MULTIPART_SLACK:
        raise UploadTooLarge(f"the upload ({_megabytes(int(declared))}) passes the limit of "
                             f"{_megabytes(limit_bytes)} ({LIMIT_ENV})")


def safe_name(filename: str | None) -> str:
    """The upload's base name, or :class:`InvalidArgument` if nothing usable is left."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if base in {"", ".", ".."} or any(ord(c) < 32 or c == "\x7f" for c in base):
        raise InvalidArgument(f"the upload name {filename!r} is not a usable file name; "
                              "rename the file and upload it again")
    if len(base.encode("utf-8")) > MAX_NAME_BYTES:
        raise InvalidArgument(f"the upload name {base[:40]!r}... is longer than "
                              f"{MAX_NAME_BYTES} bytes; rename the file")
    return base


def save_upload_files(uploads: Sequence[Upload], folder: Path, *, limit_bytes: int
                      ) -> list[Path]:
    """Copy each upload in chunks to ``folder/<n>/<name>``; ``folder`` is removed on error."""
    try:
        names = [safe_name(upload.filename) for upload in uploads]
        paths: list[Path] = []
        total = 0
        for number, (upload, name) in enumerate(zip(uploads, names, strict=True), start=1):
            target = Path(folder) / str(number) / name
            target.parent.mkdir(parents=True)
            total = _copy(upload.file, target, total=total, limit_bytes=limit_bytes)
            paths.append(target)
        return paths
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


async def save_uploads(uploads: Sequence[Upload], folder: Path, *, limit_bytes: int
                       ) -> list[Path]:
    """:func:`save_upload_files` on a worker thread, so the event loop keeps serving."""
    return await asyncio.to_thread(save_upload_files, uploads, folder, limit_bytes=limit_bytes)


def _copy(source: BinaryIO, target: Path, *, total: int, limit_bytes: int) -> int:
    """Append ``source`` to ``target``; the running total, refused once past the limit."""
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            total += len(chunk)
            if total > limit_bytes:
                raise UploadTooLarge(f"the upload passes the limit of {_megabytes(limit_bytes)}"
                                     f" ({LIMIT_ENV})", path=target.name)
            out.write(chunk)
    return total


def _megabytes(count: int) -> str:
    return f"{count / MB:,.1f} MB" if count % MB else f"{count // MB:,} MB"
