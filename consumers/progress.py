"""Progress aggregator: documents.progressed -> run counts, rate and ETA in the database -> progress.

One consumer group: reports are keyed by run, so each run is aggregated by one consumer, in order.
Applying a report is idempotent per (run, document, stage), so a redelivery changes nothing.
Reports are consumed in batches (whatever has arrived): a batch is one transaction and one
`RunProgressed` per run it changed, so the cost follows the number of runs, not of reports.
"""

from typing import Any

import structlog
from faststream import AckPolicy
from faststream.kafka import KafkaRouter
from faststream.message import StreamMessage
from pydantic import ValidationError

from app.kafka.readiness import GroupReadiness
from app.pipeline.context import Pipeline
from app.runs.progress import record_progress_batch
from consumers._stage import describe_validation_error, group_timing
from schemas.progress import DocumentProgressed, RunProgressed

log = structlog.get_logger(__name__)
STAGE = "progress"
MAX_BATCH = 500
"""Most reports applied in one transaction (it holds SQLite's write lock while it runs)."""
BATCH_WAIT_MS = 100
"""How long a fetch waits for the first report; whatever has arrived by then is taken at once."""


async def raw_bodies(message: StreamMessage[Any]) -> list[bytes]:
    """Hand the batch handler each report's raw bytes: decoding is ours, report by report."""
    return [bytes(body) for body in message.body]


def create_router(pipeline: Pipeline, readiness: GroupReadiness) -> KafkaRouter:
    """The aggregator's subscriber and its publisher of run snapshots."""
    topics = pipeline.topics
    router = KafkaRouter()
    to_progress = router.publisher(topics.progress, title="RunProgressed")

    @router.subscriber(
        topics.documents_progressed,
        group_id=topics.group("progress-aggregator"),
        ack_policy=AckPolicy.NACK_ON_ERROR,  # committed once the runs' rows are updated and announced
        decoder=raw_bodies,
        listener=readiness.listener(STAGE),
        auto_offset_reset="earliest",
        batch=True,  # whatever has arrived, up to MAX_BATCH: one transaction, one snapshot per run
        max_records=MAX_BATCH,
        batch_timeout_ms=BATCH_WAIT_MS,
        **group_timing(pipeline.settings),
    )
    async def on_documents_progressed(bodies: list[bytes]) -> None:
        """Fold a batch of stage reports into their runs and announce each run's new state once."""
        events = []
        for body in bodies:
            try:
                events.append(DocumentProgressed.model_validate_json(body))
            except ValidationError as exc:  # only our stages publish here: a bug, not an input to keep
                log.error("invalid progress report dropped", reason=describe_validation_error(exc))
        for snapshot in await record_progress_batch(pipeline.sessions, events):
            await to_progress.publish(RunProgressed(run=snapshot), key=str(snapshot.id).encode())

    return router
