"""Accounts and roles for the web workbench.

Roles, per project: ``owner`` (everything, including accounts and the framework),
``coder`` (code, review suggestions, write memos and matrix summaries), ``viewer``
(read only). Passwords are hashed with Argon2id (argon2-cffi).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.errors import FramesynthError, InvalidArgument
from framesynth.store.events import log_event
from framesynth.store.models import User

ROLES = ("owner", "coder", "viewer")
CAN_CODE = {"owner", "coder"}


class AccessDenied(FramesynthError):
    code = "FS501"


def _hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    return PasswordHasher()


def add_user(session: Session, name: str, password: str, *, role: str, actor: str) -> User:
    if role not in ROLES:
        raise InvalidArgument(f"role must be one of: {', '.join(ROLES)}")
    if len(password) < 8:
        raise InvalidArgument("a password needs at least 8 characters")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise InvalidArgument(f"there is already an account {name!r}")
    user = User(name=name, password_hash=_hasher().hash(password), role=role)
    session.add(user)
    session.flush()
    log_event(session, "account.add", actor=actor, name=name, role=role)
    return user


def set_role(session: Session, name: str, role: str, *, actor: str) -> User:
    user = get_user(session, name)
    if role not in ROLES:
        raise InvalidArgument(f"role must be one of: {', '.join(ROLES)}")
    user.role = role
    log_event(session, "account.role", actor=actor, name=name, role=role)
    return user


def get_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise InvalidArgument(f"no account {name!r}")
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The account if the password is right, else None (the same for a wrong name)."""
    from argon2.exceptions import VerificationError

    user = session.scalar(select(User).where(User.name == name))
    try:
        if user is not None and _hasher().verify(user.password_hash, password):
            return user
    except VerificationError:
        return None
    return None


def require_role(role: str, allowed: set[str], action: str) -> None:
    if role not in allowed:
        raise AccessDenied(f"a {role} may not {action}")
