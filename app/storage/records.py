"""Datasets and their records: a schema per dataset, one row per (dataset, record key), upserted.

A redelivered batch rewrites the same rows with the same values; `ingested_at` keeps the first time
a key was seen. Migration 0002_ml creates these tables.
"""

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.tables import Base, UtcDateTime, table_of, utcnow
from app.storage.upsert import upsert
from schemas.records import DatasetSchema, ScoredRecord

EXPORT_PAGE = 1000


class DatasetRow(Base):
    """A named dataset: its schema (declared by an admin or inferred from its first batch)."""

    __tablename__ = "datasets"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    schema: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    key: Mapped[list[str] | None] = mapped_column(sa.JSON)
    inferred: Mapped[bool] = mapped_column(sa.Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    @property
    def dataset_schema(self) -> DatasetSchema:
        """The stored schema as its wire model."""
        return DatasetSchema.model_validate(self.schema)


class RecordRow(Base):
    """One clean record of a dataset, with its anomaly score once a model is active."""

    __tablename__ = "records"
    __table_args__ = (
        sa.Index("ix_records_dataset_ingested_at", "dataset", "ingested_at"),
        sa.Index("ix_records_dataset_is_anomaly", "dataset", "is_anomaly"),
    )

    dataset: Mapped[str] = mapped_column(
        sa.String(64), sa.ForeignKey("datasets.name", ondelete="CASCADE"), primary_key=True
    )
    record_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    anomaly_score: Mapped[float | None] = mapped_column(sa.Float)
    is_anomaly: Mapped[bool | None] = mapped_column(sa.Boolean)
    model_version: Mapped[str | None] = mapped_column(sa.String(64))
    run_id: Mapped[UUID | None] = mapped_column(sa.Uuid)
    ingested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


async def get_dataset(session: AsyncSession, name: str) -> DatasetRow | None:
    """The dataset called `name`, freshly read, or None."""
    return await session.get(DatasetRow, name, populate_existing=True)


async def add_dataset_if_absent(
    session: AsyncSession, name: str, schema: DatasetSchema, *, inferred: bool
) -> DatasetRow:
    """Create the dataset unless it exists (a concurrent first batch may win); return the stored one."""
    now = utcnow()
    stmt = upsert(session, table_of(DatasetRow), keys=["name"]).values(
        name=name, schema=_dump(schema), key=schema.key, inferred=inferred, created_at=now, updated_at=now
    )
    await session.execute(stmt)
    row = await get_dataset(session, name)
    assert row is not None, "the row was just inserted or already existed"
    return row


async def put_dataset_schema(session: AsyncSession, name: str, schema: DatasetSchema) -> DatasetRow:
    """Declare (or replace) a dataset's schema; later batches are validated against it."""
    now = utcnow()
    stmt = upsert(
        session, table_of(DatasetRow), keys=["name"], copy=["schema", "key", "inferred", "updated_at"]
    ).values(name=name, schema=_dump(schema), key=schema.key, inferred=False, created_at=now, updated_at=now)
    await session.execute(stmt)
    row = await get_dataset(session, name)
    assert row is not None
    return row


async def list_datasets(session: AsyncSession) -> list[tuple[DatasetRow, int]]:
    """Every dataset by name, with how many records it holds."""
    counts = sa.select(RecordRow.dataset, sa.func.count().label("n")).group_by(RecordRow.dataset).subquery()
    rows = await session.execute(
        sa.select(DatasetRow, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.dataset == DatasetRow.name)
        .order_by(DatasetRow.name)
    )
    return [(row, int(count)) for row, count in rows.all()]


async def count_records(session: AsyncSession, dataset: str) -> int:
    """How many records a dataset holds."""
    stmt = sa.select(sa.func.count()).select_from(RecordRow).where(RecordRow.dataset == dataset)
    return await session.scalar(stmt) or 0


async def upsert_records(
    session: AsyncSession, dataset: str, records: Sequence[ScoredRecord], run_id: UUID | None
) -> None:
    """Insert or replace records by (dataset, key) in one statement; `ingested_at` stays the first seen."""
    if not records:
        return
    stmt = upsert(
        session,
        table_of(RecordRow),
        keys=["dataset", "record_key"],
        copy=["data", "anomaly_score", "is_anomaly", "model_version", "run_id"],
    )
    now = utcnow()
    await session.execute(
        stmt,
        [
            {
                "dataset": dataset,
                "record_key": record.key,
                "data": record.data,
                "anomaly_score": record.anomaly_score,
                "is_anomaly": record.is_anomaly,
                "model_version": record.model_version,
                "run_id": run_id,
                "ingested_at": now,
            }
            for record in records
        ],
    )


def _filters(dataset: str, anomalous: bool | None, run_id: UUID | None) -> list[sa.ColumnElement[bool]]:
    criteria = [RecordRow.dataset == dataset]
    if anomalous is True:
        criteria.append(RecordRow.is_anomaly.is_(True))
    elif anomalous is False:
        criteria.append(sa.or_(RecordRow.is_anomaly.is_(False), RecordRow.is_anomaly.is_(None)))
    if run_id is not None:
        criteria.append(RecordRow.run_id == run_id)
    return criteria


async def list_records(
    session: AsyncSession,
    dataset: str,
    *,
    limit: int,
    offset: int = 0,
    anomalous: bool | None = None,
    run_id: UUID | None = None,
) -> tuple[list[RecordRow], int]:
    """One page of a dataset's records, oldest first (then by key), and how many match in all."""
    criteria = _filters(dataset, anomalous, run_id)
    total = await session.scalar(sa.select(sa.func.count()).select_from(RecordRow).where(*criteria))
    rows = await session.scalars(
        sa.select(RecordRow)
        .where(*criteria)
        .order_by(RecordRow.ingested_at, RecordRow.record_key)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total or 0


async def iter_record_pages(
    session: AsyncSession, dataset: str, *, anomalous: bool | None = None, page: int = EXPORT_PAGE
) -> AsyncIterator[list[dict[str, Any]]]:
    """Every matching record's data, `page` at a time by key (keyset paging: no OFFSET rescans)."""
    criteria = _filters(dataset, anomalous, None)
    after = ""
    while True:
        stmt = (
            sa.select(RecordRow.record_key, RecordRow.data)
            .where(*criteria, RecordRow.record_key > after)
            .order_by(RecordRow.record_key)
            .limit(page)
        )
        rows = (await session.execute(stmt)).all()
        if not rows:
            return
        yield [dict(data) for _, data in rows]
        after = rows[-1][0]


async def training_rows(session: AsyncSession, dataset: str, limit: int) -> list[dict[str, Any]]:
    """The data of a dataset's most recently ingested records (at most `limit`), to train on."""
    stmt = (
        sa.select(RecordRow.data)
        .where(RecordRow.dataset == dataset)
        .order_by(RecordRow.ingested_at.desc(), RecordRow.record_key)
        .limit(limit)
    )
    return [dict(data) for data in await session.scalars(stmt)]


def _dump(schema: DatasetSchema) -> dict[str, Any]:
    return schema.model_dump(mode="json")
