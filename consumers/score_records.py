"""Score-records stage: records.valid -> records.scored (anomaly scores, or unscored without a model)."""

from faststream.kafka import KafkaRouter

from app.kafka.readiness import GroupReadiness
from app.pipeline.context import Pipeline
from app.pipeline.records_score import score_batch
from consumers._stage import process, subscription
from schemas.records import RecordsScored, RecordsValidated

STAGE = "score-records"


def create_router(pipeline: Pipeline, readiness: GroupReadiness) -> KafkaRouter:
    """The score-records stage's subscriber and publishers."""
    topics = pipeline.topics
    router = KafkaRouter()
    to_scored = router.publisher(topics.records_scored, title="RecordsScored")
    to_dead_letters = router.publisher(topics.dead_letters, title="DeadLettered (score-records)")
    to_progress = router.publisher(topics.documents_progressed, title="DocumentProgressed (score-records)")

    async def publish(scored: RecordsScored) -> None:
        """Pass the batch on, keyed by dataset so its batches stay in order."""
        await to_scored.publish(scored, key=scored.dataset.encode())

    @router.subscriber(topics.records_valid, **subscription(pipeline, STAGE, readiness))
    async def on_records_validated(body: bytes) -> None:
        """Score each clean record with its dataset's active anomaly model."""
        await process(
            pipeline,
            stage=STAGE,
            topic=topics.records_valid,
            body=body,
            model=RecordsValidated,
            work=lambda event: score_batch(pipeline, event),
            to_next=None,
            to_dead_letters=to_dead_letters,
            to_progress=to_progress,
            publish=publish,
        )

    return router
