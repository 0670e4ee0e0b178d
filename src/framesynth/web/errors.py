"""The one JSON error shape of the web API: ``{"error": {"code": ..., "message": ...}}``."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from framesynth.accounts import AccessDenied
from framesynth.errors import (
    EditConflict,
    FramesynthError,
    NamesLeaked,
    NotFound,
    ReadOnlyProject,
    UploadTooLarge,
)
from framesynth.logins import LoginThrottled


class CsrfError(FramesynthError):
    """A change without the session's CSRF token."""

    code = "FS502"


STATUSES: tuple[tuple[type[FramesynthError], int], ...] = (
    (NotFound, 404), (AccessDenied, 403), (CsrfError, 403), (ReadOnlyProject, 403),
    (UploadTooLarge, 413), (LoginThrottled, 429), (NamesLeaked, 409),
    (EditConflict, 409))


def http_status(error: FramesynthError) -> int:
    """The HTTP status for a library error: 400 unless it is one of :data:`STATUSES`."""
    return next((status for kind, status in STATUSES if isinstance(error, kind)), 400)


def error_body(code: str, message: str, **details: Any) -> dict[str, dict[str, Any]]:
    """The error object; ``details`` (an edit conflict's ``current`` ...) go beside the
    code and message, which every error has."""
    return {"error": {"code": code, "message": message, **details}}


def error_response(status: int, code: str, message: str, **details: Any) -> JSONResponse:
    return JSONResponse(error_body(code, message, **details), status_code=status)
