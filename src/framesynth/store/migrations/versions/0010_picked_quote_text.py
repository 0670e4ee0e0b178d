"""A picked quote's edited display text and its place among its theme's picks.

``picked_quotes.display_text``: the quote as the report prints it, shortened with "[…]"
and with [bracketed] insertions (checked against the coded span when set; the coded span
stays the evidence). Null: the coded span, trimmed to sentence boundaries.
``picked_quotes.position``: the analyst's order within the theme (1 = first); null: in
pick order, after those placed.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("picked_quotes") as batch:
        batch.add_column(sa.Column("display_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("position", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("picked_quotes") as batch:
        batch.drop_column("position")
        batch.drop_column("display_text")
