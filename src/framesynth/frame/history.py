"""Every change to a framework is an event with who, when, what and the framework after it;
``history`` lists them and ``diff`` compares the framework then and now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.errors import NotFound
from framesynth.frame.framework import MAIN, snapshot
from framesynth.store.events import log_event
from framesynth.store.models import Event

PREFIX = "codebook."


def record_change(session: Session, action: str, *, actor: str, framework: str = MAIN,
                  **details: Any) -> Event:
    """Log a framework change with a snapshot of the framework after it."""
    session.flush()
    return log_event(session, PREFIX + action, actor=actor, framework=framework,
                     snapshot=snapshot(session, framework), **details)


def history(session: Session, framework: str = MAIN) -> list[Event]:
    """The framework's changes, oldest first."""
    events = session.scalars(select(Event).where(Event.action.startswith(PREFIX))
                             .order_by(Event.id))
    return [event for event in events if event.payload.get("framework") == framework]


def describe(event: Event) -> str:
    """One line saying what an event changed."""
    details = {k: v for k, v in event.payload.items() if k not in {"framework", "snapshot"}}
    text = ", ".join(f"{key}={value}" for key, value in details.items())
    return f"{event.action.removeprefix(PREFIX)} {text}".strip()


@dataclass
class Change:
    kind: str  # added, removed, renamed/moved, redefined, retired, restored
    code_id: int
    before: str | None
    after: str | None


def diff_snapshots(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]
                   ) -> list[Change]:
    """What changed between two framework snapshots, code by code."""
    changes: list[Change] = []
    for key in sorted(set(old) | set(new), key=int):
        before, after = old.get(key), new.get(key)
        if before is None and after is not None:
            kind = "added, since retired" if after.get("retired") else "added"
            changes.append(Change(kind, int(key), None, after["path"]))
        elif after is None and before is not None:
            changes.append(Change("removed", int(key), before["path"], None))
        elif before is not None and after is not None:
            changes += _code_changes(int(key), before, after)
    return changes


def _code_changes(key: int, before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    found = []
    if before["path"] != after["path"]:
        found.append(Change("renamed/moved", key, before["path"], after["path"]))
    for field in ("definition", "inclusion", "exclusion", "codable"):
        if before.get(field) != after.get(field):
            found.append(Change(f"{field} changed", key, str(before.get(field)),
                                str(after.get(field))))
    if before.get("retired") != after.get("retired"):
        found.append(Change("retired" if after.get("retired") else "restored", key,
                            before["path"], after["path"]))
    return found


def diff_since(session: Session, since: int | datetime | None, framework: str = MAIN
               ) -> list[Change]:
    """Changes from the framework as it was after event ``since`` (or at that time;
    None: from empty) to the framework now."""
    events = history(session, framework)
    if isinstance(since, int) and since not in {event.id for event in events}:
        raise NotFound(f"no codebook event {since} in framework {framework!r}")
    before: dict[str, dict[str, Any]] = {}
    for event in events:
        if since is None:
            break
        if (event.id <= since) if isinstance(since, int) else (event.at <= since):
            before = event.payload["snapshot"]
    return diff_snapshots(before, snapshot(session, framework))

