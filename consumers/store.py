"""Store stage: documents.scored -> database, then documents.stored."""

from faststream.kafka import KafkaRouter

from app.kafka.readiness import GroupReadiness
from app.pipeline.context import Pipeline
from app.pipeline.store import store_document
from consumers._stage import process, subscription
from schemas.documents import DocumentScored, Stage


def create_router(pipeline: Pipeline, readiness: GroupReadiness) -> KafkaRouter:
    """The store stage's subscriber and publishers."""
    topics = pipeline.topics
    router = KafkaRouter()
    to_stored = router.publisher(topics.documents_stored, title="DocumentStored")
    to_dead_letters = router.publisher(topics.dead_letters, title="DeadLettered (store)")
    to_progress = router.publisher(topics.documents_progressed, title="DocumentProgressed (store)")

    @router.subscriber(topics.documents_scored, **subscription(pipeline, Stage.STORE, readiness))
    async def on_document_scored(body: bytes) -> None:
        """Write the extracted pages, tables, metadata and predictions to the database."""
        await process(
            pipeline,
            stage=Stage.STORE,
            topic=topics.documents_scored,
            body=body,
            model=DocumentScored,
            work=lambda event: store_document(pipeline, event),
            to_next=to_stored,
            to_dead_letters=to_dead_letters,
            to_progress=to_progress,
        )

    return router
