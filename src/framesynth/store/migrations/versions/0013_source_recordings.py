"""Recordings on sources: the audio or video file a source was imported with.

Five nullable columns on ``sources`` rather than a table of their own: a source has at
most one recording (a transcript and the recording with the same stem become one
source), so every read that lists or shows sources gets its recording without a join,
and a source without one keeps NULLs. The file itself lives in the project's media
folder (``study.fsdb-media/``) under ``media_file``, checked by ``media_sha256``.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("media_file", sa.String(255), nullable=True))
        batch.add_column(sa.Column("media_sha256", sa.String(64), nullable=True))
        batch.add_column(sa.Column("media_format", sa.String(10), nullable=True))
        batch.add_column(sa.Column("media_duration", sa.Float(), nullable=True))
        batch.add_column(sa.Column("media_kind", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        for column in ("media_kind", "media_duration", "media_format", "media_sha256",
                       "media_file"):
            batch.drop_column(column)
