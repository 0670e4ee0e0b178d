"""The one JSON error shape of the web API: ``{"error": {"code": ..., "message": ...}}``."""

from __future__ import annotations

from fastapi.responses import JSONResponse


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status)
