"""Runs with parameters: what a train-model or rescore run does, the model a training run registered,
and runs Headwater starts by itself (`started_by_kind = 'automatic'`).

Revision ID: 0003_run_parameters
Revises: 0002_runs
Create Date: 2024-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_run_parameters"
down_revision: str | None = "0002_runs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGER_KINDS = ("user", "api_token", "schedule", "upstream")
TRIGGER_KINDS_NOW = (*TRIGGER_KINDS, "automatic")
CHECK = "ck_runs_started_by_kind"


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade() -> None:
    """Add runs.parameters, runs.model_id, runs.model_version; allow the `automatic` trigger."""
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("parameters", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("model_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("model_version", sa.String(64), nullable=True))
        batch.drop_constraint(op.f(CHECK), type_="check")
        batch.create_check_constraint(op.f(CHECK), _one_of("started_by_kind", TRIGGER_KINDS_NOW))


def downgrade() -> None:
    """Drop them again (runs started automatically must be deleted first)."""
    with op.batch_alter_table("runs") as batch:
        batch.drop_constraint(op.f(CHECK), type_="check")
        batch.create_check_constraint(op.f(CHECK), _one_of("started_by_kind", TRIGGER_KINDS))
        batch.drop_column("model_version")
        batch.drop_column("model_id")
        batch.drop_column("parameters")
