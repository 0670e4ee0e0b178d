"""The append-only change log: every change a person or a batch makes is one event."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from framesynth.store.models import Event


def log_event(session: Session, action: str, *, actor: str, **payload: Any) -> Event:
    """Record that ``actor`` did ``action``; ``payload`` says to what."""
    event = Event(action=action, actor=actor, payload=payload)
    session.add(event)
    return event
