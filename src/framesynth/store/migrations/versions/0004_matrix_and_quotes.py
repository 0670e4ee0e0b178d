"""Framework matrix cells (case x theme summaries) and quotes picked for the report.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "matrix_cells",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("code_id", sa.Integer(), sa.ForeignKey("codes.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.UniqueConstraint("case_id", "code_id"),
        sa.CheckConstraint("status IN ('draft', 'accepted', 'edited')", name="status"),
    )
    op.create_index("ix_matrix_cells_case_id", "matrix_cells", ["case_id"])
    op.create_index("ix_matrix_cells_code_id", "matrix_cells", ["code_id"])
    op.create_table(
        "picked_quotes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("coding_id", sa.Integer(), sa.ForeignKey("codings.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("code_id", sa.Integer(), sa.ForeignKey("codes.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("picked_by", sa.String(100), nullable=False),
        sa.Column("picked_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("coding_id", "code_id"),
    )
    op.create_index("ix_picked_quotes_code_id", "picked_quotes", ["code_id"])


def downgrade() -> None:
    op.drop_table("picked_quotes")
    op.drop_table("matrix_cells")
