"""Clean stage work: bring the bytes into the blob store, register the document, validate the PDF."""

import anyio

from app.blobs import StoredBlob
from app.errors import PermanentError
from app.pdf.inspect import inspect_pdf
from app.pipeline.context import Pipeline
from app.pipeline.fetch import fetch_to_blob
from app.storage.documents import get_document, record_cleaned, register_document
from app.storage.predictions import set_label
from app.storage.run_documents import join_run
from app.storage.runs import ensure_run_active
from app.storage.stages import get_stage, mark_stage_done, mark_stage_started
from app.storage.tables import DocumentRow
from schemas.dead_letters import DeadLetterReason
from schemas.documents import DocumentCleaned, DocumentSubmitted, Stage


async def resolve_bytes(pipeline: Pipeline, event: DocumentSubmitted) -> StoredBlob:
    """Make sure the submitted bytes are in the blob store, wherever they came from."""
    blobs = pipeline.blobs
    if event.blob_sha256 is not None:
        path = blobs.path(event.blob_sha256)
        if not await anyio.Path(path).is_file():
            raise PermanentError(
                DeadLetterReason.FETCH_FAILED, f"Blob {event.blob_sha256} is not in the blob store."
            )
        size = (await anyio.Path(path).stat()).st_size
        return StoredBlob(sha256=event.blob_sha256, size_bytes=size)
    if event.content is not None:
        return await anyio.to_thread.run_sync(blobs.put_bytes, event.inline_bytes())
    assert event.url is not None
    return await fetch_to_blob(pipeline.http, str(event.url), blobs, pipeline.settings.max_upload_bytes)


async def register(pipeline: Pipeline, event: DocumentSubmitted) -> str:
    """Store the bytes and the document row; return the document id (the bytes' sha256)."""
    blob = await resolve_bytes(pipeline, event)
    async with pipeline.sessions.begin() as session:
        await register_document(
            session,
            doc_id=blob.sha256,
            filename=event.filename,
            source=event.source,
            size_bytes=blob.size_bytes,
            run_id=event.run_id,
        )
        if event.run_id is not None:
            await join_run(session, event.run_id, blob.sha256)
        if event.label is not None:  # a class known upstream: training data for the classifier
            await set_label(session, blob.sha256, event.label, by=f"event:{event.source}")
    return blob.sha256


async def clean_document(pipeline: Pipeline, doc_id: str, event: DocumentSubmitted) -> DocumentCleaned:
    """Validate a registered document; a redelivery of finished work re-announces it without redoing it."""
    async with pipeline.sessions.begin() as session:
        document = await get_document(session, doc_id)
        stage = await get_stage(session, doc_id, Stage.CLEAN)
        assert document is not None, "register() runs first"
        finished = (
            stage is not None
            and stage.status == "done"
            and not await pipeline.runs.redoes(event.run_id, stage.run_id)
        )
        if not finished:
            await mark_stage_started(session, doc_id, Stage.CLEAN, pipeline.worker_id, run_id=event.run_id)
    if finished:
        return _cleaned_event(document, event)

    inspection = await anyio.to_thread.run_sync(inspect_pdf, pipeline.blobs.path(doc_id), pipeline.limits)
    async with pipeline.sessions.begin() as session:
        await record_cleaned(
            session,
            doc_id,
            page_count=inspection.page_count,
            pages_without_text=list(inspection.pages_without_text),
        )
        await mark_stage_done(session, doc_id, Stage.CLEAN)
        await ensure_run_active(session, event.run_id)
        document = await get_document(session, doc_id)
    assert document is not None
    return _cleaned_event(document, event)


def _cleaned_event(document: DocumentRow, event: DocumentSubmitted) -> DocumentCleaned:
    return DocumentCleaned(
        doc_id=document.id,
        run_id=event.run_id,
        filename=document.filename,
        size_bytes=document.size_bytes,
        page_count=document.page_count or 0,
        pages_without_text=list(document.pages_without_text or []),
    )
