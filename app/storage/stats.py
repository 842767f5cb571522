"""Overview statistics in SQL that runs on SQLite and PostgreSQL: counts grouped by hour or day.

Each series is one `GROUP BY` over a bucket expression: `date_trunc` on PostgreSQL (in UTC),
`strftime` on SQLite (which stores UTC text). Empty buckets are filled in by the caller.
"""

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.runs.tasks import PIPELINE
from app.stats import bucket_starts, parse_bucket_key
from app.storage.records import RecordRow
from app.storage.tables import DeadLetterRow, DocumentRow, DocumentStageRow, StageStatus
from schemas.dead_letters import DeadLetterStatus
from schemas.documents import DocumentStatus, Stage
from schemas.stats import Bucket, StageQueue, StatsBucket, StatsOverview, Throughput

_SQLITE_FORMAT = {Bucket.HOUR: "%Y-%m-%d %H:00:00", Bucket.DAY: "%Y-%m-%d 00:00:00"}
FINAL = (DocumentStatus.STORED, DocumentStatus.FAILED)


def bucket_of(session: AsyncSession, column: Any, bucket: Bucket) -> ColumnElement[Any]:
    """The start of `column`'s bucket, as the session's database computes it."""
    # Literal SQL, not parameters: PostgreSQL must see the same expression in SELECT and GROUP BY.
    if session.get_bind().dialect.name == "postgresql":
        utc = column.op("AT TIME ZONE")(literal_column("'UTC'"))
        return func.date_trunc(literal_column(f"'{bucket.value}'"), utc)
    return func.strftime(literal_column(f"'{_SQLITE_FORMAT[bucket]}'"), column)


class Series(dict[datetime, int]):
    """Counts by bucket start; a missing bucket counts 0."""

    def __missing__(self, key: datetime) -> int:
        return 0


async def _series(
    session: AsyncSession, column: Any, bucket: Bucket, since: datetime, *criteria: Any
) -> Series:
    key = bucket_of(session, column, bucket).label("bucket")
    stmt = select(key, func.count()).where(column >= since, *criteria).group_by(key)
    return Series({parse_bucket_key(start): count for start, count in (await session.execute(stmt)).all()})


async def documents_received(session: AsyncSession, bucket: Bucket, since: datetime) -> Series:
    """Documents registered per bucket."""
    return await _series(session, DocumentRow.created_at, bucket, since)


async def documents_stored(session: AsyncSession, bucket: Bucket, since: datetime) -> tuple[Series, Series]:
    """Documents whose store stage finished per bucket, and their pages."""
    key = bucket_of(session, DocumentStageRow.finished_at, bucket).label("bucket")
    stmt = (
        select(key, func.count(), func.coalesce(func.sum(DocumentRow.page_count), 0))
        .join(DocumentRow, DocumentRow.id == DocumentStageRow.doc_id)
        .where(
            DocumentStageRow.stage == Stage.STORE.value,
            DocumentStageRow.status == StageStatus.DONE,
            DocumentStageRow.finished_at >= since,
        )
        .group_by(key)
    )
    documents, pages = Series(), Series()
    for start, count, page_sum in (await session.execute(stmt)).all():
        documents[parse_bucket_key(start)] = count
        pages[parse_bucket_key(start)] = int(page_sum)
    return documents, pages


async def records_stored(session: AsyncSession, bucket: Bucket, since: datetime) -> Series:
    """Records stored for the first time per bucket (a replaced key keeps its first time)."""
    return await _series(session, RecordRow.ingested_at, bucket, since)


async def failures(session: AsyncSession, bucket: Bucket, since: datetime) -> Series:
    """Dead letters per bucket, whatever happened to them since."""
    return await _series(session, DeadLetterRow.occurred_at, bucket, since)


async def stage_queue(session: AsyncSession) -> dict[str, int]:
    """In-flight documents (not stored or failed) by the stage they wait for, in pipeline order."""
    rank = case({stage: index for index, stage in enumerate(PIPELINE)}, value=DocumentStageRow.stage)
    done = and_(DocumentStageRow.doc_id == DocumentRow.id, DocumentStageRow.status == StageStatus.DONE)
    last_done = (
        select(func.max(rank).label("last"))
        .select_from(DocumentRow)
        .outerjoin(DocumentStageRow, done)
        .where(DocumentRow.status.not_in(FINAL))
        .group_by(DocumentRow.id)
        .subquery()
    )
    rows = (await session.execute(select(last_done.c.last, func.count()).group_by(last_done.c.last))).all()
    waiting = Counter[str]()
    for last, count in rows:
        # Nothing done yet: waiting for the first stage. Every stage done: about to be marked stored.
        following = 0 if last is None else min(int(last) + 1, len(PIPELINE) - 1)
        waiting[PIPELINE[following]] += count
    return {stage: waiting[stage] for stage in PIPELINE}


async def documents_by_status(session: AsyncSession) -> dict[DocumentStatus, int]:
    """How many documents are in each status (every status listed, zeros too)."""
    rows = (
        await session.execute(select(DocumentRow.status, func.count()).group_by(DocumentRow.status))
    ).all()
    counts = {DocumentStatus(status): count for status, count in rows}
    return {status: counts.get(status, 0) for status in DocumentStatus}


async def open_dead_letters(session: AsyncSession) -> int:
    """Dead letters nobody has retried or discarded."""
    stmt = (
        select(func.count()).select_from(DeadLetterRow).where(DeadLetterRow.status == DeadLetterStatus.OPEN)
    )
    return (await session.scalar(stmt)) or 0


async def overview(session: AsyncSession, bucket: Bucket, since: datetime, now: datetime) -> StatsOverview:
    """Every series over `[since, now]` (`since` a bucket start), throughput and the current queue."""
    received = await documents_received(session, bucket, since)
    stored, pages = await documents_stored(session, bucket, since)
    records = await records_stored(session, bucket, since)
    failed = await failures(session, bucket, since)
    buckets = [
        StatsBucket(
            start=start,
            documents_received=received[start],
            documents_stored=stored[start],
            pages_stored=pages[start],
            records_stored=records[start],
            failures=failed[start],
        )
        for start in bucket_starts(since, now, bucket)
    ]
    seconds = max((now - since).total_seconds(), 1.0)
    throughput = Throughput(
        window_seconds=seconds,
        documents_per_minute=sum(stored.values()) * 60 / seconds,
        pages_per_second=sum(pages.values()) / seconds,
        records_per_minute=sum(records.values()) * 60 / seconds,
    )
    queue = [
        StageQueue(stage=stage, documents=count) for stage, count in (await stage_queue(session)).items()
    ]
    return StatsOverview(
        bucket=bucket,
        since=since,
        until=now,
        buckets=buckets,
        throughput=throughput,
        queue=queue,
        documents_by_status=await documents_by_status(session),
        open_dead_letters=await open_dead_letters(session),
    )
