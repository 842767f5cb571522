"""Extract stage: documents.cleaned -> documents.extracted (pdfplumber, in a process pool)."""

from faststream.kafka import KafkaRouter

from app.kafka.readiness import GroupReadiness
from app.pipeline.context import Pipeline
from app.pipeline.extract import extract_document
from consumers._stage import process, subscription
from schemas.documents import DocumentCleaned, Stage


def create_router(pipeline: Pipeline, readiness: GroupReadiness) -> KafkaRouter:
    """The extract stage: one consumer per pool worker, each owning whole partitions."""
    topics = pipeline.topics
    router = KafkaRouter()
    to_extracted = router.publisher(topics.documents_extracted, title="DocumentExtracted")
    to_dead_letters = router.publisher(topics.dead_letters, title="DeadLettered (extract)")
    to_progress = router.publisher(topics.documents_progressed, title="DocumentProgressed (extract)")

    @router.subscriber(
        topics.documents_cleaned,
        # Several consumers in the group, each committing its own partitions in order, so the
        # process pool is kept busy without ever committing past unfinished work.
        max_workers=pipeline.settings.extract_workers,
        **subscription(pipeline, Stage.EXTRACT, readiness),
    )
    async def on_document_cleaned(body: bytes) -> None:
        """Extract text per page, tables and metadata from one cleaned document."""
        await process(
            pipeline,
            stage=Stage.EXTRACT,
            topic=topics.documents_cleaned,
            body=body,
            model=DocumentCleaned,
            work=lambda event: extract_document(pipeline, event),
            to_next=to_extracted,
            to_dead_letters=to_dead_letters,
            to_progress=to_progress,
        )

    return router
