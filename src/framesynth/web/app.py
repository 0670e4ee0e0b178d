"""The web workbench: ``create_app(settings)`` builds the FastAPI application.

It is a thin layer over the library: every route opens a project session, calls library
functions and renders a Jinja template or returns JSON. Served on a loopback address it
acts as the local user (``FRAMESYNTH_USER``, owner); on any other address every request
needs a login. Either way each form and API call carries a CSRF token.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from framesynth.errors import FramesynthError, InvalidArgument, NotFound
from framesynth.project import Project
from framesynth.web.deps import LoginRequired, Settings
from framesynth.web.errors import error_response
from framesynth.web.jobs import JobRunner
from framesynth.web.routes import (
    auth,
    chart,
    coding,
    framework,
    imports,
    interpret,
    jobs,
    read,
    review,
    sources,
    study,
)
from framesynth.web.security import add_security_headers

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="framesynth", docs_url="/api/docs", redoc_url=None)
    app.state.settings = settings
    app.state.project = Project.open(settings.project)
    app.state.jobs = JobRunner()
    add_security_headers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (auth, read, coding, review, chart, framework, interpret, jobs, imports,
                   sources, study):
        app.include_router(module.router)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _error: LoginRequired):  # type: ignore[no-untyped-def]
        if request.url.path.startswith("/api/"):
            return error_response(401, "FS500", "log in first")
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(FramesynthError)
    async def framesynth_error(_request: Request, error: FramesynthError) -> JSONResponse:
        status = 404 if isinstance(error, NotFound) else 403 if error.code in {
            "FS501", "FS502"} else 400
        return error_response(status, error.code, str(error))

    @app.exception_handler(ValueError)
    async def value_error(_request: Request, error: ValueError) -> JSONResponse:
        wrapped = InvalidArgument(str(error))
        return error_response(400, wrapped.code, str(wrapped))

    return app
