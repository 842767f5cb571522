"""The newest records of a dataset, as a chart of one of its columns needs them."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.records.series import StoredValue
from app.storage.records import RecordRow


async def newest_records(session: AsyncSession, dataset: str, limit: int) -> list[StoredValue]:
    """The `limit` most recently stored records of the dataset (any order)."""
    stmt = (
        sa.select(
            RecordRow.record_key,
            RecordRow.data,
            RecordRow.ingested_at,
            RecordRow.is_anomaly,
            RecordRow.anomaly_score,
        )
        .where(RecordRow.dataset == dataset)
        .order_by(RecordRow.ingested_at.desc(), RecordRow.record_key)
        .limit(limit)
    )
    return [
        StoredValue(key=key, data=dict(data), ingested_at=at, is_anomaly=flag, anomaly_score=score)
        for key, data, at, flag, score in (await session.execute(stmt)).all()
    ]
