"""Documents: idempotent registration, forward-only status, listing, hostile input."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.content import store_extraction
from app.storage.documents import (
    get_document,
    list_documents,
    mark_document_failed,
    record_cleaned,
    record_extracted,
    register_document,
)
from app.storage.tables import DocumentRow
from schemas.documents import DocumentStatus
from tests.storage.samples import doc_id, extraction, registered, status_of, values

RESULT_SHA = "e" * 64


async def test_registering_a_document_creates_it_as_received(session: AsyncSession) -> None:
    run_id = uuid.uuid4()
    row, created = await register_document(
        session,
        doc_id=doc_id("new"),
        filename="new.pdf",
        source="upload",
        size_bytes=2048,
        run_id=run_id,
    )
    await session.commit()

    assert created is True
    assert (row.id, row.filename, row.source, row.size_bytes) == (
        doc_id("new"),
        "new.pdf",
        "upload",
        2048,
    )
    assert row.status == DocumentStatus.RECEIVED
    assert row.run_id == run_id
    assert (row.page_count, row.table_count, row.error) == (None, None, None)
    assert (row.pages_without_text, row.metadata_) == ([], {})
    assert row.created_at == row.updated_at
    assert abs(datetime.now(UTC) - row.created_at) < timedelta(minutes=1)


async def test_registering_the_same_document_twice_returns_the_same_row(
    session: AsyncSession,
) -> None:
    first, first_created = await register_document(
        session, doc_id=doc_id("twice"), filename="a.pdf", source="upload", size_bytes=1, run_id=None
    )
    before = values(first)
    await session.commit()

    again, again_created = await register_document(
        session, doc_id=doc_id("twice"), filename="b.pdf", source="api", size_bytes=9, run_id=None
    )
    await session.commit()

    assert (first_created, again_created) == (True, False)
    assert values(again) == before  # the first registration wins; nothing is overwritten
    _, total = await list_documents(session, limit=10, offset=0)
    assert total == 1


async def test_registering_again_never_downgrades_a_stored_document(session: AsyncSession) -> None:
    row = await registered(session, "stored")
    await store_extraction(session, row.id, extraction(pages=1, tables=0))

    again, created = await register_document(
        session, doc_id=row.id, filename="x.pdf", source="upload", size_bytes=1, run_id=None
    )

    assert created is False
    assert again.status == DocumentStatus.STORED


async def test_status_moves_forward_through_the_pipeline(session: AsyncSession) -> None:
    row = await registered(session, "forward")

    assert await record_cleaned(session, row.id, page_count=3, pages_without_text=[3, 2]) is True
    cleaned = await get_document(session, row.id)
    assert cleaned is not None
    assert (cleaned.status, cleaned.page_count, cleaned.pages_without_text) == (
        DocumentStatus.CLEANED,
        3,
        [2, 3],
    )

    assert await record_extracted(session, row.id, RESULT_SHA) is True
    assert await status_of(session, row.id) == DocumentStatus.EXTRACTED

    await store_extraction(session, row.id, extraction(pages=3, tables=1))
    assert await status_of(session, row.id) == DocumentStatus.STORED


async def test_status_never_moves_backwards(session: AsyncSession) -> None:
    row = await registered(session, "backwards")
    await record_cleaned(session, row.id, page_count=2, pages_without_text=[])
    await record_extracted(session, row.id, RESULT_SHA)

    # A redelivered clean message arrives late, with different numbers.
    assert await record_cleaned(session, row.id, page_count=99, pages_without_text=[1]) is False
    extracted = await get_document(session, row.id)
    assert extracted is not None
    assert (extracted.status, extracted.page_count, extracted.pages_without_text) == (
        DocumentStatus.EXTRACTED,
        2,
        [],
    )

    await store_extraction(session, row.id, extraction(pages=2, tables=0))
    assert await record_cleaned(session, row.id, page_count=2, pages_without_text=[]) is False
    assert await record_extracted(session, row.id, RESULT_SHA) is False
    assert await mark_document_failed(session, row.id, "late failure") is False
    stored = await get_document(session, row.id)
    assert stored is not None
    assert (stored.status, stored.error) == (DocumentStatus.STORED, None)


async def test_a_failed_document_records_why(session: AsyncSession) -> None:
    row = await registered(session, "broken")

    assert await mark_document_failed(session, row.id, "page 3 is not a PDF object") is True

    failed = await get_document(session, row.id)
    assert failed is not None
    assert (failed.status, failed.error) == (DocumentStatus.FAILED, "page 3 is not a PDF object")


async def test_a_retried_failed_document_moves_forward_and_loses_its_error(
    session: AsyncSession,
) -> None:
    row = await registered(session, "retried")
    await mark_document_failed(session, row.id, "extract timed out")

    assert await record_cleaned(session, row.id, page_count=1, pages_without_text=[]) is True

    retried = await get_document(session, row.id)
    assert retried is not None
    assert (retried.status, retried.error) == (DocumentStatus.CLEANED, None)


async def test_recording_progress_for_an_unknown_document_changes_nothing(
    session: AsyncSession,
) -> None:
    unknown = doc_id("unknown")
    assert await record_cleaned(session, unknown, page_count=1, pages_without_text=[]) is False
    assert await mark_document_failed(session, unknown, "boom") is False
    assert await get_document(session, unknown) is None


async def test_list_documents_filters_by_status_and_paginates_newest_first(
    session: AsyncSession,
) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(7):
        row = await registered(session, f"doc-{n}")
        await session.execute(
            update(DocumentRow).where(DocumentRow.id == row.id).values(created_at=start + timedelta(hours=n))
        )
        if n % 3 == 0:  # doc-0, doc-3, doc-6
            await mark_document_failed(session, row.id, "bad")
    await session.commit()

    everything, total = await list_documents(session, limit=3, offset=0)
    assert total == 7
    assert [r.filename for r in everything] == ["doc-6.pdf", "doc-5.pdf", "doc-4.pdf"]

    last_page, total = await list_documents(session, limit=3, offset=6)
    assert (total, [r.filename for r in last_page]) == (7, ["doc-0.pdf"])

    failed, failed_total = await list_documents(session, status=DocumentStatus.FAILED, limit=2, offset=1)
    assert failed_total == 3
    assert [r.filename for r in failed] == ["doc-3.pdf", "doc-0.pdf"]

    none, none_total = await list_documents(session, status=DocumentStatus.STORED, limit=5, offset=0)
    assert (none, none_total) == ([], 0)
