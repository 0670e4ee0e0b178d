"""Memos on spans, known places, the append-only event log, and memo full-text search.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("memos") as batch:
        batch.add_column(sa.Column("start", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("end", sa.Integer(), nullable=True))
        batch.create_check_constraint("span_pair", '(start IS NULL) = ("end" IS NULL)')
        batch.create_check_constraint(
            "span", 'start IS NULL OR (source_id IS NOT NULL AND start <= "end")'
        )
    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(50), nullable=True),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
    )
    op.create_index("ix_events_at", "events", ["at"])
    op.create_index("ix_events_action", "events", ["action"])
    if op.get_bind().dialect.name == "sqlite":
        _create_memo_fts()
    elif op.get_bind().dialect.name == "postgresql":
        for column in ("title", "body"):
            op.execute(f"CREATE INDEX ix_memos_{column}_words ON memos "
                       f"USING gin ({PG_WORDS % column})")


# PostgreSQL's text search: the expression store.text_index.pg_tsvector writes, verbatim
PG_WORDS = "to_tsvector('simple', regexp_replace(%s, '[^[:alnum:]]+', ' ', 'g'))"


def _create_memo_fts() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE memo_fts USING fts5(title, body, content='memos', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute("INSERT INTO memo_fts(rowid, title, body) SELECT id, title, body FROM memos")
    op.execute(
        "CREATE TRIGGER memos_fts_insert AFTER INSERT ON memos BEGIN "
        "INSERT INTO memo_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END"
    )
    op.execute(
        "CREATE TRIGGER memos_fts_delete AFTER DELETE ON memos BEGIN "
        "INSERT INTO memo_fts(memo_fts, rowid, title, body) "
        "VALUES ('delete', old.id, old.title, old.body); END"
    )
    op.execute(
        "CREATE TRIGGER memos_fts_update AFTER UPDATE ON memos BEGIN "
        "INSERT INTO memo_fts(memo_fts, rowid, title, body) "
        "VALUES ('delete', old.id, old.title, old.body); "
        "INSERT INTO memo_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_memos_title_words")
        op.execute("DROP INDEX IF EXISTS ix_memos_body_words")
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("memos_fts_insert", "memos_fts_delete", "memos_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS memo_fts")
    op.drop_table("events")
    op.drop_table("places")
    with op.batch_alter_table("memos") as batch:
        batch.drop_constraint("span", type_="check")
        batch.drop_constraint("span_pair", type_="check")
        batch.drop_column("end")
        batch.drop_column("start")
