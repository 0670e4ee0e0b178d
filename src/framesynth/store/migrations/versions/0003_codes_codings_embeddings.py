"""The coding framework (codes), codings and suggestions, memos on codes, and the
embedding cache.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from framesynth.store.models import NAMING_CONVENTION

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("framework", sa.String(64), nullable=False),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("codes.id"), nullable=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("colour", sa.String(9), nullable=True),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("inclusion", sa.JSON(), nullable=False),
        sa.Column("exclusion", sa.JSON(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("codable", sa.Boolean(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(36), nullable=False),
        sa.UniqueConstraint("guid"),
    )
    op.create_index("ix_codes_framework", "codes", ["framework"])
    op.create_index("ix_codes_parent_id", "codes", ["parent_id"])
    op.create_table(
        "codings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "source_id", sa.Integer(), sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), sa.ForeignKey("codes.id"), nullable=False),
        sa.Column("coder", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("memo", sa.Text(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("status", sa.String(10), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.CheckConstraint('start >= 0 AND start < "end"', name="range"),
        sa.CheckConstraint(
            "status IS NULL OR status IN ('pending', 'accepted', 'rejected')", name="status"
        ),
    )
    op.create_index("ix_codings_source_id_start", "codings", ["source_id", "start"])
    op.create_index("ix_codings_code_id", "codings", ["code_id"])
    op.create_index("ix_codings_coder", "codings", ["coder"])
    op.create_table(
        "embeddings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.UniqueConstraint("model", "text_hash"),
    )
    with op.batch_alter_table("memos", naming_convention=NAMING_CONVENTION) as batch:
        batch.add_column(sa.Column("code_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_memos_code_id_codes", "codes", ["code_id"], ["id"],
                                 ondelete="CASCADE")
        batch.create_index("ix_memos_code_id", ["code_id"])
    if op.get_bind().dialect.name == "sqlite":
        _recreate_memo_triggers()


def _recreate_memo_triggers() -> None:
    """Batch mode rebuilt "memos", which drops the triggers that feed memo_fts."""
    op.execute(
        "CREATE TRIGGER IF NOT EXISTS memos_fts_insert AFTER INSERT ON memos BEGIN "
        "INSERT INTO memo_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END"
    )
    op.execute(
        "CREATE TRIGGER IF NOT EXISTS memos_fts_delete AFTER DELETE ON memos BEGIN "
        "INSERT INTO memo_fts(memo_fts, rowid, title, body) "
        "VALUES ('delete', old.id, old.title, old.body); END"
    )
    op.execute(
        "CREATE TRIGGER IF NOT EXISTS memos_fts_update AFTER UPDATE ON memos BEGIN "
        "INSERT INTO memo_fts(memo_fts, rowid, title, body) "
        "VALUES ('delete', old.id, old.title, old.body); "
        "INSERT INTO memo_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END"
    )


def downgrade() -> None:
    with op.batch_alter_table("memos", naming_convention=NAMING_CONVENTION) as batch:
        batch.drop_index("ix_memos_code_id")
        batch.drop_constraint("fk_memos_code_id_codes", type_="foreignkey")
        batch.drop_column("code_id")
    if op.get_bind().dialect.name == "sqlite":
        _recreate_memo_triggers()
    op.drop_table("embeddings")
    op.drop_table("codings")
    op.drop_table("codes")
