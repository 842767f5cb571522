"""The reconciler: republish every document whose pipeline never finished, from the stage where it stopped.

The database is the source of truth; the embedded broker forgets everything on restart. Stages are
idempotent, so republishing work that is in fact still in flight costs time, never correctness.
"""

import anyio
import structlog
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.blobs import BlobStore
from app.storage.unfinished import UnfinishedDocument, find_unfinished_documents
from producers.replay import resume_replays
from schemas.base import Event
from schemas.documents import DocumentCleaned, DocumentExtracted, DocumentSubmitted, Stage
from schemas.extraction import ExtractionResult
from schemas.topics import Topics

log = structlog.get_logger(__name__)


async def republish_unfinished(
    sessions: async_sessionmaker[AsyncSession], broker: KafkaBroker, topics: Topics, blobs: BlobStore
) -> int:
    """Publish the next event of every unfinished document (and of running replays); return how many."""
    async with sessions() as session:
        unfinished = await find_unfinished_documents(session)
    for item in unfinished:
        topic, event = await _resume_point(item, topics, blobs)
        await broker.publish(event, topic, key=item.document.id.encode())
    if unfinished:
        log.info("republished unfinished documents", count=len(unfinished))
    return len(unfinished) + await resume_replays(sessions, broker, topics)


async def _resume_point(item: UnfinishedDocument, topics: Topics, blobs: BlobStore) -> tuple[str, Event]:
    doc = item.document
    # Extracted but not stored: resume at the score stage's input (scoring again is cheap and uses
    # the model active now), whether or not the document was scored before.
    result_ref = item.output_refs.get(Stage.EXTRACT)
    if Stage.EXTRACT in item.done_stages and result_ref and blobs.exists(result_ref):
        raw = await anyio.Path(blobs.path(result_ref)).read_bytes()
        result = ExtractionResult.model_validate_json(raw)
        extracted = DocumentExtracted(
            doc_id=doc.id,
            run_id=doc.run_id,
            result_sha256=result_ref,
            page_count=result.page_count,
            table_count=len(result.tables),
        )
        return topics.documents_extracted, extracted
    if Stage.CLEAN in item.done_stages:
        cleaned = DocumentCleaned(
            doc_id=doc.id,
            run_id=doc.run_id,
            filename=doc.filename,
            size_bytes=doc.size_bytes,
            page_count=doc.page_count or 0,
            pages_without_text=list(doc.pages_without_text or []),
        )
        return topics.documents_cleaned, cleaned
    submitted = DocumentSubmitted(
        blob_sha256=doc.id, filename=doc.filename, source=doc.source, run_id=doc.run_id
    )
    return topics.ingest_documents, submitted
