"""Records and models: datasets and their records, the model registry, document labels and predictions.

Revision ID: 0002_ml
Revises: 0001
Create Date: 2024-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_ml"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MODEL_KINDS = ("document_classifier", "document_topics", "record_anomaly")


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _utc_datetime() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _belongs_to_document(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["doc_id"], ["documents.id"], name=op.f(f"fk_{table}_doc_id_documents"), ondelete="CASCADE"
    )


def upgrade() -> None:
    """Create datasets, records, models, document_labels and document_predictions."""
    op.create_table(
        "datasets",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("schema", sa.JSON(), nullable=False),
        sa.Column("key", sa.JSON(), nullable=True),
        sa.Column("inferred", sa.Boolean(), nullable=False),
        sa.Column("created_at", _utc_datetime(), nullable=False),
        sa.Column("updated_at", _utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_datasets")),
    )

    op.create_table(
        "records",
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("record_key", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("anomaly_score", sa.Float(), nullable=True),
        sa.Column("is_anomaly", sa.Boolean(), nullable=True),
        sa.Column("model_version", sa.String(64), nullable=True),
        sa.Column("run_id", sa.Uuid(), nullable=True),
        sa.Column("ingested_at", _utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("dataset", "record_key", name=op.f("pk_records")),
        sa.ForeignKeyConstraint(
            ["dataset"], ["datasets.name"], name=op.f("fk_records_dataset_datasets"), ondelete="CASCADE"
        ),
    )
    op.create_index("ix_records_dataset_ingested_at", "records", ["dataset", "ingested_at"])
    op.create_index("ix_records_dataset_is_anomaly", "records", ["dataset", "is_anomaly"])

    op.create_table(
        "models",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("training_size", sa.Integer(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("artifact_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", _utc_datetime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_models")),
        sa.UniqueConstraint("kind", "scope", "version", name=op.f("uq_models_kind_scope_version")),
        sa.CheckConstraint(_one_of("kind", MODEL_KINDS), name=op.f("ck_models_kind")),
    )
    op.create_index("ix_models_kind_scope_active", "models", ["kind", "scope", "active"])

    op.create_table(
        "document_labels",
        sa.Column("doc_id", sa.String(64), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("labelled_by", sa.String(255), nullable=True),
        sa.Column("labelled_at", _utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("doc_id", name=op.f("pk_document_labels")),
        _belongs_to_document("document_labels"),
    )
    op.create_index("ix_document_labels_label", "document_labels", ["label"])

    op.create_table(
        "document_predictions",
        sa.Column("doc_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("label", sa.String(100), nullable=True),
        sa.Column("topic", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("predicted_at", _utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("doc_id", "kind", name=op.f("pk_document_predictions")),
        _belongs_to_document("document_predictions"),
        sa.CheckConstraint(_one_of("kind", MODEL_KINDS), name=op.f("ck_document_predictions_kind")),
    )


def downgrade() -> None:
    """Drop the records and models tables."""
    op.drop_table("document_predictions")
    op.drop_table("document_labels")
    op.drop_table("models")
    op.drop_table("records")
    op.drop_table("datasets")
