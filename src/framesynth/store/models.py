"""The project schema: SQLAlchemy 2 typed models on one declarative base.

Offsets (``start``/``end`` of turns, memo spans and later codings) are Unicode code-point
offsets into :attr:`Source.text`, which never changes after import; ``end`` is exclusive,
like Python slicing. The schema is created and upgraded only through the Alembic
migrations in ``store/migrations``; a test checks that these models and the migrated
schema agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SOURCE_KINDS = ("interview", "focus_group", "document")
# The "partnership evaluation" template's vocabularies; a project's own lists live in
# the ``vocabularies`` tables (see ``familiarise.vocabulary``).
SECTORS = ("community", "voluntary", "statutory", "funder")
FORMALITIES = ("formal", "informal")
DEPTHS = ("on_paper", "shallow", "working", "deep")
LEVELS = ("delivery", "management", "strategic")
CASE_KINDS = ("participant", "organisation", "partnership", "project")
ATTRIBUTE_TYPES = ("text", "number", "boolean", "date")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class Source(Base):
    """An imported transcript or document; ``text`` is immutable."""

    __tablename__ = "sources"
    __table_args__ = (CheckConstraint("kind IN ('interview', 'focus_group', 'document')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64), unique=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    guid: Mapped[str | None] = mapped_column(String(36), unique=True, index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    # its recording, if any: the file's name in the media folder (``study.fsdb-media``),
    # SHA-256, format (suffix), duration in seconds and kind (audio or video)
    media_file: Mapped[str | None] = mapped_column(String(255))
    media_sha256: Mapped[str | None] = mapped_column(String(64))
    media_format: Mapped[str | None] = mapped_column(String(10))
    media_duration: Mapped[float | None] = mapped_column(Float)
    media_kind: Mapped[str | None] = mapped_column(String(10))

    turns: Mapped[list[Turn]] = relationship(
        back_populates="source", order_by="Turn.position", cascade="all, delete-orphan"
    )
    speakers: Mapped[list[Speaker]] = relationship(
        back_populates="source", cascade="all, delete-orphan"
    )


class SourceProfile(Base):
    """What the cases table says about a source file, kept until (and after) it is imported.

    Matched to a source by file name: its kind, the participants in it, speaker labels
    mapped to participant keys (``{"P1": "P05"}``), the labels of the research team in it
    (``team``: ``["Sam", "Okafor"]``) and source attributes (``theme``).
    """

    __tablename__ = "source_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str | None] = mapped_column(String(20))
    participants: Mapped[list[str]] = mapped_column(default=list)
    speakers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    team: Mapped[list[str]] = mapped_column(default=list, server_default="[]")


class Speaker(Base):
    """A speaker label as it appears in one source, linked to a participant when known."""

    __tablename__ = "speakers"
    __table_args__ = (UniqueConstraint("source_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    is_interviewer: Mapped[bool] = mapped_column(Boolean, default=False)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )

    source: Mapped[Source] = relationship(back_populates="speakers")
    participant: Mapped[Participant | None] = relationship()


class Turn(Base):
    """A speaker turn: the range ``[start, end)`` of its words in the source text."""

    __tablename__ = "turns"
    __table_args__ = (
        UniqueConstraint("source_id", "position"),
        CheckConstraint("start >= 0 AND start <= \"end\"", name="range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("speakers.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    started_at: Mapped[float | None] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float)

    source: Mapped[Source] = relationship(back_populates="turns")
    speaker: Mapped[Speaker | None] = relationship()


class Organisation(Base):
    """An organisation; ``sector`` is a term of the project's ``sector`` vocabulary."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    sector: Mapped[str] = mapped_column(String(100))
    aliases: Mapped[list[str]] = mapped_column(default=list)

    participants: Mapped[list[Participant]] = relationship(back_populates="organisation")


class Participant(Base):
    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    pseudonym: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str | None] = mapped_column(String(100))
    aliases: Mapped[list[str]] = mapped_column(default=list)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    team: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    organisation: Mapped[Organisation | None] = relationship(back_populates="participants")


class Partnership(Base):
    """A partnership between two organisations; ``formality`` and ``depth`` are terms of
    the project's vocabularies of those names."""

    __tablename__ = "partnerships"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    organisation_a_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    organisation_b_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    formality: Mapped[str] = mapped_column(String(100))
    depth: Mapped[str] = mapped_column(String(100))

    organisation_a: Mapped[Organisation] = relationship(foreign_keys=[organisation_a_id])
    organisation_b: Mapped[Organisation] = relationship(foreign_keys=[organisation_b_id])
    level_rows: Mapped[list[PartnershipLevel]] = relationship(
        cascade="all, delete-orphan", order_by="PartnershipLevel.level"
    )

    @property
    def levels(self) -> list[str]:
        """The levels in the order they were stored (the vocabulary's order)."""
        return [row.level for row in self.level_rows]


class PartnershipLevel(Base):
    """One level (a term of the ``level`` vocabulary) a partnership operates at."""

    __tablename__ = "partnership_levels"

    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[str] = mapped_column(String(100), primary_key=True)


class Case(Base):
    """A unit of analysis: a participant, organisation, partnership or free-standing project."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('participant', 'organisation', 'partnership', 'project')", name="kind"
        ),
        UniqueConstraint("kind", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(255))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), unique=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True
    )
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), unique=True
    )

    attributes: Mapped[list[CaseAttribute]] = relationship(
        cascade="all, delete-orphan", order_by="CaseAttribute.name"
    )
    participant: Mapped[Participant | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    partnership: Mapped[Partnership | None] = relationship()


class CaseAttribute(Base):
    """A typed attribute of a case; ``value`` holds the canonical text form."""

    __tablename__ = "case_attributes"
    __table_args__ = (
        UniqueConstraint("case_id", "name"),
        CheckConstraint("type IN ('text', 'number', 'boolean', 'date')", name="type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(Text)


class Place(Base):
    """A place named in the data (town, estate, venue), known so reports can hide it."""

    __tablename__ = "places"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str | None] = mapped_column(String(50))


class Memo(Base):
    """A memo on the project (no source), a source, or a span ``[start, end)`` of a source."""

    __tablename__ = "memos"
    __table_args__ = (
        CheckConstraint("(start IS NULL) = (\"end\" IS NULL)", name="span_pair"),
        CheckConstraint("start IS NULL OR (source_id IS NOT NULL AND start <= \"end\")", name="span"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    code_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"), index=True)

    source: Mapped[Source | None] = relationship()
    code: Mapped[Code | None] = relationship()


class Event(Base):
    """Append-only log of what changed the project, who did it and when."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Code(Base):
    """A theme, sub-theme or code of a framework; ``framework`` names the shared one
    (``main``) or a researcher's draft. Codes are retired, never deleted."""

    __tablename__ = "codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework: Mapped[str] = mapped_column(String(64), default="main", index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    colour: Mapped[str | None] = mapped_column(String(9))
    definition: Mapped[str] = mapped_column(Text, default="")
    inclusion: Mapped[list[str]] = mapped_column(default=list)
    exclusion: Mapped[list[str]] = mapped_column(default=list)
    examples: Mapped[list[str]] = mapped_column(default=list)
    keywords: Mapped[list[str]] = mapped_column(default=list)
    codable: Mapped[bool] = mapped_column(Boolean, default=True)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    guid: Mapped[str] = mapped_column(String(36), unique=True)

    parent: Mapped[Code | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Code]] = relationship(back_populates="parent", order_by="Code.position")


class Coding(Base):
    """Code ``code`` applied to ``[start, end)`` of a source by ``coder``.

    Human codings have no ``status``; suggestions from auto-coding have coder
    ``auto:<method>``, a ``score`` and status ``pending``, ``accepted`` or ``rejected``.
    ``text`` is the coded snippet, stored beside the offsets.
    ``media_start``/``media_end``: for a coding of a recording's time range, that range in
    seconds; its span is then the transcript words the range covers, empty (0-0) where
    the recording has no transcript (``index.coding.code_time_range``).
    """

    __tablename__ = "codings"
    __table_args__ = (
        CheckConstraint('start >= 0 AND (start < "end" OR start = "end" AND '
                        'media_start IS NOT NULL)', name="range"),
        CheckConstraint("media_start IS NULL AND media_end IS NULL "
                        "OR media_start >= 0 AND media_start < media_end", name="media_range"),
        CheckConstraint("status IS NULL OR status IN ('pending', 'accepted', 'rejected')",
                        name="status"),
        # the matrix's counts join codings to turns on (source_id, start) and need only
        # status, code_id and coder besides: read from this index alone (bench/README.md)
        Index("ix_codings_covering", "source_id", "start", "status", "code_id", "coder"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id"), index=True)
    coder: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    memo: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str | None] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    guid: Mapped[str | None] = mapped_column(String(36), unique=True, index=True)
    media_start: Mapped[float | None] = mapped_column(Float)
    media_end: Mapped[float | None] = mapped_column(Float)

    source: Mapped[Source] = relationship()
    code: Mapped[Code] = relationship()


class CachedEmbedding(Base):
    """A sentence embedding, cached by the embedder's registered name and the text's hash."""

    __tablename__ = "embeddings"
    __table_args__ = (UniqueConstraint("model", "text_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(100))
    text_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class MatrixCell(Base):
    """An analyst's summary for one case and one theme or code of the framework matrix.

    ``status``: ``draft`` (machine-made, not yet checked), ``accepted`` (a person kept the
    draft) or ``edited`` (a person wrote or changed it). Every change is an event.
    ``evidence``: for a draft, where each of its sentences came from (a list of
    ``{source_id, start, end}``, in the draft's order); None for a person's own text.
    ``version``: 1 when first written, one more with every change, so an editor that
    says which version it showed cannot overwrite a change it did not see
    (``chart.matrix.edit_cell``).
    """

    __tablename__ = "matrix_cells"
    __table_args__ = (
        UniqueConstraint("case_id", "code_id"),
        CheckConstraint("status IN ('draft', 'accepted', 'edited')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10))
    evidence: Mapped[list[dict[str, int]] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    case: Mapped[Case] = relationship()
    code: Mapped[Code] = relationship()


class PickedQuote(Base):
    """A coded segment an analyst picked to illustrate a theme in the report.

    ``display_text``: the quote as printed, when the analyst edited it (checked against
    the coded span, which stays the evidence); ``position``: its place among the theme's
    picks (1 = first; None = pick order, after those placed).
    """

    __tablename__ = "picked_quotes"
    __table_args__ = (UniqueConstraint("coding_id", "code_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coding_id: Mapped[int] = mapped_column(ForeignKey("codings.id", ondelete="CASCADE"))
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"), index=True)
    picked_by: Mapped[str] = mapped_column(String(100))
    picked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    display_text: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int | None] = mapped_column(Integer)

    coding: Mapped[Coding] = relationship()
    code: Mapped[Code] = relationship()


class User(Base):
    """An account for the web workbench; its role in this project decides what it may do."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('owner', 'coder', 'viewer')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WebSession(Base):
    """One logged-in browser: the cookie holds a random token, this row its SHA-256."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()


class LoginFailure(Base):
    """Failed logins counted per key (``account:NAME`` or ``address:IP``)."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[datetime] = mapped_column(DateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime)


class Setting(Base):
    """A project setting: one JSON value per key (``template``, report options ...)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)


class Vocabulary(Base):
    """A list of terms a study uses for one kind of value: ``sector``, ``depth`` ...

    ``ordered``: the terms form a scale in ``position`` order (depth 1-5). ``closed``:
    only the terms listed are accepted; an open vocabulary takes new terms as they come.
    """

    __tablename__ = "vocabularies"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    ordered: Mapped[bool] = mapped_column(Boolean, default=False)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)

    terms: Mapped[list[VocabularyTerm]] = relationship(
        cascade="all, delete-orphan", order_by="VocabularyTerm.position"
    )


class VocabularyTerm(Base):
    """One term of a vocabulary: its stored value, label for display, and other spellings."""

    __tablename__ = "vocabulary_terms"
    __table_args__ = (UniqueConstraint("vocabulary", "term"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary: Mapped[str] = mapped_column(ForeignKey("vocabularies.name", ondelete="CASCADE"))
    term: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    aliases: Mapped[list[str]] = mapped_column(default=list)


class SourceRevision(Base):
    """The text a source had before it was replaced by a corrected transcript."""

    __tablename__ = "source_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(10))
    replaced_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    replaced_by: Mapped[str] = mapped_column(String(100))
