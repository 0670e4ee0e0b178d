"""Row ids as users give them: any integer, of which only 64-bit signed ones can exist."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

Row = TypeVar("Row")

SMALLEST_ID, LARGEST_ID = -(2**63), 2**63 - 1


def fits(key: int) -> bool:
    """Whether ``key`` is in the range a database id can hold (else no row has it)."""
    return SMALLEST_ID <= key <= LARGEST_ID


def get_by_id(session: Session, model: type[Row], key: int) -> Row | None:
    """The row of ``model`` with id ``key``; ``None`` also for ids beyond 64 bits."""
    return session.get(model, key) if fits(key) else None
