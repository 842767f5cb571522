"""Schedules: when each task runs by itself (cron in a time zone), and its next and last fire.

Revision ID: 0003_schedules
Revises: 0002_runs
Create Date: 2024-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_schedules"
down_revision: str | None = "0002_runs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc_datetime() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create schedules, keyed by task slug."""
    op.create_table(
        "schedules",
        sa.Column("task", sa.String(64), nullable=False),
        sa.Column("cron", sa.String(120), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("run_request", sa.JSON(), nullable=False),
        sa.Column("next_fire_at", _utc_datetime(), nullable=True),
        sa.Column("last_fired_at", _utc_datetime(), nullable=True),
        sa.Column("last_run_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", _utc_datetime(), nullable=False),
        sa.Column("updated_at", _utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("task", name=op.f("pk_schedules")),
        sa.ForeignKeyConstraint(
            ["last_run_id"], ["runs.id"], name=op.f("fk_schedules_last_run_id_runs"), ondelete="SET NULL"
        ),
    )
    op.create_index("ix_schedules_next_fire_at", "schedules", ["next_fire_at"])


def downgrade() -> None:
    """Drop schedules."""
    op.drop_index("ix_schedules_next_fire_at", table_name="schedules")
    op.drop_table("schedules")
