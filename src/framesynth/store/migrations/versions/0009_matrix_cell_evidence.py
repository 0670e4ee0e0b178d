"""Where a matrix cell's draft came from.

``matrix_cells.evidence``: a JSON list of ``{source_id, start, end}``, one per drafted
sentence, in the order the draft gives them (code-point offsets into ``Source.text``), so
the reader can open each sentence and the CLI can name it. Null for cells a person wrote.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("matrix_cells") as batch:
        batch.add_column(sa.Column("evidence", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("matrix_cells") as batch:
        batch.drop_column("evidence")
