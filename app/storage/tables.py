"""ORM tables: documents, their stages, pages and tables, and dead letters.

Migration 0001 creates exactly this schema; `tests/storage/test_migrations.py` checks they agree.
"""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from schemas.dead_letters import DeadLetterStatus
from schemas.documents import DocumentStatus

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names, so later migrations (and SQLite batch mode) can refer to them."""


class StageStatus(StrEnum):
    """Where one stage of one document is."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite stores no offset, so we add it back)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes and store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass a timezone-aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return UTC-aware datetimes whatever the driver gave back."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _status_type(enum: type[StrEnum]) -> sa.Enum:
    # A VARCHAR(16) plus a CHECK constraint rather than a native PostgreSQL ENUM: adding a value
    # later is a plain constraint change on both databases.
    return sa.Enum(
        enum,
        name="status",
        native_enum=False,
        length=16,
        create_constraint=True,
        values_callable=lambda members: [member.value for member in members],
    )


class Base(DeclarativeBase):
    """Declarative base with Headwater's naming convention."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

    def __repr__(self) -> str:
        """The class and primary key, e.g. `PageRow('ab12…', 3)`: enough to read a failing test."""
        key = sa.inspect(self).identity or ()
        return f"{type(self).__name__}({', '.join(map(repr, key))})"


class DocumentRow(Base):
    """One document, identified by the sha256 of its bytes."""

    __tablename__ = "documents"
    __table_args__ = (
        sa.Index("ix_documents_status", "status"),
        sa.Index("ix_documents_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    filename: Mapped[str | None] = mapped_column(sa.String(255))
    source: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[DocumentStatus] = mapped_column(_status_type(DocumentStatus))
    page_count: Mapped[int | None] = mapped_column(sa.Integer)
    table_count: Mapped[int | None] = mapped_column(sa.Integer)
    pages_without_text: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    metadata_: Mapped[dict[str, str]] = mapped_column("metadata", sa.JSON, default=dict)
    error: Mapped[str | None] = mapped_column(sa.Text)
    run_id: Mapped[UUID | None] = mapped_column(sa.Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class DocumentStageRow(Base):
    """One stage of one document: who ran it, how often, and what it produced."""

    __tablename__ = "document_stages"

    doc_id: Mapped[str] = mapped_column(
        sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    stage: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    status: Mapped[StageStatus] = mapped_column(_status_type(StageStatus))
    attempts: Mapped[int] = mapped_column(sa.Integer, default=1)
    worker: Mapped[str | None] = mapped_column(sa.String(100))
    output_ref: Mapped[str | None] = mapped_column(sa.String(64))
    error: Mapped[str | None] = mapped_column(sa.Text)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    run_id: Mapped[UUID | None] = mapped_column(sa.Uuid)
    """The run of the last attempt (added by migration 0002_runs): a replay redoes work of other runs."""


class PageRow(Base):
    """The text of one page (numbers are 1-based)."""

    __tablename__ = "pages"

    doc_id: Mapped[str] = mapped_column(
        sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
    has_text_layer: Mapped[bool] = mapped_column(sa.Boolean)
    width: Mapped[float] = mapped_column(sa.Float)
    height: Mapped[float] = mapped_column(sa.Float)


class TableRow(Base):
    """One extracted table (indexes are 0-based, in document order)."""

    __tablename__ = "document_tables"

    doc_id: Mapped[str] = mapped_column(
        sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    table_index: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    page_number: Mapped[int] = mapped_column(sa.Integer)
    header: Mapped[list[str]] = mapped_column(sa.JSON)
    rows: Mapped[list[list[str]]] = mapped_column(sa.JSON)


class DeadLetterRow(Base):
    """An input a stage gave up on. No foreign key: the document may never have been registered."""

    __tablename__ = "dead_letters"
    __table_args__ = (
        sa.Index("ix_dead_letters_occurred_at", "occurred_at"),
        sa.Index("ix_dead_letters_doc_id", "doc_id"),
        sa.Index("ix_dead_letters_status", "status"),
    )

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    stage: Mapped[str] = mapped_column(sa.String(32))
    topic: Mapped[str] = mapped_column(sa.String(255))
    reason_code: Mapped[str] = mapped_column(sa.String(32))
    reason: Mapped[str] = mapped_column(sa.Text)
    doc_id: Mapped[str | None] = mapped_column(sa.String(64))
    run_id: Mapped[UUID | None] = mapped_column(sa.Uuid)
    payload_preview: Mapped[str] = mapped_column(sa.Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Added by migration 0003_dead_letter_actions: what an operator did about it, when and who.
    status: Mapped[DeadLetterStatus] = mapped_column(
        _status_type(DeadLetterStatus),
        default=DeadLetterStatus.OPEN,
        server_default=DeadLetterStatus.OPEN.value,
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by: Mapped[str | None] = mapped_column(sa.String(255))
    retry_run_id: Mapped[UUID | None] = mapped_column(sa.Uuid)


def table_of(row_class: type[Base]) -> sa.Table:
    """The Core `Table` behind an ORM class (for bulk statements)."""
    table: Any = row_class.__table__
    assert isinstance(table, sa.Table)
    return table
