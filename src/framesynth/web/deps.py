"""Settings, the project session, who is asking and what they may do: shared by every route.

Who is asking is decided once per request by ``web.access`` (an app-wide dependency, with
the CSRF check); routes only say which role they need.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from framesynth.accounts import AccessDenied
from framesynth.config import current_user
from framesynth.errors import NotFound
from framesynth.frame.colours import safe_colour
from framesynth.io.uploads import max_upload_bytes
from framesynth.logins import SessionPolicy, ThrottlePolicy
from framesynth.project import Project
from framesynth.store.ids import get_by_id
from framesynth.web.access import CsrfError, Identity, LoginRequired

__all__ = ["CsrfError", "Identity", "LoginRequired", "Settings"]

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
# a stored code colour reaches a ``style`` attribute only as a valid #rrggbb
TEMPLATES.env.filters["colour"] = safe_colour


@dataclass
class Settings:
    project: str | Path  # a project file or a database URL
    host: str = "127.0.0.1"  # the address the server listens on
    allow_hosts: tuple[str, ...] = ()  # more names the server answers to (Host header)
    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    local_user: str = field(default_factory=current_user)
    embedder: str | None = None
    secure_cookies: bool = False  # set when served behind HTTPS
    session_idle_minutes: int = 120
    session_hours: int = 12
    max_upload_bytes: int = field(default_factory=max_upload_bytes)  # --max-upload-mb
    job_hours: int = 24  # how long a finished job's files are kept
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy)

    @property
    def session_policy(self) -> SessionPolicy:
        return SessionPolicy(idle=timedelta(minutes=self.session_idle_minutes),
                             absolute=timedelta(hours=self.session_hours))

    def to_environment(self) -> dict[str, str]:
        """These settings as an environment variable, for worker processes
        (``serve --workers``): every worker must sign with the same secret."""
        values = asdict(self)
        values["project"] = str(self.project)
        values["throttle"] = {name: value.total_seconds() if isinstance(value, timedelta)
                              else value for name, value in values["throttle"].items()}
        return {SETTINGS_ENV: json.dumps(values)}

    @classmethod
    def from_environment(cls) -> Settings:
        """The settings :meth:`to_environment` wrote (in a worker process)."""
        values = json.loads(os.environ[SETTINGS_ENV])
        defaults = ThrottlePolicy()
        throttle: dict[str, Any] = {
            name: timedelta(seconds=value) if isinstance(getattr(defaults, name), timedelta)
            else value for name, value in values["throttle"].items()}
        values["throttle"] = ThrottlePolicy(**throttle)
        values["allow_hosts"] = tuple(values["allow_hosts"])
        location = values["project"]
        values["project"] = location if "://" in location else Path(location)
        return cls(**values)


SETTINGS_ENV = "FRAMESYNTH_SERVE_SETTINGS"


def identity(request: Request) -> Identity:
    """Who is asking, as ``web.access.guard`` found them."""
    found: Identity | None = getattr(request.state, "identity", None)
    if found is None:
        raise LoginRequired()
    return found


IdentityDep = Annotated[Identity, Depends(identity)]


def coder(who: IdentityDep) -> Identity:
    if not who.can_code:
        raise AccessDenied(f"a {who.role} may not change the project")
    return who


def owner(who: IdentityDep) -> Identity:
    if not who.is_owner:
        raise AccessDenied(f"a {who.role} may not change the framework or accounts")
    return who


CoderDep = Annotated[Identity, Depends(coder)]
OwnerDep = Annotated[Identity, Depends(owner)]


def project_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns (before the response
    is sent, so the browser's next request sees it), else rolled back."""
    project: Project = request.app.state.project
    with project.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(project_session, scope="function")]


Row = TypeVar("Row")


def get_or_404(session: Session, model: type[Row], key: int) -> Row:
    """The row of ``model`` with id ``key``, or a NotFound error (HTTP 404), also for an
    id no database could hold (beyond 64 bits)."""
    found = get_by_id(session, model, key)
    if found is None:
        raise NotFound(f"no {model.__name__.lower()} with id {key}")
    return found


def render(request: Request, template: str, who: Identity | None, **context: object):  # type: ignore[no-untyped-def]
    return TEMPLATES.TemplateResponse(request, template, {"who": who, **context})
