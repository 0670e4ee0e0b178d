"""The turn index merges eight segments at a time instead of four.

FTS5 writes a new segment for every statement that adds turns and merges segments of a
level as soon as ``automerge`` (default 4) of them exist, so each turn is rewritten once
per level and the number of levels grows with the project: the cost per imported turn
rose by a fifth from 66,000 to 660,000 turns. With 8 each turn is rewritten half as
often and that cost stays flat; a search reads up to 8 segments per level instead of 4.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

AUTOMERGE = 8


def _set_automerge(value: int) -> None:
    op.execute(f"INSERT INTO turn_fts(turn_fts, rank) VALUES ('automerge', {value})")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _set_automerge(AUTOMERGE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _set_automerge(4)
