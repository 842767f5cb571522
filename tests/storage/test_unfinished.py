"""What the reconciler sees: documents that stopped mid-pipeline, and how far they got."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.content import store_extraction
from app.storage.documents import mark_document_failed, record_cleaned, record_extracted
from app.storage.stages import mark_stage_done, mark_stage_started
from app.storage.unfinished import find_unfinished_documents
from schemas.documents import Stage
from tests.storage.samples import extraction, registered

RESULT_SHA = "b" * 64


async def test_find_unfinished_documents_reports_done_stages_and_outputs(
    session: AsyncSession,
) -> None:
    received = await registered(session, "received")
    await mark_stage_started(session, received.id, Stage.CLEAN, "w:1")  # started, never done

    cleaned = await registered(session, "cleaned")
    await record_cleaned(session, cleaned.id, page_count=2, pages_without_text=[])
    await mark_stage_done(session, cleaned.id, Stage.CLEAN)
    await mark_stage_started(session, cleaned.id, Stage.EXTRACT, "w:2")

    extracted = await registered(session, "extracted")
    await mark_stage_done(session, extracted.id, Stage.CLEAN)
    await record_extracted(session, extracted.id, RESULT_SHA)
    await session.commit()

    found = {item.document.id: item for item in await find_unfinished_documents(session)}

    assert set(found) == {received.id, cleaned.id, extracted.id}
    assert found[received.id].done_stages == frozenset()
    assert found[cleaned.id].done_stages == {"clean"}
    assert found[cleaned.id].output_refs == {"clean": None}
    assert found[extracted.id].done_stages == {"clean", "extract"}
    assert found[extracted.id].output_refs["extract"] == RESULT_SHA
    assert found[extracted.id].document.status == "extracted"


async def test_stored_and_failed_documents_are_finished(session: AsyncSession) -> None:
    stored = await registered(session, "stored")
    await mark_stage_done(session, stored.id, Stage.CLEAN)
    await store_extraction(session, stored.id, extraction(pages=1, tables=0))
    failed = await registered(session, "failed")
    await mark_stage_done(session, failed.id, Stage.CLEAN)
    await mark_document_failed(session, failed.id, "encrypted")
    await session.commit()

    assert await find_unfinished_documents(session) == []
