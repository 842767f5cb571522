"""Clean stage work: bring the bytes into the blob store, register the document, validate the PDF."""

import anyio

from app.blobs import StoredBlob
from app.errors import PermanentError
from app.pdf.inspect import inspect_pdf
from app.pipeline.context import Pipeline
from app.pipeline.fetch import fetch_to_blob
from app.storage.documents import get_document, record_cleaned, register_document
from app.storage.predictions import set_label
from app.storage.run_documents import get_run_document, join_run
from app.storage.runs import ensure_run_active
from app.storage.stages import get_stage, mark_stage_completed
from app.storage.tables import DocumentRow, utcnow
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
    """Store the bytes and the document row; return the document id (the bytes' sha256).

    Bytes the intake (an upload, a fetch, a replay) already registered in the event's run need no
    second write: the stored rows are what this would write.
    """
    blob = await resolve_bytes(pipeline, event)
    if event.blob_sha256 is not None and event.label is None and await _registered(pipeline, blob, event):
        return blob.sha256
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


async def _registered(pipeline: Pipeline, blob: StoredBlob, event: DocumentSubmitted) -> bool:
    async with pipeline.sessions() as session:  # read only
        if await get_document(session, blob.sha256) is None:
            return False
        return event.run_id is None or await get_run_document(session, event.run_id, blob.sha256) is not None


async def clean_document(pipeline: Pipeline, doc_id: str, event: DocumentSubmitted) -> DocumentCleaned:
    """Validate a registered document; a redelivery of finished work re-announces it without redoing it.

    One write transaction: the attempt is recorded with its outcome (see `mark_stage_completed`).
    """
    started_at = utcnow()
    async with pipeline.sessions() as session:  # read only: no write lock, nothing to commit
        document = await get_document(session, doc_id)
        stage = await get_stage(session, doc_id, Stage.CLEAN)
    assert document is not None, "register() runs first"
    if (
        stage is not None
        and stage.status == "done"
        and not await pipeline.runs.redoes(event.run_id, stage.run_id)
    ):
        return _cleaned_event(document, event, document.page_count or 0, document.pages_without_text or [])

    inspection = await anyio.to_thread.run_sync(inspect_pdf, pipeline.blobs.path(doc_id), pipeline.limits)
    pages_without_text = sorted(inspection.pages_without_text)
    async with pipeline.sessions.begin() as session:
        await record_cleaned(
            session, doc_id, page_count=inspection.page_count, pages_without_text=pages_without_text
        )
        await mark_stage_completed(
            session, doc_id, Stage.CLEAN, pipeline.worker_id, started_at=started_at, run_id=event.run_id
        )
        await ensure_run_active(session, event.run_id)
    # The same bytes give the same inspection: these are the row's values even if it had moved on.
    return _cleaned_event(document, event, inspection.page_count, pages_without_text)


def _cleaned_event(
    document: DocumentRow, event: DocumentSubmitted, page_count: int, pages_without_text: list[int]
) -> DocumentCleaned:
    return DocumentCleaned(
        doc_id=document.id,
        run_id=event.run_id,
        filename=document.filename,
        size_bytes=document.size_bytes,
        page_count=page_count,
        pages_without_text=list(pages_without_text),
    )
