"""The API's description, for those who may use the workbench: the OpenAPI schema and a
plain page listing every endpoint (no third-party script, so the CSP holds)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from framesynth.web.deps import IdentityDep, render

router = APIRouter(prefix="/api", tags=["api"])


@router.get("/openapi.json")
def openapi(request: Request, who: IdentityDep) -> dict[str, Any]:
    return request.app.openapi()  # type: ignore[no-any-return]


@router.get("/docs")
def docs(request: Request, who: IdentityDep):  # type: ignore[no-untyped-def]
    schema = request.app.openapi()
    endpoints = [{"method": method.upper(), "path": path,
                  "summary": spec.get("summary", ""),
                  "description": spec.get("description", "")}
                 for path, item in schema["paths"].items() for method, spec in item.items()]
    return render(request, "api_docs.html", who, endpoints=endpoints)
