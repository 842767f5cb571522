"""Score stage: documents.extracted -> documents.scored (the active models' predictions, or none)."""

from faststream.kafka import KafkaRouter

from app.kafka.readiness import GroupReadiness
from app.pipeline.context import Pipeline
from app.pipeline.score import STAGE, score_document
from consumers._stage import process, subscription
from schemas.documents import DocumentExtracted


def create_router(pipeline: Pipeline, readiness: GroupReadiness) -> KafkaRouter:
    """The score stage's subscriber and publishers."""
    topics = pipeline.topics
    router = KafkaRouter()
    to_scored = router.publisher(topics.documents_scored, title="DocumentScored")
    to_dead_letters = router.publisher(topics.dead_letters, title="DeadLettered (score)")
    to_progress = router.publisher(topics.documents_progressed, title="DocumentProgressed (score)")

    @router.subscriber(topics.documents_extracted, **subscription(pipeline, STAGE, readiness))
    async def on_document_extracted(body: bytes) -> None:
        """Predict the document's class or topic with the active models; pass it on unscored without."""
        await process(
            pipeline,
            stage=STAGE,
            topic=topics.documents_extracted,
            body=body,
            model=DocumentExtracted,
            work=lambda event: score_document(pipeline, event),
            to_next=to_scored,
            to_dead_letters=to_dead_letters,
            to_progress=to_progress,
        )

    return router
