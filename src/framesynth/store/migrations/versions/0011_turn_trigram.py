"""A trigram index over turns' text, to narrow regular-expression searches.

``turn_trigram`` is an external-content FTS5 table (``tokenize='trigram'``, case folded)
over ``turns.text``, kept in step by triggers like ``turn_fts``; a regex search looks up
the literal text its matches must contain, then checks only those turns. Existing
projects have it built from their turns here.

On PostgreSQL the same job is done by ``pg_trgm``: a GIN index with ``gin_trgm_ops`` on
``turns.text``, which ``ILIKE '%literal%'`` uses. The extension is created if missing
(it is a trusted extension: a database owner may create it).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

AUTOMERGE = 8  # as turn_fts (0007)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_turns_text_trigrams ON turns USING gin (text gin_trgm_ops)")
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE VIRTUAL TABLE turn_trigram USING fts5(text, content='turns', "
               "content_rowid='id', tokenize='trigram')")
    op.execute(f"INSERT INTO turn_trigram(turn_trigram, rank) VALUES ('automerge', {AUTOMERGE})")
    op.execute("INSERT INTO turn_trigram(turn_trigram) VALUES ('rebuild')")
    op.execute("CREATE TRIGGER turns_trigram_insert AFTER INSERT ON turns BEGIN "
               "INSERT INTO turn_trigram(rowid, text) VALUES (new.id, new.text); END")
    op.execute("CREATE TRIGGER turns_trigram_delete AFTER DELETE ON turns BEGIN "
               "INSERT INTO turn_trigram(turn_trigram, rowid, text) "
               "VALUES ('delete', old.id, old.text); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_turns_text_trigrams")
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS turns_trigram_insert")
    op.execute("DROP TRIGGER IF EXISTS turns_trigram_delete")
    op.execute("DROP TABLE IF EXISTS turn_trigram")
