"""Store stage work: write pages, tables and metadata into the database in one idempotent transaction."""

from datetime import UTC, datetime

from app.pipeline.context import Pipeline
from app.pipeline.extract import load_result
from app.storage.content import store_extraction
from app.storage.stages import mark_stage_done, mark_stage_started
from schemas.documents import DocumentExtracted, DocumentStored, Stage


async def store_document(pipeline: Pipeline, event: DocumentExtracted) -> DocumentStored:
    """Upsert the extraction result; storing the same result twice leaves the same rows."""
    result = await load_result(pipeline, event.result_sha256)
    async with pipeline.sessions.begin() as session:
        await mark_stage_started(session, event.doc_id, Stage.STORE, pipeline.worker_id)
    async with pipeline.sessions.begin() as session:
        await store_extraction(session, event.doc_id, result)
        await mark_stage_done(session, event.doc_id, Stage.STORE, output_ref=event.result_sha256)
    return DocumentStored(
        doc_id=event.doc_id,
        run_id=event.run_id,
        page_count=result.page_count,
        table_count=len(result.tables),
        stored_at=datetime.now(UTC),
    )
