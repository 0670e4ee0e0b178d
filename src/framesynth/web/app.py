"""The web workbench: ``create_app(settings)`` builds the FastAPI application.

It is a thin layer over the library: every route opens a project session, calls library
functions and renders a Jinja template or returns JSON. Who may ask what is decided in one
place, ``web.access``, before any route runs: the Host check, cross-site refusal, the login
(required whenever the project has accounts) and the CSRF token of every change.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from framesynth.errors import FramesynthError, InvalidArgument
from framesynth.project import Project
from framesynth.store.engine import local_path
from framesynth.web.access import LoginRequired, add_request_checks, guard
from framesynth.web.deps import Settings
from framesynth.web.errors import error_response, http_status
from framesynth.web.jobs import JobRunner
from framesynth.web.routes import (
    api_docs,
    auth,
    chart,
    coding,
    evaluation,
    framework,
    imports,
    interpret,
    jobs,
    quotes,
    read,
    review,
    sources,
    study,
)
from framesynth.web.security import add_security_headers

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="framesynth", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(guard)])
    app.state.settings = settings
    app.state.project = Project.open(settings.project)
    stand_in = local_path(settings.project)  # a database URL's: ./DATABASE
    app.state.jobs = JobRunner(stand_in.with_name(stand_in.name + "-jobs"),
                               keep_seconds=settings.job_hours * 3600)
    add_request_checks(app)
    add_security_headers(app)  # outermost: refusals carry the headers too
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (auth, read, coding, review, evaluation, chart, framework, interpret,
                   quotes, jobs, imports, sources, study, api_docs):
        app.include_router(module.router)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, error: LoginRequired):  # type: ignore[no-untyped-def]
        if request.url.path.startswith("/api/") or request.method not in {"GET", "HEAD"}:
            return error_response(401, "FS500", f"{error.reason} [FS500]")
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(FramesynthError)
    async def framesynth_error(_request: Request, error: FramesynthError) -> JSONResponse:
        return error_response(http_status(error), error.code, str(error), **error.details())

    @app.exception_handler(ValueError)
    async def value_error(_request: Request, error: ValueError) -> JSONResponse:
        wrapped = InvalidArgument(str(error))
        return error_response(400, wrapped.code, str(wrapped))

    return app


def app_from_environment() -> FastAPI:
    """The app of one worker process of ``serve --workers N`` (a uvicorn factory): the
    settings come from the parent through the environment (:meth:`Settings.to_environment`)."""
    return create_app(Settings.from_environment())
