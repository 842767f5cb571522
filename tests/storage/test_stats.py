"""Overview statistics: counts per hour or day, throughput and the queue per stage, on both databases."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.dead_letters import record_dead_letter
from app.storage.documents import mark_document_failed, record_cleaned
from app.storage.records import DatasetRow, RecordRow
from app.storage.stages import mark_stage_done, mark_stage_started
from app.storage.stats import overview, stage_queue
from app.storage.tables import DocumentRow, DocumentStageRow
from schemas.dead_letters import DeadLettered, DeadLetterReason
from schemas.documents import DocumentStatus, Stage
from schemas.stats import Bucket
from tests.storage.samples import doc_id, registered

NOW = datetime(2024, 6, 3, 12, 30, tzinfo=UTC)
SINCE = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)


async def stored_at(session: AsyncSession, seed: str, moment: datetime, *, pages: int) -> None:
    """A document received and stored at `moment`, with `pages` pages."""
    await registered(session, seed)
    await mark_stage_done(session, doc_id(seed), Stage.STORE)
    await session.execute(
        update(DocumentRow)
        .where(DocumentRow.id == doc_id(seed))
        .values(status=DocumentStatus.STORED, page_count=pages, created_at=moment)
    )
    await session.execute(
        update(DocumentStageRow).where(DocumentStageRow.doc_id == doc_id(seed)).values(finished_at=moment)
    )


async def failed_at(session: AsyncSession, n: int, moment: datetime) -> None:
    """A dead letter of an input that is no document."""
    letter = DeadLettered(
        id=uuid.UUID(int=n + 1),
        stage="clean",
        topic="ingest.documents",
        reason_code=DeadLetterReason.INVALID_EVENT,
        reason="not JSON",
        occurred_at=moment,
    )
    await record_dead_letter(session, letter)


async def records_at(session: AsyncSession, moment: datetime, count: int) -> None:
    """`count` records of the dataset `orders`, first stored at `moment`."""
    if await session.get(DatasetRow, "orders") is None:
        session.add(DatasetRow(name="orders", schema={"columns": []}, key=None, inferred=True))
        await session.flush()
    for n in range(count):
        key = f"{moment.isoformat()}-{n}"
        session.add(RecordRow(dataset="orders", record_key=key[:64], data={"n": n}, ingested_at=moment))
    await session.flush()


async def test_hourly_buckets_count_what_happened_in_each_hour(session: AsyncSession) -> None:
    await stored_at(session, "a", datetime(2024, 6, 3, 9, 5, tzinfo=UTC), pages=10)
    await stored_at(session, "b", datetime(2024, 6, 3, 9, 55, tzinfo=UTC), pages=4)
    await stored_at(session, "c", datetime(2024, 6, 3, 11, 0, tzinfo=UTC), pages=1)
    await stored_at(session, "too old", datetime(2024, 6, 3, 8, 59, tzinfo=UTC), pages=100)
    await failed_at(session, 0, datetime(2024, 6, 3, 10, 15, tzinfo=UTC))
    await records_at(session, datetime(2024, 6, 3, 12, 10, tzinfo=UTC), 3)
    await session.commit()

    stats = await overview(session, Bucket.HOUR, SINCE, NOW)

    rows = [
        (b.start.hour, b.documents_received, b.documents_stored, b.pages_stored, b.records_stored, b.failures)
        for b in stats.buckets
    ]
    assert rows == [(9, 2, 2, 14, 0, 0), (10, 0, 0, 0, 0, 1), (11, 1, 1, 1, 0, 0), (12, 0, 0, 0, 3, 0)]
    assert all(b.start.tzinfo is not None for b in stats.buckets)
    window = (NOW - SINCE).total_seconds()
    assert stats.throughput.window_seconds == window
    assert stats.throughput.documents_per_minute == 3 * 60 / window
    assert stats.throughput.pages_per_second == 15 / window
    assert stats.throughput.records_per_minute == 3 * 60 / window
    assert stats.documents_by_status[DocumentStatus.STORED] == 4
    assert stats.open_dead_letters == 1


async def test_daily_buckets_are_utc_days(session: AsyncSession) -> None:
    await stored_at(session, "late", datetime(2024, 6, 1, 23, 59, tzinfo=UTC), pages=2)
    await stored_at(session, "early", datetime(2024, 6, 2, 0, 1, tzinfo=UTC), pages=3)
    await session.commit()

    stats = await overview(session, Bucket.DAY, datetime(2024, 6, 1, tzinfo=UTC), NOW)

    assert [(b.start.day, b.documents_stored, b.pages_stored) for b in stats.buckets] == [
        (1, 1, 2),
        (2, 1, 3),
        (3, 0, 0),
    ]


async def test_the_queue_counts_in_flight_documents_by_the_stage_they_wait_for(session: AsyncSession) -> None:
    await registered(session, "just received")
    await registered(session, "cleaning")
    await mark_stage_started(session, doc_id("cleaning"), Stage.CLEAN, worker="w:1")
    for seed in ("cleaned 1", "cleaned 2"):
        await registered(session, seed)
        await mark_stage_done(session, doc_id(seed), Stage.CLEAN)
        await record_cleaned(session, doc_id(seed), page_count=1, pages_without_text=[])
    await registered(session, "extracted")
    for stage in (Stage.CLEAN, Stage.EXTRACT):
        await mark_stage_done(session, doc_id("extracted"), stage)
    await registered(session, "failed")
    await mark_document_failed(session, doc_id("failed"), "broken")
    await stored_at(session, "stored", NOW - timedelta(minutes=5), pages=1)
    await session.commit()

    assert await stage_queue(session) == {"clean": 2, "extract": 2, "score": 1, "store": 0}


async def test_an_empty_database_has_every_bucket_at_zero(session: AsyncSession) -> None:
    stats = await overview(session, Bucket.HOUR, SINCE, NOW)

    assert len(stats.buckets) == 4
    assert all(b.documents_stored == b.failures == 0 for b in stats.buckets)
    assert stats.throughput.pages_per_second == 0
    assert [(q.stage, q.documents) for q in stats.queue] == [
        ("clean", 0),
        ("extract", 0),
        ("score", 0),
        ("store", 0),
    ]
    assert set(stats.documents_by_status.values()) == {0}
