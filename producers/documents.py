"""Document intake: bytes once into the blob store, the document registered, `DocumentSubmitted` published."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID

from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.blobs import BlobStore
from app.storage.documents import register_document
from schemas.documents import DocumentStatus, DocumentSubmitted
from schemas.topics import Topics


@dataclass(frozen=True, slots=True)
class Intake:
    """The outcome of submitting bytes: which document they are, and whether it was already known."""

    doc_id: str
    status: DocumentStatus
    duplicate: bool


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
        async with self.sessions.begin() as session:
            row, created = await register_document(
                session,
                doc_id=blob.sha256,
                filename=filename,
                source=source,
                size_bytes=blob.size_bytes,
                run_id=run_id,
            )
        if created:
            event = DocumentSubmitted(
                blob_sha256=blob.sha256, filename=filename, source=source, run_id=run_id
            )
            await self.broker.publish(event, self.topics.ingest_documents, key=blob.sha256.encode())
        return Intake(doc_id=blob.sha256, status=DocumentStatus(row.status), duplicate=not created)
