"""Time ranges on codings: the part of a recording a coding covers, in seconds.

``codings.media_start`` and ``codings.media_end`` (nullable Floats) hold the range a
researcher coded while listening; NULL for a coding of text. The coding keeps a real
character span as well (the transcript words the range covers, see
``index.coding.code_time_range``), so the matrix, prevalence and the report count it
like any other coding. A recording without a transcript has no words to cover, so the
``range`` check now lets a time-range coding have the empty span 0-0; a text coding must
still cover at least one character.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TEXT_RANGE = 'start >= 0 AND start < "end"'
RANGE = 'start >= 0 AND (start < "end" OR start = "end" AND media_start IS NOT NULL)'
MEDIA_RANGE = ("media_start IS NULL AND media_end IS NULL "
               "OR media_start >= 0 AND media_start < media_end")


def upgrade() -> None:
    with op.batch_alter_table("codings") as batch:
        batch.add_column(sa.Column("media_start", sa.Float(), nullable=True))
        batch.add_column(sa.Column("media_end", sa.Float(), nullable=True))
        batch.drop_constraint("range", type_="check")
        batch.create_check_constraint("range", RANGE)
        batch.create_check_constraint("media_range", MEDIA_RANGE)


def downgrade() -> None:
    op.execute("DELETE FROM codings WHERE start = \"end\"")
    with op.batch_alter_table("codings") as batch:
        batch.drop_constraint("media_range", type_="check")
        batch.drop_constraint("range", type_="check")
        batch.create_check_constraint("range", TEXT_RANGE)
        batch.drop_column("media_end")
        batch.drop_column("media_start")
