"""Validate-records stage: ingest.records -> records.valid (each bad record -> dead-letters)."""

from faststream.kafka import KafkaRouter

from app.kafka.readiness import GroupReadiness
from app.pipeline.context import Pipeline
from app.pipeline.records import STAGE, RecordsChecked, validate_records
from consumers._stage import process, subscription
from schemas.records import RecordsSubmitted


def create_router(pipeline: Pipeline, readiness: GroupReadiness) -> KafkaRouter:
    """The validate-records stage's subscriber and publishers."""
    topics = pipeline.topics
    router = KafkaRouter()
    to_valid = router.publisher(topics.records_valid, title="RecordsValidated")
    to_dead_letters = router.publisher(topics.dead_letters, title="DeadLettered (validate-records)")
    to_progress = router.publisher(topics.documents_progressed, title="DocumentProgressed (validate-records)")

    async def publish(checked: RecordsChecked) -> None:
        """Announce the dead letters (already in the database), then pass the clean chunks on."""
        for letter in checked.letters:
            await to_dead_letters.publish(letter, key=str(letter.id).encode())
        for chunk in checked.valid:
            await to_valid.publish(chunk, key=chunk.dataset.encode())  # a dataset stays in order

    @router.subscriber(topics.ingest_records, **subscription(pipeline, STAGE, readiness))
    async def on_records_submitted(body: bytes) -> None:
        """Validate and clean each record of a batch against its dataset's schema."""
        await process(
            pipeline,
            stage=STAGE,
            topic=topics.ingest_records,
            body=body,
            model=RecordsSubmitted,
            work=lambda event: validate_records(pipeline, event, size_bytes=len(body)),
            to_next=None,
            to_dead_letters=to_dead_letters,
            to_progress=to_progress,
            publish=publish,
        )

    return router
