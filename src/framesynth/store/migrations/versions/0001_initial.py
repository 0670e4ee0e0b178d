"""Initial schema: sources, speaker turns, organisations, participants, partnerships,
cases with attributes, project and source memos, and the turn full-text index.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.CheckConstraint("kind IN ('interview', 'focus_group', 'document')", name="kind"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("checksum"),
    )
    op.create_table(
        "source_profiles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(20), nullable=True),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("speakers", sa.JSON(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("sector", sa.String(20), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "sector IN ('community', 'voluntary', 'statutory', 'funder')", name="sector"
        ),
        sa.UniqueConstraint("key"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("pseudonym", sa.String(255), nullable=True),
        sa.Column("role", sa.String(100), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisations.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_participants_organisation_id", "participants", ["organisation_id"])
    op.create_table(
        "speakers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "source_id", sa.Integer(), sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("is_interviewer", sa.Boolean(), nullable=False),
        sa.Column(
            "participant_id",
            sa.Integer(),
            sa.ForeignKey("participants.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.UniqueConstraint("source_id", "label"),
    )
    op.create_index("ix_speakers_source_id", "speakers", ["source_id"])
    op.create_index("ix_speakers_participant_id", "speakers", ["participant_id"])
    op.create_table(
        "turns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "source_id", sa.Integer(), sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column(
            "speaker_id", sa.Integer(), sa.ForeignKey("speakers.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=True),
        sa.Column("ended_at", sa.Float(), nullable=True),
        sa.CheckConstraint('start >= 0 AND start <= "end"', name="range"),
        sa.UniqueConstraint("source_id", "position"),
    )
    op.create_index("ix_turns_source_id", "turns", ["source_id"])
    op.create_index("ix_turns_speaker_id", "turns", ["speaker_id"])
    op.create_table(
        "partnerships",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column(
            "organisation_a_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False
        ),
        sa.Column(
            "organisation_b_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False
        ),
        sa.Column("formality", sa.String(10), nullable=False),
        sa.Column("depth", sa.String(10), nullable=False),
        sa.CheckConstraint("formality IN ('formal', 'informal')", name="formality"),
        sa.CheckConstraint("depth IN ('on_paper', 'shallow', 'working', 'deep')", name="depth"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_partnerships_organisation_a_id", "partnerships", ["organisation_a_id"])
    op.create_index("ix_partnerships_organisation_b_id", "partnerships", ["organisation_b_id"])
    op.create_table(
        "partnership_levels",
        sa.Column(
            "partnership_id",
            sa.Integer(),
            sa.ForeignKey("partnerships.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("level", sa.String(12), primary_key=True),
        sa.CheckConstraint("level IN ('delivery', 'management', 'strategic')", name="level"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column(
            "participant_id",
            sa.Integer(),
            sa.ForeignKey("participants.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column(
            "partnership_id",
            sa.Integer(),
            sa.ForeignKey("partnerships.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.CheckConstraint(
            "kind IN ('participant', 'organisation', 'partnership', 'project')", name="kind"
        ),
        sa.UniqueConstraint("kind", "name"),
        sa.UniqueConstraint("participant_id"),
        sa.UniqueConstraint("organisation_id"),
        sa.UniqueConstraint("partnership_id"),
    )
    op.create_table(
        "case_attributes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("type", sa.String(10), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.CheckConstraint("type IN ('text', 'number', 'boolean', 'date')", name="type"),
        sa.UniqueConstraint("case_id", "name"),
    )
    op.create_index("ix_case_attributes_case_id", "case_attributes", ["case_id"])
    op.create_table(
        "memos",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column(
            "source_id", sa.Integer(), sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=True
        ),
    )
    op.create_index("ix_memos_source_id", "memos", ["source_id"])
    if op.get_bind().dialect.name == "sqlite":
        _create_turn_fts()
    elif op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_turns_text_words ON turns USING gin ({PG_WORDS % 'text'})")


# PostgreSQL's text search: the expression store.text_index.pg_tsvector writes, verbatim
PG_WORDS = "to_tsvector('simple', regexp_replace(%s, '[^[:alnum:]]+', ' ', 'g'))"


def _create_turn_fts() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE turn_fts USING fts5(text, content='turns', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER turns_fts_insert AFTER INSERT ON turns BEGIN "
        "INSERT INTO turn_fts(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER turns_fts_delete AFTER DELETE ON turns BEGIN "
        "INSERT INTO turn_fts(turn_fts, rowid, text) VALUES ('delete', old.id, old.text); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_turns_text_words")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS turns_fts_insert")
        op.execute("DROP TRIGGER IF EXISTS turns_fts_delete")
        op.execute("DROP TABLE IF EXISTS turn_fts")
    for table in (
        "memos", "case_attributes", "cases", "partnership_levels", "partnerships",
        "turns", "speakers", "participants", "organisations", "source_profiles", "sources",
    ):
        op.drop_table(table)
