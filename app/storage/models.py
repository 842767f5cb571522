"""The model registry: every trained model's card, and which one per (kind, scope) is active.

A model is registered once per (kind, scope, version): the version is a digest of what made it, so
training twice on the same data finds the row already there. Migration 0002_ml creates the table.
"""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.tables import Base, UtcDateTime, table_of, utcnow
from app.storage.upsert import upsert
from schemas.models import ModelInfo, ModelKind

MODEL_KIND_TYPE = sa.Enum(
    ModelKind,
    name="kind",
    native_enum=False,
    length=32,
    create_constraint=True,
    values_callable=lambda members: [member.value for member in members],
)
"""A VARCHAR(32) with a CHECK constraint, like every other enum column."""


class ModelRow(Base):
    """One trained model; its skops artifact is the blob `artifact_sha256`."""

    __tablename__ = "models"
    __table_args__ = (
        sa.UniqueConstraint("kind", "scope", "version"),
        sa.Index("ix_models_kind_scope_active", "kind", "scope", "active"),
    )

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid4)
    kind: Mapped[ModelKind] = mapped_column(MODEL_KIND_TYPE)
    scope: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[str] = mapped_column(sa.String(64))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    training_size: Mapped[int] = mapped_column(sa.Integer)
    metrics: Mapped[dict[str, float]] = mapped_column(sa.JSON)
    artifact_sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    def info(self) -> ModelInfo:
        """The registry entry as the API shows it."""
        return ModelInfo(
            id=self.id,
            kind=self.kind,
            version=self.version,
            scope=self.scope,
            params=dict(self.params),
            training_size=self.training_size,
            metrics=dict(self.metrics),
            artifact_sha256=self.artifact_sha256,
            created_at=self.created_at,
            active=self.active,
        )


async def register_model(session: AsyncSession, model: ModelInfo) -> ModelRow:
    """Add the model, inactive, unless its (kind, scope, version) is registered; return the stored row."""
    stmt = upsert(session, table_of(ModelRow), keys=["kind", "scope", "version"]).values(
        id=model.id,
        kind=model.kind,
        scope=model.scope,
        version=model.version,
        params=dict(model.params),
        training_size=model.training_size,
        metrics=dict(model.metrics),
        artifact_sha256=model.artifact_sha256,
        created_at=model.created_at,
        active=False,
    )
    await session.execute(stmt)
    row = await session.scalar(
        sa.select(ModelRow)
        .where(ModelRow.kind == model.kind, ModelRow.scope == model.scope, ModelRow.version == model.version)
        .execution_options(populate_existing=True)
    )
    assert row is not None, "the row was just inserted or already existed"
    return row


async def get_model(session: AsyncSession, model_id: UUID) -> ModelRow | None:
    """The model with this id, freshly read, or None."""
    return await session.get(ModelRow, model_id, populate_existing=True)


async def list_models(
    session: AsyncSession,
    *,
    limit: int,
    offset: int = 0,
    kind: ModelKind | None = None,
    scope: str | None = None,
) -> tuple[list[ModelRow], int]:
    """One page of models, newest first, optionally of one kind and scope; and how many match."""
    criteria = []
    if kind is not None:
        criteria.append(ModelRow.kind == kind)
    if scope is not None:
        criteria.append(ModelRow.scope == scope)
    total = await session.scalar(sa.select(sa.func.count()).select_from(ModelRow).where(*criteria))
    rows = await session.scalars(
        sa.select(ModelRow)
        .where(*criteria)
        .order_by(ModelRow.created_at.desc(), ModelRow.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total or 0


async def activate_model(session: AsyncSession, row: ModelRow) -> None:
    """Make `row` the one active model of its kind and scope, in one statement."""
    await session.execute(
        sa.update(ModelRow)
        .where(ModelRow.kind == row.kind, ModelRow.scope == row.scope)
        .values(active=ModelRow.id == row.id)
    )


async def active_model(session: AsyncSession, kind: ModelKind, scope: str) -> ModelRow | None:
    """The active model of a kind and scope, or None before any was activated."""
    return await session.scalar(
        sa.select(ModelRow)
        .where(ModelRow.kind == kind, ModelRow.scope == scope, ModelRow.active.is_(True))
        .execution_options(populate_existing=True)
    )
