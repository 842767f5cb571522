"""Validate-records stage work: a submitted batch -> clean records (in bounded chunks) and dead letters.

Each record is judged on its own (`app.records.clean`): a bad one becomes an `invalid_record` dead
letter carrying the row and its reason, and the rest of the batch proceeds. A dataset without a
schema gets one inferred from its first batch. A message over `MAX_RECORD_BATCH_BYTES` is refused
whole (`too_large`): real Kafka refuses messages over 1 MB, so a producer must learn to split.
"""

import hashlib
import json
from datetime import UTC, datetime

import anyio
import structlog
from pydantic import BaseModel, ConfigDict

from app.errors import PermanentError
from app.pipeline.context import Pipeline
from app.pipeline.failures import dead_letter_id, preview
from app.records.clean import CleanBatch, Row, record_key, validate_and_clean
from app.records.infer import infer_schema
from app.records.intake import split_batches
from app.storage.dead_letters import record_dead_letter
from app.storage.records import add_dataset_if_absent, get_dataset
from schemas.dead_letters import DeadLettered, DeadLetterReason
from schemas.records import (
    MAX_RECORD_BATCH_BYTES,
    DatasetSchema,
    JsonScalar,
    RecordsSubmitted,
    RecordsValidated,
    ValidRecord,
)

log = structlog.get_logger(__name__)
STAGE = "validate-records"


class RecordsChecked(BaseModel):
    """The outcome of one batch: clean records to pass on (possibly several chunks), and dead letters."""

    model_config = ConfigDict(frozen=True)

    valid: list[RecordsValidated]
    letters: list[DeadLettered]


async def validate_records(pipeline: Pipeline, event: RecordsSubmitted, *, size_bytes: int) -> RecordsChecked:
    """Validate and clean a batch; its bad records are dead letters, durable before this returns."""
    if size_bytes > MAX_RECORD_BATCH_BYTES:
        raise PermanentError(
            DeadLetterReason.TOO_LARGE,
            f"The batch is {size_bytes:,} bytes; a records message may be at most "
            f"{MAX_RECORD_BATCH_BYTES:,} bytes. Send fewer records per message.",
        )
    schema = await dataset_schema(pipeline, event)
    batch: CleanBatch = await anyio.to_thread.run_sync(validate_and_clean, event.records, schema)
    letters = await _dead_letters(pipeline, event, batch)
    valid = [ValidRecord(key=record_key(row, schema), data=jsonable(row)) for row in batch.good]
    chunks = split_batches(valid, lambda record: len(record.model_dump_json()) + 1)
    if batch.skipped:
        log.info("duplicate records skipped", dataset=event.dataset, skipped=len(batch.skipped))
    return RecordsChecked(
        valid=[
            RecordsValidated(dataset=event.dataset, records=chunk, run_id=event.run_id, source=event.source)
            for chunk in chunks
        ],
        letters=letters,
    )


async def dataset_schema(pipeline: Pipeline, event: RecordsSubmitted) -> DatasetSchema:
    """The dataset's schema; for a new dataset, one inferred from this batch (the first one wins)."""
    async with pipeline.sessions() as session:
        row = await get_dataset(session, event.dataset)
    if row is not None:
        return row.dataset_schema
    inferred = await anyio.to_thread.run_sync(infer_schema, event.records)
    async with pipeline.sessions.begin() as session:
        row = await add_dataset_if_absent(session, event.dataset, inferred, inferred=True)
    log.info("dataset schema inferred", dataset=event.dataset, columns=len(inferred.columns))
    return row.dataset_schema


def jsonable(row: Row) -> dict[str, JsonScalar]:
    """A clean record as JSON values: datetimes become UTC ISO 8601 text."""
    return {name: value.isoformat() if isinstance(value, datetime) else value for name, value in row.items()}


async def _dead_letters(pipeline: Pipeline, event: RecordsSubmitted, batch: CleanBatch) -> list[DeadLettered]:
    """One dead letter per rejected record, all recorded in one transaction."""
    if not batch.rejected:
        return []
    # The batch digest makes a letter's id unique to this batch and row, and the same on redelivery.
    digest = hashlib.sha256(event.model_dump_json().encode()).hexdigest()[:16]
    now = datetime.now(UTC)
    letters = []
    for rejected in batch.rejected:
        payload = json.dumps(
            {
                "dataset": event.dataset,
                "batch": digest,
                "row": rejected.row,
                "record": event.records[rejected.row],
            }
        ).encode()
        letters.append(
            DeadLettered(
                id=dead_letter_id(STAGE, None, payload),
                stage=STAGE,
                topic=pipeline.topics.ingest_records,
                reason_code=DeadLetterReason.INVALID_RECORD,
                reason=f"Record {rejected.row} of a batch for {event.dataset!r}: {rejected.reason}"[:2000],
                run_id=event.run_id,
                payload_preview=preview(payload),
                occurred_at=now,
            )
        )
    async with pipeline.sessions.begin() as session:
        for letter in letters:
            await record_dead_letter(session, letter)
    log.warning("invalid records dead-lettered", dataset=event.dataset, rejected=len(letters))
    return letters
