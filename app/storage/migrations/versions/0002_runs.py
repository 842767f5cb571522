"""Runs: one row per run of a task, one per document a run covers; stages remember their run.

Revision ID: 0002_runs
Revises: 0001
Create Date: 2024-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_runs"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUN_STATUSES = ("queued", "running", "completed", "failed", "cancelled")
RUN_DOCUMENT_STATUSES = ("queued", "running", "done", "failed", "skipped")
TRIGGER_KINDS = ("user", "api_token", "schedule", "upstream")


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _utc_datetime() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create runs and run_documents; add document_stages.run_id."""
    op.create_table(
        "runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("task", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=True),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(100), nullable=True),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("selection", sa.JSON(), nullable=False),
        sa.Column("retry_of", sa.Uuid(), nullable=True),
        sa.Column("started_by_kind", sa.String(16), nullable=False),
        sa.Column("started_by_name", sa.String(255), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("rate_per_second", sa.Float(), nullable=True),
        sa.Column("rate_sampled_at", _utc_datetime(), nullable=True),
        sa.Column("rate_sampled_count", sa.Integer(), nullable=False),
        sa.Column("eta_seconds", sa.Float(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc_datetime(), nullable=False),
        sa.Column("started_at", _utc_datetime(), nullable=True),
        sa.Column("finished_at", _utc_datetime(), nullable=True),
        sa.Column("updated_at", _utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
        sa.CheckConstraint(_one_of("status", RUN_STATUSES), name=op.f("ck_runs_status")),
        sa.CheckConstraint(_one_of("started_by_kind", TRIGGER_KINDS), name=op.f("ck_runs_started_by_kind")),
    )
    op.create_index("ix_runs_task_created_at", "runs", ["task", "created_at"])
    op.create_index("ix_runs_status", "runs", ["status"])

    op.create_table(
        "run_documents",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("doc_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(16), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", _utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "doc_id", name=op.f("pk_run_documents")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_documents_run_id_runs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["doc_id"],
            ["documents.id"],
            name=op.f("fk_run_documents_doc_id_documents"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(_one_of("status", RUN_DOCUMENT_STATUSES), name=op.f("ck_run_documents_status")),
    )
    op.create_index("ix_run_documents_run_id_status", "run_documents", ["run_id", "status"])
    op.create_index("ix_run_documents_doc_id", "run_documents", ["doc_id"])

    with op.batch_alter_table("document_stages") as batch:
        batch.add_column(sa.Column("run_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    """Drop runs and run_documents, and document_stages.run_id."""
    with op.batch_alter_table("document_stages") as batch:
        batch.drop_column("run_id")
    op.drop_table("run_documents")
    op.drop_table("runs")
