"""Matrix cell versions, and the codings index the matrix reads alone.

``matrix_cells.version``: 1 for every cell stored so far, one more with every change,
so that of two people editing one cell the second is told instead of overwriting the
first (``chart.matrix.edit_cell``).

``ix_codings_covering`` on ``codings (source_id, start, status, code_id, coder)``: the
matrix's counts join each coding to its turn on (source_id, start) and need only these
columns, so SQLite and PostgreSQL read the index and never the table (1M codings:
``bench/bench_matrix.py``). It starts with (source_id, start), so it serves every query
``ix_codings_source_id_start`` served, and that index is dropped (one fewer to write
per coding imported).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-16
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("matrix_cells") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.create_index("ix_codings_covering", "codings",
                    ["source_id", "start", "status", "code_id", "coder"])
    op.drop_index("ix_codings_source_id_start", table_name="codings")


def downgrade() -> None:
    op.create_index("ix_codings_source_id_start", "codings", ["source_id", "start"])
    op.drop_index("ix_codings_covering", table_name="codings")
    with op.batch_alter_table("matrix_cells") as batch:
        batch.drop_column("version")
