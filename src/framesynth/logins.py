"""Logging in to the web workbench: server-side sessions and throttled attempts.

A successful login starts a session: the browser's cookie holds a random token and the
project holds its SHA-256 (``web_sessions``), the user, the session's CSRF token and when
it began and was last used. Nothing about the user's role is in the cookie: it is read from
the store on every request. A session ends at logout, when the account changes (role,
password, removal: ``accounts.end_sessions``), after ``idle`` without use, and ``absolute``
after it began.

Failed logins are counted per account name (known or not, so counting tells nothing about
which names exist) and per client address; past a threshold every further try waits,
doubling each time, up to a cap, even with the right password.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from framesynth.accounts import authenticate
from framesynth.errors import FramesynthError
from framesynth.store.events import log_event
from framesynth.store.models import LoginFailure, User, WebSession, utcnow

TOUCH_EVERY = timedelta(minutes=1)  # last use is written at most this often


class LoginThrottled(FramesynthError):
    code = "FS503"


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lasts: ``idle`` without a request, ``absolute`` in all."""

    idle: timedelta = timedelta(hours=2)
    absolute: timedelta = timedelta(hours=12)


@dataclass(frozen=True)
class ThrottlePolicy:
    """After ``free`` failures per account (``free_per_address`` per address) each try
    waits ``wait``, doubled per further failure up to ``longest``; counts are forgotten
    ``forget`` after the last failure."""

    free: int = 5
    free_per_address: int = 20
    wait: timedelta = timedelta(seconds=30)
    longest: timedelta = timedelta(minutes=15)
    forget: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class Login:
    token: str  # goes into the cookie; only its hash is stored
    session: WebSession


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _keys(name: str, address: str | None) -> list[tuple[str, str]]:
    keys = [("account", f"account:{name.strip().casefold()}"[:200])]
    if address:
        keys.append(("address", f"address:{address}"[:200]))
    return keys


def _check_not_blocked(session: Session, keys: list[tuple[str, str]], now: datetime) -> None:
    for kind, key in keys:
        row = session.get(LoginFailure, key)
        if row is not None and row.blocked_until is not None and row.blocked_until > now:
            seconds = int((row.blocked_until - now).total_seconds()) + 1
            what = "this account" if kind == "account" else "this address"
            raise LoginThrottled(f"too many failed logins for {what}; "
                                 f"try again in {seconds} s")


def _record_failure(session: Session, keys: list[tuple[str, str]], now: datetime,
                    policy: ThrottlePolicy) -> None:
    session.execute(delete(LoginFailure).where(
        LoginFailure.last_failed_at < now - policy.forget,
        or_(LoginFailure.blocked_until.is_(None), LoginFailure.blocked_until < now)))
    for kind, key in keys:
        row = session.get(LoginFailure, key) or LoginFailure(key=key, failures=0)
        row.failures += 1
        row.last_failed_at = now
        free = policy.free if kind == "account" else policy.free_per_address
        if row.failures >= free:
            wait = min(policy.wait * 2 ** (row.failures - free), policy.longest)
            row.blocked_until = now + wait
        session.add(row)
    session.flush()


def log_in(session: Session, name: str, password: str, *, address: str | None = None,
           throttle: ThrottlePolicy = ThrottlePolicy(), now: datetime | None = None
           ) -> Login | None:
    """Start a session if the password is right; None if it is wrong. Raises
    :class:`LoginThrottled` while the account or the address has to wait."""
    now = now or utcnow()
    keys = _keys(name, address)
    _check_not_blocked(session, keys, now)
    user = authenticate(session, name, password)
    if user is None:
        _record_failure(session, keys, now, throttle)
        log_event(session, "account.login_failed", actor=name[:100], address=address)
        return None
    session.execute(delete(LoginFailure).where(LoginFailure.key == keys[0][1]))
    return _start(session, user, address, now)


def _start(session: Session, user: User, address: str | None, now: datetime) -> Login:
    token = secrets.token_urlsafe(32)
    row = WebSession(token_hash=_digest(token), user_id=user.id, csrf=secrets.token_urlsafe(24),
                     address=address, created_at=now, last_seen_at=now)
    session.add(row)
    session.flush()
    log_event(session, "account.login", actor=user.name, address=address)
    return Login(token, row)


def find_session(session: Session, token: str, *, policy: SessionPolicy = SessionPolicy(),
                 now: datetime | None = None) -> WebSession | None:
    """The live session whose cookie token is ``token``, its last use noted; None if there
    is none or it has expired (an expired one is deleted)."""
    now = now or utcnow()
    row = session.scalar(select(WebSession).where(WebSession.token_hash == _digest(token)))
    if row is None:
        return None
    if now - row.created_at > policy.absolute or now - row.last_seen_at > policy.idle:
        session.delete(row)
        session.flush()
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
    return row


def log_out(session: Session, token: str) -> None:
    """End the session of this cookie token (nothing if it has already ended)."""
    session.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))


def purge_sessions(session: Session, *, policy: SessionPolicy = SessionPolicy(),
                   now: datetime | None = None) -> int:
    """Delete every expired session; returns how many."""
    now = now or utcnow()
    ended = session.execute(delete(WebSession).where(or_(
        WebSession.created_at < now - policy.absolute,
        WebSession.last_seen_at < now - policy.idle)))
    return int(ended.rowcount)  # type: ignore[attr-defined]
