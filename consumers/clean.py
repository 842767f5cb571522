"""Clean stage: ingest.documents -> documents.cleaned (bad input -> dead-letters)."""

from faststream.kafka import KafkaRouter

from app.errors import PermanentError
from app.kafka.readiness import GroupReadiness
from app.pipeline.clean import clean_document, register
from app.pipeline.context import Pipeline
from consumers._stage import process, subscription
from schemas.documents import DocumentCleaned, DocumentSubmitted, Stage


def create_router(pipeline: Pipeline, readiness: GroupReadiness) -> KafkaRouter:
    """The clean stage's subscriber and publishers."""
    topics = pipeline.topics
    router = KafkaRouter()
    to_cleaned = router.publisher(topics.documents_cleaned, title="DocumentCleaned")
    to_dead_letters = router.publisher(topics.dead_letters, title="DeadLettered (clean)")
    to_progress = router.publisher(topics.documents_progressed, title="DocumentProgressed (clean)")

    async def work(event: DocumentSubmitted) -> DocumentCleaned:
        doc_id = await register(pipeline, event)
        try:
            return await clean_document(pipeline, doc_id, event)
        except PermanentError as exc:
            raise exc.about(doc_id) from exc

    @router.subscriber(topics.ingest_documents, **subscription(pipeline, Stage.CLEAN, readiness))
    async def on_document_submitted(body: bytes) -> None:
        """Bring the document's bytes in, register it and check it is a readable PDF within limits."""
        await process(
            pipeline,
            stage=Stage.CLEAN,
            topic=topics.ingest_documents,
            body=body,
            model=DocumentSubmitted,
            work=work,
            to_next=to_cleaned,
            to_dead_letters=to_dead_letters,
            to_progress=to_progress,
        )

    return router
