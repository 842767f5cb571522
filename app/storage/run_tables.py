"""ORM tables of runs: one row per run, one per document a run covers.

Migration 0002_runs creates this schema (and adds `document_stages.run_id`); 0003_run_parameters adds
the parameters and the trained model of parameterised runs, and the `automatic` trigger.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.tables import Base, UtcDateTime, _status_type, utcnow
from schemas.runs import RunDocumentStatus, RunStatus, TriggerKind


class RunRow(Base):
    """One execution of a task. Counts are derived from `run_documents`; rate and ETA by the aggregator."""

    __tablename__ = "runs"
    __table_args__ = (
        sa.Index("ix_runs_task_created_at", "task", "created_at"),
        sa.Index("ix_runs_status", "status"),
    )

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    task: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[RunStatus] = mapped_column(_status_type(RunStatus))
    success: Mapped[bool | None] = mapped_column(sa.Boolean)
    live: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    source: Mapped[str | None] = mapped_column(sa.String(100))
    day: Mapped[date | None] = mapped_column(sa.Date)
    selection: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    retry_of: Mapped[UUID | None] = mapped_column(sa.Uuid)
    started_by_kind: Mapped[TriggerKind] = mapped_column(
        sa.Enum(
            TriggerKind,
            name="started_by_kind",
            native_enum=False,
            length=16,
            create_constraint=True,
            values_callable=lambda members: [member.value for member in members],
        )
    )
    started_by_name: Mapped[str | None] = mapped_column(sa.String(255))
    message: Mapped[str | None] = mapped_column(sa.Text)
    parameters: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    """What a parameterised run does: `{"model": {...}}` (train-model), `{"dataset": ...}` (rescore)."""
    model_id: Mapped[UUID | None] = mapped_column(sa.Uuid)
    model_version: Mapped[str | None] = mapped_column(sa.String(64))
    total: Mapped[int] = mapped_column(sa.Integer, default=0)
    done: Mapped[int] = mapped_column(sa.Integer, default=0)
    failed: Mapped[int] = mapped_column(sa.Integer, default=0)
    skipped: Mapped[int] = mapped_column(sa.Integer, default=0)
    rate_per_second: Mapped[float | None] = mapped_column(sa.Float)
    rate_sampled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rate_sampled_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    eta_seconds: Mapped[float | None] = mapped_column(sa.Float)
    revision: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RunDocumentRow(Base):
    """One document of one run: how far it got in this run, and why it failed or was skipped."""

    __tablename__ = "run_documents"
    __table_args__ = (
        sa.Index("ix_run_documents_run_id_status", "run_id", "status"),
        sa.Index("ix_run_documents_doc_id", "doc_id"),
    )

    run_id: Mapped[UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )
    doc_id: Mapped[str] = mapped_column(
        sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[RunDocumentStatus] = mapped_column(_status_type(RunDocumentStatus))
    stage: Mapped[str | None] = mapped_column(sa.String(16))
    error: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
