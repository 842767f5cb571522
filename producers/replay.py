"""Replays: the stored input of a task's first stage, republished for a document of a run.

Clean replays from the stored bytes (`DocumentSubmitted` naming the blob); extract replays from the
cleaned document as the database knows it (`DocumentCleaned`). After a restart, `resume_replays`
republishes what a running replay had not finished.
"""

from uuid import UUID

import structlog
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.runs.tasks import RESCORE, TASKS
from app.storage.run_documents import pending_replays
from app.storage.tables import DocumentRow
from producers.rescore_run import republish
from schemas.base import Event
from schemas.documents import DocumentCleaned, DocumentSubmitted, Stage
from schemas.topics import Topics

log = structlog.get_logger(__name__)


def replay_event(topics: Topics, run_id: UUID, stage: Stage, doc: DocumentRow) -> tuple[str, Event]:
    """The stored input of `stage` for a document, as the event (and topic) that starts it in a run."""
    if stage is Stage.EXTRACT:
        cleaned = DocumentCleaned(
            doc_id=doc.id,
            run_id=run_id,
            filename=doc.filename,
            size_bytes=doc.size_bytes,
            page_count=doc.page_count or 0,
            pages_without_text=list(doc.pages_without_text or []),
        )
        return topics.documents_cleaned, cleaned
    submitted = DocumentSubmitted(blob_sha256=doc.id, filename=doc.filename, source=doc.source, run_id=run_id)
    return topics.ingest_documents, submitted


async def resume_replays(
    sessions: async_sessionmaker[AsyncSession], broker: KafkaBroker, topics: Topics
) -> int:
    """After a restart: republish the unfinished documents of running replays; return how many."""
    async with sessions() as session:
        pending = await pending_replays(session)
    for run_id, task, doc in pending:
        if task == RESCORE:
            continue  # enters at the score stage, from its stored extraction: below
        stage = TASKS[task].first_stage if task in TASKS else Stage.CLEAN
        topic, event = replay_event(topics, run_id, stage, doc)
        await broker.publish(event, topic, key=doc.id.encode())
    rescores = [(run_id, doc) for run_id, task, doc in pending if task == RESCORE]
    await republish(sessions, broker, topics, rescores)
    if pending:
        log.info("resumed runs", documents=len(pending))
    return len(pending)
