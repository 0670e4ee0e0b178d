"""A study model with no built-in study: vocabularies instead of CHECK lists, project
settings, the research team as data, source revisions, and REFI identities.

- ``organisations.sector``, ``partnerships.formality``/``depth`` and
  ``partnership_levels.level`` lose their CHECK constraints and are widened; their
  allowed values live in ``vocabularies``/``vocabulary_terms``. Existing projects get
  the "partnership evaluation" vocabularies they were built with.
- ``settings``: project settings, one JSON value per key.
- ``participants.team``: a member of the research team (interviewer, facilitator);
  ``source_profiles.team``: speaker labels of the research team in one source.
- ``sources.guid``/``codings.guid``: GUIDs read from a REFI-QDA project, kept for export;
  ``sources.language``: the detected language of a source.
- ``source_revisions``: the text a source had before ``sources replace``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DEFAULT_VOCABULARIES: list[tuple[str, str, bool, bool, list[tuple[str, str, list[str]]]]] = [
    # name, label, ordered, closed, terms (term, label, aliases)
    ("sector", "Sector", False, False, [
        ("community", "Community", []), ("voluntary", "Voluntary", []),
        ("statutory", "Statutory", []), ("funder", "Funder", [])]),
    ("formality", "Formality", False, True, [
        ("formal", "Formal", []), ("informal", "Informal", [])]),
    ("depth", "Depth", True, True, [
        ("on_paper", "On paper", ["on paper", "paper", "partners on paper", "in name only"]),
        ("shallow", "Shallow", []), ("working", "Working", []), ("deep", "Deep", [])]),
    ("level", "Level", True, True, [
        ("delivery", "Delivery", ["operational", "front line", "frontline"]),
        ("management", "Management", []),
        ("strategic", "Strategic", ["board", "board/strategic", "strategic/board"])]),
]


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_constraint("sector", type_="check")
        batch.alter_column("sector", type_=sa.String(100), existing_nullable=False)
    with op.batch_alter_table("partnerships") as batch:
        batch.drop_constraint("formality", type_="check")
        batch.drop_constraint("depth", type_="check")
        batch.alter_column("formality", type_=sa.String(100), existing_nullable=False)
        batch.alter_column("depth", type_=sa.String(100), existing_nullable=False)
    with op.batch_alter_table("partnership_levels") as batch:
        batch.drop_constraint("level", type_="check")
        batch.alter_column("level", type_=sa.String(100), existing_nullable=False)
    # plain ADD COLUMN (no table rebuild) for the large tables
    op.add_column("participants",
                  sa.Column("team", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("source_profiles",
                  sa.Column("team", sa.JSON(), nullable=False, server_default="[]"))
    op.add_column("sources", sa.Column("guid", sa.String(36), nullable=True))
    op.add_column("sources", sa.Column("language", sa.String(16), nullable=True))
    op.create_index("ix_sources_guid", "sources", ["guid"], unique=True)
    op.add_column("codings", sa.Column("guid", sa.String(36), nullable=True))
    op.create_index("ix_codings_guid", "codings", ["guid"], unique=True)
    op.create_table(
        "settings",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.JSON(), nullable=True),
    )
    vocabularies = op.create_table(
        "vocabularies",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("ordered", sa.Boolean(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
    )
    terms = op.create_table(
        "vocabulary_terms",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("vocabulary", sa.String(64),
                  sa.ForeignKey("vocabularies.name", ondelete="CASCADE"), nullable=False),
        sa.Column("term", sa.String(100), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.UniqueConstraint("vocabulary", "term"),
    )
    op.create_table(
        "source_revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_id", sa.Integer(),
                  sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("replaced_at", sa.DateTime(), nullable=False),
        sa.Column("replaced_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_source_revisions_source_id", "source_revisions", ["source_id"])
    _carry_existing_project(vocabularies, terms)


def _carry_existing_project(vocabularies: sa.Table, terms: sa.Table) -> None:
    """A project made before vocabularies was a partnership evaluation: give it those lists."""
    connection = op.get_bind()
    has_data = connection.execute(sa.text("SELECT count(*) FROM sources")).scalar() or \
        connection.execute(sa.text("SELECT count(*) FROM organisations")).scalar()
    if not has_data:
        return
    op.bulk_insert(vocabularies, [
        {"name": name, "label": label, "ordered": ordered, "closed": closed}
        for name, label, ordered, closed, _ in DEFAULT_VOCABULARIES])
    op.bulk_insert(terms, [
        {"vocabulary": name, "term": term, "label": term_label, "position": position,
         "aliases": aliases}
        for name, _, _, _, items in DEFAULT_VOCABULARIES
        for position, (term, term_label, aliases) in enumerate(items)])
    op.bulk_insert(sa.table("settings", sa.column("key"), sa.column("value", sa.JSON)),
                   [{"key": "template", "value": "partnership-evaluation"}])


def downgrade() -> None:
    op.drop_table("source_revisions")
    op.drop_table("vocabulary_terms")
    op.drop_table("vocabularies")
    op.drop_table("settings")
    op.drop_index("ix_codings_guid", "codings")
    op.drop_index("ix_sources_guid", "sources")
    with op.batch_alter_table("codings") as batch:
        batch.drop_column("guid")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("language")
        batch.drop_column("guid")
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("team")
    with op.batch_alter_table("source_profiles") as batch:
        batch.drop_column("team")
