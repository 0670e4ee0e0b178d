"""Settings, the project session, who is asking, and CSRF: shared by every route."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from framesynth.accounts import CAN_CODE, AccessDenied
from framesynth.config import current_user
from framesynth.errors import FramesynthError, NotFound
from framesynth.project import Project
from framesynth.store.ids import get_by_id

COOKIE = "fs_session"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


class LoginRequired(Exception):
    pass


class CsrfError(FramesynthError):
    code = "FS502"


@dataclass
class Settings:
    project: Path
    host: str = "127.0.0.1"
    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    local_user: str = field(default_factory=current_user)
    embedder: str | None = None
    secure_cookies: bool = False  # set when served behind HTTPS

    @property
    def login_required(self) -> bool:
        try:
            return not ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return self.host != "localhost"


@dataclass
class Identity:
    name: str
    role: str
    csrf: str

    @property
    def can_code(self) -> bool:
        return self.role in CAN_CODE

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


def serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret, salt="framesynth-session")


def read_identity(request: Request) -> Identity | None:
    settings: Settings = request.app.state.settings
    raw = request.cookies.get(COOKIE)
    if raw:
        try:
            data = serializer(settings).loads(raw, max_age=60 * 60 * 12)
            return Identity(data["user"], data["role"], data["csrf"])
        except (BadSignature, KeyError, TypeError):
            pass
    return None


def session_cookie(settings: Settings, identity: Identity) -> str:
    return serializer(settings).dumps({"user": identity.name, "role": identity.role,
                                       "csrf": identity.csrf})


def identity(request: Request) -> Identity:
    """Who is asking; a loopback server without accounts acts as the local owner."""
    found = getattr(request.state, "identity", None) or read_identity(request)
    if found is not None:
        return found
    settings: Settings = request.app.state.settings
    if settings.login_required:
        raise LoginRequired()
    found = Identity(settings.local_user, "owner", secrets.token_urlsafe(24))
    request.state.identity = found
    request.state.new_cookie = True
    return found


IdentityDep = Annotated[Identity, Depends(identity)]


async def csrf(request: Request, who: IdentityDep) -> Identity:
    """Every change carries the session's CSRF token (header or form field)."""
    token = request.headers.get("x-csrf-token")
    if token is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        token = (await request.form()).get("csrf")  # type: ignore[assignment]
    if not token or not secrets.compare_digest(str(token), who.csrf):
        raise CsrfError("missing or wrong CSRF token; reload the page")
    return who


def coder(who: Annotated[Identity, Depends(csrf)]) -> Identity:
    if not who.can_code:
        raise AccessDenied(f"a {who.role} may not change the project")
    return who


def owner(who: Annotated[Identity, Depends(csrf)]) -> Identity:
    if not who.is_owner:
        raise AccessDenied(f"a {who.role} may not change the framework or accounts")
    return who


CoderDep = Annotated[Identity, Depends(coder)]
OwnerDep = Annotated[Identity, Depends(owner)]


def project_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, else rolled back."""
    project: Project = request.app.state.project
    with project.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(project_session)]


Row = TypeVar("Row")


def get_or_404(session: Session, model: type[Row], key: int) -> Row:
    """The row of ``model`` with id ``key``, or a NotFound error (HTTP 404), also for an
    id no database could hold (beyond 64 bits)."""
    found = get_by_id(session, model, key)
    if found is None:
        raise NotFound(f"no {model.__name__.lower()} with id {key}")
    return found


def render(request: Request, template: str, who: Identity, **context: object):  # type: ignore[no-untyped-def]
    response = TEMPLATES.TemplateResponse(request, template, {"who": who, **context})
    remember(request, response, who)
    return response


def remember(request: Request, response, who: Identity) -> None:  # type: ignore[no-untyped-def]
    if getattr(request.state, "new_cookie", False):
        settings: Settings = request.app.state.settings
        response.set_cookie(COOKIE, session_cookie(settings, who), httponly=True,
                            samesite="strict", secure=settings.secure_cookies)
