"""Document intake: bytes once into the blob store, the document registered, `DocumentSubmitted` published.

An upload without a run joins the standing live-ingestion run of its source for today (UTC).
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID

from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.blobs import BlobStore, StoredBlob
from app.runs.live import live_run_id, utc_day
from app.runs.tasks import LIVE_INGESTION
from app.storage.documents import register_document
from app.storage.run_documents import join_run
from app.storage.runs import ensure_live_run
from app.storage.tables import utcnow
from schemas.documents import DocumentStatus, DocumentSubmitted
from schemas.topics import Topics


@dataclass(frozen=True, slots=True)
class Intake:
    """The outcome of submitting bytes: which document they are, and whether it was already known."""

    doc_id: str
    status: DocumentStatus
    duplicate: bool
    run_id: UUID | None = None
    """The run the document belongs to (for a duplicate: the run that processed it last)."""


@dataclass(frozen=True, slots=True)
class DocumentIntake:
    """Accepts documents from uploads and the CLI; the same bytes twice are one document, processed once."""

    sessions: async_sessionmaker[AsyncSession]
    blobs: BlobStore
    broker: KafkaBroker
    topics: Topics

    async def submit(
        self,
        chunks: AsyncIterator[bytes],
        *,
        filename: str | None,
        source: str,
        run_id: UUID | None = None,
    ) -> Intake:
        """Store the bytes, register the document and, if it is new, publish it for processing."""
        blob = await self.blobs.put_stream(chunks)
        now = utcnow()
        async with self.sessions.begin() as session:
            if run_id is None:
                run_id = live_run_id(source, utc_day(now))
                await ensure_live_run(
                    session, run_id=run_id, task=LIVE_INGESTION, source=source, day=utc_day(now), now=now
                )
            intake = await self.admit(session, blob, filename=filename, source=source, run_id=run_id)
        if not intake.duplicate:
            await self.announce(blob.sha256, filename=filename, source=source, run_id=run_id)
        return intake

    @staticmethod
    async def admit(
        session: AsyncSession, blob: StoredBlob, *, filename: str | None, source: str, run_id: UUID
    ) -> Intake:
        """Register stored bytes as a document of the run, in the caller's transaction (no publishing).

        Bytes already registered are a duplicate: they do not join the run and are not processed again.
        After the commit, `announce` each document that is not a duplicate.
        """
        row, created = await register_document(
            session,
            doc_id=blob.sha256,
            filename=filename,
            source=source,
            size_bytes=blob.size_bytes,
            run_id=run_id,
        )
        if created:
            await join_run(session, run_id, blob.sha256)
        return Intake(
            doc_id=blob.sha256, status=DocumentStatus(row.status), duplicate=not created, run_id=row.run_id
        )

    async def announce(self, doc_id: str, *, filename: str | None, source: str, run_id: UUID) -> None:
        """Publish a newly registered document for processing (once its registration is committed)."""
        event = DocumentSubmitted(blob_sha256=doc_id, filename=filename, source=source, run_id=run_id)
        await self.broker.publish(event, self.topics.ingest_documents, key=doc_id.encode())
