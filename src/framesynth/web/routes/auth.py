"""Logging in and out, and the owner's accounts page."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from framesynth.accounts import (
    ROLES,
    add_user,
    has_accounts,
    list_users,
    remove_user,
    set_password,
    set_role,
)
from framesynth.errors import InvalidArgument
from framesynth.logins import LoginThrottled, log_in, log_out
from framesynth.web.access import LOGIN_COOKIE, SESSION_COOKIE
from framesynth.web.deps import IdentityDep, OwnerDep, SessionDep, render

router = APIRouter(tags=["auth"])
FAILED = "Wrong name or password."


def _login_form(request: Request, next: str, message: str | None, status: int = 200):  # type: ignore[no-untyped-def]
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", None, token=token, next=next, message=message)
    response.status_code = status
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.settings.secure_cookies)
    return response


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


NO_ACCOUNTS = ("This project has no accounts yet, so nobody can log in here: an owner adds "
               "one with `framesynth users add`, or serves it on a loopback address.")


@router.get("/login")
def login_page(request: Request, session: SessionDep, next: str = "/",
               failed: bool = False):  # type: ignore[no-untyped-def]
    message = FAILED if failed else None if has_accounts(session) else NO_ACCOUNTS
    return _login_form(request, _safe_next(next), message)


@router.post("/login")
def login(request: Request, session: SessionDep, name: Annotated[str, Form()],
          password: Annotated[str, Form()], next: Annotated[str, Form()] = "/"):  # type: ignore[no-untyped-def]
    settings = request.app.state.settings
    address = request.client.host if request.client else None
    try:
        started = log_in(session, name, password, address=address, throttle=settings.throttle)
    except LoginThrottled as error:
        return _login_form(request, _safe_next(next), str(error), status=429)
    if started is None:
        return _login_form(request, _safe_next(next), FAILED, status=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, started.token, httponly=True, samesite="strict",
                        secure=settings.secure_cookies,
                        max_age=settings.session_hours * 3600)
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, who: IdentityDep) -> RedirectResponse:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        log_out(session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/accounts")
def accounts_page(request: Request, session: SessionDep, who: OwnerDep,
                  message: str | None = None):  # type: ignore[no-untyped-def]
    return render(request, "accounts.html", who, users=list_users(session), roles=ROLES,
                  message=message)


def _back(message: str) -> RedirectResponse:
    return RedirectResponse(f"/accounts?message={quote(message)}", status_code=303)


def _change(session: Session, change: Callable[[], object], done: str) -> RedirectResponse:
    """Apply one account change; a refusal comes back to the page as its message."""
    try:
        change()
    except InvalidArgument as error:
        session.rollback()
        return _back(str(error))
    return _back(done)


@router.post("/accounts/add")
def accounts_add(session: SessionDep, who: OwnerDep, name: Annotated[str, Form()],
                 password: Annotated[str, Form()], role: Annotated[str, Form()] = "coder"
                 ) -> RedirectResponse:
    return _change(session, lambda: add_user(session, name, password, role=role,
                                             actor=who.name), f"added {name} as {role}")


@router.post("/accounts/{name}/role")
def accounts_role(session: SessionDep, who: OwnerDep, name: str,
                  role: Annotated[str, Form()]) -> RedirectResponse:
    return _change(session, lambda: set_role(session, name, role, actor=who.name),
                   f"{name} is now {role}; their sessions have ended")


@router.post("/accounts/{name}/password")
def accounts_password(session: SessionDep, who: OwnerDep, name: str,
                      password: Annotated[str, Form()]) -> RedirectResponse:
    return _change(session, lambda: set_password(session, name, password, actor=who.name),
                   f"new password for {name}; their sessions have ended")


@router.post("/accounts/{name}/remove")
def accounts_remove(session: SessionDep, who: OwnerDep, name: str) -> RedirectResponse:
    return _change(session, lambda: remove_user(session, name, actor=who.name),
                   f"removed {name}; their sessions have ended")
