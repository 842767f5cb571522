"""Store stage work: write pages, tables, metadata and predictions into the database in one idempotent
transaction."""

from datetime import UTC, datetime

from app.pipeline.context import Pipeline
from app.pipeline.extract import load_result
from app.storage.content import store_extraction
from app.storage.predictions import store_predictions
from app.storage.runs import ensure_run_active
from app.storage.stages import mark_stage_completed
from app.storage.tables import utcnow
from schemas.documents import DocumentScored, DocumentStored, Stage


async def store_document(pipeline: Pipeline, event: DocumentScored) -> DocumentStored:
    """Upsert the extraction result; storing the same result twice leaves the same rows."""
    started_at = utcnow()
    result = await load_result(pipeline, event.result_sha256)
    async with pipeline.sessions.begin() as session:  # the content and the whole attempt in one write
        await store_extraction(session, event.doc_id, result)
        await store_predictions(session, event.doc_id, event.predictions)
        await mark_stage_completed(
            session,
            event.doc_id,
            Stage.STORE,
            pipeline.worker_id,
            started_at=started_at,
            run_id=event.run_id,
            output_ref=event.result_sha256,
        )
        await ensure_run_active(session, event.run_id)  # after the first write: see app/storage/runs.py
    return DocumentStored(
        doc_id=event.doc_id,
        run_id=event.run_id,
        page_count=result.page_count,
        table_count=len(result.tables),
        stored_at=datetime.now(UTC),
    )
