"""Logging in and out (needed when the server listens beyond this machine)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from framesynth.accounts import authenticate
from framesynth.web.deps import COOKIE, TEMPLATES, CsrfError, Identity, SessionDep, session_cookie
from framesynth.web.deps import csrf as csrf_check

router = APIRouter(tags=["auth"])
LOGIN_COOKIE = "fs_login"


@router.get("/login")
def login_page(request: Request, next: str = "/", failed: bool = False):  # type: ignore[no-untyped-def]
    token = secrets.token_urlsafe(24)
    response = TEMPLATES.TemplateResponse(request, "login.html",
                                          {"who": None, "token": token, "next": next,
                                           "failed": failed})
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict")
    return response


@router.post("/login")
def login(request: Request, session: SessionDep, name: Annotated[str, Form()],
          password: Annotated[str, Form()], csrf: Annotated[str, Form()],
          next: Annotated[str, Form()] = "/"):  # type: ignore[no-untyped-def]
    expected = request.cookies.get(LOGIN_COOKIE)
    if not expected or not secrets.compare_digest(expected, csrf):
        raise CsrfError("missing or wrong CSRF token on the login form; reload the page")
    user = authenticate(session, name, password)
    if user is None:
        return RedirectResponse(f"/login?failed=true&next={next}", status_code=303)
    who = Identity(user.name, user.role, secrets.token_urlsafe(24))
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, session_cookie(request.app.state.settings, who),
                        httponly=True, samesite="strict",
                        secure=request.app.state.settings.secure_cookies)
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(who: Annotated[Identity, Depends(csrf_check)]) -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response
