"""Who may talk to the workbench, as whom, and which requests may change anything.

The one place for these rules; every request passes through them before any route runs:

1. **Host.** A request's ``Host`` must name this machine (``localhost``, 127.0.0.0/8,
   ``[::1]``), the address the server listens on, or a name given with ``--allow-host``;
   any other is answered 421, so a foreign page that rebinds its domain to 127.0.0.1 gets
   nothing. (A server listening on every address with no ``--allow-host`` takes any Host;
   it requires a login anyway.)
2. **Cross-site changes.** A POST, PUT, PATCH or DELETE sent by another site
   (``Sec-Fetch-Site: cross-site``/``same-site``, or an ``Origin`` that is not this host)
   is refused 403, as is one without the session's CSRF token (header ``X-CSRF-Token`` or
   form field ``csrf``; before login, the login form's own token).
3. **Identity.** A session cookie names a server-side session (``framesynth.logins``), and
   the role is read from the store on each request. A project with accounts requires a
   login whatever the address. A project without accounts acts as the local owner only on
   a loopback socket, for a local Host, and not through a proxy (``Forwarded``,
   ``X-Forwarded-For`` or ``X-Real-IP`` present).
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.concurrency import run_in_threadpool

from framesynth.accounts import CAN_CODE, has_accounts
from framesynth.errors import UploadTooLarge
from framesynth.io.uploads import check_content_length
from framesynth.logins import find_session
from framesynth.web.errors import CsrfError, error_response

if TYPE_CHECKING:
    from framesynth.web.deps import Settings

SESSION_COOKIE = "fs_session"  # a logged-in session's random token
LOCAL_COOKIE = "fs_local"  # the local owner's CSRF token, signed
LOGIN_COOKIE = "fs_login"  # the login form's CSRF token
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_PATHS = frozenset({"/login"})
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")
WILDCARDS = frozenset({"0.0.0.0", "::", ""})


class LoginRequired(Exception):
    """The request needs a login; pages redirect to ``/login``, the API answers 401."""

    def __init__(self, reason: str = "log in first") -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Identity:
    name: str
    role: str
    csrf: str
    logged_in: bool = False  # False for the local owner of a project without accounts

    @property
    def can_code(self) -> bool:
        return self.role in CAN_CODE

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


def is_loopback(name: str) -> bool:
    if name.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(header: str | None) -> str | None:
    """The name in a ``Host`` header without its port (``[::1]:8765`` → ``::1``), or None
    if the header is missing or malformed."""
    if not header or any(c in header for c in "/@?# \\"):
        return None
    parts = urlsplit(f"//{header}")
    try:
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        return None
    return parts.hostname or None


def is_local_host(name: str, settings: Settings) -> bool:
    """``name`` is this machine, or a name the server was told to answer to."""
    return is_loopback(name) or name.casefold() in {h.casefold() for h in settings.allow_hosts}


def host_allowed(name: str, settings: Settings) -> bool:
    if is_local_host(name, settings) or name == settings.host:
        return True
    return settings.host in WILDCARDS and not settings.allow_hosts


def _same_origin(request: Request) -> bool:
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in {"same-origin", "none"}:
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.casefold() == request.headers.get("host", "").casefold()


def may_act_as_local_owner(request: Request, settings: Settings) -> bool:
    """A loopback socket, a local Host, and no proxy in between."""
    name = host_name(request.headers.get("host"))
    return (is_loopback(settings.host) and name is not None
            and is_local_host(name, settings)
            and not any(h in request.headers for h in PROXY_HEADERS))


def _signer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret, salt="framesynth-local")


def _local_owner(request: Request, settings: Settings) -> Identity:
    token = None
    raw = request.cookies.get(LOCAL_COOKIE)
    if raw:
        try:
            token = str(_signer(settings).loads(raw))
        except BadSignature:
            token = None
    if token is None:
        token = secrets.token_urlsafe(24)
        request.state.local_cookie = _signer(settings).dumps(token)
    return Identity(settings.local_user, "owner", token)


def resolve_identity(request: Request) -> Identity | None:
    """Who is asking, or None if nobody has logged in (runs in a worker thread)."""
    settings: Settings = request.app.state.settings
    token = request.cookies.get(SESSION_COOKIE)
    with request.app.state.project.session() as session:
        found = find_session(session, token, policy=settings.session_policy) if token else None
        if found is not None:
            return Identity(found.user.name, found.user.role, found.csrf, logged_in=True)
        if has_accounts(session):
            return None
    if may_act_as_local_owner(request, settings):
        return _local_owner(request, settings)
    request.state.no_accounts = True
    return None


async def _sent_token(request: Request) -> str | None:
    token = request.headers.get("x-csrf-token")
    if token is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get("csrf")
        token = value if isinstance(value, str) else None
    return token


async def guard(request: Request) -> None:
    """The app-wide dependency: establish who is asking, then require a login (except on
    the login page) and, for a change, the CSRF token."""
    who = await run_in_threadpool(resolve_identity, request)
    request.state.identity = who
    if who is None and request.url.path not in PUBLIC_PATHS:
        reason = ("this project has no accounts yet, and this server is not a local one: "
                  "add one with `framesynth users add`"
                  if getattr(request.state, "no_accounts", False) else "log in first")
        raise LoginRequired(reason)
    if request.method in SAFE_METHODS:
        return
    expected = who.csrf if who is not None else request.cookies.get(LOGIN_COOKIE)
    sent = await _sent_token(request)
    if not expected or not sent or not secrets.compare_digest(sent, expected):
        raise CsrfError("missing or wrong CSRF token; reload the page")


def add_request_checks(app: FastAPI) -> None:
    """Install the middleware for rules 1 and 2 (Host, cross-site changes) and the body
    size limit, and set the local owner's cookie when one was made."""

    @app.middleware("http")
    async def checks(request: Request,
                     call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        settings: Settings = request.app.state.settings
        refused = _refusal(request, settings)
        if refused is not None:
            return refused
        response = await call_next(request)
        made = getattr(request.state, "local_cookie", None)
        if made:
            response.set_cookie(LOCAL_COOKIE, made, httponly=True, samesite="strict",
                                secure=settings.secure_cookies)
        return response


def _refuse(status: int, code: str, message: str) -> Response:
    return error_response(status, code, f"{message} [{code}]")


def _refusal(request: Request, settings: Settings) -> Response | None:
    name = host_name(request.headers.get("host"))
    if name is None:
        return _refuse(400, "FS504", "missing or malformed Host header")
    if not host_allowed(name, settings):
        return _refuse(421, "FS504", f"this server does not answer to {name!r}; "
                                     "start it with --allow-host NAME to add a name")
    if request.method not in SAFE_METHODS and not _same_origin(request):
        return _refuse(403, "FS502", "a change sent from another site is refused")
    try:
        check_content_length(request.headers, settings.max_upload_bytes)
    except UploadTooLarge as error:
        return error_response(413, error.code, str(error))
    return None
