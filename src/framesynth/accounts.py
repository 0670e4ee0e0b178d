"""Accounts and roles for the web workbench.

Roles, per project: ``owner`` (everything, including accounts and the framework),
``coder`` (code, review suggestions, write memos and matrix summaries), ``viewer``
(read only). Passwords are hashed with Argon2id (argon2-cffi). A change to an account
(its role, its password, its removal) ends its sessions at once (``web_sessions``).
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from framesynth.errors import FramesynthError, InvalidArgument
from framesynth.store.events import log_event
from framesynth.store.models import User, WebSession

ROLES = ("owner", "coder", "viewer")
CAN_CODE = {"owner", "coder"}
MIN_PASSWORD = 8


class AccessDenied(FramesynthError):
    code = "FS501"


@cache
def _hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the name is unknown, so timing does not tell."""
    return str(_hasher().hash("framesynth: no such account"))


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidArgument(f"role must be one of: {', '.join(ROLES)}")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidArgument(f"a password needs at least {MIN_PASSWORD} characters")


def add_user(session: Session, name: str, password: str, *, role: str, actor: str) -> User:
    _check_role(role)
    _check_password(password)
    if not name.strip() or len(name) > 100 or not name.isprintable() or "/" in name:
        raise InvalidArgument("a login name needs 1 to 100 printable characters, no '/'")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise InvalidArgument(f"there is already an account {name!r}")
    user = User(name=name, password_hash=_hasher().hash(password), role=role)
    session.add(user)
    session.flush()
    log_event(session, "account.add", actor=actor, name=name, role=role)
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def has_accounts(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


def get_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise InvalidArgument(f"no account {name!r}")
    return user


def _keep_an_owner(session: Session, user: User, action: str) -> None:
    owners = session.scalar(select(func.count()).select_from(User).where(User.role == "owner"))
    if user.role == "owner" and owners == 1:
        raise InvalidArgument(f"{user.name} is the project's only owner; "
                              f"make another owner before you {action}")


def end_sessions(session: Session, user: User) -> int:
    """Log ``user`` out everywhere; returns how many sessions ended."""
    ended = session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    return int(ended.rowcount)  # type: ignore[attr-defined]


def set_role(session: Session, name: str, role: str, *, actor: str) -> User:
    user = get_user(session, name)
    _check_role(role)
    if role != "owner":
        _keep_an_owner(session, user, "change this role")
    user.role = role
    end_sessions(session, user)
    log_event(session, "account.role", actor=actor, name=name, role=role)
    return user


def set_password(session: Session, name: str, password: str, *, actor: str) -> User:
    user = get_user(session, name)
    _check_password(password)
    user.password_hash = _hasher().hash(password)
    end_sessions(session, user)
    log_event(session, "account.password", actor=actor, name=name)
    return user


def remove_user(session: Session, name: str, *, actor: str) -> None:
    user = get_user(session, name)
    _keep_an_owner(session, user, "remove this account")
    end_sessions(session, user)
    session.delete(user)
    session.flush()
    log_event(session, "account.remove", actor=actor, name=name)


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The account if the password is right, else None. An unknown name costs the same
    Argon2 verification as a known one, so the answer's timing does not tell them apart."""
    from argon2.exceptions import VerificationError

    user = session.scalar(select(User).where(User.name == name))
    try:
        _hasher().verify(user.password_hash if user else _dummy_hash(), password)
    except VerificationError:
        return None
    return user


def require_role(role: str, allowed: set[str], action: str) -> None:
    if role not in allowed:
        raise AccessDenied(f"a {role} may not {action}")
