"""Progress aggregator: documents.progressed -> run counts, rate and ETA in the database -> progress.

One consumer group: reports are keyed by run, so each run is aggregated by one consumer, in order.
Applying a report is idempotent per (run, document, stage), so a redelivery changes nothing.
"""

import structlog
from faststream import AckPolicy
from faststream.kafka import KafkaRouter
from pydantic import ValidationError

from app.kafka.readiness import GroupReadiness
from app.pipeline.context import Pipeline
from app.runs.progress import record_progress
from consumers._stage import describe_validation_error, group_timing, raw_body
from schemas.progress import DocumentProgressed, RunProgressed

log = structlog.get_logger(__name__)
STAGE = "progress"


def create_router(pipeline: Pipeline, readiness: GroupReadiness) -> KafkaRouter:
    """The aggregator's subscriber and its publisher of run snapshots."""
    topics = pipeline.topics
    router = KafkaRouter()
    to_progress = router.publisher(topics.progress, title="RunProgressed")

    @router.subscriber(
        topics.documents_progressed,
        group_id=topics.group("progress-aggregator"),
        ack_policy=AckPolicy.NACK_ON_ERROR,  # committed once the run's row is updated and announced
        decoder=raw_body,
        listener=readiness.listener(STAGE),
        auto_offset_reset="earliest",
        **group_timing(pipeline.settings),
    )
    async def on_document_progressed(body: bytes) -> None:
        """Fold one stage report into its run and announce the run's new state."""
        try:
            event = DocumentProgressed.model_validate_json(body)
        except ValidationError as exc:  # only our stages publish here: a bug, not an input to keep
            log.error("invalid progress report dropped", reason=describe_validation_error(exc))
            return
        snapshot = await record_progress(pipeline.sessions, event)
        if snapshot is not None:
            await to_progress.publish(RunProgressed(run=snapshot), key=str(snapshot.id).encode())

    return router
