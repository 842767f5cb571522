"""Store-records stage: records.scored -> database (an upsert per dataset and record key)."""

from faststream.kafka import KafkaRouter

from app.kafka.readiness import GroupReadiness
from app.pipeline.context import Pipeline
from app.pipeline.records_score import store_batch
from consumers._stage import process, subscription
from schemas.records import RecordsScored

STAGE = "store-records"


def create_router(pipeline: Pipeline, readiness: GroupReadiness) -> KafkaRouter:
    """The store-records stage's subscriber and its dead-letter publisher."""
    topics = pipeline.topics
    router = KafkaRouter()
    to_dead_letters = router.publisher(topics.dead_letters, title="DeadLettered (store-records)")
    to_progress = router.publisher(topics.documents_progressed, title="DocumentProgressed (store-records)")

    @router.subscriber(topics.records_scored, **subscription(pipeline, STAGE, readiness))
    async def on_records_scored(body: bytes) -> None:
        """Write the scored records to the database."""
        await process(
            pipeline,
            stage=STAGE,
            topic=topics.records_scored,
            body=body,
            model=RecordsScored,
            work=lambda event: store_batch(pipeline, event),
            to_next=None,
            to_dead_letters=to_dead_letters,
            to_progress=to_progress,
        )

    return router
