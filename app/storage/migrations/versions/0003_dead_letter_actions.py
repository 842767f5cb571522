"""Dead letters remember what an operator did about them: retried or discarded, when and by whom.

Revision ID: 0003_dead_letter_actions
Revises: 0001
Create Date: 2024-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_dead_letter_actions"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("open", "retried", "discarded")


def upgrade() -> None:
    """Add status (existing letters are open), resolved_at, resolved_by and retry_run_id."""
    allowed = f"status IN ({', '.join(repr(value) for value in STATUSES)})"
    with op.batch_alter_table("dead_letters") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="open"))
        batch.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resolved_by", sa.String(255), nullable=True))
        batch.add_column(sa.Column("retry_run_id", sa.Uuid(), nullable=True))
        batch.create_check_constraint(op.f("ck_dead_letters_status"), allowed)
    op.create_index("ix_dead_letters_status", "dead_letters", ["status"])


def downgrade() -> None:
    """Drop the columns again."""
    op.drop_index("ix_dead_letters_status", "dead_letters")
    with op.batch_alter_table("dead_letters") as batch:
        batch.drop_constraint(op.f("ck_dead_letters_status"), type_="check")
        batch.drop_column("retry_run_id")
        batch.drop_column("resolved_by")
        batch.drop_column("resolved_at")
        batch.drop_column("status")
