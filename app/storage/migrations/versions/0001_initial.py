"""Initial schema: documents, their stages, pages and tables, and dead letters.

Revision ID: 0001
Revises:
Create Date: 2024-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCUMENT_STATUSES = ("received", "cleaned", "extracted", "stored", "failed")
STAGE_STATUSES = ("running", "done", "failed")


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _utc_datetime() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _belongs_to_document(table: str) -> sa.ForeignKeyConstraint:
    """`doc_id` references documents; deleting a document deletes its rows here."""
    return sa.ForeignKeyConstraint(
        ["doc_id"],
        ["documents.id"],
        name=op.f(f"fk_{table}_doc_id_documents"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "documents",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("table_count", sa.Integer(), nullable=True),
        sa.Column("pages_without_text", sa.JSON(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("run_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", _utc_datetime(), nullable=False),
        sa.Column("updated_at", _utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.CheckConstraint(_one_of("status", DOCUMENT_STATUSES), name=op.f("ck_documents_status")),
    )
    op.create_index("ix_documents_status", "documents", ["status"])
    op.create_index("ix_documents_created_at", "documents", ["created_at"])

    op.create_table(
        "document_stages",
        sa.Column("doc_id", sa.String(64), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(100), nullable=True),
        sa.Column("output_ref", sa.String(64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", _utc_datetime(), nullable=False),
        sa.Column("finished_at", _utc_datetime(), nullable=True),
        sa.PrimaryKeyConstraint("doc_id", "stage", name=op.f("pk_document_stages")),
        _belongs_to_document("document_stages"),
        sa.CheckConstraint(_one_of("status", STAGE_STATUSES), name=op.f("ck_document_stages_status")),
    )

    op.create_table(
        "pages",
        sa.Column("doc_id", sa.String(64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("has_text_layer", sa.Boolean(), nullable=False),
        sa.Column("width", sa.Float(), nullable=False),
        sa.Column("height", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("doc_id", "number", name=op.f("pk_pages")),
        _belongs_to_document("pages"),
    )

    op.create_table(
        "document_tables",
        sa.Column("doc_id", sa.String(64), nullable=False),
        sa.Column("table_index", sa.Integer(), nullable=False),
        sa.Column("page_number", sa.Integer(), nullable=False),
        sa.Column("header", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("doc_id", "table_index", name=op.f("pk_document_tables")),
        _belongs_to_document("document_tables"),
    )

    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("topic", sa.String(255), nullable=False),
        sa.Column("reason_code", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("doc_id", sa.String(64), nullable=True),
        sa.Column("run_id", sa.Uuid(), nullable=True),
        sa.Column("payload_preview", sa.Text(), nullable=False),
        sa.Column("occurred_at", _utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
    )
    op.create_index("ix_dead_letters_occurred_at", "dead_letters", ["occurred_at"])
    op.create_index("ix_dead_letters_doc_id", "dead_letters", ["doc_id"])


def downgrade() -> None:
    """Drop every table."""
    op.drop_table("dead_letters")
    op.drop_table("document_tables")
    op.drop_table("pages")
    op.drop_table("document_stages")
    op.drop_table("documents")
