"""Score-records and store-records stage work: anomaly scores from the dataset's active model, then
an idempotent upsert of the scored records.

Without an active model (or if it fails), records flow on unscored: nothing waits or fails for
lack of a model. A redelivered batch upserts the same rows with the same values.
"""

import anyio
import structlog

from app.ml.anomaly import score_records
from app.pipeline.context import Pipeline
from app.storage.records import upsert_records
from schemas.models import ModelKind, RecordScore
from schemas.records import RecordsScored, RecordsValidated, ScoredRecord

log = structlog.get_logger(__name__)


async def score_batch(pipeline: Pipeline, event: RecordsValidated) -> RecordsScored:
    """The batch with each record's anomaly score, or unscored when the dataset has no active model."""
    scores: list[RecordScore | None] = [None] * len(event.records)
    model = await pipeline.models.get(ModelKind.RECORD_ANOMALY, event.dataset)
    if model is not None:
        rows = [record.data for record in event.records]
        try:
            scores = list(await anyio.to_thread.run_sync(score_records, model, rows))
        except Exception:  # a model fault must not stop the data: store it unscored, loudly
            log.exception("anomaly scoring failed; storing the batch unscored", dataset=event.dataset)
    return RecordsScored(
        dataset=event.dataset,
        run_id=event.run_id,
        source=event.source,
        records=[
            ScoredRecord(
                key=record.key,
                data=record.data,
                anomaly_score=None if score is None else score.anomaly_score,
                is_anomaly=None if score is None else score.is_anomaly,
                model_version=None if score is None else score.model_version,
            )
            for record, score in zip(event.records, scores, strict=True)
        ],
    )


async def store_batch(pipeline: Pipeline, event: RecordsScored) -> RecordsScored:
    """Upsert the batch's records by (dataset, key) in one transaction."""
    async with pipeline.sessions.begin() as session:
        await upsert_records(session, event.dataset, event.records, event.run_id)
    flagged = sum(1 for record in event.records if record.is_anomaly)
    log.info("records stored", dataset=event.dataset, records=len(event.records), anomalies=flagged)
    return event
